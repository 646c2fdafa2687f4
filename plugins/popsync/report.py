"""Plain-text reports of the published sync rates."""

from popsync.db.connections import connect
from popsync.settings import WAREHOUSE_CONN_ID


def sync_rate_table() -> str:
    """Latest published sync rate per sector and dataset, with the sector roll-up."""
    with connect(WAREHOUSE_CONN_ID) as conn:
        rows = conn.execute(
            "SELECT sector, dataset, total, matched, mismatched, sync_rate, quality_status "
            "FROM sync.latest_sync_rate ORDER BY sector, dataset"
        ).fetchall()
        rollup = conn.execute(
            "SELECT sector, total, matched, mismatched, sync_rate FROM sync.sector_rollup ORDER BY sector"
        ).fetchall()
    header = f"{'sector':<18}{'dataset':<22}{'total':>10}{'matched':>10}{'mismatched':>12}{'sync rate':>11}  quality"
    lines = [header, "-" * len(header)]
    for sector, dataset, total, matched, mismatched, rate, quality in rows:
        shown = "n/a" if rate is None else f"{rate:.2%}"
        lines.append(f"{sector:<18}{dataset:<22}{total:>10}{matched:>10}{mismatched:>12}{shown:>11}  {quality}")
    lines.append("-" * len(header))
    for sector, total, matched, mismatched, rate in rollup:
        shown = "n/a" if rate is None else f"{rate:.2%}"
        lines.append(f"{sector:<18}{'(all datasets)':<22}{total:>10}{matched:>10}{mismatched:>12}{shown:>11}")
    return "\n".join(lines)
