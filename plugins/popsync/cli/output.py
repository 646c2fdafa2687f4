"""What the CLI prints: the sync-rate table and where to look next."""

from popsync.db.connections import connect
from popsync.db.sql_files import read_sql
from popsync.sectors import load_sectors
from popsync.settings import WAREHOUSE_CONN_ID


def _pct(rate: float | None) -> str:
    return "n/a" if rate is None else f"{rate:.2%}"


def _active_labels() -> dict[tuple[str, str], str]:
    """``(sector, dataset)`` -> how the province reports the rate over records in force."""
    return {
        (sector.sector, dataset.name): dataset.active_label
        for sector in load_sectors()
        for dataset in sector.datasets
        if dataset.active_label is not None
    }


def sync_rate_table() -> str:
    """Latest published sync rate per sector and dataset, with the sector roll-up.

    Two rates per dataset: over all records, and over the records in force ("in force", n/a
    for datasets without ``is_active``), the figure provinces publish (its label on the right).
    """
    with connect(WAREHOUSE_CONN_ID) as conn:
        rows = conn.execute(read_sql("cli/latest_sync_rates.sql")).fetchall()
        rollup = conn.execute(read_sql("cli/sector_rollup.sql")).fetchall()
    labels = _active_labels()
    header = (
        f"{'sector':<18}{'dataset':<22}{'total':>10}{'matched':>10}{'mismatched':>12}{'sync rate':>11}"
        f"{'in force':>10}{'rate in force':>15}  quality  reported as"
    )
    lines = [header, "-" * len(header)]
    for sector, dataset, total, matched, mismatched, rate, active_total, active_rate, quality in rows:
        in_force = "n/a" if active_total is None else str(active_total)
        label = labels.get((sector, dataset), "")
        lines.append(
            f"{sector:<18}{dataset:<22}{total:>10}{matched:>10}{mismatched:>12}{_pct(rate):>11}"
            f"{in_force:>10}{_pct(active_rate):>15}  {quality:<7}  {label}".rstrip()
        )
    lines.append("-" * len(header))
    for sector, total, matched, mismatched, rate, active_total, active_rate in rollup:
        in_force = "n/a" if active_total is None else str(active_total)
        lines.append(
            f"{sector:<18}{'(all datasets)':<22}{total:>10}{matched:>10}{mismatched:>12}{_pct(rate):>11}"
            f"{in_force:>10}{_pct(active_rate):>15}"
        )
    return "\n".join(lines)


NEXT_STEPS = """
Where to look next:
  - mismatches to correct:   SELECT * FROM sync.mismatches WHERE sector = 'health_insurance' LIMIT 20;
  - sync-rate history:       SELECT * FROM sync.sector_sync_rate ORDER BY published_at DESC;
  - per province:            SELECT * FROM sync.province_sync_rate WHERE sector = 'education';
  - data-quality results:    SELECT * FROM sync.quality_results ORDER BY checked_at DESC;
    (warehouse: psql {warehouse})
  - Data Docs:               {data_docs}/index.html
  - the Airflow UI:          bash scripts/ui.sh  ->  http://127.0.0.1:8080
"""
