"""The rate over records in force beside the rate over all records (no PostgreSQL)."""

import duckdb

from popsync.pipeline.metrics import ProvinceCounts, RunMetrics, compute_metrics


def _session() -> duckdb.DuckDBPyConnection:
    duck = duckdb.connect()
    duck.execute("CREATE TABLE reconciled (province_code VARCHAR, reasons VARCHAR[], is_active BOOLEAN)")
    duck.execute(
        "INSERT INTO reconciled VALUES "
        "('001', [], true), ('001', [], false), ('001', ['DOB_MISMATCH'], true), ('001', [], NULL), "
        "('030', ['NOT_IN_REFERENCE'], NULL), ('030', [], true)"
    )
    return duck


def test_active_rate_counts_only_records_in_force_and_null_as_not_in_force() -> None:
    metrics = compute_metrics(_session(), has_active=True)
    assert (metrics.total, metrics.matched) == (6, 4)
    assert (metrics.active_total, metrics.active_matched) == (3, 2)
    assert metrics.active_sync_rate == 2 / 3
    by_code = {p.province_code: p for p in metrics.provinces}
    assert (by_code["001"].active_total, by_code["001"].active_matched) == (2, 1)
    assert by_code["030"].active_sync_rate == 1.0


def test_dataset_without_is_active_reports_the_all_records_rate_only() -> None:
    metrics = compute_metrics(_session(), has_active=False)
    assert metrics.sync_rate == 4 / 6
    assert (metrics.active_total, metrics.active_matched, metrics.active_sync_rate) == (None, None, None)
    assert all(p.active_sync_rate is None for p in metrics.provinces)


def test_round_trip_through_xcom_keeps_the_active_counts() -> None:
    metrics = RunMetrics(10, 7, 3, {"DECEASED": 1}, [ProvinceCounts("001", 10, 7, 3, 8, 6)], 8, 6)
    again = RunMetrics.from_json(metrics.to_json())
    assert again == metrics
    assert RunMetrics.from_json({"total": 1, "matched": 1, "mismatched": 0, "reason_counts": {}}).active_total is None
