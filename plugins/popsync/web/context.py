"""Process-wide state of the web app, built on first use: sectors, access map, pool, templates."""

import threading
from dataclasses import dataclass, field
from pathlib import Path

from fastapi.templating import Jinja2Templates

from popsync.sectors import load_sectors
from popsync.web.db import WarehousePool
from popsync.web.queries import LIFECYCLE_TABLE
from popsync.web.refs import RecordRefs
from popsync.web.sector_access import AccessMap, load_access

TEMPLATES_DIR = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class WebContext:
    sectors: tuple[str, ...]
    datasets: dict[str, tuple[str, ...]]
    access: AccessMap
    pool: WarehousePool
    refs: RecordRefs
    templates: Jinja2Templates
    active_labels: dict[tuple[str, str], str] = field(default_factory=dict)
    """(sector, dataset) -> how provinces report the rate over records in force (sector YAML)."""

    def has_lifecycle(self) -> bool:
        return self.pool.has_relation(LIFECYCLE_TABLE)

    def has_review_api(self) -> bool:
        try:
            import popsync.review.verdicts  # noqa: F401
        except ImportError:
            return False
        return self.has_lifecycle()


_lock = threading.Lock()
_context: WebContext | None = None


def build_context() -> WebContext:
    definitions = load_sectors()
    sectors = tuple(definition.sector for definition in definitions)
    datasets = {d.sector: tuple(dataset.name for dataset in d.datasets) for d in definitions}
    return WebContext(
        sectors=sectors,
        datasets=datasets,
        access=load_access(sectors),
        pool=WarehousePool(),
        refs=RecordRefs.from_environment(),
        templates=Jinja2Templates(directory=str(TEMPLATES_DIR)),
        active_labels={
            (d.sector, dataset.name): dataset.active_label
            for d in definitions
            for dataset in d.datasets
            if dataset.active_label is not None
        },
    )


def get_context() -> WebContext:
    global _context
    with _lock:
        if _context is None:
            _context = build_context()
        return _context


def reset_context() -> None:
    """Forget the state (tests change the access mapping between apps)."""
    global _context
    with _lock:
        if _context is not None:
            _context.pool.close()
        _context = None
