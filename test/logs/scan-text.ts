import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, expect } from 'vitest';

import { scanLogs } from '../../src/logs/scanner.ts';

/**
 * `scanText(text)` scans `text` as a file of its own (format detection, prefilter, parser and
 * classifier, as a real scan runs them) and returns the non-zero totals; the files live in a
 * temporary directory of the calling test file.
 */
export function useScanText(): (text: string, ext?: string) => Promise<Record<string, number>> {
  let dir = '';
  let n = 0;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'bpetl-scan-text-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  return async (text, ext = 'log') => {
    const file = path.join(dir, `f${n++}.${ext}`);
    await writeFile(file, text);
    const result = await scanLogs({ paths: [file] });
    expect(result.problems).toEqual([]);
    return Object.fromEntries(Object.entries(result.totals).filter(([, c]) => c > 0));
  };
}
