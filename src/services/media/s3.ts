// Media files in an S3-compatible bucket through the official SDK: AWS itself, or MinIO, R2, Ceph…
// at MEDIA_S3_ENDPOINT, addressed path-style (`<endpoint>/<bucket>/<key>`), which they all accept.
import { DeleteObjectCommand, GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import type { MediaStoreConfig } from '../../config.js';
import { checkMediaKey, type MediaStore } from './store.js';

export function s3MediaStore(config: Extract<MediaStoreConfig, { kind: 's3' }>): MediaStore {
  const client = new S3Client({
    region: config.region,
    endpoint: config.endpoint,
    forcePathStyle: config.endpoint !== undefined,
    credentials: config.credentials,
    // Checksums only where S3 requires them: the SDK's default (CRC32 trailers in aws-chunked
    // bodies) is refused by several S3-compatible servers.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const Bucket = config.bucket;
  const keyOf = (key: string) => (config.prefix ? `${config.prefix}/${checkMediaKey(key)}` : checkMediaKey(key));
  return {
    location: `s3://${config.bucket}${config.prefix ? `/${config.prefix}` : ''}`,
    async put(key, body, contentType) {
      const [Body, ContentLength] = Buffer.isBuffer(body) ? [body, body.length] : [body.stream, body.size];
      await client.send(new PutObjectCommand({ Bucket, Key: keyOf(key), Body, ContentLength, ContentType: contentType }));
    },
    async get(key) {
      try {
        const object = await client.send(new GetObjectCommand({ Bucket, Key: keyOf(key) }));
        // In Node the SDK's body is the response stream itself.
        return { body: object.Body as Readable, size: object.ContentLength };
      } catch (err) {
        if (err instanceof NoSuchKey || (err instanceof S3ServiceException && err.$metadata.httpStatusCode === 404)) return undefined;
        throw err;
      }
    },
    async delete(key) {
      // S3 answers 204 whether or not the object existed.
      await client.send(new DeleteObjectCommand({ Bucket, Key: keyOf(key) }));
    },
  };
}
