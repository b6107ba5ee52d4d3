import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

import { glob, isDynamicPattern } from 'tinyglobby';

import { describeSpecial } from '../sources/feed-file.ts';
import type { LogProblem } from './types.ts';

/**
 * Files named by `paths`: a file as is, a directory as the files directly in it, a glob as its
 * matches. A path that names nothing is a problem, not an error, so one typo does not stop a scan.
 * Only regular files are read: a FIFO, device or socket could block or never end, so it is skipped
 * and reported. Files keep the spelling they were given (normalised, never made absolute): that is
 * how findings name them.
 */
export async function expandPaths(paths: string[]): Promise<{ files: string[]; problems: LogProblem[] }> {
  const files = new Set<string>();
  const problems: LogProblem[] = [];
  // Directories inside a directory are left out, as before; anything else that is not a regular
  // file is named.
  const add = async (file: string) => {
    const st = await stat(file).catch(() => null);
    if (!st) problems.push({ file, reason: 'no such file or directory' });
    else if (st.isFile()) files.add(path.normalize(file));
    else if (!st.isDirectory()) {
      problems.push({ file, reason: `${describeSpecial(st)}, not a regular file: skipped` });
    }
  };
  for (const p of paths) {
    if (isDynamicPattern(p)) {
      // A glob's matches are regular files and links only: FIFOs and sockets are never among them.
      const matches = await glob(p, { absolute: path.isAbsolute(p), onlyFiles: true, dot: false });
      for (const f of matches) await add(f);
      continue;
    }
    const st = await stat(p).catch(() => null);
    if (st?.isDirectory()) {
      const entries = await readdir(p, { withFileTypes: true });
      for (const entry of entries.filter((e) => !e.name.startsWith('.'))) await add(path.join(p, entry.name));
    } else {
      await add(p);
    }
  }
  return { files: [...files].sort(), problems };
}
