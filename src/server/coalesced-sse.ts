import { isAsyncIterable, type Plugin } from 'graphql-yoga';

import type { GraphQLContext } from '../schema/context.ts';

/** One write carries at most this much: a source that is always ready must not hold the loop. */
const MAX_CHUNK_BYTES = 64 * 1024;
const MAX_JOINED = 1024;

/** The name of yoga's own SSE result processor (`getSSEProcessor()`), the one this plugin wraps. */
export const YOGA_SSE_PROCESSOR = 'processSSEResult';

function concat(chunks: Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}

/**
 * Joins the chunks `source` yields within one turn of the event loop into one. Each chunk is a
 * socket write; an event batch from PostgreSQL reaches a subscriber as several events in the same
 * turn, so a subscriber costs one write per batch instead of two per event (yoga writes the
 * `event:` and `data:` lines apart). Reading stops while the consumer does not read (backpressure).
 */
export function coalesceChunks(
  source: ReadableStream<Uint8Array>,
  Stream: typeof ReadableStream = ReadableStream,
): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  let pending: Promise<ReadableStreamReadResult<Uint8Array>> | null = null;
  return new Stream<Uint8Array>({
    async pull(controller) {
      const first = await (pending ?? reader.read());
      pending = null;
      if (first.done) return controller.close();
      const chunks = [first.value];
      let size = first.value.byteLength;
      // Whatever the source has ready before the event loop turns joins this chunk.
      const turn = new Promise<'turn'>((resolve) => setImmediate(resolve, 'turn'));
      while (size < MAX_CHUNK_BYTES && chunks.length < MAX_JOINED) {
        const next = reader.read();
        const step = await Promise.race([next, turn]);
        if (step === 'turn') {
          pending = next;
          break;
        }
        if (step.done) {
          controller.enqueue(concat(chunks));
          return controller.close();
        }
        chunks.push(step.value);
        size += step.value.byteLength;
      }
      controller.enqueue(concat(chunks));
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}

/** Wraps yoga's SSE responses for subscriptions so that a batch of events goes out as one write. */
export function useCoalescedEventStreams(): Plugin<GraphQLContext> {
  return {
    onResultProcess({ result, resultProcessor, setResultProcessor }) {
      if (!isAsyncIterable(result) || resultProcessor?.name !== YOGA_SSE_PROCESSOR) return;
      const sse = resultProcessor;
      setResultProcessor(async (input, fetchAPI, mediaType) => {
        const response = await sse(input, fetchAPI, mediaType);
        if (!response.body) return response;
        return new fetchAPI.Response(coalesceChunks(response.body, fetchAPI.ReadableStream), {
          status: response.status,
          statusText: response.statusText,
          headers: response.headers,
        });
      }, 'text/event-stream');
    },
  };
}
