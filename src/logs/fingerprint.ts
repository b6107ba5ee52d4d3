import { createHash } from 'node:crypto';

const MAX_MESSAGE = 400;

/**
 * The message with everything that varies between occurrences of one problem masked: quoted values,
 * UUIDs, numbers and any token containing a digit (ids like `gen-…3x`, timestamps, pids, hex).
 */
export function maskMessage(message: string): string {
  return message
    .slice(0, MAX_MESSAGE)
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '?')
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<id>')
    .replace(/[\w.:+-]*\d[\w.:+-]*/g, '<n>')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Stable id of "the same problem": category plus masked message, hashed to 16 hex digits. */
export function fingerprint(category: string, message: string): string {
  return createHash('sha256')
    .update(`${category}\n${maskMessage(message)}`)
    .digest('hex')
    .slice(0, 16);
}
