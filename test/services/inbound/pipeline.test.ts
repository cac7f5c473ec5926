// The shared pipeline cases on SQLite (in memory).
import { describePipeline } from './pipeline-cases.js';

describePipeline('SQLite', async () => ({ url: 'sqlite::memory:' }));
