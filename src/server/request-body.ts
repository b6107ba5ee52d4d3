import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import type { GraphQLParams, Plugin } from 'graphql-yoga';

import type { Config } from '../config.ts';
import { multipartLimit, receiveMultipart } from './multipart.ts';
import { requestError, tooLarge } from './request-errors.ts';

/** Largest JSON request body accepted; GraphQL documents and variables are small. */
export const MAX_JSON_BODY_BYTES = 1024 * 1024;

function mediaType(request: Request): string {
  return (request.headers.get('content-type') ?? '').split(/[;,]/)[0]!.trim().toLowerCase();
}

/**
 * Parses POST bodies itself, counting the bytes as they arrive (a chunked body has no length to
 * check up front): JSON up to MAX_JSON_BODY_BYTES, multipart uploads streamed to disk up to
 * BPETL_MAX_UPLOAD_MB. Every other body type is refused, so no browser form can reach a resolver.
 */
export function useRequestBodies(config: Pick<Config, 'maxUploadBytes'>): Plugin {
  const uploads = new WeakMap<Request, string>();
  return {
    onRequestParse({ request, setRequestParser }) {
      if (request.method !== 'POST') return;
      const type = mediaType(request);
      if (type === 'application/json' || type === 'application/graphql+json') {
        checkDeclaredLength(request, MAX_JSON_BODY_BYTES, 'JSON request body');
        setRequestParser((req) => parseJson(req));
      } else if (type === 'multipart/form-data') {
        checkDeclaredLength(request, multipartLimit(config.maxUploadBytes), 'multipart body');
        setRequestParser(async (req) => {
          const dir = await mkdtemp(path.join(os.tmpdir(), 'bpetl-request-'));
          uploads.set(request, dir);
          try {
            return await receiveMultipart(req, { dir, maxFileBytes: config.maxUploadBytes });
          } catch (err) {
            uploads.delete(request);
            await rm(dir, { recursive: true, force: true });
            throw err;
          }
        });
      } else {
        throw requestError(
          415,
          `Content-Type "${type || '(none)'}" is not accepted: send application/json, or multipart/form-data for an upload`,
        );
      }
    },
    // Resolvers that keep an upload move it out first (saveUpload); the rest goes with the request.
    async onResponse({ request }) {
      const dir = uploads.get(request);
      if (!dir) return;
      uploads.delete(request);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A Content-Length over the limit is refused before a byte of the body is read. */
export function checkDeclaredLength(request: Request, limit: number, what: string): void {
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > limit) throw tooLarge(limit, `${what} of ${declared} bytes`);
}

/** The request body's bytes, refused as soon as they pass `limit`. */
export async function readLimited(request: Request, limit: number, what: string): Promise<Buffer> {
  const reader = request.body?.getReader();
  if (!reader) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limit) throw tooLarge(limit, what);
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  return Buffer.concat(chunks);
}

async function parseJson(request: Request): Promise<GraphQLParams> {
  const text = (await readLimited(request, MAX_JSON_BODY_BYTES, 'JSON request body')).toString('utf8');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw requestError(400, 'POST body sent invalid JSON.', 'BAD_REQUEST');
  }
  if (body === null || typeof body !== 'object') {
    throw requestError(
      400,
      `POST body is expected to be an object, not ${body === null ? 'null' : typeof body}`,
    );
  }
  return body as GraphQLParams;
}
