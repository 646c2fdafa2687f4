-- Fresh planner statistics for the lifecycle table after a run changed a tenth of it or more
-- (see review/lifecycle_size.sql). No parameters.
ANALYZE sync.mismatch_lifecycle;
