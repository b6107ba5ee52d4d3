import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { loadConfig } from '../../src/config.ts';

describe('loadConfig', () => {
  it('has safe defaults: embedded database, loopback only without a token', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      databaseUrl: null,
      port: 4000,
      host: '127.0.0.1',
      apiToken: null,
      autoRepair: false,
      sharedSubscriptions: true,
      logLevel: 'info',
      importDir: path.resolve('imports'),
      logPaths: [],
      corsOrigins: [],
      maxUploadBytes: 200 * 1024 * 1024,
      logSamples: 'masked',
    });
  });

  it('reads CORS origins, the upload cap in megabytes and raw log samples', () => {
    expect(
      loadConfig({
        BPETL_CORS_ORIGINS: 'https://admin.example.org, http://localhost:3000',
        BPETL_MAX_UPLOAD_MB: '5',
        BPETL_LOG_SAMPLES: 'raw',
      }),
    ).toMatchObject({
      corsOrigins: ['https://admin.example.org', 'http://localhost:3000'],
      maxUploadBytes: 5 * 1024 * 1024,
      logSamples: 'raw',
    });
  });

  it('lets every subscriber execute its own results when sharing is turned off', () => {
    expect(loadConfig({ BPETL_SHARED_SUBSCRIPTIONS: 'false' }).sharedSubscriptions).toBe(false);
  });

  it('binds every interface only when a token protects the API', () => {
    const config = loadConfig({ BPETL_API_TOKEN: 'a-long-enough-secret-token' });
    expect(config.host).toBe('0.0.0.0');
    expect(config.apiToken).toBe('a-long-enough-secret-token');
  });

  it('splits log paths on commas and newlines', () => {
    expect(loadConfig({ BPETL_LOG_PATHS: 'a.log, /var/log/*.log\nb.gz,' }).logPaths).toEqual([
      'a.log',
      '/var/log/*.log',
      'b.gz',
    ]);
  });

  it.each([
    [{ DATABASE_URL: 'not a url' }, /DATABASE_URL is not a URL/],
    [{ DATABASE_URL: 'mysql://root@localhost/db' }, /DATABASE_URL has protocol "mysql:"/],
    [{ PORT: '70000' }, /PORT must be an integer between 0 and 65535, got "70000"/],
    [{ PORT: '12ab' }, /PORT must be an integer/],
    [{ BPETL_API_TOKEN: 'short' }, /BPETL_API_TOKEN must be at least 16 characters/],
    [{ BPETL_AUTO_REPAIR: 'maybe' }, /BPETL_AUTO_REPAIR must be true or false, got "maybe"/],
    [{ BPETL_SHARED_SUBSCRIPTIONS: 'sometimes' }, /BPETL_SHARED_SUBSCRIPTIONS must be true or false/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL must be one of .*, got "loud"/],
    [{ LOG_FORMAT: 'xml' }, /LOG_FORMAT must be pretty or json, got "xml"/],
    [{ BPETL_CORS_ORIGINS: '*' }, /BPETL_CORS_ORIGINS holds "\*", expected origins/],
    [{ BPETL_CORS_ORIGINS: 'https://a.example.org/path' }, /BPETL_CORS_ORIGINS holds/],
    [{ BPETL_MAX_UPLOAD_MB: '0.5' }, /BPETL_MAX_UPLOAD_MB must be a whole number of megabytes/],
    [{ BPETL_LOG_SAMPLES: 'all' }, /BPETL_LOG_SAMPLES must be masked or raw, got "all"/],
  ])('rejects %o with a message naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
    try {
      loadConfig(env);
    } catch (err) {
      expect((err as { code: string }).code).toBe('INVALID_INPUT');
    }
  });
});
