// Group commit on PostgreSQL: one statement per turn stores the messages and their reaction jobs.
import { describeStore } from '../services/inbound/store-cases.js';
import { freshPostgresDatabase } from '../support/context.js';

describeStore('PostgreSQL', freshPostgresDatabase);
