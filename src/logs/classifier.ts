import { AppError } from '../errors.ts';
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

interface Rule {
  category: BuiltinCategory;
  pattern: string;
  /**
   * Literals (matched case-insensitively; no escapes) of which every match of `pattern` contains at
   * least one (checked by the tests). The scanner looks for these first: one short alternation runs
   * several times faster than the rules.
   */
  anchors: string[];
}

/**
 * Message patterns, tried in this order when no SQLSTATE decides. Causes (deadlock, constraint,
 * connection) come before symptoms (orphan, upsert failure), so "upsert failed: deadlock detected"
 * lands where a SQLSTATE would have put it.
 */
const MESSAGE_RULES: Rule[] = [
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
      'time(?:d? ?out)',
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
  const anchors = [...new Set(MESSAGE_RULES.flatMap((r) => r.anchors.map((a) => a.toLowerCase())))].join('|');
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

/** Builds the classifier for the built-in categories plus `patterns` (checked after SQLSTATE, before built-in messages). */
export function createClassifier(patterns: LogPattern[] = []): Classifier {
  const user = patterns.map((p) => [p.category, compileUserPattern(p)] as const);
  const builtin = MESSAGE_RULES.map((r) => [r.category, new RegExp(r.pattern, 'i')] as const);
  const rules = [...user, ...builtin];
  const categories = [...new Set<string>([...MESSAGE_RULES.map((r) => r.category), ...user.map(([c]) => c)])];
  return {
    prefilters: prefilters(patterns),
    categories,
    classify(entry) {
      const byCode = entry.sqlState ? SQLSTATE_CATEGORIES[entry.sqlState] : undefined;
      if (byCode) return byCode;
      for (const [category, re] of rules) {
        if (re.test(entry.message) || (entry.detail !== '' && re.test(entry.detail))) return category;
      }
      return null;
    },
  };
}

/** All rules as one ERE for `grep -E -i`, so benchmarks compare like with like. */
export function grepPattern(patterns: LogPattern[] = []): string {
  return [CODES, ...MESSAGE_RULES.map((r) => r.pattern), ...patterns.map((p) => p.pattern)]
    .join('|')
    .replaceAll('(?:', '(')
    .replaceAll(String.raw`\b`, '')
    .replaceAll(String.raw`\w`, '[[:alnum:]_]');
}

/** The built-in rules, for tests that check each rule's anchors. */
export const BUILTIN_RULES: readonly Readonly<Rule>[] = MESSAGE_RULES;
