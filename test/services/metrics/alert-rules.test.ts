import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { ROOT } from '../../helpers/cli.ts';

const RULES = path.join(ROOT, 'docs/prometheus/alerts.yml');
const RULE_TESTS = path.join(ROOT, 'docs/prometheus/alerts.test.yml');

const PROMTOOL = spawnSync('promtool', ['--version']).status === 0;
const NO_PROMTOOL =
  ' (SKIPPED: promtool is not installed; `apt-get install prometheus` provides it, .ci/run does)';

function promtool(...args: string[]) {
  const run = spawnSync('promtool', args, { encoding: 'utf8' });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe('docs/prometheus/alerts.yml', () => {
  it('alerts only on metrics that /metrics serves', () => {
    const rules = readFileSync(RULES, 'utf8');
    const used = new Set(rules.match(/\bbpetl_[a-z_]+/g));
    expect(used.size).toBeGreaterThan(5);
    const sources = [
      'src/services/metrics/run-metrics.ts',
      'src/services/metrics/stream-metrics.ts',
      'src/services/health/metrics.ts',
    ]
      .map((f) => readFileSync(path.join(ROOT, f), 'utf8'))
      .join('\n');
    for (const name of used) expect(sources, name).toContain(`'${name}'`);
  });

  it.skipIf(!PROMTOOL)(`passes promtool check rules${PROMTOOL ? '' : NO_PROMTOOL}`, () => {
    const check = promtool('check', 'rules', RULES);
    expect(check.output).toContain('SUCCESS: 6 rules found');
    expect(check.status, check.output).toBe(0);
  });

  it.skipIf(!PROMTOOL)(`passes its unit tests, one or more per rule${PROMTOOL ? '' : NO_PROMTOOL}`, () => {
    const tests = readFileSync(RULE_TESTS, 'utf8');
    for (const alert of readFileSync(RULES, 'utf8').matchAll(/- alert: (\w+)/g)) {
      expect(tests, `a unit test for ${alert[1]}`).toContain(`alertname: ${alert[1]}`);
    }
    const run = promtool('test', 'rules', RULE_TESTS);
    expect(run.output).toContain('SUCCESS');
    expect(run.status, run.output).toBe(0);
  });
});
