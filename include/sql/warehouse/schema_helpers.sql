-- Helpers of the schema check, for this session only (pg_temp: nothing is added to the contract).
-- `ALTER TABLE ... ADD COLUMN IF NOT EXISTS` takes an ACCESS EXCLUSIVE lock on the table even when
-- the column exists. Held to the end of the schema check's transaction, that lock deadlocked with
-- concurrent readers of a view over the table (a bucket's janitor reading
-- staging.unsettled_run_tables while another bucket's schema check had altered
-- sync.published_runs and waited to replace the view). The helper alters only a table that lacks
-- the column, so a schema check on a current warehouse locks no table exclusively.
-- Input: the table (regclass), the column's name and its definition (type, default, constraint).
CREATE OR REPLACE FUNCTION pg_temp.add_column_if_missing(target regclass, column_name text, definition text)
RETURNS void
LANGUAGE plpgsql
AS $helper$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM pg_catalog.pg_attribute
        WHERE attrelid = target AND attname = column_name AND NOT attisdropped
    ) THEN
        EXECUTE format('ALTER TABLE %s ADD COLUMN %I %s', target, column_name, definition);
    END IF;
END
$helper$;
