import { BoundedMemo } from './bounded-memo.ts';

// Whitespace the feeds use between words: tabs and line breaks become plain spaces.
const WHITESPACE_CONTROLS = /[\t\n\r]/g;
// Control and invisible format characters carry no meaning in a name; they come from broken scrapes.
const INVISIBLES = /[\p{Cc}\u200B-\u200D\u2060\uFEFF]/gu;
const SPACE_RUNS = /\s+/g;
// Printable ASCII, not starting or ending with a space (single spaces inside are checked apart).
const CLEAN_ASCII = /^(?:[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?)?$/;
// Tab, line feed and carriage return are tolerated in input (they are normalised to spaces); any
// other control character makes a value suspect enough to reject the record.
const REJECTED_CONTROLS = /(?![\t\n\r])\p{Cc}/u;

/**
 * Trim, collapse runs of whitespace to one space, drop control characters, compose Unicode (NFC).
 * Total and idempotent: any input gives a string, and normalising twice changes nothing.
 */
export function normaliseName(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean') value = String(value);
  if (typeof value !== 'string') return '';
  // Most names are already clean printable ASCII: nothing below would change them.
  if (CLEAN_ASCII.test(value) && !value.includes('  ')) return value;
  // NFC can, rarely, join characters into a sequence one more pass would change: repeat until stable.
  let current = value;
  for (let pass = 0; pass < 5; pass++) {
    const next = cleanOnce(current);
    if (next === current) break;
    current = next;
  }
  return current;
}

function cleanOnce(value: string): string {
  return value
    .replace(WHITESPACE_CONTROLS, ' ')
    .replace(INVISIBLES, '')
    .replace(SPACE_RUNS, ' ')
    .trim()
    .normalize('NFC');
}

export function hasRejectedControlChars(value: string): boolean {
  return REJECTED_CONTROLS.test(value);
}

/** How names are compared: case-insensitive and blind to spaces (`Collegiate Park  - East` = `collegiate park - east`). */
export function comparisonKey(value: string): string {
  return normaliseName(value).toLowerCase().replace(/\s+/g, '');
}

const compiled = new BoundedMemo<RegExp>(1_000);

/**
 * A case-insensitive RegExp for `source`, compiled once: patterns built from series names repeat a
 * few hundred tokens over millions of records. (Without the g or y flag a RegExp keeps no state
 * between matches, so one object can serve every caller.)
 */
export function caseInsensitive(source: string): RegExp {
  return compiled.get(source) ?? compiled.remember(source, new RegExp(source, 'i'));
}

export function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Cut a value for an error message; never more than `max` characters, always storable. */
export function truncate(value: unknown, max = 80): string {
  let text: string;
  try {
    text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  } catch {
    text = Object.prototype.toString.call(value);
  }
  text = printable(text.length > max * 2 ? text.slice(0, max * 2) : text);
  if (text.length <= max) return text;
  // Never cut between the two halves of a surrogate pair: half of one cannot be stored.
  const end = /[\uD800-\uDBFF]/.test(text.charAt(max - 2)) ? max - 2 : max - 1;
  return `${text.slice(0, end)}…`;
}

// NUL and unpaired surrogates: what PostgreSQL's text and jsonb refuse. A surrogate from U+DC80 to
// U+DCFF is a byte that was not UTF-8 (see utf8.ts).
const UNSTORABLE_SOURCE =
  '\\0|[\\uD800-\\uDBFF](?![\\uDC00-\\uDFFF])|(?<![\\uD800-\\uDBFF])[\\uDC00-\\uDFFF]';
const UNSTORABLE = new RegExp(UNSTORABLE_SOURCE, 'g');
const HAS_UNSTORABLE = new RegExp(UNSTORABLE_SOURCE);

/** `text` with what PostgreSQL cannot store spelled out (`\0`, `\xff`, `\ud800`), for messages and JSON. */
export function printable(text: string): string {
  return text.replace(UNSTORABLE, (c) => {
    const code = c.charCodeAt(0);
    if (code === 0) return '\\0';
    if (code >= 0xdc80 && code <= 0xdcff) return `\\x${(code - 0xdc00).toString(16)}`;
    return `\\u${code.toString(16)}`;
  });
}

/** True when PostgreSQL would refuse `text` in a text or jsonb value. */
export function unstorable(text: string): boolean {
  return HAS_UNSTORABLE.test(text);
}
