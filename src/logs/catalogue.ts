import type { CatalogueEntry } from './rule.ts';

const ETL = 'data/etl/database_import';

/**
 * What the platform's own ETL (rossfreedman/rally) writes when something goes wrong, one entry per
 * message family, read from its sources. Its lines come in four shapes, and every example keeps its
 * own: `[2025-07-08 06:00:12] [ERROR] …` (ComprehensiveETL.log), `2025-07-08 06:10:02,114 - ERROR
 * - …` (logging.basicConfig in the import scripts), `ERROR:database_config:…` (logging's default
 * format) and `[2025-07-08 06:00:12] ❌ …` or bare print lines (level given by the emoji, or none).
 * Several families are written at INFO by their source; those say so with `minLevel`.
 */
export const ETL_CATALOGUE: readonly CatalogueEntry[] = [
  // Upsert and import failures.
  {
    id: 'import-record-error',
    category: 'UPSERT_FAILURE',
    pattern: String.raw`\berror importing (?:team|league|club|series|player|match|schedule|career|record)`,
    anchors: ['error importing'],
    example: '[2025-07-08 06:00:12] [ERROR] ❌ Error importing team Tennaqua - 22: tuple index out of range',
    source: `${ETL}/import_all_jsons_to_database.py`,
  },
  {
    id: 'too-many-import-errors',
    category: 'UPSERT_FAILURE',
    pattern: String.raw`\btoo many [a-z ]{0,30}errors \([0-9]+\)`,
    anchors: ['too many'],
    example: '[2025-07-08 06:00:14] [ERROR] ❌ Too many team import errors (26), stopping',
    source: `${ETL}/import_all_jsons_to_database.py`,
  },
  {
    id: 'failed-to-import',
    category: 'UPSERT_FAILURE',
    pattern: String.raw`\bfailed to import\b`,
    anchors: ['failed to import'],
    example:
      '[2025-07-08 06:00:12] ❌ ❌ Failed to import league APTA_CHICAGO: value too long for type character varying(255)',
    source: `${ETL}/atomic_etl_import.py`,
  },
  {
    id: 'etl-run-failed',
    category: 'UPSERT_FAILURE',
    pattern: String.raw`\b(?:etl|import)(?: process| wrapper)? failed\b`,
    anchors: ['failed'],
    example:
      "[2025-07-08 06:03:40] [ERROR] ❌ ETL process failed: [Errno 2] No such file or directory: 'players.json'",
    source: `${ETL}/import_all_jsons_to_database.py`,
  },
  {
    id: 'critical-etl-error',
    category: 'UPSERT_FAILURE',
    pattern: String.raw`\bcritical error\b`,
    anchors: ['critical error'],
    example: "💥 CRITICAL ERROR: [Errno 2] No such file or directory: 'players.json'",
    source: `${ETL}/import_all_jsons_to_database.py`,
  },
  {
    id: 'import-step-failed',
    category: 'UPSERT_FAILURE',
    pattern: String.raw`\bfailed (?:after [0-9]|with unexpected error|, but continuing)`,
    anchors: ['failed'],
    example: '2025-07-08 06:20:31,002 - ERROR - ❌ Import Players failed after 0:02:11.480213',
    source: `${ETL}/master_import.py`,
  },
  {
    id: 'master-import-failures',
    category: 'UPSERT_FAILURE',
    pattern: String.raw`\bcompleted with [1-9][0-9]* (?:failures?|errors)\b`,
    anchors: ['completed with'],
    example: '2025-07-08 06:40:00,019 - ERROR - ❌ Master import completed with 2 failures',
    source: `${ETL}/master_import.py`,
  },
  {
    id: 'batch-insert-failed',
    category: 'UPSERT_FAILURE',
    pattern: String.raw`\bbatch insert failed\b`,
    anchors: ['failed'],
    example:
      '2025-07-08 06:10:02,114 - ERROR - ❌ Batch insert failed: value too long for type character varying(255)',
    source: `${ETL}/import_players.py`,
  },
  {
    id: 'record-processing-error',
    category: 'UPSERT_FAILURE',
    pattern: String.raw`\berror (?:processing|updating|inserting) [a-z ]{0,20}(?:record|stats)`,
    anchors: ['error processing', 'error updating', 'error inserting'],
    example:
      "2025-07-08 06:10:01,876 - ERROR - ❌ Error processing player record: 'NoneType' object has no attribute 'strip'",
    source: `${ETL}/import_players.py`,
  },
  {
    id: 'import-source-error',
    category: 'UPSERT_FAILURE',
    pattern: String.raw`\berror (?:during import|loading)\b|\bjson decode error\b`,
    anchors: ['error during import', 'error loading', 'json decode error'],
    example:
      '2025-07-08 06:10:00,412 - ERROR - ❌ Error loading players data: Expecting value: line 1 column 1 (char 0)',
    source: `${ETL}/import_players.py`,
  },
  {
    id: 'record-skipped',
    category: 'UPSERT_FAILURE',
    pattern: String.raw`\bskipping (?:team|player|record)\b.{0,60}\bmissing\b|\brecords skipped due to missing data\b`,
    anchors: ['skipping', 'skipped due'],
    example:
      '[2025-07-08 06:00:13] [WARNING] ⚠️  Skipping team Tennaqua - 22: missing references (club: Tennaqua, series: Chicago 22, league: APTA_CHICAGO)',
    source: `${ETL}/import_all_jsons_to_database.py`,
  },
  {
    id: 'errors-encountered',
    category: 'UPSERT_FAILURE',
    pattern: String.raw`\b[1-9][0-9]* errors encountered during import\b`,
    anchors: ['errors encountered'],
    example: '⚠️  3 errors encountered during import',
    source: `${ETL}/import_all_jsons_to_database.py`,
  },
  {
    id: 'etl-refused',
    category: 'UPSERT_FAILURE',
    pattern: String.raw`\betl (?:aborted|safety issues found)\b|\bdata validation failed\b`,
    anchors: ['etl aborted', 'etl safety', 'validation failed'],
    example: '[2025-07-08 06:00:05] [ERROR] ⚠️  ETL ABORTED - Fix these issues first!',
    source: `${ETL}/atomic_wrapper_enhanced.py`,
  },

  {
    id: 'association-error',
    category: 'UPSERT_FAILURE',
    pattern: String.raw`\berror creating association\b`,
    anchors: ['creating association'],
    example:
      '2025-07-08 09:14:03,220 - ERROR - ❌ ASSOCIATION ERROR: Error creating association for gen-demo-4f2a: value too long for type character varying(255)',
    source: 'app/services/association_discovery_service.py',
  },

  // Connection and timeout problems.
  {
    id: 'all-connection-attempts-failed',
    category: 'CONNECTION_TIMEOUT',
    pattern: String.raw`\ball [0-9]+ (?:database )?connection attempts failed\b`,
    anchors: ['connection attempts failed'],
    example: 'ERROR:database_config:All 5 connection attempts failed.',
    source: 'database_config.py',
  },
  {
    id: 'connection-error',
    category: 'CONNECTION_TIMEOUT',
    pattern: String.raw`\bconnection error\b`,
    anchors: ['connection error'],
    example:
      'ERROR:database_config:Database connection error (attempt 2): could not translate host name "postgres.railway.internal" to address: Name or service not known',
    source: 'database_config.py',
  },
  {
    id: 'connection-timeout-detected',
    category: 'CONNECTION_TIMEOUT',
    pattern: String.raw`\bconnection timeout detected\b`,
    anchors: ['timeout detected'],
    example: 'WARNING:database_config:Connection timeout detected. This could be due to:',
    source: 'database_config.py',
  },
  {
    id: 'step-timed-out',
    category: 'CONNECTION_TIMEOUT',
    pattern: String.raw`\btimed out after\b`,
    anchors: ['timed out after'],
    example: '2025-07-08 07:20:31,002 - ERROR - ⏰ Import Match Scores timed out after 1 hour',
    source: `${ETL}/master_import.py`,
  },
  {
    id: 'connection-fallback-failed',
    category: 'CONNECTION_TIMEOUT',
    pattern: String.raw`\bhostname resolution failed\b|\bfallback also failed\b|\bconnection test failed\b`,
    anchors: ['failed'],
    example: 'WARNING:database_config:🚂 Railway internal hostname resolution failed',
    source: 'database_config.py',
  },
  {
    id: 'unexpected-database-error',
    category: 'CONNECTION_TIMEOUT',
    pattern: String.raw`\bunexpected database error\b`,
    anchors: ['unexpected database error'],
    example: 'ERROR:database_config:Unexpected database error: SSL SYSCALL error: EOF detected',
    source: 'database_config.py',
  },

  {
    id: 'cursor-closed',
    category: 'CONNECTION_TIMEOUT',
    pattern: String.raw`\bdatabase cursor closed\b`,
    anchors: ['cursor closed'],
    example: '2025-07-08 06:12:00,004 - WARNING - Database cursor closed for ross@example.com, retrying...',
    source: `${ETL}/session_refresh_service.py`,
  },

  // Orphan and data-loss signs: rows left without their team, restores that failed, poor health.
  {
    id: 'reference-not-found',
    category: 'ORPHAN_INDICATOR',
    pattern: String.raw`\b(?:team|league|club|series) not found\b|\bcould not find (?:a |the )?(?:team|league|club|series)\b`,
    anchors: ['not found', 'could not find'],
    example: '2025-07-08 06:10:01,233 - WARNING - Team not found: Tennaqua - 22 in APTA_CHICAGO',
    source: `${ETL}/import_players.py`,
  },
  {
    id: 'no-matching-reference',
    category: 'ORPHAN_INDICATOR',
    pattern: String.raw`\bno matching (?:team|league|club|series|player)\b`,
    anchors: ['no matching'],
    minLevel: 'INFO',
    example:
      "[2025-07-08 06:04:12] [INFO] ❌ Failed to restore ross@example.com: No matching league found for 'APTA Chicago'",
    source: `${ETL}/enhanced_league_context_protection.py`,
  },
  {
    id: 'restore-failed',
    category: 'ORPHAN_INDICATOR',
    pattern: String.raw`\b(?:restore|restoration)\b[a-z ]{0,20}\bfailed\b|\bfailed to restore\b`,
    anchors: ['failed'],
    minLevel: 'INFO',
    example:
      '2025-07-08 06:05:12,001 - ERROR - User data restoration failed: relation "bulletproof_polls_backup" does not exist',
    source: `${ETL}/bulletproof_team_id_preservation.py`,
  },
  {
    id: 'team-id-preservation-failed',
    category: 'ORPHAN_INDICATOR',
    pattern: String.raw`\bteam id preservation failed\b`,
    anchors: ['preservation failed'],
    minLevel: 'INFO',
    example:
      '[2025-07-08 06:04:02] [INFO] ⚠️  Team ID preservation failed - using enhanced fallback restoration',
    source: `${ETL}/atomic_wrapper_enhanced.py`,
  },
  {
    id: 'broken-league-context',
    category: 'ORPHAN_INDICATOR',
    pattern: String.raw`\bcleared broken context\b|\busers with broken league contexts\b|\bleague context health (?:issues|check found issues)\b|\bbroken league contexts failed\b`,
    anchors: ['broken', 'league context health'],
    minLevel: 'INFO',
    example:
      '[2025-07-08 06:04:13] [INFO] ⚠️ Cleared broken context for ross@example.com: 4911 → NULL (no associations)',
    source: `${ETL}/enhanced_league_context_protection.py`,
  },
  {
    id: 'health-score-below-healthy',
    category: 'ORPHAN_INDICATOR',
    pattern: String.raw`\bhealth score:? [0-9]{1,2}(?:\.[0-9]+)?/100`,
    anchors: ['health score'],
    minLevel: 'INFO',
    example: '2025-07-08 06:00:09,441 - INFO - 🏥 Overall Health Score: 82.5/100',
    source: 'scripts/automated_data_monitoring.py',
  },
  {
    id: 'health-check-failed',
    category: 'ORPHAN_INDICATOR',
    pattern: String.raw`\bhealth check failed\b|\bmonitoring failed with health score\b`,
    anchors: ['health check failed', 'monitoring failed'],
    example: '2025-07-08 06:05:40,112 - ERROR - ❌ Practice time health check failed',
    source: `${ETL}/enhanced_practice_time_protection.py`,
  },
  {
    id: 'practice-times-lost',
    category: 'ORPHAN_INDICATOR',
    pattern: String.raw`\blost [0-9]+ practice times\b|\bpractice times were lost\b|\binvalid practice time references\b`,
    anchors: ['practice time'],
    example: '2025-07-08 06:05:40,113 - ERROR - Lost 27 practice times',
    source: `${ETL}/enhanced_practice_time_protection.py`,
  },
  {
    id: 'orphans-detected',
    category: 'ORPHAN_INDICATOR',
    pattern: String.raw`\b(?:detected|found) [0-9]+ orphaned\b`,
    anchors: ['orphan'],
    example: '2025-07-08 06:05:20,520 - WARNING - Detected 3 orphaned polls',
    source: `${ETL}/bulletproof_team_id_preservation.py`,
  },
  {
    id: 'records-skipped-missing-references',
    category: 'ORPHAN_INDICATOR',
    pattern: String.raw`\brecords skipped due to missing leagues\b`,
    anchors: ['skipped due'],
    example: '[2025-07-08 06:02:10] [WARNING] ⚠️  12 series stats records skipped due to missing leagues',
    source: `${ETL}/import_all_jsons_to_database.py`,
  },
  {
    id: 'backup-unavailable',
    category: 'ORPHAN_INDICATOR',
    pattern: String.raw`\bbackup (?:creation )?failed\b|\bno (?:[a-z]+ )*backup (?:found|available)\b`,
    anchors: ['backup'],
    example: '2025-07-08 06:00:04,310 - ERROR - Backup failed: permission denied for schema public',
    source: `${ETL}/bulletproof_team_id_preservation.py`,
  },

  {
    id: 'orphan-count',
    category: 'ORPHAN_INDICATOR',
    pattern: String.raw`\btotal orphans:? [1-9][0-9]*|\borphaned(?: [a-z_]+){0,3}: [1-9][0-9]*|\b[1-9][0-9]* orphaned\b`,
    anchors: ['orphan'],
    minLevel: 'INFO',
    example: '2025-07-08 06:05:21,002 - INFO - 🚨 Total Orphans: 3',
    source: `${ETL}/enhanced_etl_integration.py`,
  },
  {
    id: 'emergency-repair-failed',
    category: 'ORPHAN_INDICATOR',
    pattern: String.raw`\b(?:emergency|orphan) repair failed\b|\borphan detection and fix failed\b`,
    anchors: ['repair failed', 'fix failed'],
    example: '2025-07-08 06:30:00,501 - ERROR - ❌ Emergency repair failed: relation "polls" does not exist',
    source: `${ETL}/enhanced_etl_integration.py`,
  },

  // Constraint problems.
  {
    id: 'constraint-violations-found',
    category: 'CONSTRAINT_VIOLATION',
    pattern: String.raw`\b[1-9][0-9]* constraint violations\b|\bviolation: club\b`,
    anchors: ['violation'],
    example: '2025-07-08 06:00:02,118 - WARNING - ⚠️  Found 2 constraint violations',
    source: `${ETL}/enhanced_practice_time_protection.py`,
  },
  {
    id: 'missing-constraint',
    category: 'CONSTRAINT_VIOLATION',
    pattern: String.raw`\bmissing (?:upsert|unique|foreign key) constraint\b|\bconstraint repair failed\b`,
    anchors: ['missing', 'constraint repair'],
    example: '2025-07-08 06:00:02,101 - ERROR - ❌ Missing UPSERT constraint',
    source: `${ETL}/enhanced_practice_time_protection.py`,
  },
  {
    id: 'null-key-columns-fixed',
    category: 'CONSTRAINT_VIOLATION',
    pattern: String.raw`\bteams with null (?:club_id|series_id|league_id|values)\b`,
    anchors: ['with null'],
    example: '2025-07-08 06:00:03,012 - WARNING - Fixed 4 teams with NULL club_id',
    source: `${ETL}/bulletproof_team_id_preservation.py`,
  },

  {
    id: 'constraint-issues-detected',
    category: 'CONSTRAINT_VIOLATION',
    pattern: String.raw`\bconstraint issues detected\b`,
    anchors: ['constraint issues'],
    example: '2025-07-08 06:00:01,900 - WARNING - ⚠️  Constraint issues detected, attempting repair...',
    source: `${ETL}/enhanced_etl_integration.py`,
  },
  {
    id: 'team-name-taken',
    category: 'CONSTRAINT_VIOLATION',
    pattern: String.raw`\bskipping team\b.{0,80}\balready exists\b`,
    anchors: ['skipping'],
    example: "⚠️  Skipping team 'Tennaqua - 22' - name already exists in league 4911",
    source: `${ETL}/bootstrap_teams_from_players.py`,
  },

  // Transactions given up.
  {
    id: 'rolling-back',
    category: 'ABORTED_TRANSACTION',
    pattern: String.raw`\brolling back\b`,
    anchors: ['rolling back'],
    example: '[2025-07-08 06:03:40] [WARNING] 🔄 Rolling back all changes...',
    source: `${ETL}/import_all_jsons_to_database.py`,
  },
  {
    id: 'rolled-back-print',
    category: 'ABORTED_TRANSACTION',
    pattern: String.raw`\bhas been rolled back\b`,
    anchors: ['rolled back'],
    example: '❌ Database has been rolled back to original state',
    source: `${ETL}/atomic_wrapper_enhanced.py`,
  },
];
