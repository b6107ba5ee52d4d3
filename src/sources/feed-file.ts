import { constants } from 'node:fs';
import { open, realpath, stat } from 'node:fs/promises';
import path from 'node:path';

import { AppError } from '../errors.ts';

/** True when `candidate` is `root` or inside it (both already resolved). */
export function isInside(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return (
    relative === '' ||
    (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative))
  );
}

/** What a path that is not a regular file is, for messages. */
export function describeSpecial(info: Awaited<ReturnType<typeof stat>>): string {
  if (info.isFIFO()) return 'a FIFO';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

/**
 * Checks a file a source is about to read: it exists, resolves (symlinks followed) inside `root`
 * when one is given, and is a non-empty regular file. A FIFO, device or socket could block or never
 * end: it is SOURCE_UNREADABLE before anything opens it.
 */
export async function checkFeedFile(file: string, label: string, root?: string): Promise<void> {
  let real: string;
  try {
    real = await realpath(file);
  } catch (err) {
    throw unreadable(err, label);
  }
  if (root !== undefined && !isInside(root, real)) {
    throw new AppError('INVALID_INPUT', `${label} is a link that leads outside the import directory`, {
      file: label,
    });
  }
  let info;
  try {
    info = await stat(real);
  } catch (err) {
    throw unreadable(err, label);
  }
  if (info.isDirectory()) {
    throw new AppError('SOURCE_UNREADABLE', `${label} is a directory, expected a file`, { file: label });
  }
  if (!info.isFile()) {
    throw new AppError('SOURCE_UNREADABLE', `${label} is ${describeSpecial(info)}, not a regular file`, {
      file: label,
    });
  }
  if (info.size === 0) throw new AppError('INVALID_INPUT', `${label} is empty`, { file: label });
}

export function unreadable(err: unknown, label: string): AppError {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  const why =
    code === 'ENOENT'
      ? 'does not exist'
      : code === 'EACCES' || code === 'EPERM'
        ? 'cannot be read (permission denied)'
        : code === 'EISDIR'
          ? 'is a directory, expected a file'
          : `cannot be read (${code ?? (err as Error)?.message ?? String(err)})`;
  return new AppError('SOURCE_UNREADABLE', `${label} ${why}`, { file: label, cause: code }, { cause: err });
}

/** Read flags: a FIFO put in a checked file's place fails at once instead of blocking the reader. */
const READ_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;

/** A file's bytes in chunks of `size`. */
export async function* readChunks(file: string, size: number): AsyncGenerator<Buffer> {
  const handle = await open(file, READ_FLAGS);
  try {
    for await (const chunk of handle.createReadStream({ highWaterMark: size, autoClose: false })) {
      yield chunk as Buffer;
    }
  } finally {
    await handle.close();
  }
}
