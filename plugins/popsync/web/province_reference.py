"""The province reference (``reference.provinces``) as the pages' province filters use it."""

from collections.abc import Sequence
from dataclasses import dataclass

from popsync.db.sql_files import read_sql
from popsync.web.db import Connection


@dataclass(frozen=True)
class ProvinceReference:
    """``reference.provinces`` as the filters use it: the current provinces and what each covers."""

    current: tuple[tuple[str, str], ...]
    """(code, name) of every current province, by code."""
    members: dict[str, tuple[str, ...]]
    """Current code -> every province code (either table) that resolves to it, as recorded."""
    former: tuple[tuple[str, str, str, str], ...]
    """(code, name, current code, current name) of every former province."""

    def current_name(self, code: str | None) -> str | None:
        return dict(self.current).get(code or "")

    @property
    def current_codes(self) -> tuple[str, ...]:
        return tuple(code for code, _ in self.current)

    @property
    def former_names(self) -> dict[str, str]:
        """Former province code -> its name (the codes as recorded before the merger)."""
        return {code: name for code, name, _, _ in self.former}

    def formers_of(self, current_code: str) -> tuple[str, ...]:
        """The former province codes a current province was formed from, by code."""
        return tuple(code for code, _, now, _ in self.former if now == current_code)

    def members_of(self, current_code: str) -> tuple[str, ...] | None:
        """Every province code (as recorded) of the current province; None when it is not one."""
        if current_code not in dict(self.current):
            return None
        return self.members.get(current_code, (current_code,))

    def current_of(self, code: str | None) -> str | None:
        """The current province of a code of either table (None when unknown)."""
        for current_code, codes in self.members.items():
            if code in codes:
                return current_code
        return None


def province_reference(conn: Connection) -> ProvinceReference:
    """Read ``reference.provinces`` (under the app's own role)."""
    rows = conn.execute(read_sql("web/province_reference.sql")).fetchall()
    return reference_of_rows([(str(r[0]), str(r[1]), str(r[2]), str(r[3])) for r in rows])


def reference_of_rows(rows: Sequence[tuple[str, str, str, str]]) -> ProvinceReference:
    """The reference from rows of ``reference.provinces``: (code, code_set, name, current_code)."""
    current = sorted((code, name) for code, code_set, name, _ in rows if code_set == "current")
    names = dict(current)
    members: dict[str, set[str]] = {}
    for code, _, _, current_code in rows:
        members.setdefault(current_code, set()).add(code)
    return ProvinceReference(
        current=tuple(current),
        members={code: tuple(sorted(codes)) for code, codes in members.items()},
        former=tuple(
            sorted((code, name, now, names.get(now, now)) for code, code_set, name, now in rows if code_set == "former")
        ),
    )
