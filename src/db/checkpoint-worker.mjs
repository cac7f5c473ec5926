// Copies the SQLite write-ahead log back into the database file from a thread of its own
// (database.ts starts one per file database). A checkpoint writes pages all over a large file and
// fsyncs it: run by the commit that crossed the threshold, it held the server's only thread for
// tens of milliseconds on a year of data. PASSIVE never takes the writer's lock, so the server's
// commits never wait for it; the log restarts from its start once a checkpoint has caught up.
// Plain JavaScript: it needs no loader, from the sources or compiled.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const { path, intervalMs } = workerData;
const sqlite = new Database(path);
sqlite.pragma('busy_timeout = 1000');

const checkpoint = () => {
  try {
    sqlite.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // busy or locked: the next tick tries again
  }
};
const timer = setInterval(checkpoint, intervalMs);
parentPort.on('message', (message) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  checkpoint();
  sqlite.close();
  parentPort.close();
});
parentPort.postMessage('ready');
