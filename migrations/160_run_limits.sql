-- Limits a run may ask for itself (POST /runs), within the operator's caps (GAVEL_RUN_MAX_*,
-- GET /config): NULL is the language's (time, memory) or the judge's (wall clock: the CPU
-- limit and a small margin; output: GAVEL_JUDGE_OUTPUT_KB) default.
ALTER TABLE runs ADD COLUMN time_limit_ms integer CHECK (time_limit_ms > 0);
ALTER TABLE runs ADD COLUMN wall_limit_ms integer CHECK (wall_limit_ms > 0);
ALTER TABLE runs ADD COLUMN memory_limit_mb integer CHECK (memory_limit_mb BETWEEN 1 AND 8192);
ALTER TABLE runs ADD COLUMN output_limit_kb integer CHECK (output_limit_kb > 0);
