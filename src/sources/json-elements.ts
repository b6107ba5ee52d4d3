import { readChunks } from './feed-file.ts';
import { Utf8Decoder } from './utf8.ts';

/** Thrown for any syntax problem; the caller locates it precisely with a full scan (json-position.ts). */
export class JsonElementsError extends Error {}

/** One element's text ran past MAX_ELEMENT_LENGTH: no feed record is that long, so the file is broken. */
export class ElementTooLongError extends Error {
  constructor(readonly offset: number) {
    super(`an element starting at byte ${offset} is longer than ${MAX_ELEMENT_LENGTH} characters`);
  }
}

/** Longest text of one array element held while waiting for its end (a feed record is a few KB; a broken one with a huge value is still rejected on its own). */
export const MAX_ELEMENT_LENGTH = 16 * 1024 * 1024;

/** The elements completed by one chunk of the file. */
export interface ElementBatch {
  values: unknown[];
  /**
   * True when the text of these elements holds no backslash and no DEL or C1 character, so no
   * string in them can hold a control character (JSON forbids raw C0 controls inside strings):
   * the per-string control check may be skipped.
   */
  plain: boolean;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_END = -1;
/** The chunk ends inside the string right after an odd run of backslashes: an escape cut in two. */
const ESCAPED_END = -2;
const DEL = 0x7f;
// UTF-8 spells the C1 controls U+0080 to U+009F as C2 80 to C2 9F.
const C1_LEAD = 0xc2;

/**
 * The elements of a top-level JSON array, a chunk's worth at a time, parsed by JSON.parse: the
 * chunk's whole objects in one call when they can be cut off at a `},`, else each element on its
 * own text, found by a light scan (strings and nesting only, jumping from quote to quote). Memory
 * holds one chunk and the heavy lifting is the engine's native parser: several times faster than a
 * token stream. Batches keep the per-element cost to a loop iteration.
 */
export async function* jsonArrayBatches(
  file: string,
  chunkSize = 1 << 18,
  decoder = new Utf8Decoder(),
): AsyncGenerator<ElementBatch> {
  // 0: before the array, 1: inside it, 2: after it.
  let top = 0;
  let depth = 0;
  let inString = false;
  // The chunk ended inside a string, right after an odd run of backslashes.
  let escaped = false;
  let inElement = false;
  // Right after `[`: the one place where `]` may come instead of a value.
  let first = true;
  let pending = '';
  let pendingPlain = true;
  // The previous chunk ended with the first byte of a character that may be a C1 control.
  let afterC1Lead = false;
  const parse = (text: string) => {
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      throw new JsonElementsError((err as Error).message);
    }
  };
  // Byte offset of the element being carried over from earlier chunks.
  let pendingOffset = 0;
  for await (const bytes of readChunks(file, chunkSize)) {
    const textOffset = decoder.position;
    const { text, valid } = decoder.write(bytes);
    // Escaped bad bytes (utf8.ts) must reach the record check, which plain records skip.
    const chunkPlain = valid && plainBytes(bytes, afterC1Lead);
    afterC1Lead = bytes.length > 0 && bytes[bytes.length - 1] === C1_LEAD;
    const batch: ElementBatch = { values: [], plain: chunkPlain && pendingPlain };
    let start = 0;
    let i = 0;
    // Most chunks hold whole objects separated by `}, {`: everything up to the last such separator is
    // tried as one array first, so the engine's parser finds the elements without the scan below.
    // That prefix parses only if it cuts between elements (a cut inside a string or a nested value
    // leaves it unbalanced); if it does not, the chunk is scanned as usual, which also locates
    // errors. A long element carried over is left to the scan, so it is never parsed twice.
    if (top === 1 && pending.length <= text.length) {
      const cut = lastElementComma(text);
      const values = cut < 0 ? null : parseElements(pending + text.slice(0, cut));
      if (values) {
        batch.values = values;
        pending = '';
        depth = 0;
        inString = false;
        escaped = false;
        inElement = false;
        first = false;
        i = cut + 1;
      }
    }
    // Elements before a syntax error are still handed over: a consumer sees everything up to it.
    let failure: unknown = null;
    try {
      while (i < text.length) {
        if (inString) {
          const end = skipString(text, i, escaped);
          if (end < 0) {
            escaped = end === ESCAPED_END;
            break;
          }
          escaped = false;
          inString = false;
          i = end;
          continue;
        }
        const c = text.charCodeAt(i);
        if (top !== 1) {
          i++;
          if (isSpace(c) || (top === 0 && c === 0xfeff)) continue;
          if (top === 0 && c === 0x5b) {
            top = 1;
            continue;
          }
          throw new JsonElementsError(
            top === 0 ? 'Top-level object should be an array' : 'text after the array',
          );
        }
        if (!inElement) {
          if (isSpace(c)) {
            i++;
            continue;
          }
          // An element runs up to its comma, so a comma here is a leading or a doubled one.
          if (c === 0x2c) throw new JsonElementsError('unexpected comma');
          if (c === 0x5d) {
            if (!first) throw new JsonElementsError('trailing comma');
            top = 2;
            i++;
            continue;
          }
          inElement = true;
          first = false;
          start = i;
        }
        if (c === QUOTE) inString = true;
        else if (c === 0x7b || c === 0x5b) depth++;
        else if (c === 0x7d || c === 0x5d) {
          if (depth > 0) depth--;
          // Nesting inside an element is JSON.parse's to check; at the top only `]` ends the array.
          else if (c === 0x7d) throw new JsonElementsError('unexpected }');
          else {
            batch.values.push(parse(pending + text.slice(start, i)));
            pending = '';
            inElement = false;
            top = 2;
          }
        } else if (c === 0x2c && depth === 0) {
          batch.values.push(parse(pending + text.slice(start, i)));
          pending = '';
          inElement = false;
        }
        i++;
      }
    } catch (err) {
      failure = err;
    }
    if (failure) {
      if (batch.values.length > 0) yield batch;
      throw failure;
    }
    if (inElement) {
      if (pending === '') pendingOffset = textOffset + Buffer.byteLength(text.slice(0, start));
      if (pending.length + text.length - start > MAX_ELEMENT_LENGTH) {
        if (batch.values.length > 0) yield batch;
        throw new ElementTooLongError(pendingOffset);
      }
      pendingPlain = pending === '' ? chunkPlain : pendingPlain && chunkPlain;
      pending += text.slice(start);
    } else {
      pendingPlain = true;
    }
    if (batch.values.length > 0) yield batch;
  }
  if (top !== 2) {
    throw new JsonElementsError(top === 0 ? 'Top-level object should be an array' : 'unexpected end');
  }
  // An incomplete character at the very end: bytes after the array.
  if (decoder.end().text.length > 0) throw new JsonElementsError('text after the array');
}

