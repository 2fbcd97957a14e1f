-- The metrics API reports llm.call events per bucket (llmCalls). Buckets written before this
-- migration count them as 0: their events are not counted again.
ALTER TABLE rollup_minute ADD COLUMN llm_calls bigint NOT NULL DEFAULT 0;
ALTER TABLE rollup_hour ADD COLUMN llm_calls bigint NOT NULL DEFAULT 0;
