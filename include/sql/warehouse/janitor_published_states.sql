-- The incremental state folders published runs refer to: the janitor never removes them.
-- Output: state_ref text, one row per dataset that keeps state.
SELECT published.state_ref
FROM sync.published_runs AS published
WHERE published.state_ref IS NOT NULL;
