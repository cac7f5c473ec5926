// `npm run migrate`: brings the database named by DATABASE_URL to the latest schema and prints one
// line. The server migrates on start too; this is for deploys that migrate before starting.
import { pathToFileURL } from 'node:url';
import { ConfigError, loadConfig } from '../config.js';
import { migrateToLatest, openDatabase } from './database.js';
import { switchToIncrementalVacuum } from './sqlite-upkeep.js';

/** Resolves to the exit code: 0 migrated (or already current), 2 bad configuration, 1 a failed migration. */
export async function runMigrate(
  io: { out: (text: string) => void; err: (text: string) => void } = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) },
): Promise<number> {
  let url: string;
  try {
    url = loadConfig().databaseUrl;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    io.err(`${err.message}\n`);
    return 2;
  }
  const database = openDatabase(url);
  try {
    const applied = await migrateToLatest(database);
    io.out(
      applied.length === 0
        ? `The ${database.dialect} database is already at the latest schema.\n`
        : `Migrated the ${database.dialect} database to the latest schema: ${applied.join(', ')}.\n`,
    );
    // Offline, whatever the file's size: the one VACUUM the server skips at start-up for a large file.
    if (database.sqlite && switchToIncrementalVacuum(database.sqlite, Number.POSITIVE_INFINITY) === 'switched') {
      io.out('The SQLite file now gives back the space of removed rows (auto_vacuum = incremental).\n');
    }
    return 0;
  } catch (err) {
    io.err(`${(err as Error).message}\n`);
    return 1;
  } finally {
    await database.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await runMigrate();
}
