import path from 'node:path';

import { AppError } from './errors.ts';

/** Everything the process reads from its environment, validated once at start. */
export interface Config {
  /** null: run an embedded PostgreSQL under `dataDir`. */
  databaseUrl: string | null;
  port: number;
  /** Interface to bind; loopback only unless a token protects the API. */
  host: string;
  apiToken: string | null;
  importDir: string;
  logPaths: string[];
  autoRepair: boolean;
  /**
   * Subscribers with the same selection share each event's result (executed and serialised once);
   * off, every subscriber's is its own (a baseline for the fan-out benchmark, or a suspect ruled out).
   */
  sharedSubscriptions: boolean;
  logLevel: string;
  /** `pretty` on a terminal, `json` otherwise, unless LOG_FORMAT says which. */
  logFormat: LogFormat;
  /** Where the embedded cluster and other local state live. */
  dataDir: string;
  /** Origins whose browser pages may call the API (CORS); none by default. */
  corsOrigins: string[];
  /** Largest teams file accepted as a multipart upload, in bytes. */
  maxUploadBytes: number;
  /** `masked`: log samples served through the API hide e-mail addresses and quoted literals. */
  logSamples: 'masked' | 'raw';
}

export type LogFormat = 'pretty' | 'json';

/** LOG_FORMAT when it names one, else pretty on a terminal and JSON otherwise. */
export function logFormatFor(raw: string | undefined, isTTY: boolean): LogFormat {
  const value = raw?.trim().toLowerCase();
  if (value === 'pretty' || value === 'json') return value;
  return isTTY ? 'pretty' : 'json';
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function fail(variable: string, why: string): never {
  throw new AppError('INVALID_INPUT', `Invalid configuration: ${variable} ${why}`);
}

function parseDatabaseUrl(raw: string | undefined): string | null {
  if (raw === undefined || raw.trim() === '') return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    fail('DATABASE_URL', `is not a URL (expected postgres://user@host:port/database)`);
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    fail('DATABASE_URL', `has protocol "${url.protocol}" (expected postgres:// or postgresql://)`);
  }
  if (!url.hostname && !url.searchParams.get('host')) fail('DATABASE_URL', 'names no host');
  return raw;
}

function parsePort(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 4000;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    fail('PORT', `must be an integer between 0 and 65535, got "${raw}"`);
  }
  return port;
}

function parseBoolean(variable: string, raw: string | undefined, fallback = false): boolean {
  if (raw === undefined || raw === '') return fallback;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  fail(variable, `must be true or false, got "${raw}"`);
}

function parseOrigins(raw: string | undefined): string[] {
  const origins = (raw ?? '')
    .split(/[,\s]+/)
    .map((o) => o.trim())
    .filter(Boolean);
  for (const origin of origins) {
    let url: URL | null = null;
    try {
      url = new URL(origin);
    } catch {
      // reported below
    }
    // An origin is scheme, host and port only: a path or a wildcard would widen it unseen.
    if (!url || url.origin !== origin) {
      fail('BPETL_CORS_ORIGINS', `holds "${origin}", expected origins such as https://admin.example.org`);
    }
  }
  return origins;
}

function parseUploadMegabytes(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') return 200 * 1024 * 1024;
  const mb = Number(raw);
  if (!Number.isInteger(mb) || mb < 1 || mb > 100_000) {
    fail('BPETL_MAX_UPLOAD_MB', `must be a whole number of megabytes from 1 to 100000, got "${raw}"`);
  }
  return mb * 1024 * 1024;
}

function parseLogSamples(raw: string | undefined): Config['logSamples'] {
  if (raw === undefined || raw.trim() === '' || raw === 'masked') return 'masked';
  if (raw === 'raw') return 'raw';
  fail('BPETL_LOG_SAMPLES', `must be masked or raw, got "${raw}"`);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const apiToken = env.BPETL_API_TOKEN?.trim() ? env.BPETL_API_TOKEN : null;
  if (apiToken !== null && apiToken.length < 16) {
    fail('BPETL_API_TOKEN', 'must be at least 16 characters long');
  }
  const logLevel = env.LOG_LEVEL?.trim() || 'info';
  if (!LOG_LEVELS.includes(logLevel)) {
    fail('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  }
  const logFormat = env.LOG_FORMAT?.trim();
  if (logFormat && !['pretty', 'json'].includes(logFormat.toLowerCase())) {
    fail('LOG_FORMAT', `must be pretty or json, got "${logFormat}"`);
  }
  return {
    databaseUrl: parseDatabaseUrl(env.DATABASE_URL),
    port: parsePort(env.PORT),
    host: apiToken === null ? '127.0.0.1' : '0.0.0.0',
    apiToken,
    importDir: path.resolve(env.BPETL_IMPORT_DIR?.trim() || './imports'),
    logPaths: (env.BPETL_LOG_PATHS ?? '')
      .split(/[,\n]/)
      .map((p) => p.trim())
      .filter(Boolean),
    autoRepair: parseBoolean('BPETL_AUTO_REPAIR', env.BPETL_AUTO_REPAIR),
    sharedSubscriptions: parseBoolean('BPETL_SHARED_SUBSCRIPTIONS', env.BPETL_SHARED_SUBSCRIPTIONS, true),
    logLevel,
    logFormat: logFormatFor(logFormat, Boolean(process.stdout.isTTY)),
    dataDir: path.resolve(env.BPETL_DATA_DIR?.trim() || '.bpetl'),
    corsOrigins: parseOrigins(env.BPETL_CORS_ORIGINS),
    maxUploadBytes: parseUploadMegabytes(env.BPETL_MAX_UPLOAD_MB),
    logSamples: parseLogSamples(env.BPETL_LOG_SAMPLES),
  };
}
