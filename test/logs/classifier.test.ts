import { describe, expect, it } from 'vitest';

import { anchorPattern } from '../../src/logs/anchors.ts';
import { BUILTIN_RULES, createClassifier, grepPattern } from '../../src/logs/classifier.ts';
import { fingerprint, maskMessage } from '../../src/logs/fingerprint.ts';
import { parseLogPatterns } from '../../src/logs/patterns.ts';
import type { LogEntry } from '../../src/logs/types.ts';
import { LOG_CATEGORIES as BUILTIN_CATEGORIES } from '../../src/logs/types.ts';

function entry(message: string, extra: Partial<LogEntry> = {}): LogEntry {
  return { time: null, severity: 'ERROR', sqlState: null, message, detail: '', raw: message, ...extra };
}

const classifier = createClassifier();

/** Messages each rule must classify, in the words PostgreSQL, node-postgres, psycopg2 and the ETL use. */
const SAMPLES: Record<string, string[]> = {
  DEADLOCK: [
    'deadlock detected',
    'DEADLOCK DETECTED in worker 3',
    'psycopg2.errors.DeadlockDetected: deadlock detected',
  ],
  ABORTED_TRANSACTION: [
    'current transaction is aborted, commands ignored until end of transaction block',
    'psycopg2.errors.InFailedSqlTransaction: boom',
  ],
  CONSTRAINT_VIOLATION: [
    'duplicate key value violates unique constraint "teams_pkey"',
    'insert or update on table "polls" violates foreign key constraint "polls_team_id_fkey"',
    'null value in column "team_name" of relation "teams" violates not-null constraint',
    'new row for relation "teams" violates check constraint "teams_name_check"',
    'psycopg2.errors.UniqueViolation: x',
  ],
  CONNECTION_TIMEOUT: [
    'canceling statement due to statement timeout',
    'terminating connection due to administrator command',
    'connect ECONNREFUSED 127.0.0.1:5432',
    'Connection terminated unexpectedly',
    'could not receive data from client: Connection reset by peer',
    'Query read timeout',
    'server closed the connection unexpectedly',
  ],
  ORPHAN_INDICATOR: [
    'found 3 orphan polls',
    'dangling reference from captain_messages to team 5',
    'team_id 881 not found for practice time',
    'poll 9 references a retired team',
  ],
  UPSERT_FAILURE: [
    'upsert failed for team Tennaqua - 22',
    'there is no unique or exclusion constraint matching the ON CONFLICT specification',
    'failed to update team 881: lock wait',
  ],
};

