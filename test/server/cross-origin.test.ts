import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { writeLeagueFeed } from '../../src/generator/index.ts';
import { type HttpServer, startHttpServer } from '../../src/server/http.ts';
import { importTeams } from '../../src/services/import/import-teams.ts';
import { useTestApp } from '../helpers/app.ts';
import { databaseFingerprint, send } from './raw-http.ts';

const ALLOWED = 'https://admin.example.org';
const EVIL = 'https://evil.example.com';
const importDir = mkdtempSync(path.join(os.tmpdir(), 'bpetl-cors-'));
const t = useTestApp({ importDir, corsOrigins: [ALLOWED] });
let http: HttpServer;

beforeAll(async () => {
  const feed = path.join(importDir, 'feed');
  await writeLeagueFeed(feed, { seed: 'cors', teams: 30 });
  await importTeams(t.app.db, { path: feed, allowShrink: true });
  http = await startHttpServer(t.app, { port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await http?.close();
});

const DISABLE = 'mutation { disableProtection { __typename } }';
const MULTIPART_BOUNDARY = 'x-boundary';

/** A browser form posting a teams file into importTeams, as a hostile page would build it. */
function multipartImport(): string {
  const operations = JSON.stringify({
    query: 'mutation ($f: File) { importTeams(input: { upload: $f, allowShrink: true }) { __typename } }',
    variables: { f: null },
  });
  const part = (headers: string, body: string) => `--${MULTIPART_BOUNDARY}\r\n${headers}\r\n\r\n${body}\r\n`;
  return (
    part('Content-Disposition: form-data; name="operations"', operations) +
    part('Content-Disposition: form-data; name="map"', JSON.stringify({ 0: ['variables.f'] })) +
    part(
      'Content-Disposition: form-data; name="0"; filename="teams.csv"\r\nContent-Type: text/csv',
      'league,club,series,team_name\nAPTA_CHICAGO,Hostile,Chicago 1,Hostile - 1\n',
    ) +
    `--${MULTIPART_BOUNDARY}--\r\n`
  );
}

describe('requests a hostile web page can make', () => {
  it.each([
    ['a form-encoded POST', 'application/x-www-form-urlencoded', `query=${encodeURIComponent(DISABLE)}`],
    ['a text/plain POST', 'text/plain', JSON.stringify({ query: DISABLE })],
    ['a multipart upload', `multipart/form-data; boundary=${MULTIPART_BOUNDARY}`, multipartImport()],
  ])('%s from another origin is refused and changes nothing', async (_name, type, body) => {
    const before = await databaseFingerprint(t.db);
    const res = await send(http.url, { headers: { 'content-type': type, origin: EVIL }, body });
    expect(res.status).toBe(403);
    expect(res.body).toMatch(/Required CSRF header/);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(await databaseFingerprint(t.db)).toBe(before);
  });

  it('a mutation over GET is refused; so is a form body even with the CSRF header', async () => {
    const before = await databaseFingerprint(t.db);
    const get = await send(`${http.url}?query=${encodeURIComponent(DISABLE)}`, {
      method: 'GET',
    });
    expect(get.status).toBe(405);
    const form = await send(http.url, {
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-graphql-yoga-csrf': '1' },
      body: `query=${encodeURIComponent(DISABLE)}`,
    });
    expect(form.status).toBe(415);
    expect(form.body).toMatch(/not accepted: send application\/json/);
    expect(await databaseFingerprint(t.db)).toBe(before);
  });

  it('CORS answers only the configured origins', async () => {
    const preflight = (origin: string) =>
      send(http.url, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
        },
      });
    const evil = await preflight(EVIL);
    expect(evil.headers['access-control-allow-origin']).toBeUndefined();
    expect(evil.headers['access-control-allow-credentials']).toBeUndefined();
    const allowed = await preflight(ALLOWED);
    expect(allowed.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(allowed.headers['access-control-allow-methods']).toBe('GET, POST');

    const query = JSON.stringify({ query: '{ protection { enabled } }' });
    const read = await send(http.url, {
      headers: { 'content-type': 'application/json', origin: EVIL },
      body: query,
    });
    expect(read.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('same-origin clients keep working: JSON and a multipart upload with the CSRF header', async () => {
    const json = await send(http.url, {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ protection { enabled } }' }),
    });
    expect(JSON.parse(json.body)).toEqual({ data: { protection: { enabled: true } } });
    const upload = await send(http.url, {
      headers: {
        'content-type': `multipart/form-data; boundary=${MULTIPART_BOUNDARY}`,
        'graphql-require-preflight': '1',
      },
      body: multipartImport().replace('allowShrink: true', 'allowShrink: true, dryRun: true'),
    });
    expect(JSON.parse(upload.body)).toEqual({ data: { importTeams: { __typename: 'ImportResult' } } });
  });
});
