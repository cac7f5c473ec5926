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
});
