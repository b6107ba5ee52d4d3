drop table if exists bpetl.log_alerts;
drop table if exists bpetl.log_finding_hits;
drop table if exists bpetl.log_offsets;
drop table if exists bpetl.log_findings;
drop function if exists bpetl.tg_log_alerts__notify();
drop function if exists bpetl.tg_log_findings__notify();
