// The indexing thread's entry (indexer.ts starts it). Plain JavaScript that registers tsx's
// loader first, so the TypeScript it runs starts the same under tsx, vitest and node: a worker
// does not inherit the loader of the thread that started it.
import { register } from 'tsx/esm/api';

register();
await import('./indexer-thread.ts');
