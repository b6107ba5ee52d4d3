import { isUtf8 } from 'node:buffer';

/**
 * Each byte that is not part of valid UTF-8 decodes to U+DC80 + byte (a lone low surrogate, as
 * Python's surrogateescape): no valid UTF-8 text decodes to one, so a record holding it is known
 * to come from bad bytes and is rejected, where a plain decoder would put U+FFFD and import it.
 */
const ESCAPE_BASE = 0xdc00;

/** First bytes of invalid sequences, in file order; positions beyond the first few are counted only. */
export class InvalidBytes {
  private readonly offsets: number[] = [];
  private recorded = 0;
  private claimed = 0;

  constructor(private readonly keep = 10_000) {}

  record(offset: number): void {
    if (this.offsets.length < this.keep) this.offsets.push(offset);
    this.recorded++;
  }

  get count(): number {
    return this.recorded;
  }

  /**
   * The file offset of the first of the next `n` escaped bytes, in the order they were read (records
   * are checked in that order too); undefined past the ones kept.
   */
  claim(n: number): number | undefined {
    const offset = this.offsets[this.claimed];
    this.claimed += n;
    return offset;
  }
}

/**
 * Streaming UTF-8 decoding with invalid bytes escaped (see ESCAPE_BASE). Valid chunks, nearly all
 * of them, take the native check and decoder; only a chunk with bad bytes is walked byte by byte.
 */
export class Utf8Decoder {
  private carry: Buffer = Buffer.alloc(0);
  /** Bytes decoded so far: the file offset of the next text `write` returns. */
  position = 0;

  constructor(readonly invalid = new InvalidBytes()) {}

  /** Text of `chunk`, keeping an incomplete character at its end for the next one. */
  write(chunk: Buffer): { text: string; valid: boolean } {
    const bytes = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk;
    const cut = bytes.length - incompleteTail(bytes);
    this.carry = Buffer.from(bytes.subarray(cut));
    const start = this.position;
    this.position += cut;
    return this.decode(bytes.subarray(0, cut), start);
  }

  /** What is left at the end of the input: an incomplete character is invalid bytes. */
  end(): { text: string; valid: boolean } {
    const rest = this.carry;
    this.carry = Buffer.alloc(0);
    const start = this.position;
    this.position += rest.length;
    return this.decode(rest, start);
  }

  private decode(bytes: Buffer, start: number): { text: string; valid: boolean } {
    if (isUtf8(bytes)) return { text: bytes.toString('utf8'), valid: true };
    let text = '';
    let run = 0;
    let i = 0;
    while (i < bytes.length) {
      const length = sequenceLength(bytes, i);
      if (length > 0) {
        i += length;
        continue;
      }
      text += bytes.toString('utf8', run, i) + String.fromCharCode(ESCAPE_BASE + bytes[i]!);
      this.invalid.record(start + i);
      i++;
      run = i;
    }
    return { text: text + bytes.toString('utf8', run), valid: false };
  }
}

/** How many escaped bytes (U+DC80 to U+DCFF) `text` holds. */
export function escapedBytes(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xdc80 && c <= 0xdcff && !(i > 0 && isHighSurrogate(text.charCodeAt(i - 1)))) n++;
  }
  return n;
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

/** Bytes at the end of `bytes` that start a character the chunk does not complete. */
function incompleteTail(bytes: Buffer): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const byte = bytes[bytes.length - back]!;
    if ((byte & 0xc0) === 0x80) continue; // a continuation byte: look further back
    const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return needed > back ? back : 0;
  }
  return 0;
}

/** Length of the valid UTF-8 sequence at `i`, or 0 when the byte there does not start one. */
function sequenceLength(bytes: Buffer, i: number): number {
  const b0 = bytes[i]!;
  if (b0 < 0x80) return 1;
  const cont = (k: number, low = 0x80, high = 0xbf) => {
    const b = bytes[i + k];
    return b !== undefined && b >= low && b <= high;
  };
  if (b0 >= 0xc2 && b0 <= 0xdf) return cont(1) ? 2 : 0;
  if (b0 === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if (b0 === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;
  if (b0 >= 0xe1 && b0 <= 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (b0 === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (b0 >= 0xf1 && b0 <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (b0 === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

/** The first invalid byte of `bytes`, or -1 when they are valid UTF-8. */
export function firstInvalidByte(bytes: Buffer): number {
  if (isUtf8(bytes)) return -1;
  for (let i = 0; i < bytes.length;) {
    const length = sequenceLength(bytes, i);
    if (length === 0) return i;
    i += length;
  }
  return -1;
}
