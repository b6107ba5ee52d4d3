import { describe, expect, it } from 'vitest';

import { tokenMatches } from '../../src/server/auth.ts';
import { useTestApp } from '../helpers/app.ts';

const TOKEN = 'test-token-0123456789abcdef';
const t = useTestApp({ apiToken: TOKEN });

const MUTATION = 'mutation { validateConstraints { __typename ... on ValidationReport { ok } } }';

describe('with BPETL_API_TOKEN set', () => {
  it('refuses a mutation without a token', async () => {
    const res = await t.graphql(MUTATION);
    expect(res.data).toBeUndefined();
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('refuses a mutation with a wrong token, and a malformed header', async () => {
    expect((await t.graphql(MUTATION, {}, { token: `${TOKEN}x` })).errors?.[0]?.extensions?.code).toBe(
      'UNAUTHENTICATED',
    );
    const malformed = await t.graphql(MUTATION, {}, { headers: { authorization: TOKEN } });
    expect(malformed.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('runs a mutation with the right token', async () => {
    const res = await t.graphql(MUTATION, {}, { token: TOKEN });
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({ validateConstraints: { __typename: 'ValidationReport', ok: true } });
  });

  it('leaves queries open', async () => {
    const res = await t.graphql('{ leagues { leagueId } }');
    expect(res).toEqual({ data: { leagues: [] } });
  });
});

describe('tokenMatches', () => {
  it('accepts anything when no token is configured and only the exact token otherwise', () => {
    expect(tokenMatches(null, undefined)).toBe(true);
    expect(tokenMatches('secret-secret-secret', 'secret-secret-secret')).toBe(true);
    expect(tokenMatches('secret-secret-secret', 'secret-secret-secreT')).toBe(false);
    expect(tokenMatches('secret-secret-secret', 'secret')).toBe(false);
    expect(tokenMatches('secret-secret-secret', '')).toBe(false);
  });
});
