import { mkdirSync } from 'node:fs';
import path from 'node:path';

import pino from 'pino';

import { logFormatFor } from './config.ts';
import { PINO_LEVEL_NAMES as LEVEL_NAMES } from './log-levels.ts';

/**
 * The one logger. Level and format come from LOG_LEVEL and LOG_FORMAT; they are read here directly
 * rather than through loadConfig so that a configuration error can itself be logged (an invalid
 * value is reported in one line by loadConfig; until then the logger uses the default).
 *
 * Format: `pretty` (local-time lines for a person) on a terminal, `json` (pino's lines, epoch
 * milliseconds) otherwise; LOG_FORMAT overrides. A log file ({@link logToFile}) is always JSON.
 */
const requested = process.env.LOG_LEVEL?.trim() || 'info';
const level = requested in pino.levels.values || requested === 'silent' ? requested : 'info';

const LEVEL_COLOURS: Record<number, string> = { 10: '90', 20: '36', 30: '32', 40: '33', 50: '31', 60: '35' };
const OMIT = new Set(['level', 'time', 'msg', 'service', 'pid', 'hostname', 'err']);

function localTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return (
    `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ` +
    `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`
  );
}

function fieldText(value: unknown): string {
  if (typeof value === 'string') return /[\s"=]/.test(value) ? JSON.stringify(value) : value;
  return JSON.stringify(value);
}

/**
 * One pino JSON line as a person reads it: `2026-12-01 11:24:50.441 WARN message key=value`, an
 * error's stack below it, indented. Exported for tests.
 */
export function prettyLine(line: string, colour = false): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line.endsWith('\n') ? line : `${line}\n`;
  }
  const levelNumber = Number(entry.level);
  const name = (LEVEL_NAMES[levelNumber] ?? String(entry.level)).padEnd(5);
  const tag = colour ? `\u001b[${LEVEL_COLOURS[levelNumber] ?? '0'}m${name}\u001b[0m` : name;
  const fields = Object.entries(entry)
    .filter(([key]) => !OMIT.has(key))
    .map(([key, value]) => `${key}=${fieldText(value)}`);
  const time = typeof entry.time === 'number' ? localTime(entry.time) : String(entry.time ?? '');
  let out = [time, tag, String(entry.msg ?? ''), ...fields].filter(Boolean).join(' ');
  const err = entry.err as { message?: string; stack?: string } | undefined;
  if (err) {
    out += ` err=${fieldText(err.message ?? '')}`;
    if (err.stack) out += `\n    ${err.stack.split('\n').join('\n    ')}`;
  }
  return `${out}\n`;
}

const format = logFormatFor(process.env.LOG_FORMAT, Boolean(process.stdout.isTTY));
const stdout = pino.destination({ dest: 1, sync: true });
const streams = pino.multistream([
  {
    level: 'trace',
    stream:
      format === 'pretty'
        ? { write: (line: string) => stdout.write(prettyLine(line, Boolean(process.stdout.isTTY))) }
        : stdout,
  },
]);

export const logger = pino(
  {
    level,
    base: { service: 'bpetl' },
    redact: {
      paths: [
        'authorization',
        'headers.authorization',
        'req.headers.authorization',
        'token',
        'apiToken',
        '*.password',
      ],
      censor: '[redacted]',
    },
  },
  streams,
);

const files = new Set<string>();

/**
 * From now on, also append every log line (JSON) to `file`, for the log monitor and whoever reads
 * it later. The log monitor's own lines stay out: they quote the lines it found, which it would
 * then find again.
 */
export function logToFile(file: string): void {
  const resolved = path.resolve(file);
  if (files.has(resolved)) return;
  files.add(resolved);
  mkdirSync(path.dirname(resolved), { recursive: true });
  const destination = pino.destination({ dest: resolved, sync: true, mkdir: true });
  streams.add({
    level: 'trace',
    stream: {
      write: (line: string) => {
        if (!line.includes('"module":"log-monitor"')) destination.write(line);
      },
    },
  });
}

export type Logger = pino.Logger;
