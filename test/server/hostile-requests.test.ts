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

  it('an oversized body is refused before it is parsed', async () => {
    const huge = JSON.stringify({
      query: '{ leagues { id } }',
      variables: { pad: 'x'.repeat(MAX_JSON_BODY_BYTES) },
    });
    const res = await post(huge, { 'content-length': String(Buffer.byteLength(huge)) });
    expect(res.status).toBe(413);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('INVALID_INPUT');
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
      // The client gets the request id to quote; the log has the same id next to the real error.
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
