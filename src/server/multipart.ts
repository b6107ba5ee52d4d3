import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';

import { Busboy, type BusboyFileStream } from '@fastify/busboy';
import type { GraphQLParams } from 'graphql-yoga';

import { DiskUpload } from '../services/import/upload.ts';
import { requestError, tooLarge } from './request-errors.ts';

/** The `operations` and `map` fields are GraphQL documents and variables: small. */
const MAX_FIELD_BYTES = 1024 * 1024;
/** The schema takes one file per operation (ImportInput.upload). */
const MAX_FILES = 1;

/** The whole multipart body: the file plus its two fields. */
export function multipartLimit(maxFileBytes: number): number {
  return maxFileBytes + MAX_FIELD_BYTES * 2;
}

interface Received {
  fields: Map<string, string>;
  files: Map<string, DiskUpload>;
}

/**
 * A GraphQL multipart request (operations, map, files) read as it arrives: file parts go straight
 * to `dir`, counted against `maxFileBytes`, so memory holds one chunk whatever the upload's size.
 */
export async function receiveMultipart(
  request: Request,
  options: { dir: string; maxFileBytes: number },
): Promise<GraphQLParams> {
  const received = await receiveParts(request, options);
  return assemble(received);
}

async function receiveParts(request: Request, options: { dir: string; maxFileBytes: number }) {
  const received: Received = { fields: new Map(), files: new Map() };
  let failure: Error | null = null;
  const fail = (err: Error) => {
    failure ??= err;
  };
  const writes: Promise<void>[] = [];
  const busboy = new Busboy({
    headers: { 'content-type': request.headers.get('content-type') ?? '' },
    limits: {
      fieldSize: MAX_FIELD_BYTES,
      fields: 10,
      files: MAX_FILES,
      fileSize: options.maxFileBytes,
      parts: 12,
    },
  });
  busboy.on('field', (name, value, _nameTruncated, valueTruncated) => {
    if (valueTruncated) fail(tooLarge(MAX_FIELD_BYTES, `multipart field "${name}"`));
    else received.fields.set(name, value);
  });
  busboy.on('file', (name, stream: BusboyFileStream, filename) => {
    const file = new DiskUpload(
      path.basename(filename || 'upload'),
      path.join(options.dir, `part-${received.files.size}`),
    );
    received.files.set(name, file);
    stream.on('limit', () =>
      fail(
        requestError(
          413,
          `upload "${file.name}" exceeds the limit of ${options.maxFileBytes} bytes (BPETL_MAX_UPLOAD_MB)`,
        ),
      ),
    );
    writes.push(
      pipeline(stream, createWriteStream(file.path)).then(
        () => {
          file.size = stream.bytesRead;
        },
        (err: Error) => fail(err),
      ),
    );
  });
  busboy.on('filesLimit', () => fail(requestError(400, `one file per request (got more than ${MAX_FILES})`)));
  busboy.on('error', (err: Error) => fail(err));
  const finished = once(busboy, 'finish');
  finished.catch(() => undefined);

  const reader = request.body?.getReader();
  if (!reader) throw requestError(400, 'multipart request without a body');
  try {
    while (!failure) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!busboy.write(value)) await Promise.race([once(busboy, 'drain'), finished]).catch(fail);
    }
  } finally {
    reader.releaseLock();
  }
  if (!failure) {
    busboy.end();
    await finished.catch((err: Error) => fail(err));
    await Promise.all(writes);
  } else {
    busboy.destroy();
  }
  if (failure) throw asRequestError(failure);
  return received;
}

function asRequestError(err: Error): Error {
  if ((err as { extensions?: unknown }).extensions) return err;
  return requestError(400, `invalid multipart request: ${err.message}`);
}

function assemble({ fields, files }: Received): GraphQLParams {
  const operations = parseField(fields, 'operations', true) as GraphQLParams;
  const map = (parseField(fields, 'map', false) ?? {}) as Record<string, unknown>;
  for (const [part, targets] of Object.entries(map)) {
    const file = files.get(part);
    if (!file || !Array.isArray(targets)) {
      throw requestError(400, `multipart map entry "${part}" names no file part`);
    }
    for (const target of targets) setPath(operations, String(target), file);
  }
  return operations;
}

function parseField(fields: Map<string, string>, name: string, required: boolean): unknown {
  const text = fields.get(name);
  if (text === undefined) {
    if (required) throw requestError(400, `multipart field "${name}" is missing`);
    return undefined;
  }
  try {
    const value = JSON.parse(text) as unknown;
    if (value === null || typeof value !== 'object') throw new Error('not an object');
    return value;
  } catch {
    throw requestError(400, `multipart field "${name}" is not a JSON object`);
  }
}

/** Puts `value` at a dotted path such as `variables.input.upload`, never on a prototype. */
function setPath(target: object, dotted: string, value: unknown): void {
  const keys = dotted.split('.');
  let node = target as Record<string, unknown>;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (key === '__proto__' || key === 'constructor' || key === 'prototype') {
      throw requestError(400, `multipart map path "${dotted}" is not allowed`);
    }
    if (i === keys.length - 1) {
      node[key] = value;
      return;
    }
    const next = node[key];
    if (next === null || typeof next !== 'object') {
      throw requestError(400, `multipart map path "${dotted}" does not lead into the operation's variables`);
    }
    node = next as Record<string, unknown>;
  }
}
