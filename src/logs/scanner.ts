import { FindingAggregator } from './aggregate.ts';
import { createClassifier } from './classifier.ts';
import { expandPaths } from './paths.ts';
import { scanFile } from './scan-file.ts';
import type { ClassifiedEntry, FileSummary, LogPattern, LogProblem, ScanResult } from './types.ts';

export interface ScanOptions {
  /** Files, directories (their files) and globs. */
  paths: string[];
  /** Extra categories; see createClassifier. Default none. */
  patterns?: LogPattern[];
  /** Called for every classified entry, in file order (used by the analyzer). */
  onEntry?: (entry: ClassifiedEntry) => void;
  /** Files scanned at once; default 4, enough to overlap reading with scanning. */
  concurrency?: number;
}

/** Scans every matching file once: totals per category, findings by fingerprint, per-file summaries, problems. */
export async function scanLogs(options: ScanOptions): Promise<ScanResult> {
  const classifier = createClassifier(options.patterns);
  const aggregator = new FindingAggregator(classifier.categories);
  const { files, problems } = await expandPaths(options.paths);
  const summaries: FileSummary[] = [];
  const fileProblems: LogProblem[][] = [];
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const index = next++;
      const result = await scanFile(files[index]!, classifier, (entry) => {
        aggregator.add(entry);
        options.onEntry?.(entry);
      });
      if (result.summary) summaries[index] = result.summary;
      fileProblems[index] = result.problems;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 4) }, worker));
  return {
    totals: aggregator.totals,
    findings: aggregator.findings(),
    problems: [...problems, ...fileProblems.flat()],
    files: summaries.filter(Boolean),
  };
}
