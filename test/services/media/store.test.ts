// The media store's contract, on disk and against a fake S3-compatible server over real HTTP: a file
// put is read back whole (also when put as a stream), deleting is idempotent, a missing key reads
// as nothing, and a key that is not one newMediaKey makes never reaches a path or a bucket.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testConfig } from '../../../src/config.js';
import { diskMediaStore } from '../../../src/services/media/disk.js';
import { openMediaStore } from '../../../src/services/media/open-store.js';
import { type MediaStore, newMediaKey } from '../../../src/services/media/store.js';
import { startFakeS3, type FakeS3 } from '../../fakes/s3.js';

let s3: FakeS3;
let directory: string;
beforeAll(async () => {
  s3 = await startFakeS3();
  directory = await mkdtemp(join(tmpdir(), 'media-store-test-'));
});
afterAll(async () => {
  await s3.close();
  await rm(directory, { recursive: true, force: true });
});

const s3Env = () => ({
  MEDIA_STORE: `s3://${s3.bucket}/tenant-files/media`,
  MEDIA_S3_ENDPOINT: s3.url,
  MEDIA_S3_REGION: s3.region,
  AWS_ACCESS_KEY_ID: s3.accessKeyId,
  AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
});

async function readAll(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const stores: Array<[string, () => MediaStore]> = [
  ['on disk', () => diskMediaStore(directory)],
  ['in an S3-compatible bucket', () => openMediaStore(testConfig(s3Env()).mediaStore).store],
];

describe.each(stores)('the media store %s', (_name, makeStore) => {
  it('reads back what was put, also a stream; a missing key is undefined; deleting twice is fine', async () => {
    const store = makeStore();
    const key = newMediaKey('inbound');
    const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(200_000, 7)]);
    await store.put(key, pdf, 'application/pdf');
    const read = await store.get(key);
    expect(read?.size).toBe(pdf.length);
    expect((await readAll(read!.body)).equals(pdf)).toBe(true);

    const streamed = newMediaKey('uploads');
    await store.put(streamed, { stream: Readable.from([Buffer.from('GIF89a'), Buffer.from('…rest')]), size: 6 + Buffer.byteLength('…rest') }, 'image/gif');
    expect((await readAll((await store.get(streamed))!.body)).toString()).toBe('GIF89a…rest');

    await store.delete(key);
    expect(await store.get(key)).toBeUndefined();
    await store.delete(key);
    expect(await store.get(newMediaKey('inbound'))).toBeUndefined();
  });

  it.each(['../../etc/passwd', 'inbound/../../secret', 'inbound/short', `other/${'a'.repeat(32)}`, `inbound/${'a'.repeat(31)}/`, `/inbound/${'a'.repeat(32)}`])(
    'refuses the key %j before touching anything',
    async (key) => {
      const store = makeStore();
      const requestsBefore = s3.requests.length;
      await expect(store.put(key, Buffer.from('x'), 'text/plain')).rejects.toThrow(/Not a media key/);
      await expect(store.get(key)).rejects.toThrow(/Not a media key/);
      await expect(store.delete(key)).rejects.toThrow(/Not a media key/);
      expect(s3.requests.length).toBe(requestsBefore);
    },
  );
});

describe('keys', () => {
  it('are new and unguessable each time: 32 base64url characters under their kind', () => {
    const keys = new Set(Array.from({ length: 1000 }, () => newMediaKey('inbound')));
    expect(keys.size).toBe(1000);
    for (const key of keys) expect(key).toMatch(/^inbound\/[A-Za-z0-9_-]{32}$/);
  });
});

describe('on disk', () => {
  it('keeps files under the directory by kind and the key’s first two characters, with nothing half-written left', async () => {
    const root = await mkdtemp(join(tmpdir(), 'media-disk-'));
    try {
      const store = diskMediaStore(root);
      const key = newMediaKey('uploads');
      await store.put(key, Buffer.from('hello'), 'text/plain');
      const name = key.slice('uploads/'.length);
      expect(await readFile(join(root, 'uploads', name.slice(0, 2), name), 'utf8')).toBe('hello');
      expect(await readdir(join(root, 'uploads', name.slice(0, 2)))).toEqual([name]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe('in an S3-compatible bucket', () => {
  it('puts path-style at <endpoint>/<bucket>/<prefix>/<key>, signed with SigV4 and typed', async () => {
    const store = openMediaStore(testConfig(s3Env()).mediaStore).store;
    expect(store.location).toBe(`s3://${s3.bucket}/tenant-files/media`);
    const key = newMediaKey('inbound');
    s3.reset();
    await store.put(key, Buffer.from('OggS voice'), 'audio/ogg');
    expect(s3.requests).toHaveLength(1);
    const [put] = s3.requests;
    expect(put!.method).toBe('PUT');
    expect(put!.path).toBe(`/${s3.bucket}/tenant-files/media/${key}`);
    expect(put!.headers.authorization).toMatch(new RegExp(`^AWS4-HMAC-SHA256 Credential=${s3.accessKeyId}/\\d{8}/${s3.region}/s3/aws4_request`));
    expect(s3.objects.get(`tenant-files/media/${key}`)).toEqual({ bytes: Buffer.from('OggS voice'), contentType: 'audio/ogg' });
  });

  it('fails (and stores nothing) with the wrong secret: the fake checks the signature', async () => {
    const store = openMediaStore(testConfig({ ...s3Env(), AWS_SECRET_ACCESS_KEY: 'not-the-secret' }).mediaStore).store;
    const key = newMediaKey('inbound');
    await expect(store.put(key, Buffer.from('x'), 'text/plain')).rejects.toThrow();
    expect(s3.objects.has(`tenant-files/media/${key}`)).toBe(false);
  });
});
