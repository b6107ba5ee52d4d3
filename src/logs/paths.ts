import { stat } from 'node:fs/promises';
import path from 'node:path';

import { glob, isDynamicPattern } from 'tinyglobby';

import type { LogProblem } from './types.ts';

/**
 * Files named by `paths`: a file as is, a directory as the files directly in it, a glob as its
 * matches. A path that names nothing is a problem, not an error, so one typo does not stop a scan.
 */
export async function expandPaths(paths: string[]): Promise<{ files: string[]; problems: LogProblem[] }> {
  const files = new Set<string>();
  const problems: LogProblem[] = [];
  for (const p of paths) {
    if (isDynamicPattern(p)) {
      const matches = await glob(p, { absolute: true, onlyFiles: true, dot: false });
      matches.forEach((f) => files.add(path.resolve(f)));
      continue;
    }
    const st = await stat(p).catch(() => null);
    if (!st) {
      problems.push({ file: p, reason: 'no such file or directory' });
    } else if (st.isDirectory()) {
      const matches = await glob('*', { cwd: p, absolute: true, onlyFiles: true, dot: false });
      matches.forEach((f) => files.add(path.resolve(f)));
    } else {
      files.add(path.resolve(p));
    }
  }
  return { files: [...files].sort(), problems };
}
