// Log scan throughput on generated mixed logs (pino, PostgreSQL stderr and csvlog, Python-style
// text, the platform ETL's own print and logging lines; 1 % problems), next to `grep -c -E -i` with
// the same patterns (every built-in rule, the ETL catalogue included, and the SQLSTATE codes) on the
// same files in the same run. Target: ≥ 100 MB/s and within 3× of grep.
// Run: npx tsx bench/log-scan.ts [size, e.g. 1G or 200M; default 1G] [rounds; default 3]
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { ETL_CATALOGUE } from '../src/logs/catalogue.ts';
import { BUILTIN_RULES, grepPattern } from '../src/logs/classifier.ts';
import { scanLogs } from '../src/logs/scanner.ts';
import { generateLogs } from './log-generator.ts';

function parseSize(raw: string): number {
  const m = /^(\d+(?:\.\d+)?)([KMG]?)B?$/i.exec(raw.trim());
  if (!m) throw new Error(`size must look like 1G, 500M or 1000000, got "${raw}"`);
  return Math.round(
    Number(m[1]) * { '': 1, K: 1e3, M: 1e6, G: 1e9 }[m[2]!.toUpperCase() as '' | 'K' | 'M' | 'G'],
  );
}

const SIZE = parseSize(process.argv[2] ?? '1G');
const ROUNDS = Number(process.argv[3] ?? 3);

/** Lines matching, summed over files; the C locale is grep's fastest mode, so the baseline is strong. */
function grepCount(files: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('grep', ['-c', '-h', '-i', '-E', grepPattern(), ...files], {
      env: { ...process.env, LC_ALL: 'C' },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 || code === 1
        ? resolve(
            out
              .trim()
              .split('\n')
              .reduce((sum, n) => sum + Number(n || 0), 0),
          )
        : reject(new Error(`grep exited with ${code}`)),
    );
  });
}

async function best<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  let result = { ms: Infinity, value: undefined as T };
  for (let i = 0; i < ROUNDS; i++) {
    const started = performance.now();
    const value = await fn();
    const ms = performance.now() - started;
    if (ms < result.ms) result = { ms, value };
  }
  return result;
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'bpetl-log-bench-'));
try {
  const generated = await generateLogs(dir, { totalBytes: SIZE });
  const mb = generated.bytes / 1e6;
  console.log(`generated ${mb.toFixed(0)} MB in ${generated.files.length} files under ${dir}`);
  console.log(`rules: ${BUILTIN_RULES.length} built-in (${ETL_CATALOGUE.length} from the ETL catalogue)`);
  // Both read from the page cache: one untimed pass warms it.
  await grepCount(generated.files);
  const grep = await best(() => grepCount(generated.files));
  const scan = await best(() => scanLogs({ paths: generated.files }));
  const entries = Object.values(scan.value.totals).reduce((a, b) => a + b, 0);
  const grepRate = mb / (grep.ms / 1000);
  const scanRate = mb / (scan.ms / 1000);
  console.log(
    `grep -c -E -i (LC_ALL=C): ${grep.ms.toFixed(0)} ms, ${grepRate.toFixed(0)} MB/s, ${grep.value} lines`,
  );
  console.log(
    `scanLogs:                 ${scan.ms.toFixed(0)} ms, ${scanRate.toFixed(0)} MB/s, ${entries} entries, ${scan.value.findings.length} findings`,
  );
  console.log(`ratio scan/grep time: ${(scan.ms / grep.ms).toFixed(2)}× (best of ${ROUNDS})`);
  console.log(
    `| ${mb.toFixed(0)} MB, ${generated.files.length} files | ${grepRate.toFixed(0)} MB/s | ${scanRate.toFixed(0)} MB/s | ${(scan.ms / grep.ms).toFixed(2)}× |`,
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
