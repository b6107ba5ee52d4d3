import type { Rejection } from './records.ts';
import { hasRejectedControlChars, normaliseName, printable, truncate, unstorable } from './text.ts';
import { escapedBytes, type InvalidBytes } from './utf8.ts';

export const DEFAULT_MAX_STRING_LENGTH = 200;
const MAX_DEPTH = 4;

/**
 * Collects what is wrong with one record. Every problem names the field, so a user can find and
 * fix it; a record with any problem is skipped as a whole.
 */
export class RecordCheck {
  readonly rejections: Rejection[] = [];

  constructor(
    readonly file: string,
    readonly index: number,
    readonly maxLength = DEFAULT_MAX_STRING_LENGTH,
  ) {}

  get ok(): boolean {
    return this.rejections.length === 0;
  }

  reject(field: string, reason: string, value: unknown): void {
    this.rejections.push({
      file: this.file,
      index: this.index,
      field: printable(field),
      reason,
      value: truncate(value),
    });
  }

  /**
   * The record as an object, or null (rejected) when it is not one. `plain`: its source text is
   * known to hold no control characters, so strings are not searched for them. `known`: the keys
   * the reader uses; others are checked only for text PostgreSQL cannot store (a broken encoding
   * is the file's fault, whatever key it sits in), never for length, depth or control characters.
   */
  object(value: unknown, plain = false, known?: ReadonlySet<string>): Record<string, unknown> | null {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      this.scan(value as Record<string, unknown>, '', 0, plain, known);
      return value as Record<string, unknown>;
    }
    if (typeof value === 'string' && unstorable(value)) this.rejectUnstorable('', value, 'value');
    else this.reject('', `record is ${describe(value)}, expected an object`, value);
    return null;
  }

  /** A string field, whitespace-normalised; '' when absent and not required. */
  text(record: Record<string, unknown>, field: string, required = false): string {
    const value = record[field];
    if (value === undefined || value === null) {
      if (required) this.reject(field, 'is missing', value);
      return '';
    }
    if (typeof value !== 'string') {
      this.reject(field, `is ${describe(value)}, expected a string`, value);
      return '';
    }
    const text = normaliseName(value);
    if (required && !text) this.reject(field, 'is empty', value);
    return text;
  }

  /** A field parsed by `parse`, rejected with `expected` when the parser returns undefined. */
  parsed<T>(
    record: Record<string, unknown>,
    field: string,
    parse: (value: unknown) => T | undefined,
    expected: string,
  ): T {
    const value = getPath(record, field);
    const result = parse(value);
    if (result === undefined) this.reject(field, `is ${describe(value)}, expected ${expected}`, value);
    return result as T;
  }

  /** NUL, bytes that are not UTF-8 and unpaired surrogates: PostgreSQL cannot store them. */
  private rejectUnstorable(field: string, text: string, what: 'value' | 'field name'): void {
    const bytes = escapedBytes(text);
    const reason =
      bytes > 0
        ? `${what} holds bytes that are not UTF-8`
        : text.includes('\0')
          ? `${what} holds a NUL character, which PostgreSQL cannot store`
          : `${what} holds an unpaired UTF-16 surrogate, which PostgreSQL cannot store`;
    this.reject(field, reason, text);
    if (bytes > 0) escapedIn.set(this.rejections[this.rejections.length - 1]!, bytes);
  }

  /** Oversized strings and control characters anywhere in the record (they signal a broken scrape). */
  private scan(
    value: Record<string, unknown> | unknown[],
    path: string,
    depth: number,
    plain: boolean,
    known?: ReadonlySet<string> | 'none',
  ): void {
    // Arrays too: their keys are the indexes. The field's name is built only for a rejection.
    const keys = Object.keys(value);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      const item = (value as Record<string, unknown>)[key];
      const ignored = known === 'none' || (known !== undefined && !known.has(key));
      // Unstorable text first: its bad bytes are paired with offsets in order (locateBadBytes).
      if (!plain && unstorable(key)) {
        this.rejectUnstorable(fieldName(path, key), key, 'field name');
      } else if (ignored) {
        // Not read: only what PostgreSQL cannot store (above) matters.
      } else if (key.length > this.maxLength) {
        this.reject(fieldName(path, key), `field name is longer than ${this.maxLength} characters`, key);
      }
      if (typeof item === 'string') {
        if (!plain && unstorable(item)) {
          this.rejectUnstorable(fieldName(path, key), item, 'value');
        } else if (ignored) {
          // See above.
        } else if (item.length > this.maxLength) {
          this.reject(
            fieldName(path, key),
            `is ${item.length} characters long, the limit is ${this.maxLength}`,
            item,
          );
        } else if (!plain && hasRejectedControlChars(item)) {
          this.reject(fieldName(path, key), 'contains control characters', item);
        }
      } else if (item !== null && typeof item === 'object') {
        if (ignored) {
          if (!plain && depth < 32) {
            this.scan(item as Record<string, unknown>, fieldName(path, key), depth + 1, plain, 'none');
          }
        } else if (depth >= MAX_DEPTH) {
          this.reject(fieldName(path, key), `is nested deeper than ${MAX_DEPTH} levels`, item);
        } else this.scan(item as Record<string, unknown>, fieldName(path, key), depth + 1, plain);
      }
    }
  }
}

/** Escaped bytes (utf8.ts) each rejection holds, for locating them in the file (locateBadBytes). */
const escapedIn = new WeakMap<Rejection, number>();

/**
 * Gives each rejection for bytes that are not UTF-8 the file offset of its first bad byte. Records
 * are checked in the order they were read, as the bad bytes were found, so they pair up in order.
 */
export function locateBadBytes(rejections: Iterable<Rejection>, invalid: InvalidBytes): void {
  for (const rejection of rejections) {
    const n = escapedIn.get(rejection);
    if (n === undefined) continue;
    const offset = invalid.claim(n);
    if (offset !== undefined) {
      rejection.offset = offset;
      rejection.reason += ` (first at byte ${offset})`;
    }
  }
}

function fieldName(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/** The parts of each dotted path, split once: a stats record reads ten of them. */
const PATH_PARTS = new Map<string, readonly string[]>();

function getPath(record: Record<string, unknown>, path: string): unknown {
  let parts = PATH_PARTS.get(path);
  if (!parts) {
    // Field paths are the readers' own constants, so the map stays small.
    parts = path.split('.');
    PATH_PARTS.set(path, parts);
  }
  if (parts.length === 1) return record[path];
  let current: unknown = record;
  for (let i = 0; i < parts.length; i++) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[parts[i]!];
  }
  return current;
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return value === '' ? 'empty' : `"${truncate(value, 40)}"`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${value}`;
  if (value === undefined) return 'missing';
  return `an ${typeof value}`;
}
