import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';

/** A FIFO put in a listed file's place fails at once instead of blocking the reader. */
export const READ_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;

/** Big reads keep per-chunk overhead (syscalls, regex setup) far below the cost of scanning. */
export const CHUNK_SIZE = 4 * 1024 * 1024;

export async function isGzip(file: string): Promise<boolean> {
  const fh = await open(file, READ_FLAGS);
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await fh.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

/** A plain file's bytes from `start`, in chunks of CHUNK_SIZE. */
export async function* readPlain(file: string, start = 0, end = Infinity): AsyncGenerator<Buffer> {
  const fh = await open(file, READ_FLAGS);
  try {
    let position = start;
    while (position < end) {
      const want = Math.min(CHUNK_SIZE, end - position);
      const buf = Buffer.allocUnsafe(want);
      const { bytesRead } = await fh.read(buf, 0, want, position);
      if (bytesRead === 0) break;
      position += bytesRead;
      yield bytesRead === want ? buf : buf.subarray(0, bytesRead);
    }
  } finally {
    await fh.close();
  }
}

/** A gzip file's decompressed bytes (concatenated members included, as logrotate may write). */
export async function* readGzip(file: string): AsyncGenerator<Buffer> {
  const source = (await open(file, READ_FLAGS)).createReadStream({ highWaterMark: 1024 * 1024 });
  const gunzip = createGunzip({ chunkSize: 1024 * 1024 });
  source.on('error', (err) => gunzip.destroy(err));
  try {
    for await (const chunk of source.pipe(gunzip)) yield chunk as Buffer;
  } finally {
    source.destroy();
  }
}
