import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

/** Thrown for any syntax problem; the caller locates it precisely with a full scan (json-position.ts). */
export class JsonElementsError extends Error {}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * The elements of a top-level JSON array, each parsed by JSON.parse on its own text. A light scan
 * (strings and nesting only) finds where each element ends, so memory holds one element at a time
 * and the heavy lifting is the engine's native parser: several times faster than a token stream.
 */
export async function* jsonArrayElements(file: string): AsyncGenerator<unknown> {
  const decoder = new StringDecoder('utf8');
  // 0: before the array, 1: inside it, 2: after it.
  let top = 0;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let inElement = false;
  // Right after `[`: the one place where `]` may come instead of a value.
  let first = true;
  let pending = '';
  const parse = (text: string) => {
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      throw new JsonElementsError((err as Error).message);
    }
  };
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    const text = decoder.write(chunk as Buffer);
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (top !== 1) {
        if (isSpace(c) || (top === 0 && c === 0xfeff)) continue;
        if (top === 0 && c === 0x5b) {
          top = 1;
          continue;
        }
        throw new JsonElementsError(
          top === 0 ? 'Top-level object should be an array' : 'text after the array',
        );
      }
      if (inString) {
        if (escaped) escaped = false;
        else if (c === BACKSLASH) escaped = true;
        else if (c === QUOTE) inString = false;
        continue;
      }
      if (!inElement) {
        if (isSpace(c)) continue;
        // An element runs up to its comma, so a comma here is a leading or a doubled one.
        if (c === 0x2c) throw new JsonElementsError('unexpected comma');
        if (c === 0x5d) {
          if (!first) throw new JsonElementsError('trailing comma');
          top = 2;
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
        else {
          yield parse(pending + text.slice(start, i));
          pending = '';
          inElement = false;
          top = 2;
        }
      } else if (c === 0x2c && depth === 0) {
        yield parse(pending + text.slice(start, i));
        pending = '';
        inElement = false;
      }
    }
    if (inElement) {
      pending += text.slice(start);
    }
  }
  if (top !== 2) {
    throw new JsonElementsError(top === 0 ? 'Top-level object should be an array' : 'unexpected end');
  }
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}
