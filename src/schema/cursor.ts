import { AppError } from '../errors.ts';

/** Opaque cursors: base64 of `<kind>:<id>`, so a cursor of one list is rejected by another. */
export function encodeCursor(kind: string, id: number | string): string {
  return Buffer.from(`${kind}:${id}`).toString('base64url');
}

export function decodeCursor(kind: string, cursor: string): number {
  const [prefix, id] = Buffer.from(cursor, 'base64url').toString().split(':');
  const value = Number(id);
  if (prefix !== kind || !Number.isSafeInteger(value) || value < 0) {
    throw new AppError('INVALID_INPUT', `"${cursor.slice(0, 40)}" is not a ${kind} cursor`, {
      field: 'after',
    });
  }
  return value;
}
