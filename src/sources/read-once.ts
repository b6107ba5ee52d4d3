import { AppError } from '../errors.ts';
import type { Source, SourceItem } from './records.ts';

/**
 * The reading half of a Source: `batches()` or `items()`, once. Readers produce batches (one per
 * chunk of input) because a per-record async step costs more than checking the record does.
 */
export function readOnce(
  path: string,
  read: () => AsyncIterable<SourceItem[]>,
): Pick<Source, 'batches' | 'items'> {
  let started = false;
  const batches = () => {
    if (started) throw new AppError('INVALID_INPUT', `${path}: a source can be read once`, { file: path });
    started = true;
    return read();
  };
  return {
    batches,
    items: () => flatten(batches()),
  };
}

async function* flatten<T>(batches: AsyncIterable<T[]>): AsyncGenerator<T> {
  for await (const batch of batches) yield* batch;
}

/** Groups a per-record reader's items into batches of about `size`. */
export async function* batchesOf<T>(items: AsyncIterable<T>, size = 1_000): AsyncGenerator<T[]> {
  let batch: T[] = [];
  for await (const item of items) {
    batch.push(item);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
