-- Kind-specific options of a job (src/core/job.c), set when it is created: what the
-- command line or the upload asked for (the member import's org, mode, sheet ...), read by
-- the kind's run function on every attempt, so a resumed job runs with the same options.
ALTER TABLE job ADD COLUMN params TEXT NOT NULL DEFAULT '';