describe('classifier', () => {
  it.each(Object.entries(SAMPLES))(
    'classifies %s messages and every one passes the prefilter',
    (category, messages) => {
      for (const message of messages) {
        expect(classifier.classify(entry(message)), message).toBe(category);
        expect(
          classifier.prefilters.some(({ re, lowercase }) =>
            new RegExp(re.source, re.flags.replace('g', '')).test(
              lowercase ? message.toLowerCase() : message,
            ),
          ),
          message,
        ).toBe(true);
      }
    },
  );

  it('gives every rule anchors that each of its matches contains', () => {
    for (const [category, messages] of Object.entries(SAMPLES)) {
      for (const message of messages) {
        const matches = BUILTIN_RULES.filter((r) => r.category === category)
          .map((r) => ({ rule: r, m: new RegExp(r.pattern, 'i').exec(message) }))
          .filter((x) => x.m !== null);
        expect(matches.length, `${category}: ${message}`).toBeGreaterThan(0);
        for (const { rule, m } of matches) {
          const anchors = new RegExp(rule.anchors.join('|'), 'i');
          expect(anchors.test(m![0]), `${category}: ${m![0]}`).toBe(true);
        }
      }
    }
  });

  it('lets the SQLSTATE decide over the message', () => {
    expect(classifier.classify(entry('upsert failed', { sqlState: '23505' }))).toBe('CONSTRAINT_VIOLATION');
    expect(classifier.classify(entry('Verklemmung entdeckt', { sqlState: '40P01' }))).toBe('DEADLOCK');
    expect(classifier.classify(entry('x', { sqlState: '25P02' }))).toBe('ABORTED_TRANSACTION');
    expect(classifier.classify(entry('x', { sqlState: '57P01' }))).toBe('CONNECTION_TIMEOUT');
    expect(classifier.classify(entry('x', { sqlState: '08006' }))).toBe('CONNECTION_TIMEOUT');
  });

  it('falls back to the message for codes it has no category for', () => {
    expect(classifier.classify(entry('upsert failed', { sqlState: '42P01' }))).toBe('UPSERT_FAILURE');
    expect(classifier.classify(entry('relation "x" does not exist', { sqlState: '42P01' }))).toBeNull();
  });

  it('puts a cause found in the detail before a symptom in the message', () => {
    expect(
      classifier.classify(entry('upsert failed for team 4', { detail: 'UniqueViolation: duplicate key' })),
    ).toBe('CONSTRAINT_VIOLATION');
  });

  it('applies configured patterns before the built-in messages', () => {
    const custom = createClassifier([{ category: 'SCRAPER_GAP', pattern: 'league \\w+ missing from feed' }]);
    expect(custom.categories).toContain('SCRAPER_GAP');
    expect(custom.classify(entry('league NSTF missing from feed'))).toBe('SCRAPER_GAP');
    expect(custom.classify(entry('deadlock detected'))).toBe('DEADLOCK');
  });

  it('rejects a configured pattern that is not a regex or a category that is not a name', () => {
    expect(() => createClassifier([{ category: 'BAD', pattern: '(' }])).toThrow(
      /BAD is not a valid regular expression/,
    );
    expect(() => createClassifier([{ category: 'bad name', pattern: 'x' }])).toThrow(/must be upper case/);
  });
});

describe('fingerprint', () => {
  it('masks numbers, ids and quoted values so one problem has one fingerprint', () => {
    expect(maskMessage('duplicate key value violates unique constraint "teams_pkey" for id 42')).toBe(
      'duplicate key value violates unique constraint ? for id <n>',
    );
    expect(fingerprint('ORPHAN_INDICATOR', 'poll 9 of gen-k2m4-8hy references team 3')).toBe(
      fingerprint('ORPHAN_INDICATOR', 'poll 7731 of gen-zz9z-x1 references team 12'),
    );
    expect(fingerprint('DEADLOCK', 'a')).not.toBe(fingerprint('UPSERT_FAILURE', 'a'));
    expect(maskMessage("user '3f0c2a9e-8a1b-4c5d-9e7f-0123456789ab' x")).toBe('user ? x');
  });
});

describe('parseLogPatterns', () => {
  it('reads an object or an array', () => {
    expect(parseLogPatterns('{"SCRAPER_GAP": "missing from feed"}')).toEqual([
      { category: 'SCRAPER_GAP', pattern: 'missing from feed' },
    ]);
    expect(parseLogPatterns('[{"category": "X", "pattern": "y"}]')).toEqual([
      { category: 'X', pattern: 'y' },
    ]);
  });

  it('says where a bad pattern is', () => {
    expect(() => parseLogPatterns('{', 'p.json')).toThrow(/^p\.json is not valid JSON/);
    expect(() => parseLogPatterns('[{"category": "X"}]', 'p.json')).toThrow(
      'p.json, entry 0: needs a string category and a string pattern',
    );
    expect(() => parseLogPatterns('{"X": "("}')).toThrow(/X is not a valid regular expression/);
    expect(() => parseLogPatterns('3')).toThrow(/must be an object or an array/);
  });
});

