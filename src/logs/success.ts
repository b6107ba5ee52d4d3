/**
 * Lines that report success or zero problems ("✅ …", "No orphaned records detected", "Total
 * orphans: 0"). They use the very words the rules look for, so they are recognised first and never
 * count, whatever their level. (A health score counts only below 100: its rule says so.)
 */

/** The marks the ETL puts before a step that went well. */
const SUCCESS_MARK = /^[\s>*•-]*(?:✅|✓|✔|☑|🎉|🟢)/u;
const NOTHING_FOUND =
  /^[^\p{L}\p{N}]*no (?:orphan\w*|broken|invalid|dangling|duplicate\w*|constraint violations?|issues|problems|errors|failures)\b/iu;

const PROBLEM = String.raw`(?:orphan(?:s|ed)?|errors?|failures?|failed|issues|violations?|broken|invalid|missing|duplicates?|lost)`;
/** "3 orphaned polls", "0 errors": a count before the word, at most one word between. */
const COUNT_BEFORE = new RegExp(String.raw`(?<![\w.])(\d+(?:\.\d+)?)\s+(?:[\w-]+\s+)?${PROBLEM}\b`, 'giu');
/** "Total orphans: 0", "Remaining orphaned records: 0", "Errors: 3": the word, then the count. */
const COUNT_AFTER = new RegExp(
  String.raw`\b${PROBLEM}(?:\s[\w ]{0,30}?)?:\s*(\d+(?:\.\d+)?)(?![\w.])`,
  'giu',
);

/** Whether the message counts problems and every count it gives is zero. */
function onlyZeroCounts(message: string): boolean {
  let counts = 0;
  for (const re of [COUNT_BEFORE, COUNT_AFTER]) {
    for (const m of message.matchAll(re)) {
      if (Number(m[1]) !== 0) return false;
      counts++;
    }
  }
  return counts > 0;
}

/** Whether `message` (an entry's own text, without its prefix) reports success or no problems. */
export function reportsSuccess(message: string): boolean {
  return SUCCESS_MARK.test(message) || NOTHING_FOUND.test(message) || onlyZeroCounts(message);
}
