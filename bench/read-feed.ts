// Reading speed per feed file kind: parsing and checking alone (openSource → batches), then with
// the staging lines encoded as the import does (copyLine into bytes), no database.
// Run: npx tsx bench/read-feed.ts [dir] [repeats=3]
// dir: a league feed directory; unset: a generated feed of 20,000 teams. Every figure is the best
// of `repeats`, in MB of JSON per second of this thread's CPU (wall in brackets).
import { mkdir, mkdtemp, rm, stat, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { writeLeagueFeed } from '../src/generator/index.ts';
import { copyLine } from '../src/services/import/copy-text.ts';
import { openSource } from '../src/sources/open-source.ts';
import type { SourceItem } from '../src/sources/records.ts';

const REPEATS = Math.max(1, Number(process.argv[3] ?? 3));

/** The values the import stages for an item (the shape of collect.ts's rows, not its exact columns). */
function encode(item: SourceItem, out: Buffer): number {
  let line: string;
  switch (item.kind) {
    case 'team':
      line = copyLine([item.record.league, item.record.club, item.record.series, item.record.teamName]);
      break;
    case 'stats':
      line = copyLine([item.record.league, item.record.teamKey, item.record.series, item.record.points]);
      break;
    case 'player':
      line = copyLine([item.record.externalId, item.record.firstName, item.record.lastName, item.record.pti]);
      break;
    case 'fixture':
      line = copyLine([item.record.league, item.record.date, item.record.homeTeam, item.record.awayTeam]);
      break;
    default:
      return 0;
  }
  return out.write(line, 0);
}

async function readOnce(
  dir: string,
  stage: boolean,
): Promise<{ cpuMs: number; wallMs: number; items: number }> {
  const out = Buffer.allocUnsafe(1 << 16);
  const cpu = process.cpuUsage();
  const started = performance.now();
  let items = 0;
  // As the import reads: repeated records are dropped in SQL, not remembered here.
  for await (const batch of (await openSource(dir, { dedupeRecords: false })).batches()) {
    items += batch.length;
    if (stage) for (const item of batch) encode(item, out);
  }
  const used = process.cpuUsage(cpu);
  return { cpuMs: (used.user + used.system) / 1000, wallMs: performance.now() - started, items };
}

async function main(): Promise<void> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'bpetl-bench-read-'));
  try {
    let dir = process.argv[2];
    if (!dir) {
      dir = path.join(tmp, 'feed');
      await writeLeagueFeed(dir, { seed: 'bench-read', teams: 20_000, compact: true });
    }
    for (const file of ['series_stats.json', 'players.json', 'schedules.json']) {
      const source = path.join(dir, file);
      const bytes = await stat(source).then(
        (s) => s.size,
        () => 0,
      );
      if (bytes < 1_000) continue;
      // A directory holding this file alone: the source reads only it.
      const only = path.join(tmp, file.replace('.json', ''));
      await rm(only, { recursive: true, force: true });
      await mkdir(only);
      await symlink(path.resolve(source), path.join(only, file));
      for (const stage of [false, true]) {
        let best = { cpuMs: Infinity, wallMs: Infinity, items: 0 };
        for (let r = 0; r < REPEATS; r++) {
          const run = await readOnce(only, stage);
          if (run.cpuMs < best.cpuMs) best = run;
        }
        const mb = bytes / 1e6;
        process.stdout.write(
          `${file.padEnd(18)} ${stage ? 'read + staged lines' : 'read and checked   '} ${mb.toFixed(1)} MB, ` +
            `${best.items} items: ${(mb / (best.cpuMs / 1000)).toFixed(0)} MB/s of CPU ` +
            `(${(best.cpuMs / 1000).toFixed(2)} s CPU, ${(best.wallMs / 1000).toFixed(2)} s wall)\n`,
        );
      }
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

await main();
