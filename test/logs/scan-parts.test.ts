import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { expandPaths } from '../../src/logs/paths.ts';
import { loadLogPatterns, parseLogPatterns } from '../../src/logs/patterns.ts';
import { reportsSuccess } from '../../src/logs/success.ts';
import { renderScanSummary } from '../../src/logs/summary.ts';
import type { ScanResult } from '../../src/logs/types.ts';

describe('reportsSuccess', () => {
  it('knows a success mark at the start, after bullets and spaces', () => {
    expect(reportsSuccess('✅ orphan scan done')).toBe(true);
    expect(reportsSuccess('  - ✔ deadlock retried')).toBe(true);
    expect(reportsSuccess('orphan scan done ✅')).toBe(false);
  });

  it('knows "no <problem>" at the start', () => {
    expect(reportsSuccess('No orphaned records detected')).toBe(true);
    expect(reportsSuccess('-- no duplicates found')).toBe(true);
    expect(reportsSuccess('found no orphans')).toBe(false);
  });

  it('counts a message whose every problem count is zero as success, and any other count as a problem', () => {
    expect(reportsSuccess('Total orphans: 0')).toBe(true);
    expect(reportsSuccess('0 errors, 0 failed')).toBe(true);
    expect(reportsSuccess('Imported 1,204 records (0 errors, 0 missing)')).toBe(true);
    expect(reportsSuccess('0 errors, 3 failed')).toBe(false);
    expect(reportsSuccess('Errors: 0, orphans: 2')).toBe(false);
    expect(reportsSuccess('3 orphaned polls')).toBe(false);
    expect(reportsSuccess('Total orphans: 0.5')).toBe(false);
    expect(reportsSuccess('orphaned polls found')).toBe(false);
  });
});

describe('renderScanSummary', () => {
  const result: ScanResult = {
    totals: { DEADLOCK: 2, A_VERY_LONG_CATEGORY_NAME: 0 },
    findings: [
      {
        category: 'DEADLOCK',
        fingerprint: 'a',
        count: 1,
        firstSeen: null,
        lastSeen: null,
        files: [],
        sample: '',
      },
      {
        category: 'DEADLOCK',
        fingerprint: 'b',
        count: 1,
        firstSeen: null,
        lastSeen: null,
        files: [],
        sample: '',
      },
    ],
    problems: [{ file: 'gone.log', reason: 'no such file or directory' }],
    files: [
      {
        file: 'a.log.gz',
        format: 'pg-stderr',
        gzip: true,
        bytes: 10,
        totals: { DEADLOCK: 2, A_VERY_LONG_CATEGORY_NAME: 0 },
      },
      { file: 'b.log', format: 'text', gzip: false, bytes: 5, totals: { DEADLOCK: 0 } },
    ],
  };

  it('aligns the columns to the longest category and lists files, counts and problems', () => {
    const w = 'A_VERY_LONG_CATEGORY_NAME'.length + 2;
    expect(renderScanSummary(result).split('\n')).toEqual([
      `${'CATEGORY'.padEnd(w)}OCCURRENCES  FINDINGS`,
      `${'DEADLOCK'.padEnd(w)}${'2'.padEnd(13)}2`,
      `${'A_VERY_LONG_CATEGORY_NAME'.padEnd(w)}${'0'.padEnd(13)}0`,
      '',
      `${'FILE'.padEnd(48)}${'FORMAT'.padEnd(11)}${'CATEGORY'.padEnd(w)}OCCURRENCES`,
      `${'a.log.gz'.padEnd(48)}${'pg-stderr.gz'}${'DEADLOCK'.padEnd(w)}2`,
      `${'b.log'.padEnd(48)}${'text'.padEnd(11)}${'-'.padEnd(w)}0`,
      'problem: gone.log: no such file or directory',
    ]);
  });

  it('keeps the category column at least ten wide', () => {
    const lines = renderScanSummary({ totals: { X: 1 }, findings: [], problems: [], files: [] }).split('\n');
    expect(lines[0]).toBe('CATEGORY  OCCURRENCES  FINDINGS');
    expect(lines[1]).toBe(`X         ${'1'.padEnd(13)}0`);
  });
});

