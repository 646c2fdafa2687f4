"""Airflow's own authentication for the web app, and the user's sectors.

Plugin FastAPI apps are not protected by Airflow: every route depends on ``current_user``,
which resolves the caller with Airflow's ``get_user`` (JWT from the ``Authorization``
header or the ``_token`` cookie, validated by the configured auth manager).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import HTTPException, Request, status

from popsync.web.sector_access import AccessMap


@dataclass(frozen=True)
class WebUser:
    name: str
    roles: tuple[str, ...]
    sectors: tuple[str, ...]
    """Sectors this user may see and export, in the sectors' order."""

    def allows(self, sector: str) -> bool:
        return sector in self.sectors

    def require(self, sector: str | None) -> None:
        """403 unless the user may see ``sector`` (None: at least one sector)."""
        if sector is None:
            if not self.sectors:
                raise HTTPException(status.HTTP_403_FORBIDDEN, "no sector is granted to this user")
            return
        if not self.allows(sector):
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"this user may not see sector {sector!r}")


def user_roles(user: Any) -> tuple[str, ...]:
    """Role names of an Airflow user, whatever the auth manager (``role`` or ``roles``)."""
    names: list[str] = []
    role = getattr(user, "role", None)
    if isinstance(role, str) and role:
        names.append(role)
    for item in getattr(user, "roles", None) or ():
        name = item if isinstance(item, str) else getattr(item, "name", None)
        if isinstance(name, str) and name:
            names.append(name)
    return tuple(names)


async def airflow_user(request: Request) -> Any:
    """The authenticated Airflow user, or HTTP 401 (403 for a forged token), as Airflow's API does."""
    from airflow.api_fastapi.core_api.security import bearer_scheme, get_user

    credentials = await bearer_scheme(request)
    return await get_user(request, None, credentials)


def web_user(user: Any, access: AccessMap, known_sectors: Sequence[str]) -> WebUser:
    name = str(user.get_name())
    roles = user_roles(user)
    return WebUser(name=name, roles=roles, sectors=access.sectors_for(name, roles, known_sectors))
