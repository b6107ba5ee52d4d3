import { ERROR_CODES } from '../errors.ts';
import { AppError } from '../errors.ts';
import { builder } from './builder.ts';

export const ErrorCodeEnum = builder.enumType('ErrorCode', { values: ERROR_CODES });

/** What every error result implements: clients can always ask `... on Error { message code }`. */
export const ErrorInterface = builder.interfaceRef<AppError>('Error').implement({
  fields: (t) => ({
    message: t.exposeString('message'),
    code: t.expose('code', { type: ErrorCodeEnum }),
  }),
});

builder.objectType(AppError, {
  name: 'OperationError',
  description: 'An expected failure with a stable code; `details` names the file, record, field or run.',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof AppError,
  fields: (t) => ({
    details: t.field({ type: 'JSON', resolve: (error) => error.details }),
  }),
});