describe('expandPaths', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'bpetl-paths-'));
    await mkdir(path.join(dir, 'logs', 'nested'), { recursive: true });
    await writeFile(path.join(dir, 'logs', 'b.log'), 'x');
    await writeFile(path.join(dir, 'logs', 'a.log'), 'x');
    await writeFile(path.join(dir, 'logs', '.hidden.log'), 'x');
    await writeFile(path.join(dir, 'logs', 'nested', 'c.log'), 'x');
    await symlink(path.join(dir, 'missing'), path.join(dir, 'logs', 'dangling.log'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('takes the files directly in a directory, not hidden ones or subdirectories, sorted', async () => {
    const logs = path.join(dir, 'logs');
    expect(await expandPaths([logs])).toEqual({
      files: [path.join(logs, 'a.log'), path.join(logs, 'b.log')],
      problems: [{ file: path.join(logs, 'dangling.log'), reason: 'no such file or directory' }],
    });
  });

  it('takes a file once however it is named, in the spelling it was given, normalised', async () => {
    const a = path.join(dir, 'logs', 'a.log');
    const odd = `${dir}/logs/./a.log`;
    expect(await expandPaths([odd, a])).toEqual({ files: [a], problems: [] });
  });

  it('expands a glob to its matching files, dot files left out', async () => {
    const { files, problems } = await expandPaths([path.join(dir, 'logs', '**', '*.log')]);
    expect(files).toEqual(
      [
        path.join(dir, 'logs', 'a.log'),
        path.join(dir, 'logs', 'b.log'),
        path.join(dir, 'logs', 'nested', 'c.log'),
      ].sort(),
    );
    expect(problems).toEqual([]);
  });

  it('skips a file that is not a regular one, saying what it is', async () => {
    const sock = path.join(dir, 's.sock');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(sock, resolve));
    try {
      expect(await expandPaths([sock])).toEqual({
        files: [],
        problems: [{ file: sock, reason: 'a socket, not a regular file: skipped' }],
      });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('names a path that names nothing, and goes on', async () => {
    const gone = path.join(dir, 'gone.log');
    const a = path.join(dir, 'logs', 'a.log');
    expect(await expandPaths([gone, a])).toEqual({
      files: [a],
      problems: [{ file: gone, reason: 'no such file or directory' }],
    });
  });
});

describe('log patterns', () => {
  it('names the entry at fault and its source', () => {
    expect(() =>
      parseLogPatterns('[{"category": "X", "pattern": "y"}, {"category": 1, "pattern": "z"}]', 'p.json'),
    ).toThrow('p.json, entry 1: needs a string category and a string pattern');
    expect(() => parseLogPatterns('[null]')).toThrow(
      'log patterns, entry 0: needs a string category and a string pattern',
    );
    expect(() => parseLogPatterns('null')).toThrow(
      'log patterns must be an object or an array of {category, pattern}',
    );
    expect(() => parseLogPatterns('"x"')).toThrow('must be an object or an array');
    expect(() => parseLogPatterns('{"X": 3}')).toThrow('entry 0: needs a string category');
  });

  it('reads a file of patterns, and says when it cannot', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'bpetl-patterns-'));
    try {
      const file = path.join(dir, 'patterns.json');
      await writeFile(file, '{"SCRAPER_GAP": "missing from feed"}');
      expect(await loadLogPatterns(file)).toEqual([
        { category: 'SCRAPER_GAP', pattern: 'missing from feed' },
      ]);
      await writeFile(file, '{');
      await expect(loadLogPatterns(file)).rejects.toThrow(`${file} is not valid JSON`);
      const gone = path.join(dir, 'gone.json');
      await expect(loadLogPatterns(gone)).rejects.toMatchObject({
        code: 'SOURCE_UNREADABLE',
        message: expect.stringContaining(`Cannot read log patterns from ${gone}: `),
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
