-- How long the bpetl schema keeps what it only appends to (days), and how many runs keep their
-- events whatever their age. Open orphan events, unrestored lost rows and snapshots (their own
-- policy) are never pruned by it.
insert into bpetl.settings (key, value) values
  ('retention', '{"orphanEventsDays": 30, "pipelineEventsDays": 30, "keepRuns": 50, "repairsDays": 90, "logFindingsDays": 30, "logAlertsDays": 30}'::jsonb)
  on conflict (key) do nothing;

-- Retention finds old rows by age; without these it would scan each table in full every hour.
create index if not exists orphan_events_resolved_idx on bpetl.orphan_events (resolved_at) where resolved_at is not null;
create index if not exists pipeline_events_at_idx on bpetl.pipeline_events (at);
create index if not exists repairs_repaired_at_idx on bpetl.repairs (repaired_at);
create index if not exists log_alerts_raised_at_idx on bpetl.log_alerts (raised_at);

