import { readdirSync } from 'node:fs';
import os from 'node:os';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

import { type HttpServer, MAX_WS_MESSAGE_BYTES, startHttpServer } from '../../src/server/http.ts';
import { MAX_JSON_BODY_BYTES } from '../../src/server/request-body.ts';
import { useTestApp } from '../helpers/app.ts';
import { databaseFingerprint, peakMemoryGrowth, send } from './raw-http.ts';

const MAX_UPLOAD = 4 * 1024 * 1024;
const t = useTestApp({ maxUploadBytes: MAX_UPLOAD });
let http: HttpServer;

beforeAll(async () => {
  http = await startHttpServer(t.app, { port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await http?.close();
});

const MiB = 1024 * 1024;
const BOUNDARY = 'limit-boundary';
const requestDirs = () => readdirSync(os.tmpdir()).filter((name) => name.startsWith('bpetl-request-')).length;

/** The head of a multipart importTeams request whose file part the caller goes on sending. */
function multipartHead(dryRun = true): string {
  const operations = JSON.stringify({
    query: `mutation ($f: File) { importTeams(input: { upload: $f, dryRun: ${dryRun}, allowShrink: true }) {
      __typename ... on ImportResult { rejected duplicates } ... on Error { code message } } }`,
    variables: { f: null },
  });
  return (
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n${operations}\r\n` +
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="map"\r\n\r\n{"0":["variables.f"]}\r\n` +
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="0"; filename="teams.csv"\r\nContent-Type: text/csv\r\n\r\n`
  );
}
const MULTIPART = { 'content-type': `multipart/form-data; boundary=${BOUNDARY}`, 'x-graphql-yoga-csrf': '1' };

describe('request limits are enforced on the bytes received', () => {
  it('a chunked JSON body past 1 MB gets 413 without the server holding it', async () => {
    const before = await databaseFingerprint(t.db);
    const head = Buffer.from('{"query":"mutation { disableProtection { __typename } }","variables":{"pad":"');
    let res: Awaited<ReturnType<typeof send>> | undefined;
    const growth = await peakMemoryGrowth(async () => {
      res = await send(http.url, {
        headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
        chunk: Buffer.concat([head, Buffer.alloc(64 * 1024 - head.length, 0x61)]),
        repeat: 320, // 20 MB
      });
    });
    expect(res!.status).toBe(413);
    expect(JSON.parse(res!.body).errors[0].message).toBe(
      `JSON request body exceeds the limit of ${MAX_JSON_BODY_BYTES} bytes`,
    );
    expect(growth).toBeLessThan(12 * MiB);
    expect(await databaseFingerprint(t.db)).toBe(before);
  });

  it('a declared length past 1 MB is refused before any of the body is read', async () => {
    const res = await send(http.url, {
      headers: { 'content-type': 'application/json', 'content-length': String(20 * MiB) },
      chunk: Buffer.alloc(64 * 1024, 0x20),
      repeat: 1,
    });
    expect(res.status).toBe(413);
    expect(res.body).toMatch(/JSON request body of 20971520 bytes exceeds the limit of 1048576 bytes/);
  });

  it('an upload past BPETL_MAX_UPLOAD_MB gets 413 as it arrives, memory flat, nothing left on disk', async () => {
    const before = await databaseFingerprint(t.db);
    const dirs = requestDirs();
    const row = Buffer.from('APTA_CHICAGO,Hostile,Chicago 1,Hostile - 1\n'.repeat(1500));
    let res: Awaited<ReturnType<typeof send>> | undefined;
    const growth = await peakMemoryGrowth(async () => {
      res = await send(http.url, {
        headers: { ...MULTIPART, 'transfer-encoding': 'chunked' },
        head: Buffer.from(multipartHead(false)),
        chunk: row,
        repeat: 640, // about 40 MB
      });
    });
    expect(res!.status).toBe(413);
    expect(JSON.parse(res!.body).errors[0].message).toBe(
      `upload "teams.csv" exceeds the limit of ${MAX_UPLOAD} bytes (BPETL_MAX_UPLOAD_MB)`,
    );
    expect(res!.sent).toBeLessThan(40 * MiB);
    expect(growth).toBeLessThan(16 * MiB);
    expect(await databaseFingerprint(t.db)).toBe(before);
    expect(requestDirs()).toBe(dirs);
  });

  it('an upload under the limit but far over 1 MB is accepted', async () => {
    const rows = 'APTA_CHICAGO,Big,Chicago 1,Big - 1\n'.repeat(60_000); // about 2 MB
    const body = `${multipartHead()}league,club,series,team_name\n${rows}\r\n--${BOUNDARY}--\r\n`;
    const res = await send(http.url, { headers: MULTIPART, body });
    expect(JSON.parse(res.body)).toEqual({
      data: { importTeams: { __typename: 'ImportResult', rejected: 0, duplicates: 59_999 } },
    });
  });

  it('a graphql-ws message past 1 MB closes the socket with 1009', async () => {
    const socket = new WebSocket(http.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    const growth = await peakMemoryGrowth(async () => {
      socket.send(
        JSON.stringify({ type: 'connection_init', payload: { pad: 'x'.repeat(MAX_WS_MESSAGE_BYTES * 8) } }),
      );
      expect(await closed).toEqual({ code: 1009, reason: '' });
    });
    // The client's own 8 MB string is in this process too; the server never held it.
    expect(growth).toBeLessThan(40 * MiB);
    const res = await send(http.url, {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ leagues { id } }' }),
    });
    expect(res.status).toBe(200);
  });
});