describe('anchorPattern', () => {
  const words = [
    'failed',
    'failed to import',
    'fail over',
    'orphan',
    'or else',
    'time out',
    'timeout',
    'a.b',
  ];

  it('drops anchors that contain another and folds the rest into a trie', () => {
    expect(anchorPattern(words)).toBe('(?:a\\.b|fail(?:ed| over)|or(?:phan| else)|time(?:out| out))');
    expect(anchorPattern(['X', 'x', 'xy'])).toBe('x');
    expect(anchorPattern([])).toBe('');
  });

  it('finds what the flat alternation finds, at the same places', () => {
    const flat = new RegExp(words.map((w) => w.replace('.', '\\.')).join('|'), 'g');
    const trie = new RegExp(anchorPattern(words), 'g');
    const text = 'x failed to import; or elsewhere a timeout, an orphan, a.b but not axb; fail overtime out';
    const starts = (re: RegExp) => [...text.matchAll(re)].map((m) => m.index);
    expect(starts(trie)).toEqual(starts(flat));
    expect(starts(trie).length).toBe(7);
  });
});

describe('classifier details', () => {
  it('names the rule that decided: a SQLSTATE, a configured pattern or a generic rule', () => {
    const c = createClassifier([{ category: 'SCRAPER_GAP', pattern: 'missing from feed' }]);
    expect(c.match(entry('whatever', { sqlState: '40P01' }))).toEqual({
      category: 'DEADLOCK',
      rule: 'sqlstate:40P01',
    });
    expect(c.match(entry('team 3 MISSING FROM FEED'))).toEqual({
      category: 'SCRAPER_GAP',
      rule: 'pattern:0',
    });
    expect(c.match(entry('too many clients already'))).toEqual({
      category: 'CONNECTION_TIMEOUT',
      rule: expect.stringMatching(/^generic:\d+$/),
    });
    // The built-in categories, causes first, then the configured ones.
    expect(c.categories.slice(0, -1).sort()).toEqual([...BUILTIN_CATEGORIES].sort());
    expect(c.categories.at(-1)).toBe('SCRAPER_GAP');
    expect(c.categories[0]).toBe('DEADLOCK');
  });

  it('refuses a category that is not upper case from its first to its last character', () => {
    for (const category of ['lowerX', 'X lower', '1X', 'X-Y']) {
      expect(() => createClassifier([{ category, pattern: 'x' }]), category).toThrow(
        expect.objectContaining({
          code: 'INVALID_INPUT',
          message: `Log pattern category "${category}" must be upper case letters, digits and underscores`,
          details: { category },
        }),
      );
    }
    expect(() => createClassifier([{ category: 'BAD', pattern: '(' }])).toThrow(
      expect.objectContaining({
        code: 'INVALID_INPUT',
        message: expect.stringMatching(/^Log pattern for BAD is not a valid regular expression: /),
        details: { category: 'BAD', pattern: '(' },
      }),
    );
  });

  it('prefilters find SQLSTATE codes in their case and configured patterns in any case', () => {
    const c = createClassifier([{ category: 'SCRAPER_GAP', pattern: 'gap in feed' }]);
    const found = (text: string) =>
      c.prefilters.some(({ re, lowercase }) => {
        re.lastIndex = 0;
        return re.test(lowercase ? text.toLowerCase() : text);
      });
    expect(found('state 40P01 seen')).toBe(true);
    expect(found('a GAP IN FEED here')).toBe(true);
    expect(found('nothing to see')).toBe(false);
    expect(createClassifier().prefilters).toHaveLength(3);
  });

  it('writes every rule as one grep -E pattern without JavaScript-only syntax', () => {
    const ere = grepPattern([{ category: 'X', pattern: 'gap in feed' }]);
    expect(ere).not.toMatch(/\(\?:|\\b|\\w|\\d/);
    expect(ere).toContain('[[:alnum:]_]');
    expect(ere).toContain('40P01');
    expect(ere.endsWith('|gap in feed')).toBe(true);
  });
});
