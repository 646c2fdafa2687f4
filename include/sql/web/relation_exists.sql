-- Whether an optional relation (e.g. sync.mismatch_lifecycle) exists.
-- Inputs: %(name)s text — schema-qualified name.
SELECT to_regclass(%(name)s) IS NOT NULL AS present;
