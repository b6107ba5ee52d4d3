// Start-up time of the CLI: `bpetl --help`, `--version` and `health --json` (beside a running
// server, on the embedded cluster it shares), each against a bare `node -e 0` measured in the same
// run, for the compiled CLI (dist/, `npm run build:cli`) and the TypeScript source through tsx.
//
//   npx tsx bench/startup.ts        # 10 rounds
//   npx tsx bench/startup.ts 20     # any number of rounds
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const COMPILED = path.join(ROOT, 'dist/cli/main.js');
const SOURCE = path.join(ROOT, 'src/cli/main.ts');
const rounds = Number(process.argv[2] ?? 10);

if (!existsSync(COMPILED)) {
  process.stderr.write('dist/cli/main.js is missing: run `npm run build:cli` (npm install does) first\n');
  process.exit(1);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function time(args: string[], env: NodeJS.ProcessEnv): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0 && !(args.includes('health') && result.status! <= 2)) {
    throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  }
  return ms;
}

const dataDir = await mkdtemp(path.join(os.tmpdir(), 'bpetl-bench-startup-'));
await chmod(dataDir, 0o755); // as root the cluster runs as postgres, which must reach it
const env: NodeJS.ProcessEnv = { ...process.env, BPETL_DATA_DIR: dataDir, LOG_LEVEL: 'warn', PORT: '0' };
delete env.DATABASE_URL;

// A server on the embedded cluster (it loads the demo data on its first start); the timed
// `health --json` commands join that cluster as an operator's would.
const server = spawn(process.execPath, [COMPILED, 'serve'], {
  cwd: ROOT,
  env,
  stdio: ['ignore', 'pipe', 'inherit'],
});
await new Promise<void>((resolve, reject) => {
  let out = '';
  server.stdout!.on('data', (d) => {
    out += d;
    if (/open GraphiQL at/.test(out)) resolve();
  });
  server.once('exit', (code) => reject(new Error(`bpetl serve exited ${code}`)));
});

const cases: Array<{ name: string; args: string[] }> = [
  { name: 'node -e 0', args: ['-e', '0'] },
  { name: 'bpetl --help (compiled)', args: [COMPILED, '--help'] },
  { name: 'bpetl --version (compiled)', args: [COMPILED, '--version'] },
  { name: 'bpetl health --json (compiled, running cluster)', args: [COMPILED, 'health', '--json'] },
  { name: 'bpetl --help (tsx, source)', args: ['--import', 'tsx', SOURCE, '--help'] },
  {
    name: 'bpetl health --json (tsx, source, running cluster)',
    args: ['--import', 'tsx', SOURCE, 'health', '--json'],
  },
];
const samples = new Map(cases.map((c) => [c.name, [] as number[]]));
try {
  for (const c of cases) time(c.args, env); // warm the page cache
  // Interleaved rounds: a burst of load on the machine touches every case alike.
  for (let round = 0; round < rounds; round++) {
    for (const c of cases) samples.get(c.name)!.push(time(c.args, env));
  }
} finally {
  server.kill('SIGTERM');
  await new Promise((resolve) => server.once('exit', resolve));
  await rm(dataDir, { recursive: true, force: true });
}

const base = median(samples.get('node -e 0')!);
process.stdout.write(
  `node ${process.version}, ${os.cpus().length} CPU(s), load ${os.loadavg()[0]!.toFixed(1)}, ${rounds} rounds, medians\n\n`,
);
process.stdout.write('| command | median | × node -e 0 |\n| --- | --- | --- |\n');
for (const c of cases) {
  const ms = median(samples.get(c.name)!);
  process.stdout.write(`| ${c.name} | ${ms.toFixed(0)} ms | ${(ms / base).toFixed(1)}× |\n`);
}
