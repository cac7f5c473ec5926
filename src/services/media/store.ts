// The media store: where inbound media copies and visitor uploads are kept, out of the database
// rows (a file can be 25 MB). One small interface, on disk (disk.ts) or in an S3-compatible bucket
// (s3.ts); rows keep the metadata and the object's key.
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';

/** A stored file, opened for reading. */
export interface StoredObject {
  body: Readable;
  /** in bytes, when the store says */
  size: number | undefined;
}

/** A file to keep: in memory, or a stream of known length (S3 needs the length up front). */
export type MediaBody = Buffer | { stream: Readable; size: number };

export interface MediaStore {
  /** for logs: a directory or s3://bucket/prefix (never a credential) */
  readonly location: string;
  /** Keeps `body` under `key` (a new key each time: newMediaKey), complete once this resolves. */
  put(key: string, body: MediaBody, contentType: string): Promise<void>;
  /** The object, or undefined when there is none under `key`. */
  get(key: string): Promise<StoredObject | undefined>;
  /** Removes the object; one already gone is not an error. */
  delete(key: string): Promise<void>;
}

/** What a key holds: an inbound message's media copy, or a file a visitor attached in the widget. */
export type MediaKind = 'inbound' | 'uploads';

const KEY = /^(inbound|uploads)\/[A-Za-z0-9_-]{32}$/;

/** A new, unguessable key (192 random bits): knowing one file's key tells nothing of another's. */
export function newMediaKey(kind: MediaKind): string {
  return `${kind}/${randomBytes(24).toString('base64url')}`;
}

/**
 * Keys are only ever made by newMediaKey; anything else (a `..`, a slash too many) is refused
 * before it reaches a path or a bucket, so a stored key can never name a file outside the store.
 */
export function checkMediaKey(key: string): string {
  if (!KEY.test(key)) throw new Error(`Not a media key: ${JSON.stringify(key.slice(0, 80))}`);
  return key;
}
