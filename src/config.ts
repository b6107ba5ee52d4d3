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
  logLevel: string;
  /** Where the embedded cluster and other local state live. */
  dataDir: string;
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

function parseBoolean(variable: string, raw: string | undefined): boolean {
  if (raw === undefined || raw === '') return false;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  fail(variable, `must be true or false, got "${raw}"`);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const apiToken = env.BPETL_API_TOKEN?.trim() ? env.BPETL_API_TOKEN : null;
  if (apiToken !== null && apiToken.length < 16) {
    fail('BPETL_API_TOKEN', 'must be at least 16 characters long');
  }
  const logLevel = env.LOG_LEVEL?.trim() || 'info';
  if (!LOG_LEVELS.includes(logLevel)) fail('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);
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
    logLevel,
    dataDir: path.resolve(env.BPETL_DATA_DIR?.trim() || '.bpetl'),
  };
}
