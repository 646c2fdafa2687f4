"""Skipped areas are named in the run's summary, one line per reason, just before the counts.

A whole area can skip on a machine that lacks something (Chromium, a docker compose command);
``-ra`` lists every skipped test one by one; this adds one line per reason with a count (the
section sits just above the short test summary and the final line), so a green run that
skipped an area says so where everybody looks.
"""

from collections import Counter

import pytest


def _reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    skipped = [report for report in terminalreporter.stats.get("skipped", []) if isinstance(report, pytest.TestReport)]
    if not skipped:
        return
    by_reason = Counter(_reason(report) for report in skipped)
    terminalreporter.write_sep("=", f"skipped: {len(skipped)} test(s), {len(by_reason)} reason(s)", yellow=True)
    for reason, count in by_reason.most_common():
        terminalreporter.write_line(f"SKIPPED {count:>4}  {reason}", yellow=True)
