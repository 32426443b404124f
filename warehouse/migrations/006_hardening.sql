-- Version 6: a run's own record survives a crash. A run opens its flow_runs row as
-- 'running' with the process that runs it; a later run that finds that process gone marks
-- the row 'crashed'. A live 'running' row of a topic is that topic's lock.

ALTER TABLE flow_runs ADD COLUMN IF NOT EXISTS pid INTEGER;
ALTER TABLE flow_runs ADD COLUMN IF NOT EXISTS host VARCHAR;
COMMENT ON COLUMN flow_runs.pid IS 'Process id of the run while it runs (its liveness decides running or crashed)';
COMMENT ON COLUMN flow_runs.host IS 'Machine the run ran on';
COMMENT ON COLUMN flow_runs.status IS 'running, completed, skipped, failed, timed out, or crashed (the process ended without closing its row)';
