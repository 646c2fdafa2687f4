"""Every figure the docs quote links the stored result it came from, and that result holds it.

The convention: a figure is a markdown link whose text is the figure as quoted and whose target
is a file under ``benchmarks/results/``, e.g. ``[72 s](../benchmarks/results/demo-fresh-clone.md)``.
The target must exist and contain the text (white space normalised; a bare number may appear in
any form JSON writes it). A link whose text is the file's own name only cites the file.
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


def test_the_performance_doc_quotes_figures_by_the_convention() -> None:
    assert len(_figure_links(_ROOT / "docs" / "performance.md")) >= 20


@pytest.mark.parametrize("doc", _DOCS, ids=lambda path: path.relative_to(_ROOT).as_posix())
def test_each_linked_result_exists_and_holds_the_quoted_figure(doc: Path) -> None:
    problems = []
    for figure, path in _figure_links(doc):
        if not path.is_file():
            problems.append(f"[{figure}] -> {path.relative_to(_ROOT)}: no such file")
            continue
        if figure.endswith(path.name):
            continue
        stored = _normalised(path.read_text(encoding="utf-8"))
        if _normalised(figure) not in stored:
            problems.append(f"[{figure}] -> {path.relative_to(_ROOT)}: figure not in the file")
    assert not problems, "\n".join(problems)
