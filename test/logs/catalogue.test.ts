import { describe, expect, it } from 'vitest';

import { ETL_CATALOGUE } from '../../src/logs/catalogue.ts';
import { BUILTIN_RULES, createClassifier, grepPattern } from '../../src/logs/classifier.ts';
import { plainLineEntry } from '../../src/logs/formats/text.ts';
import { LOG_CATEGORIES } from '../../src/logs/types.ts';
import { useScanText } from './scan-text.ts';

const scanText = useScanText();
const classifier = createClassifier();

describe('the ETL message catalogue', () => {
  it('names each family once, with a category, a source file and an example', () => {
    const ids = ETL_CATALOGUE.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ETL_CATALOGUE.length).toBeGreaterThanOrEqual(30);
    for (const e of ETL_CATALOGUE) {
      expect(LOG_CATEGORIES, e.id).toContain(e.category);
      expect(e.source, e.id).toMatch(
        /^(?:data\/etl\/database_import|scripts|app\/services)\/\w+\.py$|^database_config\.py$/,
      );
      expect(e.example.length, e.id).toBeGreaterThan(10);
      expect(e.anchors.length, e.id).toBeGreaterThan(0);
    }
  });

  it('covers every category the ETL reports in its own words but deadlocks', () => {
    const covered = new Set(ETL_CATALOGUE.map((e) => e.category));
    expect([...covered].sort()).toEqual(LOG_CATEGORIES.filter((c) => c !== 'DEADLOCK').sort());
  });

  it.each(ETL_CATALOGUE.map((e) => [e.id, e] as const))(
    '%s: its example matches its own pattern, through one of its anchors',
    (_id, e) => {
      const entry = plainLineEntry(e.example);
      const match = new RegExp(e.pattern, 'i').exec(entry.message);
      expect(match, entry.message).not.toBeNull();
      const anchored = e.anchors.some((a) => match![0].toLowerCase().includes(a.toLowerCase()));
      expect(anchored, `${match![0]} contains none of ${e.anchors.join(', ')}`).toBe(true);
    },
  );

  it.each(ETL_CATALOGUE.map((e) => [e.id, e] as const))(
    '%s: its example line, scanned as a file, counts once in its category',
    async (_id, e) => {
      expect(await scanText(`${e.example}\n`)).toEqual({ [e.category]: 1 });
    },
  );

  it('keeps every built-in pattern within what grep -E understands', () => {
    for (const rule of BUILTIN_RULES) {
      expect(rule.pattern, rule.pattern).not.toMatch(/\(\?[=!<]|[*+}?]\?|\\[sSdD]/);
    }
    expect(grepPattern()).not.toMatch(/\(\?:|\\b|\\w/);
  });

  it.each(ETL_CATALOGUE.map((e) => [e.id, e] as const))(
    '%s: its example is decided by its own entry, at WARNING, and at INFO only if the entry says so',
    (_id, e) => {
      const entry = plainLineEntry(e.example);
      expect(classifier.match({ ...entry, severity: 'WARNING' })).toEqual({
        category: e.category,
        rule: e.id,
      });
      expect(classifier.match({ ...entry, severity: 'ERROR' })).toEqual({ category: e.category, rule: e.id });
      const atInfo = classifier.match({ ...entry, severity: 'INFO' })?.rule ?? null;
      if (e.minLevel === 'INFO') expect(atInfo).toBe(e.id);
      else expect(atInfo).not.toBe(e.id);
      expect(classifier.match({ ...entry, severity: 'DEBUG' })).toBeNull();
    },
  );

  it('has families the source writes at INFO', () => {
    expect(ETL_CATALOGUE.filter((e) => e.minLevel === 'INFO').length).toBeGreaterThanOrEqual(5);
  });
});

/** Success and zero-problem lines, in the ETL's formats and words (its summaries and checks). */
const SUCCESS_LINES = [
  'No orphaned records detected',
  'Total orphans: 0',
  'Health Score: 100/100',
  '✅ Transaction rolled back - database unchanged',
  '[2025-07-08 06:00:12] ✅ ✅ Transaction rolled back - database unchanged',
  '[2025-07-08 06:00:13] [INFO] ✅ Team import complete: 3 new, 0 updated, 0 skipped, 0 errors',
  '[2025-07-08 06:02:11] [INFO] ✅ Imported 1,204 series stats records (0 errors, 0 missing leagues, 0 skipped)',
  '2025-07-08 06:10:02,114 - INFO - ❌ Errors: 0',
  '2025-07-08 06:10:02,115 - ERROR - ❌ Errors: 0',
  '   Remaining orphaned records: 0',
  '   Remaining series_id mismatches: 0',
  '2025-07-08 06:00:02,120 - INFO - ✅ No constraint violations found',
  '[06:04:13] ✅ No broken league contexts found',
  'No broken league contexts found',
  '2025-07-08 06:00:09,441 - INFO - 🏥 Overall Health Score: 100/100',
  '2025-07-08 06:00:09,442 - WARNING - 📊 Schedule Health Score: 100/100 🟢 EXCELLENT',
  '2025-07-08 06:00:09,443 - INFO - ✅ Monitoring completed successfully (health: 92.5/100)',
  '2025-07-08 06:05:40,110 - INFO - Orphaned: 0',
  '2025-07-08 06:05:40,111 - WARNING - Practice times: 41 total, 0 orphaned, 0 invalid refs',
  '2025-07-08 06:05:40,112 - INFO - ✅ Practice time health check passed',
  '2025-07-08 06:00:02,119 - INFO - ✅ All practice times have valid team references',
  '📊 Team Integrity: 0 invalid references, 0 duplicates',
  '🎉 100% success rate!',
  '   ✅ Deleted 3 orphaned records',
  '✓ Player data and associations',
  'status: healthy',
];

describe('success and zero-problem lines', () => {
  it.each(SUCCESS_LINES)('never counts %j', async (line) => {
    expect(classifier.classify(plainLineEntry(line))).toBeNull();
    expect(await scanText(`${line}\n`)).toEqual({});
  });

  it('still counts the same words with a problem in them', async () => {
    expect(await scanText('   Remaining orphaned records: 3\n')).toEqual({ ORPHAN_INDICATOR: 1 });
    expect(await scanText('Total orphans: 2\n')).toEqual({ ORPHAN_INDICATOR: 1 });
    expect(await scanText('Health Score: 90/100\n')).toEqual({ ORPHAN_INDICATOR: 1 });
    expect(await scanText('Detected 3 orphaned polls (0 fixed)\n')).toEqual({ ORPHAN_INDICATOR: 1 });
    expect(
      await scanText('2025-07-08 06:05:40,113 - ERROR - Found 2 orphaned practice times, 0 invalid\n'),
    ).toEqual({ ORPHAN_INDICATOR: 1 });
    expect(await scanText('No team found for player 4, orphan left behind\n')).toEqual({
      ORPHAN_INDICATOR: 1,
    });
  });
});
