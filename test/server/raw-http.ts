import { request } from 'node:http';

import type { TestDatabase } from '../helpers/database.ts';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * One HTTP request through a real socket. `chunk` is sent `repeat` times (chunked, unless the
 * caller declares a length), stopping as soon as the server answers or closes.
 */
export function send(
  url: string,
  options: {
    method?: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
    /** Sent once before the repeated chunks. */
    head?: Buffer;
    chunk?: Buffer;
    repeat?: number;
  },
): Promise<RawResponse & { sent: number }> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = request(url, { method: options.method ?? 'POST', headers: options.headers }, (res) => {
      answered = true;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (part: string) => (body += part));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, sent }));
      res.on('error', reject);
    });
    req.on('error', (err) => (answered ? undefined : reject(err)));
    if (options.body !== undefined) {
      sent = Buffer.byteLength(options.body);
      req.end(options.body);
      return;
    }
    if (!options.chunk) {
      req.end();
      return;
    }
    const chunk = options.chunk;
    if (options.head) {
      sent += options.head.length;
      req.write(options.head);
    }
    let left = options.repeat ?? 1;
    const pump = () => {
      while (left > 0 && !answered && !req.destroyed) {
        left--;
        sent += chunk.length;
        if (!req.write(chunk)) {
          req.once('drain', pump);
          return;
        }
      }
      if (!req.destroyed) req.end();
    };
    pump();
  });
}

/** Everything an attack could change: reference rows, protection triggers, runs and settings. */
export async function databaseFingerprint(db: TestDatabase): Promise<string> {
  const [row] = await db.query<{ fingerprint: string }>(
    `select md5(concat_ws('|',
       (select string_agg(t::text, ',' order by t.id) from teams t),
       (select string_agg(c::text, ',' order by c.id) from clubs c),
       (select string_agg(tgname || tgenabled::text, ',' order by tgname) from pg_trigger where tgname like 'bpetl%'),
       (select string_agg(r.id || r.status, ',' order by r.id) from bpetl.pipeline_runs r),
       (select string_agg(s::text, ',' order by s.key) from bpetl.settings s))) as fingerprint`,
  );
  return row!.fingerprint;
}

/** The largest growth of the process's heap and buffers while `attack` runs, in bytes. */
export async function peakMemoryGrowth(attack: () => Promise<unknown>): Promise<number> {
  const used = () => {
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  const base = used();
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, used())), 5);
  try {
    await attack();
  } finally {
    clearInterval(timer);
  }
  return Math.max(peak, used()) - base;
}
