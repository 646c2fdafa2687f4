"""Load sector definitions from YAML with errors that name the file, the line and the field.

Every mistake is reported when the file is parsed (DAG parse time), one line per mistake:
``<file>:<line>: field <dotted.path>: <what is wrong>[; did you mean `<name>`?]``. The
YAML is composed into nodes first, so each value keeps the line it came from; mapping
keys are read as the text written (``01:`` stays ``"01"``), and a key written twice in
one mapping is an error rather than silently the last one.
"""

import difflib
import re
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from popsync.sectors.model import SOURCE_KINDS, SectorDefinition
from popsync.settings import SECTORS_DIR

YamlPath = tuple[str | int, ...]
_MERGE_TAG = "tag:yaml.org,2002:merge"


@dataclass(frozen=True)
class ConfigIssue:
    """One mistake in a sector definition file."""

    file: Path
    line: int | None
    field: str
    message: str
    suggestion: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else str(self.file)
        hint = f"; did you mean `{self.suggestion}`?" if self.suggestion else ""
        return f"{where}: field {self.field}: {self.message}{hint}"


class SectorConfigError(ValueError):
    """A sector definition file is invalid; each issue names the file, the line and the field."""

    def __init__(self, message: str, issues: tuple[ConfigIssue, ...] = ()) -> None:
        super().__init__(message)
        self.issues = issues


def _error(path: Path, issues: list[ConfigIssue]) -> SectorConfigError:
    lines = [f"{path}: invalid sector definition"] + [f"  {issue}" for issue in issues]
    return SectorConfigError("\n".join(lines), tuple(issues))


@dataclass
class _Document:
    """The YAML as plain data plus the line of every key and list item."""

    data: Any
    lines: dict[YamlPath, int]
    issues: list[ConfigIssue]


def _dotted(path: YamlPath) -> str:
    return ".".join(str(part) for part in path) or "<file>"


def _build(node: Node, path: YamlPath, loader: yaml.SafeLoader, doc: _Document, file: Path) -> Any:
    if isinstance(node, MappingNode):
        first_line: dict[str, int] = {}
        for key_node, _ in node.value:
            if isinstance(key_node, ScalarNode) and key_node.tag != _MERGE_TAG:
                key, line = key_node.value, key_node.start_mark.line + 1
                if key in first_line:
                    doc.issues.append(
                        ConfigIssue(
                            file,
                            line,
                            _dotted((*path, key)),
                            f"key {key!r} is written twice in the same mapping (first at line "
                            f"{first_line[key]}); YAML would silently keep only the last one",
                        )
                    )
                else:
                    first_line[key] = line
        loader.flatten_mapping(node)  # merge keys (<<: *anchor)
        mapping: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, ScalarNode) else str(loader.construct_object(key_node, True))
            doc.lines[(*path, key)] = key_node.start_mark.line + 1
            mapping[key] = _build(value_node, (*path, key), loader, doc, file)
        return mapping
    if isinstance(node, SequenceNode):
        items = []
        for index, item in enumerate(node.value):
            doc.lines[(*path, index)] = item.start_mark.line + 1
            items.append(_build(item, (*path, index), loader, doc, file))
        return items
    return loader.construct_object(node, True)


def _parse(path: Path) -> _Document:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise _error(path, [ConfigIssue(path, None, "<file>", f"not UTF-8 text ({exc.reason})")]) from exc
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        doc = _Document(None, {}, [])
        if node is not None:
            doc.lines[()] = node.start_mark.line + 1
            doc.data = _build(node, (), loader, doc, path)
    except yaml.MarkedYAMLError as exc:
        mark = exc.context_mark or exc.problem_mark  # where the broken construct starts
        line = None if mark is None else mark.line + 1
        problem = ", ".join(filter(None, [exc.context, exc.problem]))
        if exc.problem_mark is not None and exc.problem_mark.line + 1 != line:
            problem += f" (noticed at line {exc.problem_mark.line + 1})"
        raise _error(path, [ConfigIssue(path, line, "<file>", f"invalid YAML: {problem}")]) from exc
    except yaml.YAMLError as exc:
        raise _error(path, [ConfigIssue(path, None, "<file>", f"invalid YAML: {exc}")]) from exc
    finally:
        loader.dispose()
    return doc


