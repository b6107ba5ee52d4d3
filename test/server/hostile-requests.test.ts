import { describe, expect, it } from 'vitest';

import { MAX_JSON_BODY_BYTES } from '../../src/server/request-body.ts';
import { useTestApp } from '../helpers/app.ts';

const t = useTestApp();

async function post(body: string, headers: Record<string, string> = {}) {
  const response = await t.yoga.fetch('http://yoga/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  return {
    status: response.status,
    body: (await response.json()) as { errors?: Array<{ message: string; extensions?: { code?: string } }> },
  };
}

describe('hostile GraphQL requests get clear errors and the server stays up', () => {
  it('malformed JSON', async () => {
    const res = await post('{"query": "{ leagues { id } }"');
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.message).toMatch(/POST body sent invalid JSON/);
  });

  it('a syntax error in the document', async () => {
    const res = await post(JSON.stringify({ query: '{ leagues { id }' }));
    expect(res.body.errors?.[0]?.message).toMatch(/Syntax Error/);
  });

  it('an unknown field, without suggesting field names', async () => {
    const res = await post(JSON.stringify({ query: '{ leaguez { id } }' }));
    expect(res.body.errors?.[0]?.message).toMatch(/Cannot query field "leaguez"/);
    expect(res.body.errors?.[0]?.message).not.toMatch(/Did you mean/);
  });

  it('an oversized body without a declared length is refused by counting its bytes', async () => {
    const huge = JSON.stringify({
      query: '{ leagues { id } }',
      variables: { pad: 'x'.repeat(MAX_JSON_BODY_BYTES) },
    });
    // A stream has no Content-Length: only the bytes as they arrive can show it is too large.
    const bytes = new TextEncoder().encode(huge);
    let offset = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (offset >= bytes.length) return controller.close();
        controller.enqueue(bytes.subarray(offset, (offset += 64 * 1024)));
      },
    });
    const request = new Request('http://yoga/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(request.headers.get('content-length')).toBeNull();
    const response = await t.yoga.fetch(request);
    expect(response.status).toBe(413);
    const result = (await response.json()) as {
      errors: Array<{ message: string; extensions: { code: string } }>;
    };
    expect(result.errors[0]).toMatchObject({
      message: `JSON request body exceeds the limit of ${MAX_JSON_BODY_BYTES} bytes`,
      extensions: { code: 'INVALID_INPUT' },
    });
  });

  it('query depth: 12 levels are answered, 13 refused', async () => {
    // Each inline fragment is a level, so any depth can be written on a shallow schema.
    const nested = (levels: number) =>
      `{ leagues { ${'... on League { '.repeat(levels - 2)}id${' }'.repeat(levels - 2)} } }`;
    expect((await post(JSON.stringify({ query: nested(12) }))).body).toEqual({ data: { leagues: [] } });
    const deep = await post(JSON.stringify({ query: nested(13) }));
    expect(deep.body.errors?.[0]?.message).toBe('Syntax Error: Query depth limit of 12 exceeded, found 13.');
    expect(deep.body).not.toHaveProperty('data.leagues');
  });

  it('the cost budget refuses a query that is shallow and short enough but too costly', async () => {
    // 10 levels, 14 aliases and a few hundred tokens: within every other limit.
    const costly = (fields: number) => {
      const leaf = Array.from({ length: fields }, () => 'id leagueId leagueName').join(' ');
      const aliases = Array.from(
        { length: 14 },
        (_, i) => `a${i}: leagues { ${'... on League { '.repeat(8)}${leaf}${' }'.repeat(8)} }`,
      ).join(' ');
      return `{ ${aliases} }`;
    };
    const cheap = await post(JSON.stringify({ query: costly(1) }));
    expect(cheap.body.errors).toBeUndefined();
    const res = await post(JSON.stringify({ query: costly(5) }));
    expect(res.body.errors?.[0]?.message).toMatch(
      /^Syntax Error: Query Cost limit of 5000 exceeded, found \d+/,
    );
  });

  it('too many aliases', async () => {
    const aliases = Array.from({ length: 40 }, (_, i) => `a${i}: leagues { id }`).join(' ');
    const res = await post(JSON.stringify({ query: `{ ${aliases} }` }));
    expect(res.body.errors?.[0]?.message).toMatch(/Aliases limit/i);
  });

  it('too many tokens', async () => {
    const fields = Array.from({ length: 2500 }, () => 'id').join(' ');
    const res = await post(JSON.stringify({ query: `{ leagues { ${fields} } }` }));
    expect(res.body.errors?.[0]?.message).toMatch(/Token limit/i);
  });

  it('an unexpected failure is masked: no SQL, stack or path reaches the client', async () => {
    // Take the table away under the resolver; the client must learn nothing of the SQL that failed.
    await t.db.query('alter table leagues rename to leagues_gone');
    try {
      const res = await post(JSON.stringify({ query: '{ leagues { id } }' }), { 'x-request-id': 'req-4711' });
      expect(res.body.errors?.[0]?.message).toBe('Unexpected error.');
      // The client gets the request id to quote (masked-error-log.test.ts finds it in the log).
      expect(res.body.errors?.[0]?.extensions).toMatchObject({
        code: 'INTERNAL_SERVER_ERROR',
        requestId: 'req-4711',
      });
      expect(JSON.stringify(res.body)).not.toMatch(/select|relation|does not exist|\.ts|at /i);
    } finally {
      await t.db.query('alter table leagues_gone rename to leagues');
    }
    expect((await post(JSON.stringify({ query: '{ leagues { id } }' }))).body).toEqual({
      data: { leagues: [] },
    });
  });
});
