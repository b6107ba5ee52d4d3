import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { createFileOffsetStore, createMemoryOffsetStore, identityKey } from '../../src/logs/offsets.ts';
import { CHUNK_SIZE, isGzip, readGzip, readPlain } from '../../src/logs/reader.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bpetl-offsets-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const a = { dev: '1', ino: '10', path: 'a.log', offset: 5 };
const b = { dev: '1', ino: '11', path: 'b.log', offset: 7 };

async function collect(gen: AsyncGenerator<Buffer>): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const chunk of gen) out.push(chunk);
  return out;
}

describe('identityKey', () => {
  it('tells files apart by device and inode together', () => {
    expect(identityKey({ dev: '1', ino: '23' })).not.toBe(identityKey({ dev: '12', ino: '3' }));
    expect(identityKey({ dev: '1', ino: '23' })).toBe(identityKey({ dev: '1', ino: '23' }));
  });
});

describe('file offset store', () => {
  it('starts empty when the file does not exist yet', async () => {
    expect(await createFileOffsetStore(path.join(dir, 'offsets.json')).load()).toEqual([]);
  });

  it('keeps the latest offset of each file across stores, and leaves no temporary file', async () => {
    const file = path.join(dir, 'offsets.json');
    const first = createFileOffsetStore(file);
    await first.load();
    await first.commit({ findings: [], entries: [], offsets: [a] });
    await first.commit({ findings: [], entries: [], offsets: [b, { ...a, offset: 9 }] });
    expect(await createFileOffsetStore(file).load()).toEqual([{ ...a, offset: 9 }, b]);
    expect(await readdir(dir)).toEqual(['offsets.json']);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ offsets: [{ ...a, offset: 9 }, b] });
  });

  it('reads a file without offsets as none, and fails on one it cannot read', async () => {
    const file = path.join(dir, 'offsets.json');
    await writeFile(file, '{}');
    expect(await createFileOffsetStore(file).load()).toEqual([]);
    await writeFile(file, '{broken');
    await expect(createFileOffsetStore(file).load()).rejects.toThrow(SyntaxError);
    await expect(createFileOffsetStore(dir).load()).rejects.toMatchObject({ code: 'EISDIR' });
  });
});

describe('memory offset store', () => {
  it('starts from the offsets it is given and keeps the latest of each file', async () => {
    const store = createMemoryOffsetStore([a]);
    expect(await store.load()).toEqual([a]);
    await store.commit({ findings: [], entries: [], offsets: [{ ...a, offset: 8 }, b] });
    expect(await store.load()).toEqual([{ ...a, offset: 8 }, b]);
  });
});

describe('reader', () => {
  it('knows gzip by its two magic bytes', async () => {
    const gz = path.join(dir, 'x.gz');
    await writeFile(gz, gzipSync('hello'));
    expect(await isGzip(gz)).toBe(true);
    const one = path.join(dir, 'one');
    await writeFile(one, Buffer.from([0x1f]));
    expect(await isGzip(one)).toBe(false);
    const half = path.join(dir, 'half');
    await writeFile(half, Buffer.from([0x1f, 0x00]));
    expect(await isGzip(half)).toBe(false);
    const other = path.join(dir, 'other');
    await writeFile(other, Buffer.from([0x00, 0x8b]));
    expect(await isGzip(other)).toBe(false);
  });

  it('reads a plain file in chunks of CHUNK_SIZE, from any start to any end', async () => {
    const file = path.join(dir, 'big.log');
    const content = Buffer.alloc(CHUNK_SIZE + 10, 'a');
    content.write('HEAD', 0);
    content.write('TAIL', CHUNK_SIZE + 6);
    await writeFile(file, content);
    const chunks = await collect(readPlain(file));
    expect(chunks.map((c) => c.length)).toEqual([CHUNK_SIZE, 10]);
    expect(Buffer.concat(chunks).equals(content)).toBe(true);
    expect(Buffer.concat(await collect(readPlain(file, CHUNK_SIZE + 6))).toString()).toBe('TAIL');
    expect(Buffer.concat(await collect(readPlain(file, 1, 4))).toString()).toBe('EAD');
    expect(await collect(readPlain(file, CHUNK_SIZE + 10))).toEqual([]);
  });

  it('reads every member of a concatenated gzip file', async () => {
    const file = path.join(dir, 'rotated.log.gz');
    await writeFile(file, Buffer.concat([gzipSync('first\n'), gzipSync('second\n')]));
    expect(Buffer.concat(await collect(readGzip(file))).toString()).toBe('first\nsecond\n');
  });
});
