-- The keys an incremental run does not carry over (classified again, or removed at the source),
-- for warehouse/carry_over.sql. A temporary table of the session: dropped at commit.
CREATE TEMPORARY TABLE carry_excluded (
    source_key text PRIMARY KEY
) ON COMMIT DROP
