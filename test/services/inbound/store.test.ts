// Group commit on SQLite (the PostgreSQL suite runs the same cases).
import { describeStore } from './store-cases.js';

describeStore('SQLite');
