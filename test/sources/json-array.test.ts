import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { AppError } from '../../src/errors.ts';
import { readJsonArray } from '../../src/sources/json-array.ts';
import { tempDir } from './helpers.ts';

function file(content: string): string {
  const path = join(tempDir('json-array'), 'feed.json');
  writeFileSync(path, content);
  return path;
}

async function readAll(path: string) {
  const batches = [];
  for await (const batch of readJsonArray(path, 'feed.json')) batches.push(batch);
  return batches;
}

async function failure(content: string): Promise<AppError> {
  const err: unknown = await readAll(file(content)).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

describe('readJsonArray', () => {
  it('numbers the elements across batches from 0', async () => {
    const values = Array.from({ length: 30_000 }, (_, i) => ({ i, pad: 'x'.repeat(20) }));
    const batches = await readAll(file(JSON.stringify(values)));
    expect(batches.length).toBeGreaterThan(1);
    let next = 0;
    for (const batch of batches) {
      expect(batch.index).toBe(next);
      expect((batch.values[0] as { i: number }).i).toBe(next);
      next += batch.values.length;
    }
    expect(next).toBe(values.length);
  });

  it('names what the top level is when it is not an array, and where it starts', async () => {
    const cases: [string, string, object][] = [
      ['\n  "text"', 'a string', { offset: 3, line: 2, column: 3 }],
      ['true', 'a boolean', { offset: 0, line: 1, column: 1 }],
      ['false', 'a boolean', { offset: 0, line: 1, column: 1 }],
      ['null', 'null', { offset: 0, line: 1, column: 1 }],
      ['-1', 'a number', { offset: 0, line: 1, column: 1 }],
      ['\t7', 'a number', { offset: 1, line: 1, column: 2 }],
      [' {"a": 1}', 'an object', { offset: 1, line: 1, column: 2 }],
    ];
    for (const [content, found, position] of cases) {
      const err = await failure(content);
      expect(err.message, content).toBe(`feed.json: the top level is ${found}, expected an array of records`);
      expect(err.details, content).toMatchObject({ file: 'feed.json', position });
    }
  });

  it('gives the line, column and byte of malformed JSON', async () => {
    const err = await failure('[{"a": 1},\n {"b": 2,}]');
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.message).toMatch(/^feed\.json: malformed JSON at line 2, column 10 \(byte 20\): /);
    expect(err.details).toMatchObject({ file: 'feed.json', position: { offset: 20, line: 2, column: 10 } });
  });
});
