/** Stable error codes: clients and scripts match on these, never on message text. */
export const ERROR_CODES = [
  'UNAUTHENTICATED',
  'INVALID_INPUT',
  'IMPORT_IN_PROGRESS',
  'SHRINK_GUARD',
  'ORPHANS_WOULD_REMAIN',
  'NOT_FOUND',
  'SOURCE_UNREADABLE',
  'DATABASE_UNAVAILABLE',
  /** The CLI's: no bpetl server answers at the URL it was given (`bpetl watch`). */
  'SERVER_UNAVAILABLE',
  'CANCELLED',
  'SCHEMA_MISFIT',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export class AppError extends Error {
  readonly code: ErrorCode;
  /** Machine-readable context (file, record, field, run id, …). */
  readonly details: Record<string, unknown>;

  constructor(
    code: ErrorCode,
    message: string,
    details: Record<string, unknown> = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }
}

export function coerceError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

/** SQLSTATE of a pg error, if it is one. */
export function sqlState(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}
