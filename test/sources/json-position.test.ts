import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { unreadable } from '../../src/sources/feed-file.ts';
import { JsonScanner, locateJsonError } from '../../src/sources/json-position.ts';
import { tempDir } from './helpers.ts';

function scan(text: string) {
  const scanner = new JsonScanner();
  return scanner.feed(text) ?? scanner.end();
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

describe('JsonScanner', () => {
  it.each([
    ['[1, 2', 1, 6, 'unexpected end of file'],
    ['[1 2]', 1, 4, "expected ',' or ']', found \"2\""],
    ['{"a" 1}', 1, 6, 'expected \':\', found "1"'],
    ['[tru]', 1, 5, 'unexpected character "]"'],
    ['["a\u0001"]', 1, 4, 'control character inside a string'],
    ['[1.]', 1, 2, 'invalid number "1."'],
    ['[]\n[]', 2, 1, 'unexpected "[" after the end of the document'],
    ['["\\x"]', 1, 4, 'invalid escape "\\x"'],
  ])('%j: line %i, column %i: %s', (text, line, column, message) => {
    expect(scan(text)).toMatchObject({ line, column, message });
  });

  it('counts bytes, not characters, for the offset', () => {
    expect(scan('["é€😀", x]')).toMatchObject({ offset: Buffer.byteLength('["é€😀", '), column: 10 });
  });

  it('agrees with JSON.parse on what is valid, for any text', () => {
    const jsonish = fc.oneof(
      fc.json(),
      fc.json().map((text) => text.slice(0, Math.max(0, text.length - 1))),
      fc.json().chain((text) => fc.nat(text.length).map((at) => `${text.slice(0, at)}${text.slice(at + 1)}`)),
      fc.string({
        unit: fc.constantFrom('[', ']', '{', '}', ',', ':', '"', '1', '-', '.', 'e', 't', 'n', ' ', '\\'),
      }),
    );
    fc.assert(
      fc.property(jsonish, (text) => {
        expect(scan(text) === null).toBe(isJson(text));
      }),
      { numRuns: 5000 },
    );
  });

  it('finds the same problem whatever the chunking of the input', () => {
    fc.assert(
      fc.property(fc.json(), fc.nat(), fc.integer({ min: 1, max: 7 }), (text, at, size) => {
        const broken = `${text.slice(0, at % (text.length + 1))}#${text.slice(at % (text.length + 1))}`;
        const whole = scan(broken);
        const scanner = new JsonScanner();
        let chunked = null;
        for (let i = 0; i < broken.length && !chunked; i += size) {
          chunked = scanner.feed(broken.slice(i, i + size));
        }
        expect(chunked ?? scanner.end()).toEqual(whole);
      }),
    );
  });

  it('reads files as streams', async () => {
    const file = join(tempDir('json'), 'bad.json');
    writeFileSync(file, `[${'{"a": 1},\n'.repeat(10_000)}{"a": }]`);
    expect(await locateJsonError(file)).toMatchObject({ line: 10_001, column: 7 });
  });
});

describe('unreadable', () => {
  it.each([
    ['EACCES', 'x.json cannot be read (permission denied)'],
    ['ENOENT', 'x.json does not exist'],
    ['EISDIR', 'x.json is a directory, expected a file'],
    ['EIO', 'x.json cannot be read (EIO)'],
  ])('%s', (code, message) => {
    const err = Object.assign(new Error('boom'), { code });
    expect(unreadable(err, 'x.json')).toMatchObject({
      code: 'SOURCE_UNREADABLE',
      message,
      details: { file: 'x.json' },
    });
  });
});
