"""GX Data Docs: one HTML page per validated batch and run, and an index of them."""

import html
from pathlib import Path
from typing import Any

from popsync.pipeline.run import DatasetRun


def render_data_docs(run: DatasetRun, results: list[Any], docs_dir: Path) -> Path:
    """Write the run's validation pages under ``docs_dir``; return the dataset's index page."""
    from great_expectations.render.renderer.page_renderer import ValidationResultsPageRenderer
    from great_expectations.render.view.view import DefaultJinjaPageView

    folder = docs_dir / run.sector.sector / run.dataset.name
    folder.mkdir(parents=True, exist_ok=True)
    stamp = run.logical_date.strftime("%Y%m%dT%H%M%S")
    for result in results:
        batch = result.suite_name.rsplit(".", 1)[-1]
        page = DefaultJinjaPageView().render(ValidationResultsPageRenderer().render(result))  # type: ignore[no-untyped-call]
        (folder / f"{stamp}_{run.run_tag}_{batch}.html").write_text(page, encoding="utf-8")
    _write_index(docs_dir)
    return folder


def _write_index(docs_dir: Path) -> None:
    pages = sorted(docs_dir.glob("*/*/*.html"), reverse=True)
    items = "\n".join(
        f'<li><a href="{html.escape(str(page.relative_to(docs_dir)))}">'
        f"{html.escape(str(page.relative_to(docs_dir)))}</a></li>"
        for page in pages
    )
    (docs_dir / "index.html").write_text(
        "<!doctype html><meta charset='utf-8'><title>popsync data quality</title>"
        f"<h1>popsync data-quality validations</h1><ul>{items}</ul>",
        encoding="utf-8",
    )
