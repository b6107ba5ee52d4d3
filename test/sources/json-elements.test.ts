import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';

import { jsonArrayElements } from '../../src/sources/json-elements.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bpetl-elements-'));
});

async function split(text: string): Promise<{ ok: true; values: unknown[] } | { ok: false }> {
  const file = path.join(dir, 'a.json');
  await writeFile(file, text);
  const values: unknown[] = [];
  try {
    for await (const value of jsonArrayElements(file)) values.push(value);
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

describe('jsonArrayElements', () => {
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
    ];
    for (const text of cases) expect({ text, ...(await split(text)) }).toEqual({ text, ...reference(text) });
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: fc.constantFrom('[', ']', '{', '}', ',', '"', '\\', '1', ' ', ':', 'a') }),
        async (text) => {
          expect(await split(text)).toEqual(reference(text));
        },
      ),
      { numRuns: 300 },
    );
  });
});
