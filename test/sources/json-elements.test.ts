import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';

import { jsonArrayBatches } from '../../src/sources/json-elements.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bpetl-elements-'));
});

async function split(
  text: string,
  chunkSize?: number,
): Promise<{ ok: true; values: unknown[] } | { ok: false }> {
  const file = path.join(dir, 'a.json');
  await writeFile(file, text);
  const values: unknown[] = [];
  try {
    for await (const batch of jsonArrayBatches(file, chunkSize)) values.push(...batch.values);
    return { ok: true, values };
  } catch {
    return { ok: false };
  }
}

function reference(text: string): { ok: true; values: unknown[] } | { ok: false } {
  try {
    const value = JSON.parse(text) as unknown;
    return Array.isArray(value) ? { ok: true, values: value } : { ok: false };
  } catch {
    return { ok: false };
  }
}

describe('jsonArrayBatches', () => {
  it('yields exactly what JSON.parse reads from any array, however it is spaced', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.jsonValue()), fc.constantFrom(0, 2), async (array, indent) => {
        const text = JSON.stringify(array, null, indent);
        expect(await split(text)).toEqual({ ok: true, values: JSON.parse(text) });
      }),
      { numRuns: 200 },
    );
  });

  it('accepts and refuses what JSON.parse does (arrays only)', async () => {
    const cases = [
      '[]',
      ' [ ] ',
      '[1,]',
      '[,1]',
      '[1,,2]',
      '[1 2]',
      '{"a":1}',
      '[1]x',
      '[',
      '["a\\"]"]',
      '["]"',
      '[{"a":[1,{"b":"}"}]}]',
      // A `}` where the array's `]` belongs, after a whole chunk of objects or a scalar.
      '[{"a":{"b":1}},{}}',
      '[1}',
    ];
    for (const text of cases) expect({ text, ...(await split(text)) }).toEqual({ text, ...reference(text) });
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: fc.constantFrom('[', ']', '{', '}', ',', '"', '\\', '1', ' ', ':', 'a') }),
        fc.integer({ min: 1, max: 8 }),
        async (text, chunkSize) => {
          expect(await split(text)).toEqual(reference(text));
          expect(await split(text, chunkSize)).toEqual(reference(text));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('finds the same elements when chunks cut strings, escapes and multi-byte characters anywhere', async () => {
    const text = '[{"a":"x\\\\"},"\\"]\\\\",{"b":["é€😀",{"c":"\\u0041\\\\\\""}]},1]';
    const expected = reference(text);
    expect(expected.ok).toBe(true);
    for (let chunkSize = 1; chunkSize <= 12; chunkSize++) {
      expect({ chunkSize, ...(await split(text, chunkSize)) }).toEqual({ chunkSize, ...expected });
    }
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.jsonValue()),
        fc.integer({ min: 1, max: 16 }),
        async (array, chunkSize) => {
          const json = JSON.stringify(array);
          expect(await split(json, chunkSize)).toEqual({ ok: true, values: JSON.parse(json) });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('reads chunks of whole objects in one parse, and falls back to scanning where that cut is wrong', async () => {
    // Strings and nested objects full of `},` and `"},"` make the cut before the last `},` of a
    // chunk land inside a string or a nested value as often as between elements.
    const tricky = fc.constantFrom('},', '"},"', '}', ',', '{', '\\', '\\"},', 'é', ' ');
    const text = fc.string({ unit: tricky, maxLength: 12 });
    const record = fc.dictionary(
      text,
      fc.oneof(text, fc.integer(), fc.dictionary(text, fc.oneof(text, fc.array(text, { maxLength: 3 })))),
      { maxKeys: 4 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(record, { maxLength: 40 }),
        fc.integer({ min: 8, max: 300 }),
        fc.constantFrom(0, 1),
        async (array, chunkSize, indent) => {
          const json = JSON.stringify(array, null, indent);
          expect(await split(json, chunkSize)).toEqual({ ok: true, values: JSON.parse(json) });
        },
      ),
      { numRuns: 300 },
    );
    // Broken arrays of objects: the error is found wherever it sits relative to the chunk's last `},`.
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: fc.constantFrom('{}', '{"a":1}', '},', ',', '"', ']', '[', '{"b":"},"}', ' ') }),
        fc.integer({ min: 4, max: 64 }),
        async (body, chunkSize) => {
          const json = `[${body}]`;
          expect(await split(json, chunkSize)).toEqual(reference(json));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('marks a batch plain only when its text holds no escape and no DEL or C1 character', async () => {
    const plainness = async (text: string) => {
      const file = path.join(dir, 'plain.json');
      await writeFile(file, text);
      const marks: boolean[] = [];
      for await (const batch of jsonArrayBatches(file)) marks.push(batch.plain);
      return marks;
    };
    expect(await plainness('[{"a":"b c"},{"d":1}]')).toEqual([true]);
    expect(await plainness('[{"a":"b\\u0001"}]')).toEqual([false]);
    expect(await plainness('[{"a":"b\\"c"}]')).toEqual([false]);
    expect(await plainness('[{"a":"b\u0085"}]')).toEqual([false]);
    expect(await plainness('[{"a":"b\u007f"}]')).toEqual([false]);
    // `¡` is C2 A1: a C1 control's first byte, but not a control.
    expect(await plainness('[{"a":"¡ é"}]')).toEqual([true]);
  });

  it('never marks plain a batch whose element holds a control, however chunks cut its bytes', async () => {
    const text = '[{"a":"¡x"},{"b":"y\u0085z"},{"c":"é"},{"d":"\u007f"},{"e":"\\\\"}]';
    // Parsed, the elements that came from a raw C1, a raw DEL and an escape (a backslash).
    const hasControl = (value: unknown) =>
      Object.values(value as Record<string, string>).some((v) => /[\\\u007f-\u009f]/.test(v));
    for (let chunkSize = 1; chunkSize <= 40; chunkSize++) {
      const file = path.join(dir, 'controls.json');
      await writeFile(file, text);
      for await (const batch of jsonArrayBatches(file, chunkSize)) {
        if (batch.values.some(hasControl)) {
          expect({ chunkSize, plain: batch.plain }).toEqual({ chunkSize, plain: false });
        }
      }
    }
  });
});
