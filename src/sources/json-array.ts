import { AppError } from '../errors.ts';
import { checkFeedFile, unreadable } from './feed-file.ts';
import {
  type ElementBatch,
  ElementTooLongError,
  jsonArrayBatches,
  MAX_ELEMENT_LENGTH,
} from './json-elements.ts';
import { firstSignificantChar, locateJsonError } from './json-position.ts';
import type { Utf8Decoder } from './utf8.ts';

export interface ArrayBatch extends ElementBatch {
  /** Position in the array of the batch's first element. */
  index: number;
}

/**
 * The elements of a file whose top level is a JSON array, a batch at a time: the file is never one
 * string in memory. Every file-level failure is an AppError naming the file (and, for malformed
 * JSON, the line, column and byte).
 */
export async function* readJsonArray(
  file: string,
  label = file,
  options: { root?: string; decoder?: Utf8Decoder } = {},
): AsyncGenerator<ArrayBatch> {
  await checkFeedFile(file, label, options.root);
  let index = 0;
  try {
    for await (const batch of jsonArrayBatches(file, undefined, options.decoder)) {
      yield { ...batch, index };
      index += batch.values.length;
    }
  } catch (err) {
    throw await describeFailure(err, file, label);
  }
}

async function describeFailure(err: unknown, file: string, label: string): Promise<AppError> {
  if (err instanceof AppError) return err;
  if (err instanceof ElementTooLongError) {
    return new AppError(
      'INVALID_INPUT',
      `${label}: the record starting at byte ${err.offset} runs past ${MAX_ELEMENT_LENGTH} characters without ending; no feed record is that long`,
      { file: label, position: { offset: err.offset } },
    );
  }
  if ((err as NodeJS.ErrnoException | null)?.code) return unreadable(err, label);
  const message = (err as Error | null)?.message ?? String(err);
  if (message.startsWith('Top-level object should be an array')) {
    const first = await firstSignificantChar(file);
    const found = first ? describeTopLevel(first.char) : 'nothing';
    return new AppError(
      'INVALID_INPUT',
      `${label}: the top level is ${found}, expected an array of records`,
      {
        file: label,
        position: first && { offset: first.offset, line: first.line, column: first.column },
      },
    );
  }
  const problem = await locateJsonError(file);
  if (!problem) {
    return new AppError('INVALID_INPUT', `${label}: cannot parse JSON (${message})`, { file: label });
  }
  const { offset, line, column } = problem;
  return new AppError(
    'INVALID_INPUT',
    `${label}: malformed JSON at line ${line}, column ${column} (byte ${offset}): ${problem.message}`,
    { file: label, position: { offset, line, column }, reason: problem.message },
    { cause: err },
  );
}

function describeTopLevel(char: string): string {
  if (char === '{') return 'an object';
  if (char === '"') return 'a string';
  if (char === 't' || char === 'f') return 'a boolean';
  if (char === 'n') return 'null';
  if (char === '-' || (char >= '0' && char <= '9')) return 'a number';
  return `${JSON.stringify(char)}`;
}
