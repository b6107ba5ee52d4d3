import type { Command } from 'commander';

/**
 * Every command, as `bpetl --help` lists it, and where its module is. The CLI loads only the module
 * of the command it runs: `--help`, `--version` and a mistyped command load none of them.
 * test/cli/manifest.test.ts keeps `term` and `description` equal to what the module registers.
 */
export interface CommandEntry {
  /** As the help lists it: name, `[options]`, arguments. */
  term: string;
  description: string;
  load(): Promise<(program: Command) => void>;
}

export const COMMANDS: Record<string, CommandEntry> = {
  serve: {
    term: 'serve',
    description:
      'serve the operator console at / and GraphQL (with GraphiQL) at /graphql; starts the embedded database when DATABASE_URL is unset',
    load: async () => (await import('./commands/serve.ts')).registerServe,
  },
  migrate: {
    term: 'migrate [options]',
    description: 'apply pending migrations (tables, constraints, protection triggers)',
    load: async () => (await import('./commands/migrate.ts')).registerMigrate,
  },
  snapshots: {
    term: 'snapshots',
    description: 'list, show and restore user-data snapshots',
    load: async () => (await import('./commands/snapshots.ts')).registerSnapshots,
  },
  import: {
    term: 'import [options] <path>',
    description: 'refresh reference data from a league feed directory or a teams file (.csv, .ndjson)',
    load: async () => (await import('./commands/import.ts')).registerImport,
  },
  demo: {
    term: 'demo [options]',
    description: 'load generated demo leagues through the pipeline, then attach demo user data',
    load: async () => (await import('./commands/demo.ts')).registerDemo,
  },
  health: {
    term: 'health [options]',
    description: 'score the database 0-100 (exit 0 healthy, 1 degraded, 2 critical)',
    load: async () => (await import('./commands/health.ts')).registerHealth,
  },
  repair: {
    term: 'repair [options]',
    description: 'repair open orphan events on unique matches, quarantine the rest (never deletes)',
    load: async () => (await import('./commands/repair.ts')).registerRepair,
  },
  protection: {
    term: 'protection [options] <action> [target]',
    description:
      'real-time orphan detection and the protection spec: enable | disable | status | add | remove | discover; ' +
      'changes | undo-change ID: what the tool changed in application tables',
    load: async () => (await import('./commands/protection.ts')).registerProtection,
  },
  watch: {
    term: 'watch [options]',
    description:
      'subscribe to orphanDetected, healthChanged and logAlert; print them and optionally POST them',
    load: async () => (await import('./commands/watch.ts')).registerWatch,
  },
  logs: {
    term: 'logs [options] [paths...]',
    description:
      'scan ETL and PostgreSQL logs for upsert failures, constraint violations, timeouts, orphan signs, ' +
      'aborted transactions and deadlocks (paths default to BPETL_LOG_PATHS)',
    load: async () => (await import('./commands/logs.ts')).registerLogs,
  },
  db: {
    term: 'db',
    description: 'the database bpetl uses',
    load: async () => (await import('./commands/db.ts')).registerDb,
  },
};
