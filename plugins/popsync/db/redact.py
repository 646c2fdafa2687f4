"""Text about records made safe to log: no ID number, no name, no other record value.

Database errors quote the value that failed (``invalid input syntax for type date: "…"``,
``Could not convert string '…'``) and add DETAIL/CONTEXT lines with whole rows or keys. What
popsync logs or raises about them keeps the error's class, SQLSTATE and primary message, with
quoted values replaced by ``…`` (quoted SQL identifiers stay) and ID-like digit runs masked
(``001*******45``). Records are named by their source key, never by an ID or a name.
"""

import re

_ID_LIKE = re.compile(r"(?<![\d*])\d(?:[ .\-]?\d){8,}(?![\d*])")  # 9 or more digits, perhaps with separators
_QUOTED = re.compile(r"\"([^\"\n]*)\"|'([^'\n]*)'")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*)*$")
_KEEP_START, _KEEP_END = 3, 2  # the province code, and two check digits of the tail


def mask_id(value: str) -> str:
    """A masked ID for messages: the province part and the last two digits (``001*******45``)."""
    digits = re.sub(r"\D", "", value)
    if len(digits) <= _KEEP_START + _KEEP_END:
        return "*" * len(digits)
    return digits[:_KEEP_START] + "*" * (len(digits) - _KEEP_START - _KEEP_END) + digits[-_KEEP_END:]


def _quoted(match: re.Match[str]) -> str:
    quote = match.group(0)[0]
    inner = match.group(1) if quote == '"' else match.group(2)
    return match.group(0) if _IDENTIFIER.fullmatch(inner) else f"{quote}…{quote}"


def redact(text: str) -> str:
    """``text`` with quoted values (not identifiers) replaced by ``…`` and ID-like numbers masked."""
    return _ID_LIKE.sub(lambda match: mask_id(match.group(0)), _QUOTED.sub(_quoted, text))


def describe_error(exc: BaseException) -> str:
    """One safe line about ``exc``: class, SQLSTATE if any, redacted primary message (no DETAIL or CONTEXT)."""
    diag = getattr(exc, "diag", None)
    primary = getattr(diag, "message_primary", None) if diag is not None else None
    message = primary if isinstance(primary, str) and primary else (str(exc).strip().splitlines() or [""])[0]
    sqlstate = getattr(exc, "sqlstate", None)
    state = f" (SQLSTATE {sqlstate})" if isinstance(sqlstate, str) and sqlstate else ""
    return f"{type(exc).__name__}{state}: {redact(message)}"


class RecordSafeError(RuntimeError):
    """An error whose message was made safe to log (see :func:`describe_error`); retrying may fix it."""
