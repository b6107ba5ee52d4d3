-- Rows the demo created (`bpetl demo`, or a server's first start on an empty database), recorded
-- as it loads them, so `bpetl demo --remove` deletes those rows and nothing else.

create table bpetl.demo_rows (
  table_name text not null,
  row_id bigint not null,
  primary key (table_name, row_id)
);
