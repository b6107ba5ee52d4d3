import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { AppError } from '../../errors.ts';

/** Extensions of a teams file, the one kind of source that can be uploaded. */
const UPLOADABLE = ['.csv', '.ndjson', '.jsonl'];

export interface UploadedFile {
  name: string;
  stream(): ReadableStream<Uint8Array>;
}

/** An upload the HTTP layer has already written to disk while it arrived (its bytes counted). */
export class DiskUpload implements UploadedFile {
  size = 0;

  constructor(
    readonly name: string,
    readonly path: string,
  ) {}

  stream(): ReadableStream<Uint8Array> {
    return Readable.toWeb(createReadStream(this.path)) as ReadableStream<Uint8Array>;
  }
}

/**
 * Stores an uploaded teams file in a private temp directory, keeping its extension (the parser
 * picks the format by it). A league feed is a directory and cannot be uploaded: put it under the
 * import directory and name it in `source`.
 */
export async function saveUpload(
  file: UploadedFile,
): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const ext = path.extname(file.name).toLowerCase();
  if (!UPLOADABLE.includes(ext)) {
    throw new AppError(
      'INVALID_INPUT',
      `upload "${file.name}" is not a teams file (${UPLOADABLE.join(', ')}); upload a league feed by placing it under the import directory`,
      { field: 'upload', file: file.name },
    );
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bpetl-upload-'));
  const cleanup = () => rm(dir, { recursive: true, force: true });
  const target = path.join(dir, `upload${ext}`);
  try {
    // Already on disk: moved, not copied (the HTTP layer removes its directory after the request).
    if (file instanceof DiskUpload) await rename(file.path, target);
    else await pipeline(Readable.from(chunksOf(file.stream())), createWriteStream(target));
  } catch (err) {
    await cleanup();
    throw new AppError(
      'SOURCE_UNREADABLE',
      `upload "${file.name}" could not be stored: ${(err as Error).message}`,
      {
        field: 'upload',
        file: file.name,
      },
    );
  }
  return { path: target, cleanup };
}

/** Reads a web stream through its reader: the fetch layer's stream is not Node's ReadableStream class. */
async function* chunksOf(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}
