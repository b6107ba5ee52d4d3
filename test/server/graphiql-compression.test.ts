import { brotliDecompressSync, gunzipSync } from 'node:zlib';

import { describe, expect, it } from 'vitest';

import { preferredEncoding } from '../../src/server/graphiql.ts';
import { useTestApp } from '../helpers/app.ts';

const t = useTestApp();

async function page(acceptEncoding?: string) {
  const response = await t.yoga.fetch('http://yoga/graphql', {
    headers: { accept: 'text/html', ...(acceptEncoding ? { 'accept-encoding': acceptEncoding } : {}) },
  });
  return { response, bytes: Buffer.from(await response.arrayBuffer()) };
}

describe('GraphiQL is sent compressed, with the README query as its default tab', () => {
  it('brotli, gzip or as it is, as the browser accepts', { timeout: 60_000 }, async () => {
    const plain = await page();
    expect(plain.response.status).toBe(200);
    expect(plain.response.headers.get('content-encoding')).toBeNull();
    const html = plain.bytes.toString('utf8');
    expect(html).toContain('bulletproof-etl');
    expect(html).toContain('Run with Ctrl-Enter');
    expect(html).toContain('teamName');

    const br = await page('gzip, deflate, br');
    expect(br.response.headers.get('content-encoding')).toBe('br');
    expect(br.response.headers.get('vary')).toMatch(/accept-encoding/i);
    expect(brotliDecompressSync(br.bytes).toString('utf8')).toBe(html);
    expect(br.bytes.length).toBeLessThan(plain.bytes.length / 3);

    const gz = await page('gzip');
    expect(gz.response.headers.get('content-encoding')).toBe('gzip');
    expect(gunzipSync(gz.bytes).toString('utf8')).toBe(html);

    expect((await page('br;q=0, gzip;q=0')).response.headers.get('content-encoding')).toBeNull();
  });

  it('GraphQL responses are left as they are', async () => {
    const response = await t.yoga.fetch('http://yoga/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'accept-encoding': 'br, gzip' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(response.headers.get('content-encoding')).toBeNull();
    expect(await response.json()).toEqual({ data: { __typename: 'Query' } });
  });

  it('reads Accept-Encoding with its weights', () => {
    expect(preferredEncoding('gzip, br', ['br', 'gzip'])).toBe('br');
    expect(preferredEncoding('br;q=0, gzip', ['br', 'gzip'])).toBe('gzip');
    expect(preferredEncoding('*', ['br', 'gzip'])).toBe('br');
    expect(preferredEncoding('identity', ['br', 'gzip'])).toBeNull();
    expect(preferredEncoding(null, ['br', 'gzip'])).toBeNull();
  });
});
