drop index if exists bpetl.log_alerts_raised_at_idx;
drop index if exists bpetl.repairs_repaired_at_idx;
drop index if exists bpetl.pipeline_events_at_idx;
drop index if exists bpetl.orphan_events_resolved_idx;
delete from bpetl.settings where key = 'retention';
