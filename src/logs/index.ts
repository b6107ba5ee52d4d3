export {
  analyzeLogs,
  type AnalyzeOptions,
  type CategoryHistory,
  type LogAnalysis,
  type Trend,
} from './analyzer.ts';
export { createClassifier, grepPattern } from './classifier.ts';
export { followLogs, type FollowOptions, LogFollower } from './follower.ts';
export {
  createFileOffsetStore,
  createMemoryOffsetStore,
  type FollowBatch,
  type FollowOffset,
  type OffsetStore,
} from './offsets.ts';
export { scanLogs, type ScanOptions } from './scanner.ts';
export { renderScanSummary } from './summary.ts';
export * from './types.ts';