/**
 * True when `bytes` hold no backslash (escapes such as `\u0001`, `\b`), no DEL and no C1 control:
 * the raw controls JSON allows inside strings. Searched in the bytes, several times faster than a
 * regular expression over the text. `afterC1Lead`: a C2 byte ended the previous chunk, so a first
 * byte of 80 to 9F completes a C1 control.
 */
function plainBytes(bytes: Buffer, afterC1Lead: boolean): boolean {
  if (bytes.indexOf(BACKSLASH) !== -1 || bytes.indexOf(DEL) !== -1) return false;
  if (afterC1Lead && isC1Second(bytes[0])) return false;
  for (let at = bytes.indexOf(C1_LEAD); at !== -1; at = bytes.indexOf(C1_LEAD, at + 1)) {
    if (isC1Second(bytes[at + 1])) return false;
  }
  return true;
}

function isC1Second(byte: number | undefined): boolean {
  return byte !== undefined && byte >= 0x80 && byte <= 0x9f;
}

/**
 * The comma of the chunk's last `}, {` (any spaces around it): most likely where its last whole
 * object ends. A plain `},` is as often the end of a nested object followed by the next key (every
 * series_stats record holds four), and a cut there never parses: such chunks fell back to the
 * element-by-element scan, which made reading that file about half as fast. -1 when there is none.
 */
function lastElementComma(text: string): number {
  for (let open = text.lastIndexOf('{'); open > 0; open = text.lastIndexOf('{', open - 1)) {
    let i = open - 1;
    while (i >= 0 && isSpace(text.charCodeAt(i))) i--;
    if (i < 0 || text.charCodeAt(i) !== 0x2c) continue;
    const comma = i--;
    while (i >= 0 && isSpace(text.charCodeAt(i))) i--;
    if (i >= 0 && text.charCodeAt(i) === 0x7d) return comma;
  }
  return -1;
}

/** The elements of `body` (an array's text without its brackets), or null if it does not parse. */
function parseElements(body: string): unknown[] | null {
  try {
    return JSON.parse(`[${body}]`) as unknown[];
  } catch {
    return null;
  }
}

/**
 * From inside a string at `from`, the index just past its closing quote, or OPEN_END / ESCAPED_END
 * when the chunk ends first.
 */
function skipString(text: string, from: number, escapedAtStart: boolean): number {
  // The first character is escaped by a backslash that ended the previous chunk.
  let searchFrom = escapedAtStart ? from + 1 : from;
  for (;;) {
    const quote = text.indexOf('"', searchFrom);
    if (quote === -1) return endsEscaped(text, searchFrom) ? ESCAPED_END : OPEN_END;
    if (backslashesBefore(text, quote, searchFrom) % 2 === 0) return quote + 1;
    searchFrom = quote + 1;
  }
}

function endsEscaped(text: string, from: number): boolean {
  return backslashesBefore(text, text.length, from) % 2 === 1;
}

/** Consecutive backslashes right before `at`, looking no further back than `floor`. */
function backslashesBefore(text: string, at: number, floor: number): number {
  let k = at - 1;
  while (k >= floor && text.charCodeAt(k) === BACKSLASH) k--;
  return at - 1 - k;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}
