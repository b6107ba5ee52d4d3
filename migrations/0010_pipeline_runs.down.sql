drop table bpetl.pipeline_events;
drop table bpetl.pipeline_runs;
