import { AppError } from '../errors.ts';
import { anchorPattern } from './anchors.ts';
import { ETL_CATALOGUE } from './catalogue.ts';
import { INFO_RANK, levelCounts, WARNING_RANK } from './level.ts';
import type { CatalogueEntry, MessageRule } from './rule.ts';
import { reportsSuccess } from './success.ts';
import type { BuiltinCategory, LogEntry, LogPattern } from './types.ts';

/** SQLSTATE → category. Where a code is present it decides, whatever the message says. */
const SQLSTATE_CATEGORIES: Record<string, BuiltinCategory> = {
  '23505': 'CONSTRAINT_VIOLATION',
  '23503': 'CONSTRAINT_VIOLATION',
  '23502': 'CONSTRAINT_VIOLATION',
  '23514': 'CONSTRAINT_VIOLATION',
  '40P01': 'DEADLOCK',
  '25P02': 'ABORTED_TRANSACTION',
  '57014': 'CONNECTION_TIMEOUT',
  '57P01': 'CONNECTION_TIMEOUT',
  '57P02': 'CONNECTION_TIMEOUT',
  '57P03': 'CONNECTION_TIMEOUT',
  '08000': 'CONNECTION_TIMEOUT',
  '08001': 'CONNECTION_TIMEOUT',
  '08003': 'CONNECTION_TIMEOUT',
  '08004': 'CONNECTION_TIMEOUT',
  '08006': 'CONNECTION_TIMEOUT',
  '08007': 'CONNECTION_TIMEOUT',
  '08P01': 'CONNECTION_TIMEOUT',
};

/**
 * PostgreSQL's, node-postgres's and psycopg2's own words, for entries without a SQLSTATE. Causes
 * (deadlock, constraint, connection) come before symptoms (orphan, upsert failure), so "upsert
 * failed: deadlock detected" lands where a SQLSTATE would have put it.
 */
const GENERIC_RULES: MessageRule[] = [
  { category: 'DEADLOCK', pattern: String.raw`\bdeadlock\b`, anchors: ['deadlock'] },
  {
    category: 'ABORTED_TRANSACTION',
    pattern: String.raw`current transaction is aborted|transaction (?:was )?aborted|InFailedSqlTransaction`,
    anchors: ['aborted', 'InFailed'],
  },
  {
    category: 'CONSTRAINT_VIOLATION',
    pattern: String.raw`violates (?:unique|foreign key|not-null|check) constraint|duplicate key value|null value in column|(?:Unique|ForeignKey|NotNull|Check)Violation`,
    anchors: ['iolat', 'duplicate key', 'null value'],
  },
  {
    category: 'CONNECTION_TIMEOUT',
    pattern: String.raw`timed? ?out\b|connection refused|ECONNREFUSED|ECONNRESET|connection reset|terminating connection|connection terminated|server closed the connection|could not connect|could not receive data|connection to server .* failed|too many clients`,
    anchors: [
      'timeout',
      'time out',
      'timed out',
      'timedout',
      'refused',
      'reset',
      'terminat',
      'closed the connection',
      'could not',
      'connection to server',
      'too many clients',
    ],
  },
  {
    category: 'ORPHAN_INDICATOR',
    pattern: String.raw`orphan|dangling|team_id\b.{0,80}\bnot found|(?:team|player|series|club)\b.{0,40}\bno longer exists|references? (?:a )?(?:missing|deleted|retired)`,
    anchors: ['orphan', 'dangling', 'not found', 'no longer exists', 'missing', 'deleted', 'retired'],
  },
  {
    category: 'UPSERT_FAILURE',
    pattern: String.raw`upsert\w* (?:failed|error)|failed to upsert|ON CONFLICT|(?:failed to|could not) (?:insert|update)\b.{0,80}\bteam`,
    anchors: ['upsert', 'conflict', 'to insert', 'to update', 'could not'],
  },
];

/** Which category an entry lands in when rules of several match: causes first. */
const CATEGORY_ORDER: readonly BuiltinCategory[] = [
  'DEADLOCK',
  'ABORTED_TRANSACTION',
  'CONSTRAINT_VIOLATION',
  'CONNECTION_TIMEOUT',
  'ORPHAN_INDICATOR',
  'UPSERT_FAILURE',
];

/** Every built-in rule in the order tried: by category, the ETL's own families before the generic words. */
const MESSAGE_RULES: readonly MessageRule[] = CATEGORY_ORDER.flatMap((category) => [
  ...ETL_CATALOGUE.filter((r) => r.category === category),
  ...GENERIC_RULES.filter((r) => r.category === category),
]);

/** Bytes that never occur in a text log (tab, newlines, form feed and ESC for colours are allowed). */
export const CONTROL_BYTES = String.raw`[\x00-\x08\x0e-\x1a\x1c-\x1f]`;

const CODES = String.raw`\b(?:${Object.keys(SQLSTATE_CATEGORIES).join('|')})\b`;

