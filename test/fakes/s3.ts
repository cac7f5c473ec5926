// A fake S3-compatible object store, path-style (`/<bucket>/<key>`): PUT, GET and DELETE of objects
// in one bucket, each request refused unless it carries a valid AWS Signature V4 for the fake's
// credentials (the signature recomputed, and the body's hash checked against x-amz-content-sha256).
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { type FakeResponse, type FakeServer, type RecordedRequest, startFakeServer } from './server.js';

export interface FakeS3 extends FakeServer {
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** stored objects by key (without the bucket) */
  objects: Map<string, { bytes: Buffer; contentType: string | undefined }>;
}

const xmlError = (status: number, code: string, message: string): FakeResponse => ({
  status,
  headers: { 'content-type': 'application/xml' },
  body: `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`,
});

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();
/** RFC 3986 encoding, as SigV4 canonicalizes query strings. */
const encode = (text: string) => encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export async function startFakeS3(options: { bucket?: string; region?: string } = {}): Promise<FakeS3> {
  const bucket = options.bucket ?? 'switchboard-media';
  const region = options.region ?? 'eu-west-1';
  const accessKeyId = `AKIA${randomBytes(8).toString('hex').toUpperCase()}`;
  const secretAccessKey = randomBytes(20).toString('base64');
  const objects = new Map<string, { bytes: Buffer; contentType: string | undefined }>();

  /** Why the request's signature is refused, or undefined when it is valid. */
  function signatureProblem(req: RecordedRequest): string | undefined {
    const auth = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/.exec(
      req.headers.authorization ?? '',
    );
    if (!auth) return 'no AWS Signature V4 Authorization header';
    const [, keyId, date, signedRegion, signedHeaders, signature] = auth as unknown as string[];
    if (keyId !== accessKeyId) return 'unknown access key';
    if (signedRegion !== region) return `signed for region ${signedRegion}, the bucket is in ${region}`;
    const amzDate = req.headers['x-amz-date'] ?? '';
    const payloadHash = req.headers['x-amz-content-sha256'] ?? '';
    if (!amzDate.startsWith(date!)) return 'x-amz-date does not match the credential scope';
    if (payloadHash !== 'UNSIGNED-PAYLOAD' && payloadHash !== sha256(req.rawBody)) return 'x-amz-content-sha256 is not the hash of the body';
    const headerNames = signedHeaders!.split(';');
    if (!headerNames.includes('host')) return 'host is not signed';
    const canonicalQuery = Object.entries(req.query)
      .map(([k, v]) => `${encode(k)}=${encode(v)}`)
      .sort()
      .join('&');
    const canonicalHeaders = headerNames.map((name) => `${name}:${(req.headers[name] ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
    // Keys are base64url and slashes: their path needs no encoding.
    const canonicalRequest = [req.method, req.path, canonicalQuery, canonicalHeaders, signedHeaders, payloadHash].join('\n');
    const scope = `${date}/${region}/s3/aws4_request`;
    const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
    const signingKey = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, date!), region), 's3'), 'aws4_request');
    return createHmac('sha256', signingKey).update(stringToSign).digest('hex') === signature ? undefined : 'the signature does not match';
  }

  const objectRoute =
    (handler: (req: RecordedRequest, key: string) => FakeResponse) =>
    (req: RecordedRequest, params: Record<string, string>): FakeResponse => {
      const problem = signatureProblem(req);
      if (problem) return xmlError(403, 'SignatureDoesNotMatch', problem);
      if (params.bucket !== bucket) return xmlError(404, 'NoSuchBucket', 'The specified bucket does not exist');
      return handler(req, params.key!);
    };

  const server = await startFakeServer([
    {
      method: 'PUT',
      pattern: '/:bucket/*key',
      handler: objectRoute((req, key) => {
        objects.set(key, { bytes: req.rawBody, contentType: req.headers['content-type'] });
        return { status: 200, headers: { etag: `"${createHash('md5').update(req.rawBody).digest('hex')}"` } };
      }),
    },
    {
      method: 'GET',
      pattern: '/:bucket/*key',
      handler: objectRoute((_req, key) => {
        const object = objects.get(key);
        if (!object) return xmlError(404, 'NoSuchKey', 'The specified key does not exist.');
        return {
          status: 200,
          headers: { 'content-type': object.contentType ?? 'binary/octet-stream', 'content-length': String(object.bytes.length) },
          body: object.bytes,
        };
      }),
    },
    {
      method: 'DELETE',
      pattern: '/:bucket/*key',
      handler: objectRoute((_req, key) => {
        objects.delete(key);
        return { status: 204 };
      }),
    },
  ]);
  return { ...server, bucket, region, accessKeyId, secretAccessKey, objects };
}
