"""Every figure the docs quote links the stored result it came from, and that result holds it.

The convention: a figure is a markdown link whose text is the figure as quoted and whose target
is a file under ``benchmarks/results/``, e.g. ``[72 s](../benchmarks/results/demo-fresh-clone.md)``.
The target must exist and contain the text (white space normalised), or a number that rounds
to the quoted one followed by the same unit (``16.89 s`` for ``16.9 s``). A link whose text is
the file's own name, or has no digit, only cites the file; "a → b" quotes two figures, each checked.
"""

import re
from pathlib import Path

import pytest

_ROOT = Path(__file__).resolve().parents[2]
_RESULTS = _ROOT / "benchmarks" / "results"
_DOCS = [_ROOT / "README.md", *sorted((_ROOT / "docs").glob("*.md"))]
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")


def _figure_links(doc: Path) -> list[tuple[str, Path]]:
    links = []
    for text, target in _LINK.findall(doc.read_text(encoding="utf-8")):
        path = (doc.parent / target.split("#", 1)[0]).resolve()
        if path.is_relative_to(_RESULTS):
            links.append((text.strip().strip("`"), path))
    return links


def _normalised(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("**", ""))


_NUMBER = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*([^\d\s|]*)")


def _holds(stored: str, figure: str) -> bool:
    """The figure as quoted, or a stored number that rounds to it, with the same unit after it."""
    if figure in stored:
        return True
    match = _NUMBER.fullmatch(figure)
    if not match:
        return False
    quoted, unit = match.group(1).replace(",", ""), match.group(2)
    decimals = len(quoted.split(".")[1]) if "." in quoted else 0
    for number, stored_unit in _NUMBER.findall(stored):
        value = number.replace(",", "")
        if stored_unit.startswith(unit) and f"{float(value):.{decimals}f}" == quoted and "." in value:
            return True
    return False


def test_rounded_figures_count_but_other_numbers_do_not() -> None:
    assert _holds("| 1,000,000 | 9.44 s | 16.89 s |", "16.9 s")
    assert not _holds("| 1,000,000 | 9.44 s | 16.89 s |", "16.8 s")
    assert not _holds("took 16.89 ms", "16.9 s")


def test_the_performance_doc_quotes_figures_by_the_convention() -> None:
    assert len(_figure_links(_ROOT / "docs" / "performance.md")) >= 20


@pytest.mark.parametrize("doc", _DOCS, ids=lambda path: path.relative_to(_ROOT).as_posix())
def test_each_linked_result_exists_and_holds_the_quoted_figure(doc: Path) -> None:
    problems = []
    for figure, path in _figure_links(doc):
        if not path.is_file():
            problems.append(f"[{figure}] -> {path.relative_to(_ROOT)}: no such file")
            continue
        if figure.endswith((path.name, path.stem)) or not re.search(r"\d", figure):
            continue  # a citation of the file, not a figure
        stored = _normalised(path.read_text(encoding="utf-8"))
        for part in figure.split("→"):  # "16.9 s → 6.3 s": each side is a figure of its own
            if not _holds(stored, _normalised(part.strip())):
                problems.append(f"[{figure}] -> {path.relative_to(_ROOT)}: {part.strip()!r} not in the file")
    assert not problems, "\n".join(problems)
