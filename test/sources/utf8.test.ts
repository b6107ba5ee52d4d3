import { isUtf8 } from 'node:buffer';

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { escapedBytes, firstInvalidByte, InvalidBytes, Utf8Decoder } from '../../src/sources/utf8.ts';

/**
 * The decoding the module promises, written the slow way: at each byte, the shortest slice that is
 * valid UTF-8 on its own is one character; a byte where none of 1 to 4 bytes is valid is escaped
 * as U+DC00 + byte.
 */
function reference(bytes: Uint8Array): { text: string; offsets: number[] } {
  let text = '';
  const offsets: number[] = [];
  let i = 0;
  while (i < bytes.length) {
    let length = 0;
    for (let l = 1; l <= 4 && i + l <= bytes.length; l++) {
      if (isUtf8(bytes.subarray(i, i + l))) {
        length = l;
        break;
      }
    }
    if (length === 0) {
      text += String.fromCharCode(0xdc00 + bytes[i]!);
      offsets.push(i);
      i++;
    } else {
      text += Buffer.from(bytes.subarray(i, i + length)).toString('utf8');
      i += length;
    }
  }
  return { text, offsets };
}

/** Bytes at every boundary the UTF-8 grammar has, so random arrays hit each rule. */
const EDGE_BYTES = [
  0x00, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xec, 0xed, 0xee, 0xef,
  0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xff,
];
const byte = fc.oneof(fc.constantFrom(...EDGE_BYTES), fc.integer({ min: 0, max: 255 }));
/** Valid text with stray bytes between its characters. */
const mixed = fc
  .array(
    fc.oneof(
      fc.string({ unit: 'binary', maxLength: 4 }).map((s) => [...Buffer.from(s)]),
      fc.array(byte, { maxLength: 4 }),
    ),
    { maxLength: 30 },
  )
  .map((parts) => Uint8Array.from(parts.flat()));
const input = fc.oneof(mixed, fc.uint8Array({ maxLength: 40 }));

function decodeInChunks(bytes: Uint8Array, cuts: number[]) {
  const decoder = new Utf8Decoder();
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const pieces: { text: string; valid: boolean; from: number }[] = [];
  let from = 0;
  for (const point of [...points, bytes.length]) {
    const before = decoder.position;
    pieces.push({ ...decoder.write(Buffer.from(bytes.subarray(from, point))), from: before });
    from = point;
  }
  pieces.push({ ...decoder.end(), from: decoder.position });
  return { decoder, pieces };
}

describe('Utf8Decoder', () => {
  it('decodes any bytes, cut into any chunks, as the reference does, escaping each bad byte once', () => {
    fc.assert(
      fc.property(input, fc.array(fc.nat(), { maxLength: 6 }), (bytes, cuts) => {
        const expected = reference(bytes);
        const { decoder, pieces } = decodeInChunks(bytes, cuts);
        expect(pieces.map((p) => p.text).join('')).toBe(expected.text);
        expect(decoder.invalid.count).toBe(expected.offsets.length);
        expect(decoder.position).toBe(bytes.length);
        // A piece is valid exactly when it escaped nothing.
        for (const p of pieces) expect(p.valid).toBe(escapedBytes(p.text) === 0);
        // The offsets are file offsets, in order: claiming them one by one gives them back.
        expect(expected.offsets.map(() => decoder.invalid.claim(1))).toEqual(expected.offsets);
        expect(escapedBytes(expected.text)).toBe(expected.offsets.length);
        expect(firstInvalidByte(Buffer.from(bytes))).toBe(expected.offsets[0] ?? -1);
      }),
      { numRuns: 800 },
    );
  });

  it('gives valid text back as it is, in one piece per chunk', () => {
    const decoder = new Utf8Decoder();
    const bytes = Buffer.from('Café 😀 ü');
    // Cut inside the 4-byte emoji: the piece before it keeps its first bytes back.
    const first = decoder.write(bytes.subarray(0, 8));
    expect(first).toEqual({ text: 'Café ', valid: true });
    expect(decoder.position).toBe(6);
    expect(decoder.write(bytes.subarray(8))).toEqual({ text: '😀 ü', valid: true });
    expect(decoder.end()).toEqual({ text: '', valid: true });
  });

  it('escapes a character the input ends inside of', () => {
    const decoder = new Utf8Decoder();
    expect(decoder.write(Buffer.from([0x61, 0xe2, 0x82]))).toEqual({ text: 'a', valid: true });
    expect(decoder.end()).toEqual({ text: '\udce2\udc82', valid: false });
    expect(decoder.invalid.claim(2)).toBe(1);
    expect(decoder.position).toBe(3);
  });
});

describe('escapedBytes', () => {
  it('counts the escapes U+DC80 to U+DCFF, not the low half of a surrogate pair', () => {
    expect(escapedBytes('a\udc80b\udcff')).toBe(2);
    expect(escapedBytes('\udc7f\udd00')).toBe(0);
    expect(escapedBytes('\ud83d\udc80')).toBe(0); // 💀 is a pair whose low half is U+DC80
    expect(escapedBytes('\udbff\udcff')).toBe(0);
    expect(escapedBytes('\ud7ff\udc80')).toBe(1);
    expect(escapedBytes('\udc00\udc80')).toBe(1);
  });
});

describe('InvalidBytes', () => {
  it('counts every bad byte, keeps the offsets of the first ones, and hands them out in order', () => {
    const invalid = new InvalidBytes(2);
    invalid.record(5);
    invalid.record(9);
    invalid.record(12);
    expect(invalid.count).toBe(3);
    expect(invalid.claim(1)).toBe(5);
    expect(invalid.claim(2)).toBe(9);
    expect(invalid.claim(1)).toBeUndefined();
  });
});
