-- The store's identity and settings fixed at creation.
CREATE TABLE meta (
  name  text PRIMARY KEY,
  value text NOT NULL
);
INSERT INTO meta (name, value) VALUES
  ('store_id', substr(replace(gen_random_uuid()::text, '-', ''), 1, 16)),
  ('log_partitions', '${logPartitions}');

-- One row per log partition: the next offset to hand out. Appends lock the rows of the
-- partitions they write (in partition order), so each partition's offsets are handed out and
-- committed strictly in order.
CREATE TABLE log_partitions (
  partition   int PRIMARY KEY,
  next_offset bigint NOT NULL
);
INSERT INTO log_partitions (partition, next_offset)
  SELECT p, 0 FROM generate_series(0, ${logPartitions} - 1) AS p;

-- One value per append transaction; with the row's place in it, the order across partitions.
CREATE SEQUENCE log_groups;

-- Idempotency: (tenant, id) once, whatever the time partition of the event. Pruned with the
-- events by the retention policy.
CREATE TABLE event_ids (
  tenant      text NOT NULL,
  id          text NOT NULL,
  received_at timestamptz NOT NULL,
  PRIMARY KEY (tenant, id)
);
CREATE INDEX event_ids_received ON event_ids (received_at);

-- The events, by receive time: declarative range partitions (PartitionMaintainer creates them
-- ahead and drops expired ones), or a TimescaleDB hypertable when the extension is loaded.
-- ts is the producer time truncated to microseconds, ts_nano its nanosecond of the second (so
-- [from, to) filters are exact); envelope is the event exactly as the log hands it out; data is
-- its payload as JSONB for ad-hoc queries (null when it holds a \u0000, which JSONB cannot).
DO $$
DECLARE
  columns text := '(
    seq         bigint NOT NULL,
    partition   int NOT NULL,
    off         bigint NOT NULL,
    tenant      text NOT NULL,
    id          text NOT NULL,
    type        text NOT NULL,
    agent_id    text NOT NULL,
    run_id      text,
    ts          timestamptz NOT NULL,
    ts_nano     int NOT NULL,
    received_at timestamptz NOT NULL,
    envelope    text NOT NULL,
    data        jsonb
  )';
BEGIN
  IF '${timescale}' = 'auto'
      AND EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb')
      AND current_setting('shared_preload_libraries') LIKE '%timescaledb%' THEN
    CREATE EXTENSION IF NOT EXISTS timescaledb;
    EXECUTE 'CREATE TABLE events ' || columns;
    PERFORM create_hypertable('events', 'received_at',
        chunk_time_interval => interval '${partitionIntervalHours} hours');
    INSERT INTO meta (name, value) VALUES ('events_layout', 'timescaledb');
  ELSE
    EXECUTE 'CREATE TABLE events ' || columns || ' PARTITION BY RANGE (received_at)';
    INSERT INTO meta (name, value) VALUES ('events_layout', 'partitioned');
  END IF;
END
$$;

-- One index per read of API.md, each ending in (partition, off) so a read of one partition
-- after an offset is a range scan in log order:
CREATE INDEX events_position ON events (partition, off);               -- readAll, the log's followers
CREATE INDEX events_tenant ON events (tenant, partition, off);         -- read / history of a tenant
CREATE INDEX events_run ON events (tenant, run_id, partition, off);    -- ?runId=
CREATE INDEX events_agent ON events (tenant, agent_id, partition, off); -- ?agentId=
CREATE INDEX events_type ON events (tenant, type, partition, off);     -- ?type= exact and task.* ranges
CREATE INDEX events_ts ON events (tenant, ts);                         -- ?from=&to=

CREATE TABLE api_keys (
  id        text PRIMARY KEY,
  tenant    text NOT NULL,
  name      text NOT NULL,
  scopes    text NOT NULL,
  hash      text NOT NULL,
  created   text NOT NULL,
  last_used text,
  revoked   text
);
CREATE INDEX api_keys_tenant ON api_keys (tenant);

-- Projections: rows as JSON text exactly as Projection.row made them; the cursor they are
-- current to is meta.projection_cursor.
CREATE TABLE projection_rows (
  tenant text NOT NULL,
  kind   text NOT NULL,
  key    text NOT NULL,
  json   text NOT NULL,
  PRIMARY KEY (tenant, kind, key)
);

CREATE TABLE run_snapshots (
  tenant         text NOT NULL,
  run_id         text NOT NULL,
  events         bigint NOT NULL,
  cursor         text NOT NULL,
  max_ts         text NOT NULL,
  segment_min_ts text NOT NULL,
  json           text NOT NULL,
  PRIMARY KEY (tenant, run_id, events)
);

-- Rollups, kept current in the log's append transactions (RollupDelta says what an event adds).
-- run_id '' stands for events without a run.
CREATE TABLE rollup_minute (
  tenant          text NOT NULL,
  bucket          timestamptz NOT NULL,
  run_id          text NOT NULL,
  agent_id        text NOT NULL,
  events          bigint NOT NULL,
  errors          bigint NOT NULL,
  input_tokens    bigint NOT NULL,
  output_tokens   bigint NOT NULL,
  cost_usd        double precision NOT NULL,
  tasks_started   bigint NOT NULL,
  tasks_completed bigint NOT NULL,
  tasks_failed    bigint NOT NULL,
  PRIMARY KEY (tenant, bucket, run_id, agent_id)
);
CREATE INDEX rollup_minute_run ON rollup_minute (tenant, run_id, bucket);
CREATE TABLE rollup_hour (LIKE rollup_minute INCLUDING ALL);
CREATE INDEX rollup_hour_run ON rollup_hour (tenant, run_id, bucket);

-- One row per task: its first start and last ending, as exact epoch nanoseconds (numeric holds
-- every year an event may carry); ended_at is the ending truncated to microseconds, to bucket and
-- index by. Percentiles are computed over these rows at query time (percentile_cont).
CREATE TABLE task_spans (
  tenant     text NOT NULL,
  run_id     text NOT NULL,
  task_id    text NOT NULL,
  started_ns numeric,
  ended_ns   numeric,
  ended_at   timestamptz,
  agent_id   text NOT NULL,
  failed     boolean NOT NULL,
  PRIMARY KEY (tenant, run_id, task_id)
);
CREATE INDEX task_spans_ended ON task_spans (tenant, ended_at);
