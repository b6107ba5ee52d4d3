import { realpath } from 'node:fs/promises';
import path from 'node:path';

import { AppError } from '../../errors.ts';
import { isInside } from '../../sources/feed-file.ts';

/**
 * Resolves an API caller's `source` inside the import directory. Symlinks are followed first
 * (realpath), so a link pointing out of the directory is refused like `..` or an absolute path.
 */
export async function resolveImportSource(
  importDir: string,
  source: string,
): Promise<{ path: string; root: string }> {
  if (typeof source !== 'string' || source.trim() === '' || source.includes('\0')) {
    throw new AppError('INVALID_INPUT', 'source must be a path relative to the import directory', {
      field: 'source',
    });
  }
  let root: string;
  try {
    root = await realpath(importDir);
  } catch {
    throw new AppError('SOURCE_UNREADABLE', 'the import directory does not exist (BPETL_IMPORT_DIR)', {
      field: 'source',
    });
  }
  const outside = () =>
    new AppError('INVALID_INPUT', `source "${source}" is outside the import directory`, {
      field: 'source',
      source,
    });
  const lexical = path.resolve(root, source);
  if (!isInside(root, lexical)) throw outside();
  let real: string;
  try {
    real = await realpath(lexical);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new AppError(
      'SOURCE_UNREADABLE',
      `source "${source}" ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${code})`} in the import directory`,
      { field: 'source', source },
    );
  }
  if (!isInside(root, real)) throw outside();
  return { path: real, root };
}
