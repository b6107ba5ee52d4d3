import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import path from 'node:path';

import { ETL_CATALOGUE } from '../src/logs/catalogue.ts';

/** Deterministic PRNG (mulberry32) so runs generate identical files. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Kind = 'pino' | 'pg-stderr' | 'pg-csv' | 'text' | 'etl';

const BENIGN = [
  'imported series stats for league',
  'fetched page of players',
  'resolved canonical team key',
  'snapshot written',
  'progress update sent to subscribers',
  'validated natural keys for clubs',
];
/** Problem messages, one per category, in each format's own words. */
const PROBLEMS: { code: string; message: string; detail?: string }[] = [
  {
    code: '23505',
    message: 'duplicate key value violates unique constraint "teams_pkey"',
    detail: 'Key (id)=(42) already exists.',
  },
  {
    code: '23503',
    message: 'insert or update on table "polls" violates foreign key constraint "polls_team_id_fkey"',
    detail: 'Key (team_id)=(77) is not present in table "teams".',
  },
  {
    code: '40P01',
    message: 'deadlock detected',
    detail: 'Process 9 waits for ShareLock on transaction 1; blocked by process 10.',
  },
  {
    code: '25P02',
    message: 'current transaction is aborted, commands ignored until end of transaction block',
  },
  { code: '57014', message: 'canceling statement due to statement timeout' },
  { code: '57P01', message: 'terminating connection due to administrator command' },
];
/** The platform ETL's progress talk, in its own shapes (see src/logs/catalogue.ts). */
const ETL_PROGRESS = [
  (ts: string, n: number) => `[${ts}] [INFO] 📥 Importing teams... batch ${n}`,
  (_ts: string, n: number) =>
    `   📊 Processed ${n.toLocaleString('en-US')} players so far (New: ${n}, Updated: 0)...`,
  (ts: string, n: number) =>
    `${ts.replace('.', ',')} - INFO - ✅ Cached 4 leagues, ${n} teams, 212 clubs, 96 series`,
  (ts: string, n: number) =>
    `[${ts}] [INFO] 🔧 Converted series name: Series ${n % 40} → Division ${n % 40} for team Tennaqua ${n % 40}`,
  (ts: string) => `[${ts}] [INFO] ✅ Team import complete: 3 new, 12 updated, 0 skipped, 0 errors`,
  (_ts: string, n: number) => `INFO:database_config:Database mode: main | Database: rally (${n})`,
];
const ETL_EXAMPLES = ETL_CATALOGUE.map((e) => e.example);

const ETL_PROBLEMS = [
  'upsert failed for team Tennaqua - 22',
  'orphan poll 5531 references retired team 12',
  'failed to update team 881: lock wait',
];

function stamp(t: number): string {
  return new Date(t).toISOString().replace('T', ' ').replace('Z', '');
}

