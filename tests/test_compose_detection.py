"""``scripts/compose_cmd.sh`` in the four docker situations a fresh machine can be in.

Each situation is a PATH holding only stub executables (written here), so the real docker of
the machine running the tests does not interfere:

- no docker at all;
- a docker client without the compose plugin (it answers ``docker compose -f …`` with
  "unknown shorthand flag: 'f' in -f", as Docker 28 does here);
- docker-compose v1 (the standalone binary; with or without such a docker beside it);
- docker with the compose plugin (preferred over docker-compose when both are there).
"""

import stat
from pathlib import Path

import pytest

from tests.compose_tool import compose_command

DOCKER_WITHOUT_PLUGIN = """#!/bin/sh
if [ "$1" = compose ]; then
    if [ "$2" = version ]; then echo "docker: unknown command: docker compose" >&2; exit 1; fi
    echo "unknown shorthand flag: 'f' in -f" >&2; exit 125
fi
echo "Docker version 28.2.2, build e6534b4"
"""
DOCKER_WITH_PLUGIN = """#!/bin/sh
if [ "$1" = compose ] && [ "$2" = version ]; then echo "Docker Compose version v2.29.7"; exit 0; fi
if [ "$1" = compose ]; then exit 0; fi
echo "Docker version 28.2.2, build e6534b4"
"""
DOCKER_COMPOSE_V1 = """#!/bin/sh
if [ "$1" = version ]; then echo "docker-compose version 1.29.2, build unknown"; exit 0; fi
exit 0
"""


def _path_with(tmp_path: Path, **stubs: str) -> str:
    for name, body in stubs.items():
        stub = tmp_path / name.replace("_", "-")
        stub.write_text(body, encoding="utf-8")
        stub.chmod(stub.stat().st_mode | stat.S_IXUSR)
    return str(tmp_path)


def test_no_docker_at_all(tmp_path: Path) -> None:
    tool, reason = compose_command(_path_with(tmp_path))
    assert tool is None
    assert reason == "no compose: neither docker nor docker-compose is installed"


def test_docker_without_the_compose_plugin(tmp_path: Path) -> None:
    tool, reason = compose_command(_path_with(tmp_path, docker=DOCKER_WITHOUT_PLUGIN))
    assert tool is None
    assert reason == "no compose: docker has no compose plugin and there is no docker-compose"


@pytest.mark.parametrize("with_docker", [False, True], ids=["alone", "beside-docker-without-plugin"])
def test_docker_compose_v1(tmp_path: Path, with_docker: bool) -> None:
    stubs = {"docker_compose": DOCKER_COMPOSE_V1}
    if with_docker:
        stubs["docker"] = DOCKER_WITHOUT_PLUGIN
    tool, _ = compose_command(_path_with(tmp_path, **stubs))
    assert tool == ["docker-compose"]


@pytest.mark.parametrize("with_v1", [False, True], ids=["alone", "beside-docker-compose"])
def test_docker_with_the_compose_plugin(tmp_path: Path, with_v1: bool) -> None:
    stubs = {"docker": DOCKER_WITH_PLUGIN}
    if with_v1:
        stubs["docker_compose"] = DOCKER_COMPOSE_V1
    tool, _ = compose_command(_path_with(tmp_path, **stubs))
    assert tool == ["docker", "compose"]


def test_the_stack_script_uses_the_same_detection() -> None:
    script = (Path(__file__).resolve().parents[1] / "scripts" / "stack.sh").read_text(encoding="utf-8")
    assert 'source "$ROOT/scripts/compose_cmd.sh"' in script
    assert "detected=$(compose_cmd" in script
    assert "docker compose version" not in script
