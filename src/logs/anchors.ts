const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * One regex source that finds any of `anchors` (lower case). An anchor that contains another is
 * dropped (whatever holds the longer holds the shorter), and the rest are folded into a prefix trie:
 * V8 tries a flat alternation's branches one by one at every position, while a trie rules out all
 * but one branch per character, which keeps the sweep fast however many families there are.
 */
export function anchorPattern(anchors: readonly string[]): string {
  const unique = [...new Set(anchors.map((a) => a.toLowerCase()))].sort((a, b) => a.length - b.length);
  const kept: string[] = [];
  for (const a of unique) if (a !== '' && !kept.some((k) => a.includes(k))) kept.push(a);
  return trie(kept);
}

/** No word is a prefix of another here (that would make it contain the other), so '' ends a branch. */
function trie(words: string[]): string {
  const branches = new Map<string, string[]>();
  for (const w of words) {
    if (w === '') continue;
    const rest = branches.get(w[0]!) ?? [];
    rest.push(w.slice(1));
    branches.set(w[0]!, rest);
  }
  const alternatives = [...branches].map(([first, rest]) => escape(first) + trie(rest));
  return alternatives.length <= 1 ? (alternatives[0] ?? '') : `(?:${alternatives.join('|')})`;
}
