import type { Plugin } from 'graphql-yoga';

/** Largest JSON request body accepted; GraphQL documents and variables are small. */
export const MAX_JSON_BODY_BYTES = 1024 * 1024;
/** Largest multipart body (a teams file uploaded to importTeams / runPipeline). */
export const MAX_UPLOAD_BODY_BYTES = 200 * 1024 * 1024;

/** Refuses oversized bodies before yoga reads them, with 413 and a GraphQL-shaped error. */
export function useRequestSizeLimit(): Plugin {
  return {
    onRequest({ request, endResponse, fetchAPI }) {
      if (request.method !== 'POST') return;
      const multipart = request.headers.get('content-type')?.startsWith('multipart/form-data') ?? false;
      const limit = multipart ? MAX_UPLOAD_BODY_BYTES : MAX_JSON_BODY_BYTES;
      const length = Number(request.headers.get('content-length') ?? 'NaN');
      if (Number.isFinite(length) && length > limit) {
        endResponse(
          new fetchAPI.Response(
            JSON.stringify({
              errors: [
                {
                  message: `Request body of ${length} bytes exceeds the limit of ${limit} bytes`,
                  extensions: { code: 'INVALID_INPUT' },
                },
              ],
            }),
            { status: 413, headers: { 'content-type': 'application/json' } },
          ),
        );
      }
    },
  };
}
