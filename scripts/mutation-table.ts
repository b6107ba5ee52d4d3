// The mutation scores of StrykerJS JSON reports as the table in docs/TESTING.md, per file and per
// module (the first two path segments). Several reports, from runs over different files, are read
// as one; a file in more than one report is taken from the last. `--survivors` lists the surviving
// and uncovered mutants instead, to classify them.
//
//   npx tsx scripts/mutation-table.ts reports/stryker-incremental-*.json [--survivors]
import { readFileSync } from 'node:fs';

interface Mutant {
  mutatorName: string;
  status: string;
  replacement?: string;
  location: { start: { line: number; column: number } };
}
interface Report {
  files: Record<string, { mutants: Mutant[] }>;
}

const args = process.argv.slice(2);
const survivors = args.includes('--survivors');
const files = new Map<string, Mutant[]>();
for (const arg of args.filter((a) => !a.startsWith('--'))) {
  const report = JSON.parse(readFileSync(arg, 'utf8')) as Report;
  for (const [file, { mutants }] of Object.entries(report.files)) files.set(file, mutants);
}

if (survivors) {
  for (const [file, mutants] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
    for (const m of mutants.filter((x) => x.status === 'Survived' || x.status === 'NoCoverage')) {
      const at = `${file}:${m.location.start.line}:${m.location.start.column}`;
      console.log(
        `${m.status === 'NoCoverage' ? 'NOCOV' : 'SURV '} ${at} ${m.mutatorName} → ${JSON.stringify(m.replacement ?? '')}`,
      );
    }
  }
  process.exit(0);
}

interface Row {
  killed: number;
  timeout: number;
  survived: number;
  noCoverage: number;
  ignored: number;
}
const empty = (): Row => ({ killed: 0, timeout: 0, survived: 0, noCoverage: 0, ignored: 0 });
const KEYS: Record<string, keyof Row> = {
  Killed: 'killed',
  Timeout: 'timeout',
  Survived: 'survived',
  NoCoverage: 'noCoverage',
  Ignored: 'ignored',
};
const perFile = new Map<string, Row>();
const perModule = new Map<string, Row>();
for (const [file, mutants] of files) {
  const module = file.split('/').slice(0, 2).join('/');
  const row = empty();
  for (const m of mutants) {
    const key = KEYS[m.status];
    if (key) row[key]++;
  }
  perFile.set(file, row);
  const total = perModule.get(module) ?? empty();
  for (const k of Object.keys(row) as (keyof Row)[]) total[k] += row[k];
  perModule.set(module, total);
}

const valid = (r: Row) => r.killed + r.timeout + r.survived + r.noCoverage;
const score = (r: Row) =>
  valid(r) === 0 ? '-' : `${((100 * (r.killed + r.timeout)) / valid(r)).toFixed(1)} %`;
const line = (name: string, r: Row) =>
  `| ${name} | ${r.killed} | ${r.timeout} | ${r.survived} | ${r.noCoverage} | ${valid(r)} | ${score(r)} | ${r.ignored} |`;

console.log(
  '| Module / file | Killed | Timeout | Survived | No coverage | Valid | Score | Ignored (static) |',
);
console.log('| --- | --: | --: | --: | --: | --: | --: | --: |');
for (const [module, total] of [...perModule].sort(([a], [b]) => a.localeCompare(b))) {
  console.log(line(`**${module}**`, total));
  const rows = [...perFile].filter(([f]) => f.startsWith(`${module}/`));
  for (const [file, row] of rows.sort(
    ([, a], [, b]) => b.survived + b.noCoverage - (a.survived + a.noCoverage),
  )) {
    console.log(line(file.slice(module.length + 1), row));
  }
}
