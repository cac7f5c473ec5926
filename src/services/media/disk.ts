// Media files on disk: `<directory>/<kind>/<two characters>/<rest of the key>`, written to a
// temporary name and renamed, so a reader never sees half a file.
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import { checkMediaKey, type MediaStore } from './store.js';

export function diskMediaStore(directory: string): MediaStore {
  const root = resolve(directory);
  const pathOf = (key: string) => {
    const [kind, name] = checkMediaKey(key).split('/') as [string, string];
    const path = resolve(root, kind, name.slice(0, 2), name);
    // checkMediaKey already allows no `..` or separators; this is the rule it protects.
    if (!path.startsWith(root + sep)) throw new Error('A media key resolved outside the store.');
    return path;
  };
  return {
    location: root,
    async put(key, body) {
      const path = pathOf(key);
      await mkdir(dirname(path), { recursive: true });
      const partial = `${path}.${randomBytes(6).toString('hex')}.partial`;
      try {
        // Flushed before the rename: a row may point at this file as soon as put returns.
        await writeFile(partial, Buffer.isBuffer(body) ? body : body.stream, { flush: true, mode: 0o600 });
        await rename(partial, path);
      } catch (err) {
        await rm(partial, { force: true });
        throw err;
      }
    },
    async get(key) {
      let handle: Awaited<ReturnType<typeof open>>;
      try {
        handle = await open(pathOf(key), 'r');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw err;
      }
      const { size } = await handle.stat();
      // The stream closes the handle when it ends or is destroyed (a client that went away).
      return { body: handle.createReadStream(), size };
    },
    async delete(key) {
      await rm(pathOf(key), { force: true });
    },
  };
}
