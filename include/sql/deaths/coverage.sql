-- The communes and periods a death list covers, for deaths/unregistered.sql (filled by COPY in
-- this column order). A temporary table of the transaction: dropped at commit.
CREATE TEMPORARY TABLE death_coverage (
    commune text,
    covered_from date,
    covered_to date
) ON COMMIT DROP
