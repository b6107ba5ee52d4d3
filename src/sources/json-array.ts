import { stat } from 'node:fs/promises';

import { AppError } from '../errors.ts';
import { type ElementBatch, jsonArrayBatches } from './json-elements.ts';
import { firstSignificantChar, locateJsonError } from './json-position.ts';

export interface ArrayBatch extends ElementBatch {
  /** Position in the array of the batch's first element. */
  index: number;
}

/**
 * The elements of a file whose top level is a JSON array, a batch at a time: the file is never one
 * string in memory. Every file-level failure is an AppError naming the file (and, for malformed
 * JSON, the line, column and byte).
 */
export async function* readJsonArray(file: string, label = file): AsyncGenerator<ArrayBatch> {
  await assertReadableFile(file, label);
  let index = 0;
  try {
    for await (const batch of jsonArrayBatches(file)) {
      yield { ...batch, index };
      index += batch.values.length;
    }
  } catch (err) {
    throw await describeFailure(err, file, label);
  }
}

export async function assertReadableFile(file: string, label: string): Promise<void> {
  let info;
  try {
    info = await stat(file);
  } catch (err) {
    throw unreadable(err, label);
  }
  if (info.isDirectory()) {
    throw new AppError('SOURCE_UNREADABLE', `${label} is a directory, expected a file`, { file: label });
  }
  if (!info.isFile()) {
    throw new AppError('SOURCE_UNREADABLE', `${label} is not a regular file`, { file: label });
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

async function describeFailure(err: unknown, file: string, label: string): Promise<AppError> {
  if (err instanceof AppError) return err;
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
