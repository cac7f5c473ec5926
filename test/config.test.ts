import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

describe('configuration', () => {
  it('applies the defaults of the spec', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.host).toBe('127.0.0.1');
    expect(config.publicUrl).toBe('http://localhost:3000');
    expect(config.databaseUrl).toBe('sqlite:./data/switchboard.db');
    expect(config.simulator).toBe(true);
    expect(config.llm).toBeUndefined();
  });

  it('trusts no proxy and fetches no private media by default; reads the proxies as a list', () => {
    expect(loadConfig({})).toMatchObject({ trustedProxies: [], mediaFetchAllowPrivate: false });
    expect(loadConfig({ TRUSTED_PROXIES: ' 10.0.0.0/8,192.0.2.1 , fd00::/8,::1' }).trustedProxies).toEqual(['10.0.0.0/8', '192.0.2.1', 'fd00::/8', '::1']);
  });

  it('keeps messages forever and other rows for their default days unless told otherwise', () => {
    expect(loadConfig({}).retention).toEqual({
      everyMs: 60 * 60_000,
      jobsDays: 7,
      unroutedDays: 30,
      handoversDays: 90,
      suggestionsDays: 90,
      rateLimitDays: 1,
      messagesDays: undefined,
    });
    expect(loadConfig({ MESSAGE_RETENTION_DAYS: '' }).retention.messagesDays).toBeUndefined();
    expect(loadConfig({ MESSAGE_RETENTION_DAYS: '365', JOB_RETENTION_DAYS: '2' }).retention).toMatchObject({ messagesDays: 365, jobsDays: 2 });
  });

  it('turns the simulator off by default when a provider is configured', () => {
    const config = loadConfig({ TWILIO_ACCOUNT_SID: `AC${'a'.repeat(32)}`, TWILIO_AUTH_TOKEN: 't' });
    expect(config.simulator).toBe(false);
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ ENCRYPTION_KEY: 'short' }, 'ENCRYPTION_KEY'],
    [{ TWILIO_ACCOUNT_SID: 'XY123' }, 'TWILIO_ACCOUNT_SID'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ DATABASE_URL: 'postgres://localhost/x' }, 'ENCRYPTION_KEY'],
    [{ TRUSTED_PROXIES: '10.0.0.1, proxy.internal' }, 'TRUSTED_PROXIES'],
    [{ TRUSTED_PROXIES: '10.0.0.0/33' }, 'TRUSTED_PROXIES'],
    [{ MESSAGE_RETENTION_DAYS: '0' }, 'MESSAGE_RETENTION_DAYS'],
    [{ MESSAGE_RETENTION_DAYS: 'a year' }, 'MESSAGE_RETENTION_DAYS'],
    [{ JOB_RETENTION_DAYS: '-1' }, 'JOB_RETENTION_DAYS'],
    [{ MEDIA_STORE: 's3://Media_Bucket/x' }, 'MEDIA_STORE'],
    [{ MEDIA_STORE: 's3://' }, 'MEDIA_STORE'],
    [{ MEDIA_S3_ENDPOINT: 'minio:9000' }, 'MEDIA_S3_ENDPOINT'],
  ])('a bad value stops start-up with one line naming the variable (%o)', (env, variable) => {
    let error: unknown;
    try {
      loadConfig(env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(variable);
    expect((error as Error).message).not.toContain('\n');
  });

  it('keeps media files beside the SQLite file by default, under ./data/media with PostgreSQL, or where MEDIA_STORE says', () => {
    expect(loadConfig({}).mediaStore).toEqual({ kind: 'disk', directory: 'data/media' });
    expect(loadConfig({ DATABASE_URL: 'sqlite:/var/lib/switchboard/main.db' }).mediaStore).toEqual({ kind: 'disk', directory: '/var/lib/switchboard/media' });
    expect(loadConfig({ DATABASE_URL: 'postgres://db/switchboard', ENCRYPTION_KEY: '11'.repeat(32) }).mediaStore).toEqual({
      kind: 'disk',
      directory: 'data/media',
    });
    expect(loadConfig({ DATABASE_URL: 'sqlite::memory:' }).mediaStore).toEqual({ kind: 'disk', directory: undefined });
    expect(loadConfig({ MEDIA_STORE: '/srv/switchboard-media' }).mediaStore).toEqual({ kind: 'disk', directory: '/srv/switchboard-media' });
  });

  it('reads MEDIA_STORE=s3://bucket/prefix with its endpoint, region and the standard AWS credentials', () => {
    expect(
      loadConfig({
        MEDIA_STORE: 's3://acme-media/switchboard/prod/',
        MEDIA_S3_ENDPOINT: 'http://minio.internal:9000/',
        MEDIA_S3_REGION: 'eu-central-1',
        AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'secret',
      }).mediaStore,
    ).toEqual({
      kind: 's3',
      bucket: 'acme-media',
      prefix: 'switchboard/prod',
      endpoint: 'http://minio.internal:9000',
      region: 'eu-central-1',
      credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret', sessionToken: undefined },
    });
    // No keys given: the SDK's own chain (instance role, shared files); AWS_REGION, else us-east-1.
    expect(loadConfig({ MEDIA_STORE: 's3://acme-media', AWS_REGION: 'ap-south-1' }).mediaStore).toEqual({
      kind: 's3',
      bucket: 'acme-media',
      prefix: '',
      endpoint: undefined,
      region: 'ap-south-1',
      credentials: undefined,
    });
    expect(loadConfig({ MEDIA_STORE: 's3://acme-media' }).mediaStore).toMatchObject({ region: 'us-east-1' });
  });
});
