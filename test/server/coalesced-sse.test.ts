import { getSSEProcessor } from 'graphql-yoga';
import { describe, expect, it } from 'vitest';

import { coalesceChunks, YOGA_SSE_PROCESSOR } from '../../src/server/coalesced-sse.ts';

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (chunk: Uint8Array) => new TextDecoder().decode(chunk);

async function readAll(stream: ReadableStream<Uint8Array>): Promise<string[]> {
  const out: string[] = [];
  const reader = stream.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return out;
    out.push(text(value));
  }
}

describe('coalesceChunks', () => {
  it('joins what the source has ready in one turn of the event loop, in order', async () => {
    const source = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const part of ['a', 'b', 'c']) controller.enqueue(bytes(part));
        controller.close();
      },
    });
    expect(await readAll(coalesceChunks(source))).toEqual(['abc']);
  });

  it('keeps chunks apart that arrive in different turns, so nothing waits for the next one', async () => {
    const source = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(bytes('1'));
        controller.enqueue(bytes('2'));
        await new Promise((r) => setTimeout(r, 20));
        controller.enqueue(bytes('3'));
        await new Promise((r) => setTimeout(r, 20));
        controller.close();
      },
    });
    expect(await readAll(coalesceChunks(source))).toEqual(['12', '3']);
  });

  it('stops reading the source while its consumer does not read', async () => {
    let produced = 0;
    const source = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          produced++;
          controller.enqueue(bytes('x'));
          return new Promise((r) => setTimeout(r, 1));
        },
      },
      { highWaterMark: 1 },
    );
    const reader = coalesceChunks(source).getReader();
    await reader.read();
    const after = produced;
    await new Promise((r) => setTimeout(r, 100));
    expect(produced - after).toBeLessThanOrEqual(3);
    await reader.cancel();
  });

  it('ends a chunk at 64 KiB when the source is always ready, so the event loop still turns', async () => {
    const kib = new Uint8Array(1024);
    const source = new ReadableStream<Uint8Array>({ pull: (controller) => controller.enqueue(kib) });
    const reader = coalesceChunks(source).getReader();
    const sizes: number[] = [];
    for (let i = 0; i < 3; i++) sizes.push((await reader.read()).value!.byteLength);
    expect(sizes).toEqual([64 * 1024, 64 * 1024, 64 * 1024]);
    await reader.cancel();
  });

  it('cancels the source when its consumer leaves', async () => {
    let cancelled = false;
    const source = new ReadableStream<Uint8Array>({
      pull: (controller) => controller.enqueue(bytes('x')),
      cancel: () => {
        cancelled = true;
      },
    });
    const reader = coalesceChunks(source).getReader();
    await reader.read();
    await reader.cancel('gone');
    expect(cancelled).toBe(true);
  });
});

describe('the SSE processor it wraps', () => {
  it('is still the one yoga names processSSEResult (else subscriptions would go out unjoined)', () => {
    expect(getSSEProcessor().name).toBe(YOGA_SSE_PROCESSOR);
  });
});
