import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

import { connectionAuthorized, tokenMatches } from '../../src/server/auth.ts';
import { type HttpServer, startHttpServer } from '../../src/server/http.ts';
import { useTestApp } from '../helpers/app.ts';
import { sseReader } from '../services/orphans/helpers.ts';
import { send } from './raw-http.ts';

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

  it('refuses queries and introspection without the token too, and answers them with it', async () => {
    for (const query of [
      '{ leagues { leagueId } }',
      '{ __schema { queryType { name } } }',
      '{ logFindings { id } }',
    ]) {
      const res = await t.graphql(query);
      expect(res.data).toBeUndefined();
      expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    }
    expect(await t.graphql('{ leagues { leagueId } }', {}, { token: TOKEN })).toEqual({
      data: { leagues: [] },
    });
  });
});

describe('connectionAuthorized', () => {
  it('refuses connection params that are not strings even when no token is configured', () => {
    for (const params of [{ token: 42 }, { token: null }, { Authorization: ['x'] }, { token: {} }]) {
      expect(connectionAuthorized(null, params)).toBe(false);
    }
    expect(connectionAuthorized(null, {})).toBe(true);
    expect(connectionAuthorized(null, undefined)).toBe(true);
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

describe('with BPETL_API_TOKEN set, through real sockets', () => {
  let http: HttpServer;
  beforeAll(async () => {
    http = await startHttpServer(t.app, { port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await http?.close();
  });

  /** Opens a graphql-ws socket, sends connection_init with `payload`, and reports how it ended. */
  async function connect(payload: unknown): Promise<{ acked: boolean; code?: number; reason?: string }> {
    const socket = new WebSocket(http.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    return new Promise((resolve) => {
      socket.on('message', (data) => {
        if ((JSON.parse(String(data)) as { type: string }).type === 'connection_ack') {
          socket.close();
          resolve({ acked: true });
        }
      });
      socket.once('close', (code, reason) => resolve({ acked: false, code, reason: reason.toString() }));
      socket.send(JSON.stringify({ type: 'connection_init', payload }));
    });
  }

  it.each([
    ['a token that is an object', { token: { toString: 'x' } }],
    ['a token that is a number', { token: 42 }],
    ['a token that is null', { token: null }],
    ['a token that is an array', { token: [TOKEN] }],
    ['a token that is an object holding the token', { token: { valueOf: TOKEN } }],
    ['an Authorization that is a number', { Authorization: 42 }],
    ['an Authorization that is an array', { authorization: [`Bearer ${TOKEN}`] }],
    ['no token', {}],
    ['a wrong token', { Authorization: `Bearer ${TOKEN}x` }],
  ])('graphql-ws: %s is UNAUTHENTICATED, never an internal error', async (_name, payload) => {
    const result = await connect(payload);
    expect(result).toEqual({
      acked: false,
      code: 4403,
      reason: 'UNAUTHENTICATED: send { "Authorization": "Bearer <BPETL_API_TOKEN>" } as connection params',
    });
  });

  it('graphql-ws: the right token connects', async () => {
    expect(await connect({ Authorization: `Bearer ${TOKEN}` })).toEqual({ acked: true });
    expect(await connect({ token: TOKEN })).toEqual({ acked: true });
  });

  it('graphql-ws: with the token a subscription streams; a query sent before connection_init is refused', async () => {
    const socket = new WebSocket(http.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    const messages: Array<{ type: string; id?: string; payload?: unknown }> = [];
    const next = new Promise<void>((resolve) =>
      socket.on('message', (data) => {
        const message = JSON.parse(String(data)) as { type: string; id?: string; payload?: unknown };
        messages.push(message);
        if (message.type === 'connection_ack') {
          socket.send(
            JSON.stringify({
              id: '1',
              type: 'subscribe',
              payload: { query: 'subscription { healthChanged { score } }' },
            }),
          );
        }
        if (message.type === 'next' || message.type === 'error') resolve();
      }),
    );
    socket.send(JSON.stringify({ type: 'connection_init', payload: { Authorization: `Bearer ${TOKEN}` } }));
    await next;
    socket.close();
    expect(messages.map((m) => m.type)).toEqual(['connection_ack', 'next']);
    expect(messages[1]).toMatchObject({ id: '1', payload: { data: { healthChanged: { score: 100 } } } });

    const early = new WebSocket(http.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    await new Promise((resolve, reject) => early.once('open', resolve).once('error', reject));
    const closed = new Promise<number>((resolve) => early.once('close', (code) => resolve(code)));
    early.send(
      JSON.stringify({
        id: '1',
        type: 'subscribe',
        payload: { query: 'subscription { healthChanged { score } }' },
      }),
    );
    expect(await closed).toBe(4401);
  });

  it('SSE: with the token a subscription streams', async () => {
    const response = await fetch(http.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        authorization: `Bearer ${TOKEN}`,
      },
      body: JSON.stringify({ query: 'subscription { healthChanged { score } }' }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const sse = sseReader(response);
    try {
      expect(await sse.next()).toEqual({ data: { healthChanged: { score: 100 } } });
    } finally {
      await sse.close();
    }
  });

  it('SSE subscriptions and queries need the token; GraphiQL itself loads and asks for it', async () => {
    const body = JSON.stringify({ query: 'subscription { healthChanged { score } }' });
    const sse = await send(http.url, {
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body,
    });
    expect(sse.status).toBe(401);
    expect(sse.body).toMatch(/UNAUTHENTICATED/);
    const page = await send(http.url, { method: 'GET', headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.body).toContain('sessionStorage.getItem(KEY)');
  });
});
