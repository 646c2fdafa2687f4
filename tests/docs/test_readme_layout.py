"""The README's layout section stays true: what it names exists, and what exists is named.

The section is the fenced block under ``## Layout``. Its top-level lines name repository paths;
the lines indented under ``plugins/popsync/`` name the package's modules (``name.py``) and
packages (``name/``, nested ones as ``name/sub/``), each with one line on why it exists.
"""

import re
from pathlib import Path

_ROOT = Path(__file__).resolve().parents[2]
_PACKAGE = _ROOT / "plugins" / "popsync"
_PACKAGE_LINE = "plugins/popsync/"


def _layout_block(readme: str) -> list[str]:
    match = re.search(r"^## Layout\n(.*?)^```\n(.*?)^```", readme, re.S | re.M)
    assert match, "README.md has no fenced block under '## Layout'"
    return match.group(2).splitlines()


def _entries(lines: list[str]) -> tuple[list[str], list[str]]:
    """(top-level paths, paths under plugins/popsync/), each with the reason text required."""
    top: list[str] = []
    package: list[str] = []
    in_package = False
    for line in lines:
        if not line.strip():
            continue
        indented = line.startswith(" ")
        name, _, why = line.strip().partition(" ")
        assert why.strip(), f"layout line names {name!r} without saying why it exists"
        if not indented:
            in_package = name == _PACKAGE_LINE
            top.append(name)
        elif in_package:
            package.append(name)
        else:
            raise AssertionError(f"indented layout line outside plugins/popsync/: {line!r}")
    return top, package


def _existing_package_entries() -> set[str]:
    found: set[str] = set()
    for path in _PACKAGE.rglob("__init__.py"):
        folder = path.parent
        if folder != _PACKAGE and "__pycache__" not in folder.parts:
            found.add(folder.relative_to(_PACKAGE).as_posix() + "/")
    for module in _PACKAGE.glob("*.py"):
        if module.name != "__init__.py":
            found.add(module.name)
    return found


def test_layout_parses() -> None:
    top, package = _entries(_layout_block((_ROOT / "README.md").read_text(encoding="utf-8")))
    assert _PACKAGE_LINE in top
    assert package, "no package entries under plugins/popsync/"


def test_every_listed_path_exists() -> None:
    top, package = _entries(_layout_block((_ROOT / "README.md").read_text(encoding="utf-8")))
    missing = [name for name in top if not (_ROOT / name).exists()]
    missing += [_PACKAGE_LINE + name for name in package if not (_PACKAGE / name).exists()]
    for name in package:
        if name.endswith("/"):
            assert (_PACKAGE / name / "__init__.py").exists(), f"{name} is listed as a package but has no __init__.py"
    assert not missing, f"README layout names paths that do not exist: {missing}"


def test_every_package_and_top_level_module_is_listed() -> None:
    _, package = _entries(_layout_block((_ROOT / "README.md").read_text(encoding="utf-8")))
    unlisted = sorted(_existing_package_entries() - set(package))
    assert not unlisted, (
        f"plugins/popsync/ has packages or modules the README's layout section does not name: {unlisted} "
        "(add one line each under plugins/popsync/ in README.md, saying why it exists)"
    )
