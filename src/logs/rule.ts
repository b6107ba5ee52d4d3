import type { BuiltinCategory } from './types.ts';

/** How a message family is recognised; the pattern is also given to `grep -E -i`, so it stays ERE. */
export interface MessageRule {
  category: BuiltinCategory;
  /**
   * A regular expression source, matched case-insensitively. Only what POSIX ERE also has (no
   * lookaround, no lazy quantifiers); `\b`, `\w`, `\d` and `(?:` are translated for grep.
   */
  pattern: string;
  /**
   * Literals (matched case-insensitively; no escapes) of which every match of `pattern` contains at
   * least one (checked by the tests). The scanner looks for these first: one short alternation runs
   * several times faster than the rules.
   */
  anchors: string[];
  /**
   * The lowest level at which the family counts. Default WARNING: the same words at INFO or DEBUG
   * are progress talk. INFO where the source itself writes the problem at INFO. Lines that carry no
   * level at all (print output) always count.
   */
  minLevel?: 'INFO' | 'WARNING';
}

/** One message family of the platform's ETL, with where it is written and a line as it appears. */
export interface CatalogueEntry extends MessageRule {
  id: string;
  /** A line as the ETL writes it (its format's prefix included), values filled in. */
  example: string;
  /** The file of rossfreedman/rally that writes it. */
  source: string;
}