function line(kind: Kind, r: () => number, t: number, problemRate: number): string {
  const bad = r() < problemRate;
  const pid = 1000 + Math.floor(r() * 9000);
  const n = Math.floor(r() * 100000);
  if (kind === 'pino') {
    if (bad) {
      const msg = ETL_PROBLEMS[Math.floor(r() * ETL_PROBLEMS.length)]!;
      return `{"level":50,"time":${t},"pid":${pid},"hostname":"etl-1","service":"bpetl","msg":"${msg}","err":{"type":"Error","message":"${msg}"}}\n`;
    }
    return `{"level":30,"time":${t},"pid":${pid},"hostname":"etl-1","service":"bpetl","module":"import","rows":${n},"msg":"${BENIGN[n % BENIGN.length]} ${n}"}\n`;
  }
  if (kind === 'pg-stderr') {
    const prefix = `${stamp(t)} UTC [${pid}] `;
    if (bad) {
      const p = PROBLEMS[Math.floor(r() * PROBLEMS.length)]!;
      return (
        `${prefix}ERROR:  ${p.message}\n` +
        (p.detail ? `${prefix}DETAIL:  ${p.detail}\n` : '') +
        `${prefix}STATEMENT:  insert into teams (club_id, series_id, league_id) values ($1, $2, $3)\n`
      );
    }
    return `${prefix}LOG:  duration: ${(r() * 50).toFixed(3)} ms  statement: select id, team_name from teams where league_id = ${n}\n`;
  }
  if (kind === 'pg-csv') {
    const head = `${stamp(t)} UTC,"bpetl","leagues",${pid},"127.0.0.1:5${n % 1000}",66b1c2d3.${pid},${n},"INSERT",${stamp(t - 5000)} UTC,3/${n},${n},`;
    if (bad) {
      const p = PROBLEMS[Math.floor(r() * PROBLEMS.length)]!;
      return `${head}ERROR,${p.code},"${p.message.replaceAll('"', '""')}","${(p.detail ?? '').replaceAll('"', '""')}",,,,,"insert into teams values (1)",,,"bpetl","client backend",,0\n`;
    }
    return `${head}LOG,00000,"duration: ${(r() * 50).toFixed(3)} ms",,,,,,,,,"psql","client backend",,0\n`;
  }
  if (kind === 'etl') {
    const ts = stamp(t).slice(0, 19);
    return `${bad ? ETL_EXAMPLES[n % ETL_EXAMPLES.length]! : ETL_PROGRESS[n % ETL_PROGRESS.length]!(ts, n)}\n`;
  }
  const ts = stamp(t).replace('.', ',');
  if (bad) {
    return (
      `${ts} [ERROR] etl.sync: upsert failed for team ${n}\n` +
      `Traceback (most recent call last):\n  File "sync.py", line 88, in upsert_team\n    cur.execute(sql, row)\n` +
      `psycopg2.errors.UniqueViolation: duplicate key value violates unique constraint "teams_pkey"\n`
    );
  }
  return `${ts} [INFO] etl.sync: ${BENIGN[n % BENIGN.length]} ${n}\n`;
}

export interface GeneratedLogs {
  files: string[];
  bytes: number;
}

/**
 * Writes about `totalBytes` of mixed logs (pino, PostgreSQL stderr and csvlog, Python-style text, and
 * the platform ETL's own print and logging lines)
 * into `dir`, split into files of `fileBytes`; `problemRate` of entries are problems.
 */
export async function generateLogs(
  dir: string,
  options: { totalBytes: number; fileBytes?: number; problemRate?: number; seed?: number },
): Promise<GeneratedLogs> {
  const r = rng(options.seed ?? 1);
  const fileBytes = options.fileBytes ?? 64 * 1024 * 1024;
  const problemRate = options.problemRate ?? 0.01;
  const kinds: Kind[] = ['pino', 'pg-stderr', 'pg-csv', 'text', 'etl'];
  const ext: Record<Kind, string> = {
    pino: 'log',
    'pg-stderr': 'log',
    'pg-csv': 'csv',
    text: 'log',
    etl: 'log',
  };
  const files: string[] = [];
  let bytes = 0;
  let t = Date.UTC(2025, 7, 1);
  for (let i = 0; bytes < options.totalBytes; i++) {
    const kind = kinds[i % kinds.length]!;
    const file = path.join(dir, `${kind}-${String(i).padStart(4, '0')}.${ext[kind]}`);
    const out = createWriteStream(file);
    let written = 0;
    const target = Math.min(fileBytes, options.totalBytes - bytes);
    while (written < target) {
      let batch = '';
      while (batch.length < 1024 * 1024 && written + batch.length < target) {
        t += Math.floor(r() * 200);
        batch += line(kind, r, t, problemRate);
      }
      written += Buffer.byteLength(batch);
      if (!out.write(batch)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
    files.push(file);
    bytes += written;
  }
  return { files, bytes };
}
