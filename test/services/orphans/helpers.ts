import type pg from 'pg';
import { afterAll, beforeAll } from 'vitest';

import { type HttpServer, startHttpServer } from '../../../src/server/http.ts';
import { type OrphanListener, startOrphanListener } from '../../../src/services/orphans/listener.ts';
import type { TestApp } from '../../helpers/app.ts';

type Query = (sql: string, params?: unknown[]) => Promise<Array<Record<string, unknown>>>;

/**
 * One league, club and `count` teams (each in its own series), inserted set-based. Names carry
 * `tag` so several calls in one database never collide. Returns the team ids in order.
 */
export async function seedTeams(query: Query, tag: string, count: number): Promise<number[]> {
  await query(`insert into leagues (league_id, league_name) values ($1, $1) on conflict do nothing`, [
    `L_${tag}`,
  ]);
  await query(`insert into clubs (name) values ($1) on conflict do nothing`, [`Club ${tag}`]);
  await query(
    `insert into series (name, league_id)
     select $1 || ' ' || g, (select id from leagues where league_id = $2) from generate_series(1, $3) g`,
    [`Series ${tag}`, `L_${tag}`, count],
  );
  const rows = await query(
    `insert into teams (club_id, series_id, league_id, team_name, team_alias)
     select c.id, s.id, l.id, $1 || ' - ' || substr(s.name, length($2) + 2), null
       from leagues l, clubs c, series s
      where l.league_id = $3 and c.name = $1 and s.name like $2 || ' %' and s.league_id = l.id
      order by s.id
     returning id`,
    [`Club ${tag}`, `Series ${tag}`, `L_${tag}`],
  );
  return rows.map((r) => Number(r.id)).sort((a, b) => a - b);
}

/** One poll per team id, in order; returns the poll ids. */
export async function seedPolls(query: Query, teamIds: number[]): Promise<number[]> {
  const rows = await query(
    `insert into polls (team_id, question) select t, 'Who plays on ' || t || '?' from unnest($1::int[]) t
     returning id`,
    [teamIds],
  );
  return rows.map((r) => Number(r.id));
}

/** Runs statements in one transaction on its own client and commits (NOTIFY is sent at commit). */
export async function committed(pool: pg.Pool, statements: Array<[string, unknown[]?]>): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    for (const [sql, params] of statements) await client.query(sql, params);
    await client.query('commit');
  } catch (err) {
    await client.query('rollback').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/** Reads an SSE response (yoga.fetch or a real socket) message by message. */
export function sseReader(response: Response) {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const pending: unknown[] = [];
  return {
    /** The next `data:` payload of a `next` event. */
    async next<T = Record<string, unknown>>(): Promise<T> {
      for (;;) {
        if (pending.length > 0) return pending.shift() as T;
        const { value, done } = await reader.read();
        if (done) throw new Error('SSE stream ended');
        buffer += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const message = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = message
            .split('\n')
            .filter((l) => l.startsWith('data:'))
            .map((l) => l.slice(5).trimStart())
            .join('\n');
          if (data && !/^event: complete/m.test(message)) pending.push(JSON.parse(data));
        }
      }
    },
    async close() {
      await reader.cancel().catch(() => undefined);
    },
  };
}

export const ORPHAN_SUBSCRIPTION = `subscription ($after: ID) {
  orphanDetected(after: $after) { id table rowId column missingRef reference cause context detectedAt resolvedAt }
}`;

export interface OrphanEventPayload {
  id: string;
  table: string;
  rowId: string;
  column: string;
  missingRef: string;
  reference: string;
  cause: string;
  context: Record<string, string | null> | null;
}

/** Opens `orphanDetected(after)` over SSE through `fetchFn` (yoga.fetch or global fetch). */
export async function subscribeOrphans(
  fetchFn: (url: string, init: RequestInit) => Promise<Response>,
  url: string,
  after: string | null,
) {
  const response = await fetchFn(url, {
    method: 'POST',
    headers: { accept: 'text/event-stream', 'content-type': 'application/json' },
    body: JSON.stringify({ query: ORPHAN_SUBSCRIPTION, variables: { after } }),
  });
  if (!response.ok) throw new Error(`SSE subscription failed: ${response.status} ${await response.text()}`);
  const sse = sseReader(response);
  return {
    async next(): Promise<OrphanEventPayload> {
      const message = await sse.next<{ data?: { orphanDetected: OrphanEventPayload }; errors?: unknown }>();
      if (!message.data) throw new Error(`subscription error: ${JSON.stringify(message)}`);
      return message.data.orphanDetected;
    },
    async take(n: number): Promise<OrphanEventPayload[]> {
      const out: OrphanEventPayload[] = [];
      while (out.length < n) out.push(await this.next());
      return out;
    },
    close: () => sse.close(),
  };
}

/**
 * For a test file that subscribes over real sockets: the orphan listener and an HTTP server on a
 * free port for the file's app, and polls without their foreign key (a legacy database) so that
 * deleting teams orphans them. Started before the file's own hooks, closed after them.
 */
export function useOrphanServer(t: { app: TestApp['app']; db: TestApp['db'] }) {
  let listener: OrphanListener | undefined;
  let http: HttpServer | undefined;
  beforeAll(async () => {
    listener = await startOrphanListener(t.app, { pollIntervalMs: 200 });
    http = await startHttpServer(t.app, { port: 0, host: '127.0.0.1' });
    await t.db.query(`alter table polls drop constraint polls_team_id_fkey`);
  });
  afterAll(async () => {
    await http?.close();
    await listener?.close();
  });
  return {
    get listener() {
      return listener!;
    },
    get http() {
      return http!;
    },
  };
}