export interface Prefilter {
  /** Global. */
  re: RegExp;
  /** Run over the lower-cased text: V8 runs a case-sensitive alternation several times faster than /i. */
  lowercase: boolean;
}

/**
 * Quick tests for "could this text matter", run over whole chunks before any entry is parsed; a
 * superset of the rules, plus control bytes (garbage). The anchors run over lower-cased text;
 * SQLSTATE codes (logs in other languages still carry them) and control bytes are case-sensitive;
 * configured patterns, arbitrary regexes, keep their own case-insensitive pass.
 */
function prefilters(patterns: LogPattern[]): Prefilter[] {
  const anchors = anchorPattern(MESSAGE_RULES.flatMap((r) => r.anchors));
  const res: Prefilter[] = [
    { re: new RegExp(anchors, 'g'), lowercase: true },
    { re: new RegExp(CODES, 'g'), lowercase: false },
    // Garbage is found in the same sweep; as separate regexes these two run ~40 % faster than joined.
    { re: new RegExp(CONTROL_BYTES, 'g'), lowercase: false },
  ];
  if (patterns.length) {
    res.push({ re: new RegExp(patterns.map((p) => `(?:${p.pattern})`).join('|'), 'gi'), lowercase: false });
  }
  return res;
}

export interface Classifier {
  /** An entry can be classified only if one of these matches inside it. */
  prefilters: Prefilter[];
  categories: string[];
  classify(entry: LogEntry): string | null;
  /** The category and what decided it: `sqlstate:<code>`, a catalogue id, `pattern:<n>` or `generic:<n>`. */
  match(entry: LogEntry): { category: string; rule: string } | null;
}

function compileUserPattern(p: LogPattern): RegExp {
  if (!/^[A-Z][A-Z0-9_]*$/.test(p.category)) {
    throw new AppError(
      'INVALID_INPUT',
      `Log pattern category "${p.category}" must be upper case letters, digits and underscores`,
      { category: p.category },
    );
  }
  try {
    return new RegExp(p.pattern, 'i');
  } catch (err) {
    throw new AppError(
      'INVALID_INPUT',
      `Log pattern for ${p.category} is not a valid regular expression: ${(err as Error).message}`,
      { category: p.category, pattern: p.pattern },
    );
  }
}

interface CompiledRule {
  category: string;
  id: string;
  re: RegExp;
  minRank: number;
}

/**
 * Builds the classifier for the built-in categories plus `patterns` (checked after SQLSTATE, before
 * built-in messages). An entry counts only at or above its rule's level (WARNING unless the rule
 * says INFO; configured patterns WARNING), and never when it reports success or zero problems.
 */
export function createClassifier(patterns: LogPattern[] = []): Classifier {
  const user = patterns.map((p, i): CompiledRule => ({
    category: p.category,
    id: `pattern:${i}`,
    re: compileUserPattern(p),
    minRank: WARNING_RANK,
  }));
  const builtin = MESSAGE_RULES.map((r, i): CompiledRule => ({
    category: r.category,
    id: 'id' in r ? (r as CatalogueEntry).id : `generic:${i}`,
    re: new RegExp(r.pattern, 'i'),
    minRank: r.minLevel === 'INFO' ? INFO_RANK : WARNING_RANK,
  }));
  const rules = [...user, ...builtin];
  const categories = [...new Set<string>([...CATEGORY_ORDER, ...user.map((r) => r.category)])];
  const match = (entry: LogEntry): { category: string; rule: string } | null => {
    const byCode = entry.sqlState ? SQLSTATE_CATEGORIES[entry.sqlState] : undefined;
    if (byCode) {
      return levelCounts(entry.severity, WARNING_RANK)
        ? { category: byCode, rule: `sqlstate:${entry.sqlState}` }
        : null;
    }
    if (reportsSuccess(entry.message)) return null;
    for (const { category, id, re, minRank } of rules) {
      if (!levelCounts(entry.severity, minRank)) continue;
      if (re.test(entry.message) || (entry.detail !== '' && re.test(entry.detail))) {
        return { category, rule: id };
      }
    }
    return null;
  };
  return {
    prefilters: prefilters(patterns),
    categories,
    classify: (entry) => match(entry)?.category ?? null,
    match,
  };
}

/** All rules as one ERE for `grep -E -i`, so benchmarks compare like with like. */
export function grepPattern(patterns: LogPattern[] = []): string {
  return [CODES, ...MESSAGE_RULES.map((r) => r.pattern), ...patterns.map((p) => p.pattern)]
    .join('|')
    .replaceAll('(?:', '(')
    .replaceAll(String.raw`\b`, '')
    .replaceAll(String.raw`\w`, '[[:alnum:]_]')
    .replaceAll(String.raw`\d`, '[0-9]');
}

/** The built-in rules in the order tried, for tests that check each rule's anchors. */
export const BUILTIN_RULES: readonly MessageRule[] = MESSAGE_RULES;
