"""Check a five-field cron expression when a sector definition is parsed (no I/O, no Airflow)."""

import re

PRESETS = frozenset({"@hourly", "@daily", "@weekly", "@monthly", "@yearly", "@annually", "@midnight"})
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
# (field name, lowest, highest, names in order of their value)
_FIELDS: tuple[tuple[str, int, int, tuple[str, ...], int], ...] = (
    ("minute", 0, 59, (), 0),
    ("hour", 0, 23, (), 0),
    ("day of month", 1, 31, (), 0),
    ("month", 1, 12, _MONTHS, 1),
    ("day of week", 0, 7, _DAYS, 0),
)
_ITEM = re.compile(r"^(?P<range>\*|[0-9a-z]+(?:-[0-9a-z]+)?)(?:/(?P<step>[0-9]+))?$")


def _value(text: str, low: int, high: int, names: tuple[str, ...], first: int, field: str) -> int:
    if text.isdigit():
        number = int(text)
    elif text in names:
        number = names.index(text) + first
    else:
        raise ValueError(f"{field} {text!r} is not a number" + (f" or one of {', '.join(names)}" if names else ""))
    if not low <= number <= high:
        raise ValueError(f"{field} {number} is outside {low}-{high}")
    return number


def cron_problem(expression: str) -> str | None:
    """What is wrong with ``expression`` (None when it is a valid cron expression)."""
    text = expression.strip().lower()
    if text in PRESETS:
        return None
    parts = text.split()
    if len(parts) != 5:
        return (
            f"a cron expression has five fields (minute hour day-of-month month day-of-week), "
            f"got {len(parts)}; e.g. '0 2 * * *' runs daily at 02:00"
        )
    for part, (field, low, high, names, first) in zip(parts, _FIELDS, strict=True):
        for item in part.split(","):
            match = _ITEM.match(item)
            if match is None:
                return f"{field} field {part!r}: {item!r} is not *, a value, a range or a step"
            try:
                if match["range"] != "*":
                    bounds = [_value(v, low, high, names, first, field) for v in match["range"].split("-")]
                    if len(bounds) == 2 and bounds[0] > bounds[1]:
                        return f"{field} field {part!r}: range {match['range']} runs backwards"
            except ValueError as exc:
                return f"{field} field {part!r}: {exc}"
            if match["step"] is not None and int(match["step"]) == 0:
                return f"{field} field {part!r}: a step must be at least 1"
    return None
