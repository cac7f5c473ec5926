// The shared pipeline cases on PostgreSQL, each test on a fresh database.
import { describePipeline } from '../services/inbound/pipeline-cases.js';
import { freshPostgresDatabase } from '../support/context.js';

describePipeline('PostgreSQL', freshPostgresDatabase);
