"""``dates_agree`` (macros.sql): two dates are equal at the coarser of their precisions.

The macro compares fields; here it is checked against the definition itself (both dates truncated
to the coarser precision), over every pair of precisions (an unknown precision counts as a day)
and dates that agree to the day, the month, the year, or not at all.
"""

from popsync.db.duck import duckdb_session

DEFINITION = "date_trunc(coarser_precision(ap, bp), a) = date_trunc(coarser_precision(ap, bp), b)"


def test_the_macro_agrees_with_truncation_at_the_coarser_precision() -> None:
    with duckdb_session(task=False) as duck:
        row = duck.execute(
            f"""
            WITH dates(a) AS (VALUES (DATE '1990-05-17'), (DATE '2000-02-29'), (NULL::DATE)),
            offsets(days) AS (VALUES (0), (1), (20), (40), (400)),
            precisions(p) AS (VALUES ('day'), ('month'), ('year'), (NULL)),
            pairs AS (
                SELECT dates.a, dates.a + offsets.days AS b, pa.p AS ap, pb.p AS bp
                FROM dates, offsets, precisions AS pa, precisions AS pb
            )
            SELECT
                count(*) FILTER (WHERE dates_agree(a, ap, b, bp) IS NOT DISTINCT FROM ({DEFINITION})),
                count(*),
                count(*) FILTER (WHERE dates_agree(a, ap, b, bp)),
                count(*) FILTER (WHERE NOT dates_agree(a, ap, b, bp))
            FROM pairs
            """
        ).fetchone()
    assert row is not None
    same, total, agreeing, disagreeing = row
    assert same == total == 3 * 5 * 4 * 4
    assert agreeing > 0 and disagreeing > 0  # both outcomes are exercised
