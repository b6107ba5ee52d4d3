// `npm run bench`: every benchmark under bench/ in turn, each in its own process so one's memory
// and pools do not colour the next. Extra arguments go to bench/import.ts (e.g. `npm run bench -- 20000`).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

const BENCHES = [
  'import.ts',
  'trigger-overhead.ts',
  'health-scan.ts',
  'orphan-latency.ts',
  'sse-load.ts',
  'log-scan.ts',
  'startup.ts',
];
const dir = import.meta.dirname;
let failed = 0;
for (const bench of BENCHES) {
  const file = path.join(dir, bench);
  if (!existsSync(file)) continue;
  process.stdout.write(`\n== ${bench}\n`);
  const args = bench === 'import.ts' ? process.argv.slice(2) : [];
  const result = spawnSync(process.execPath, ['--import', 'tsx', file, ...args], { stdio: 'inherit' });
  if (result.status !== 0) {
    failed++;
    process.stdout.write(`${bench} failed (exit ${result.status ?? result.signal})\n`);
  }
}
process.exit(failed ? 1 : 0);
