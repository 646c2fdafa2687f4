"""Reason counts per province (sync.province_sync_rate.reason_counts), no PostgreSQL."""

import duckdb

from popsync.pipeline.metrics import ProvinceCounts, RunMetrics, compute_metrics


def _session() -> duckdb.DuckDBPyConnection:
    duck = duckdb.connect()
    duck.execute("CREATE TABLE reconciled (province_code VARCHAR, reasons VARCHAR[], is_active BOOLEAN)")
    duck.execute(
        "INSERT INTO reconciled VALUES "
        "('001', [], true), ('001', ['DOB_MISMATCH', 'NAME_MISMATCH'], true), ('001', ['DOB_MISMATCH'], true), "
        "('030', ['NOT_IN_REFERENCE'], NULL), (NULL, ['MISSING_ID'], true)"
    )
    return duck


def test_each_province_counts_its_records_once_per_reason_and_they_sum_to_the_run() -> None:
    metrics = compute_metrics(_session(), has_active=False)
    by_code = {p.province_code: p.reason_counts for p in metrics.provinces}
    assert by_code == {
        "001": {"DOB_MISMATCH": 2, "NAME_MISMATCH": 1},
        "030": {"NOT_IN_REFERENCE": 1},
        "unknown": {"MISSING_ID": 1},
    }
    summed: dict[str, int] = {}
    for counts in by_code.values():
        for reason, records in counts.items():
            summed[reason] = summed.get(reason, 0) + records
    assert summed == metrics.reason_counts


def test_a_province_without_mismatches_has_no_reason_counts_and_xcom_keeps_them() -> None:
    metrics = RunMetrics(
        3,
        2,
        1,
        {"DECEASED": 1},
        [ProvinceCounts("001", 2, 2, 0), ProvinceCounts("031", 1, 0, 1, reason_counts={"DECEASED": 1})],
    )
    assert metrics.provinces[0].reason_counts == {}
    assert RunMetrics.from_json(metrics.to_json()) == metrics


def test_buckets_combine_into_the_runs_province_reason_counts() -> None:
    one = RunMetrics(2, 1, 1, {"DECEASED": 1}, [ProvinceCounts("031", 2, 1, 1, reason_counts={"DECEASED": 1})])
    two = RunMetrics(
        3,
        1,
        2,
        {"DECEASED": 1, "DOB_MISMATCH": 1},
        [
            ProvinceCounts("031", 1, 0, 1, reason_counts={"DECEASED": 1}),
            ProvinceCounts("030", 2, 1, 1, reason_counts={"DOB_MISMATCH": 1}),
        ],
    )
    combined = {p.province_code: p.reason_counts for p in RunMetrics.combine([one, two]).provinces}
    assert combined == {"030": {"DOB_MISMATCH": 1}, "031": {"DECEASED": 2}}
