import type { ScanResult } from './types.ts';

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

/** The scan as a plain-text table: occurrences per category, then per file and category, then problems. */
export function renderScanSummary(result: ScanResult): string {
  const categories = Object.keys(result.totals);
  const width = Math.max(8, ...categories.map((c) => c.length)) + 2;
  const lines = [`${pad('CATEGORY', width)}OCCURRENCES  FINDINGS`];
  for (const category of categories) {
    const findings = result.findings.filter((f) => f.category === category).length;
    lines.push(`${pad(category, width)}${pad(String(result.totals[category]), 13)}${findings}`);
  }
  lines.push('', `${pad('FILE', 48)}${pad('FORMAT', 11)}${pad('CATEGORY', width)}OCCURRENCES`);
  for (const file of result.files) {
    const counts = Object.entries(file.totals).filter(([, n]) => n > 0);
    const format = `${file.format}${file.gzip ? '.gz' : ''}`;
    if (counts.length === 0) lines.push(`${pad(file.file, 48)}${pad(format, 11)}${pad('-', width)}0`);
    for (const [category, n] of counts) {
      lines.push(`${pad(file.file, 48)}${pad(format, 11)}${pad(category, width)}${n}`);
    }
  }
  for (const p of result.problems) lines.push(`problem: ${p.file}: ${p.reason}`);
  return lines.join('\n');
}
