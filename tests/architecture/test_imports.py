"""The package's shape: no import cycles between popsync's packages; the core knows no Airflow."""

import ast
from collections import defaultdict
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "plugins" / "popsync"
CORE = ("pipeline", "reference", "quality", "db", "domain", "sectors")


def _unit(path: Path) -> str:
    """The top-level package (or module) of popsync a file belongs to."""
    return path.relative_to(PACKAGE).parts[0].removesuffix(".py")


def _imports(path: Path) -> set[str]:
    """Every module a file imports, at module level or inside functions."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for path in PACKAGE.rglob("*.py"):
        unit = _unit(path)
        graph[unit]
        for name in _imports(path):
            parts = name.split(".")
            if parts[0] != "popsync" or len(parts) < 2 or parts[1] == unit:
                continue
            if (PACKAGE / parts[1]).is_dir() or (PACKAGE / f"{parts[1]}.py").is_file():
                graph[unit].add(parts[1])
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph as a path, or None when it is a DAG."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return [*stack[stack.index(target) :], target]
            if target not in state and (found := visit(target)):
                return found
        state[node] = 2
        stack.pop()
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_cycle_finder_finds_a_cycle() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_packages_import_each_other_without_cycles() -> None:
    graph = _graph()
    assert {"pipeline", "quality", "reference", "db"} <= set(graph)
    assert _cycle(graph) is None, " -> ".join(_cycle(graph) or [])


@pytest.mark.parametrize("package", CORE)
def test_core_imports_nothing_from_airflow(package: str) -> None:
    for path in (PACKAGE / package).rglob("*.py"):
        airflow = sorted(name for name in _imports(path) if name.split(".")[0] == "airflow")
        assert not airflow, (str(path.relative_to(PACKAGE)), airflow)


def test_core_layers_point_down() -> None:
    """quality and reference sit below pipeline; db and domain below everything in the core."""
    graph = _graph()
    assert "pipeline" not in graph["quality"] | graph["reference"] | graph["db"]
    assert not (graph["db"] & {"pipeline", "quality", "reference"})


def test_stage_sequence_imports_without_the_heavy_engines() -> None:
    """The DAG file and the light stages' task processes start without DuckDB, Arrow, ADBC, pandas or GX.

    Great Expectations reaches the gate's task process preloaded (``airflow/preload.py``), never
    through the DAG file's imports."""
    import subprocess
    import sys

    probe = (
        "import sys, popsync.pipeline.sequence; "
        "print(sorted(m for m in ('duckdb', 'pyarrow', 'pandas', 'adbc_driver_manager', 'great_expectations') "
        "if m in sys.modules))"
    )
    completed = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert completed.stdout.strip() == "[]"