def _model_at(loc: tuple[str | int, ...]) -> type[BaseModel] | None:
    """The pydantic model that validates the mapping at ``loc`` (for near-miss suggestions)."""
    model: type[BaseModel] = SectorDefinition
    previous: str | int | None = None
    for part in loc:
        if isinstance(part, int):
            continue
        if previous == "source" and part in SOURCE_KINDS:
            model, previous = SOURCE_KINDS[part], part
            continue
        previous = part
        field = model.model_fields.get(part)
        if field is None:
            return None
        found = _model_in(field.annotation)
        if found is None:
            return None
        model = found
    return model


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) is typing.Annotated:
        return _model_in(typing.get_args(annotation)[0])
    if typing.get_origin(annotation) in (tuple, list, typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            found = _model_in(arg)
            if found is not None:
                return found
    return None


def _close(word: object, choices: list[str]) -> str | None:
    if not isinstance(word, str):
        return None
    by_lower = {choice.lower(): choice for choice in choices}
    if word.lower() in by_lower:  # differs only in case
        return by_lower[word.lower()]
    matches = difflib.get_close_matches(word.lower(), list(by_lower), n=1, cutoff=0.6)
    return by_lower[matches[0]] if matches else None


def _as_written(loc: tuple[str | int, ...]) -> list[str | int]:
    """A pydantic location without what YAML does not show: ``[key]`` and the source kind's tag."""
    parts: list[str | int] = []
    for part in loc:
        if part == "[key]" or (parts[-1:] == ["source"] and part in SOURCE_KINDS):
            continue
        parts.append(part)
    return parts


def _yaml_path(loc: tuple[str | int, ...], dataset_keys: list[str] | None) -> YamlPath:
    """Where a pydantic error location sits in the YAML as written."""
    parts = _as_written(loc)
    if (
        dataset_keys is not None
        and len(parts) >= 2
        and parts[0] == "datasets"
        and isinstance(parts[1], int)
        and parts[1] < len(dataset_keys)
    ):
        parts[1] = dataset_keys[parts[1]]
        if parts[2:3] == ["name"]:
            parts = parts[:2]  # a dataset's name is its key
    return tuple(parts)


def _field_name(loc: tuple[str | int, ...], data: dict[str, Any], dataset_keys: list[str] | None) -> str:
    """Dotted field path, naming datasets by their name rather than their position."""
    parts = _as_written(loc)
    if len(parts) >= 2 and parts[0] == "datasets" and isinstance(parts[1], int):
        if dataset_keys is not None and parts[1] < len(dataset_keys):
            parts[1] = dataset_keys[parts[1]]
        else:
            datasets = data.get("datasets")
            entry = datasets[parts[1]] if isinstance(datasets, list) and parts[1] < len(datasets) else None
            if isinstance(entry, dict) and isinstance(entry.get("name"), str):
                parts[1] = entry["name"]
    return _dotted(tuple(parts))


def _line(lines: dict[YamlPath, int], path: YamlPath) -> int | None:
    for end in range(len(path), -1, -1):
        if path[:end] in lines:
            return lines[path[:end]]
    return None


def _suggestion(item: Any, loc: tuple[str | int, ...]) -> tuple[str, str | None]:
    """A clearer message and a near-miss suggestion for one pydantic error."""
    kind, message, value = item["type"], item["msg"], item.get("input")
    shown = "" if isinstance(value, dict | list) else f" (got {value!r})"
    if kind == "extra_forbidden":
        model = _model_at(loc[:-1])
        allowed = sorted(model.model_fields) if model is not None else []
        suggestion = _close(loc[-1], allowed)
        listed = "" if suggestion or not allowed else f"; allowed: {', '.join(allowed)}"
        return f"unknown field ({message}){listed}", suggestion
    if kind == "literal_error":
        choices = re.findall(r"'([^']*)'", str(item.get("ctx", {}).get("expected", "")))
        return f"{message}{shown}", _close(value, choices)
    if kind.startswith("gx_"):
        return message, str(item.get("ctx", {}).get("suggestion") or "") or None
    if kind == "union_tag_invalid":
        choices = re.findall(r"'([^']*)'", str(item.get("ctx", {}).get("expected_tags", "")))
        return f"unknown source kind {item.get('ctx', {}).get('tag')!r}; known: {', '.join(choices)}", _close(
            item.get("ctx", {}).get("tag"), choices
        )
    if kind in ("missing", "value_error"):
        return message, None
    return f"{message}{shown}", None


def _describe(error: ValidationError, file: Path, doc: _Document, dataset_keys: list[str] | None) -> list[ConfigIssue]:
    issues = []
    errors = error.errors()
    for item in errors:
        loc = tuple(item["loc"])
        nested = any(len(other["loc"]) > len(loc) and tuple(other["loc"][: len(loc)]) == loc for other in errors)
        if item["type"] == "too_short" and nested:
            continue  # a consequence of the nested errors already listed
        if loc == ("datasets",) and "unique" in item["msg"] and any("defined twice" in i.message for i in doc.issues):
            continue  # already reported with the line of the second definition
        message, suggestion = _suggestion(item, loc)
        if message.startswith("Value error, "):
            message = message.removeprefix("Value error, ")
        if item["type"] in ("union_tag_invalid", "union_tag_not_found"):
            loc = (*loc, "kind")
        key = item.get("ctx", {}).get("key") if item["type"].startswith("gx_") else None
        where = loc if key is None else (*loc, str(key))  # an expectation's argument: its own line
        line = _line(doc.lines, _yaml_path(where, dataset_keys))
        issues.append(ConfigIssue(file, line, _field_name(where, doc.data, dataset_keys), message, suggestion))
    return issues


def _datasets_as_list(path: Path, doc: _Document) -> list[str] | None:
    """Datasets keyed by name (reads better in YAML) become a list; return the keys in order."""
    datasets = doc.data.get("datasets")
    if isinstance(datasets, dict):
        entries = []
        for name, body in datasets.items():
            if isinstance(body, dict) and "name" in body and body["name"] != name:
                doc.issues.append(
                    ConfigIssue(
                        path,
                        doc.lines.get(("datasets", name, "name")),
                        f"datasets.{name}.name",
                        f"a dataset's name is its key ({name!r}); remove `name: {body['name']}`",
                    )
                )
            entries.append({**body, "name": name} if isinstance(body, dict) else body)
        doc.data["datasets"] = entries
        return [str(name) for name in datasets]
    if isinstance(datasets, list):
        first: dict[str, int] = {}
        for index, entry in enumerate(datasets):
            name = entry.get("name") if isinstance(entry, dict) else None
            if not isinstance(name, str):
                continue
            line = doc.lines.get(("datasets", index, "name"))
            if name in first:
                doc.issues.append(
                    ConfigIssue(
                        path,
                        line,
                        f"datasets.{name}",
                        f"dataset name {name!r} is defined twice (first at line {first[name]})",
                    )
                )
            else:
                first[name] = line or 0
    return None


def load_sector(path: Path) -> SectorDefinition:
    """Parse and validate one sector definition file."""
    doc = _parse(path)
    if doc.data is None:
        raise _error(path, [ConfigIssue(path, 1, "<file>", "the file is empty; expected a sector definition")])
    if not isinstance(doc.data, dict):
        raise _error(
            path,
            [ConfigIssue(path, 1, "<file>", f"expected a mapping at the top level, got {type(doc.data).__name__}")],
        )
    dataset_keys = _datasets_as_list(path, doc)
    issues = list(doc.issues)
    try:
        sector = SectorDefinition.model_validate(doc.data)
    except ValidationError as exc:
        issues += _describe(exc, path, doc, dataset_keys)
        sector = None
    if issues or sector is None:
        issues.sort(key=lambda issue: (issue.line or 0, issue.field))
        raise _error(path, issues)
    return sector


def load_sectors(directory: Path = SECTORS_DIR) -> list[SectorDefinition]:
    """All sector definitions in ``directory`` (``*.yaml``), sorted by sector name."""
    paths = sorted(directory.glob("*.yaml"))
    sectors = [load_sector(path) for path in paths]
    files: dict[str, list[str]] = {}
    for path, sector in zip(paths, sectors, strict=True):
        files.setdefault(sector.sector, []).append(path.name)
    duplicates = {name: names for name, names in files.items() if len(names) > 1}
    if duplicates:
        listed = "; ".join(f"{name} in {', '.join(names)}" for name, names in sorted(duplicates.items()))
        raise SectorConfigError(f"{directory}: sector names defined twice: {listed}")
    return sorted(sectors, key=lambda sector: sector.sector)
