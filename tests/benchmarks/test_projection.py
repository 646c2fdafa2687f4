"""The benchmark's curve fit and 100M projection recover a known model from its points."""

import math
import sys

import pytest

from popsync.settings import PROJECT_DIR

sys.path.insert(0, str(PROJECT_DIR / "benchmarks"))
from run_benchmark import parse_size, projection


def _summary(rows: int, seconds: float, peak_mb: float) -> dict[str, float]:
    return {"rows_sector": rows, "median_seconds": seconds, "peak_rss_mb": peak_mb, "peak_vmhwm_mb": peak_mb}


def test_sizes_name_their_tools() -> None:
    size = parse_size("2M:10M=popsync+datacompy")
    assert (size.label, size.sector_rows, size.register_rows, size.tools) == ("2M:10M", 2_000_000, 10_000_000,
                                                                              ("popsync", "datacompy"))  # fmt: skip
    assert parse_size("20K:20K").tools == ()


def test_projection_recovers_a_power_law_and_ignores_unequal_sizes() -> None:
    def seconds(rows: float) -> float:
        return 3e-6 * rows**1.1

    def peak(rows: float) -> float:
        return 200 + rows / 20_000

    sizes = [
        {"sector_rows": n, "register_rows": n, "tools": {"popsync": _summary(n, seconds(n), peak(n))}}
        for n in (1_000_000, 4_000_000, 10_000_000)
    ]
    sizes.append(  # sector and register differ: not on the curve
        {"sector_rows": 2_000_000, "register_rows": 10_000_000, "tools": {"popsync": _summary(2_000_000, 99.0, 9e9)}}
    )
    curve = projection({"sizes": sizes})["popsync"]
    assert curve["time_model"]["b"] == pytest.approx(1.1)
    one, two, *_ = curve["projection"]
    assert (one["workers"], two["workers"]) == (1, 2)
    assert one["seconds"] == pytest.approx(seconds(1e8))
    assert two["seconds"] == pytest.approx(seconds(5e7))
    assert one["peak_mb_per_worker"] == pytest.approx(peak(1e8))
    assert math.isclose(two["rows_per_worker"], 5e7)


def test_one_size_gives_no_curve() -> None:
    sizes = [{"sector_rows": 5, "register_rows": 5, "tools": {"popsync": _summary(5, 1.0, 1.0)}}]
    assert projection({"sizes": sizes}) == {}
