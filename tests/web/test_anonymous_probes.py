"""``stack.sh test`` probes every route of popsync's app without a login: none may be forgotten."""

import re

from fastapi.routing import APIRoute

from popsync.local.stack_check import ANONYMOUS_PROBES, AnonymousProbe
from popsync.web.app import MOUNT_PATH, create_app


def _pattern(path: str) -> re.Pattern[str]:
    pattern = re.sub(r"\{[^}:]+:path\}", ".+", MOUNT_PATH + path)  # a path parameter spans folders
    return re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", pattern) + "$")


def test_every_route_of_the_app_is_probed_anonymously() -> None:
    probed = [(method, path.split("?", 1)[0]) for method, path in ANONYMOUS_PROBES]
    missing = []
    for route in create_app().routes:
        if not isinstance(route, APIRoute):
            continue
        pattern = _pattern(route.path)
        for method in route.methods:
            if not any(m == method and pattern.match(p) for m, p in probed):
                missing.append(f"{method} {MOUNT_PATH}{route.path}")
    assert not missing, f"add these to stack_check.ANONYMOUS_PROBES: {missing}"


def test_only_a_refusal_or_a_redirect_to_the_login_counts_as_refused() -> None:
    assert AnonymousProbe("GET", "/x", 401, "").refused
    assert AnonymousProbe("GET", "/x", 403, "").refused
    assert AnonymousProbe("GET", "/x", 303, "/auth/login?next=/x").refused
    assert not AnonymousProbe("GET", "/x", 303, "/popsync/").refused
    assert not AnonymousProbe("GET", "/x", 200, "").refused
    assert not AnonymousProbe("GET", "/x", 500, "").refused
    assert not AnonymousProbe("GET", "/x", 404, "").refused
