import { GraphQLError } from 'graphql';

/** The HTTP-level refusals of request bodies and uploads, with their status. */
export function requestError(status: number, message: string, code = 'INVALID_INPUT'): GraphQLError {
  // The connection is closed after the answer: an oversized upload is not read to its end.
  const headers = status === 413 ? { connection: 'close' } : undefined;
  return new GraphQLError(message, { extensions: { code, http: { status, headers } } });
}

export function tooLarge(limit: number, what: string): GraphQLError {
  return requestError(413, `${what} exceeds the limit of ${limit} bytes`);
}
