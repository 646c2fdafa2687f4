-- Whether a relation exists (e.g. the optional sync.mismatch_lifecycle, or Airflow's
-- public.alembic_version once its metadata database is migrated).
-- Inputs: %(name)s text — schema-qualified name.
SELECT to_regclass(%(name)s) IS NOT NULL AS present;
