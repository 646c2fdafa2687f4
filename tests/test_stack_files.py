"""Structure of the compose stack (docker-compose.yml + overrides) and its Dockerfile, without Docker.

When a compose tool is installed, ``config`` must also accept the files.
"""

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.compose_tool import compose_command

ROOT = Path(__file__).resolve().parents[1]
LONG_RUNNING = [
    "postgres",
    "redis",
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-triggerer",
    "airflow-worker-1",
    "airflow-worker-2",
]
WORKERS = ["airflow-worker-1", "airflow-worker-2"]


def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / name).read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return _load("docker-compose.yml")


def test_every_service_of_the_stack_is_there_with_a_health_check(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(services) == {*LONG_RUNNING, "airflow-init"}
    for name in LONG_RUNNING:
        assert "test" in services[name]["healthcheck"], name
    assert services["airflow-init"]["command"] == ["popsync", "setup"]


def test_airflow_services_share_one_configuration_with_the_celery_executor(compose: dict[str, Any]) -> None:
    common = compose["x-airflow-common"]
    assert common["environment"]["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert common["build"]["args"]["BASE_IMAGE"] == "${BASE_IMAGE:-python:3.11-slim-bookworm}"
    for name in [s for s in LONG_RUNNING if s.startswith("airflow-")] + ["airflow-init"]:
        service = compose["services"][name]
        assert service["image"] == common["image"], name
        assert (
            service["environment"]["AIRFLOW__API_AUTH__JWT_SECRET"]
            == (common["environment"]["AIRFLOW__API_AUTH__JWT_SECRET"])
        ), name


def test_workers_share_the_work_storage_and_differ_in_name_and_log_port(compose: dict[str, Any]) -> None:
    names, ports, mounts = set(), set(), []
    for name in WORKERS:
        service = compose["services"][name]
        assert service["command"][:3] == ["airflow", "celery", "worker"]
        names.add(service["environment"]["POPSYNC_HOSTNAME"])
        ports.add(service["environment"]["AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT"])
        mounts.append(next(v for v in service["volumes"] if v.endswith(":/opt/popsync-work")))
        assert service["environment"]["POPSYNC_WORK_DIR"].startswith("/opt/popsync-work/")
    assert names == set(WORKERS)
    assert len(ports) == 2
    assert mounts[0] == mounts[1]


def test_the_host_network_override_puts_every_service_on_the_host_network(compose: dict[str, Any]) -> None:
    override = _load("docker-compose.hostnet.yml")
    assert set(override["services"]) == set(compose["services"])
    for name, service in override["services"].items():
        assert service["network_mode"] == "host", name
        assert "ports" not in compose["services"][name], name  # ports are published by the bridge override
    published = _load("docker-compose.override.yml")["services"]["airflow-apiserver"]["ports"]
    assert all(p.startswith("127.0.0.1:") for p in published)


def test_stack_script_binds_every_port_to_localhost() -> None:
    script = (ROOT / "scripts" / "stack.sh").read_text(encoding="utf-8")
    for variable in ["STACK_BIND_HOST", "STACK_DB_HOST", "STACK_REDIS_HOST", "STACK_API_HOST"]:
        assert f'echo "{variable}=127.0.0.1"' in script, variable


def test_the_image_installs_the_locked_dependencies() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "ARG BASE_IMAGE=python:3.11-slim-bookworm" in dockerfile
    assert dockerfile.count("uv sync --frozen --no-dev --extra celery") == 2
    assert "pip install" not in dockerfile.replace('pip install --quiet "uv==${UV_VERSION}"', "")
    lock = (ROOT / "uv.lock").read_text(encoding="utf-8")
    assert 'name = "apache-airflow-providers-celery"' in lock
    assert 'name = "redis"' in lock


def test_compose_accepts_the_files(tmp_path: Path) -> None:
    tool, reason = compose_command()
    if tool is None:
        pytest.skip(reason)
    files = ["-f", "docker-compose.yml", "-f", "docker-compose.hostnet.yml"]
    env_file = tmp_path / "env"
    secrets = "".join(f"{name}=test-{name.lower()}\n" for name in SECRETS)
    env_file.write_text("STACK_DB_PORT=5432\nSTACK_REDIS_PORT=6379\n" + secrets, encoding="utf-8")
    result = subprocess.run(
        [*tool, *files, "--env-file", str(env_file), "config", "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


SECRETS = ("POSTGRES_PASSWORD", "AIRFLOW_JWT_SECRET", "AIRFLOW_FERNET_KEY")


def test_no_fixed_fallback_for_any_secret() -> None:
    """A plain `docker compose up` refuses to start rather than use a password or key written here."""
    text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    for name in SECRETS:
        uses = re.findall(r"\$\{" + name + r"(:?[-?][^}]*)?\}", text)
        assert uses, name
        for use in uses:
            assert use.startswith(":?"), f"{name} has a fallback ({use!r}): compose must refuse without it"
    assert "change-me" not in text and ":-popsync}" not in text


def test_compose_refuses_to_start_without_the_secrets(tmp_path: Path) -> None:
    tool, reason = compose_command()
    if tool is None:
        pytest.skip(reason)
    env_file = tmp_path / "env"
    env_file.write_text("STACK_DB_PORT=5432\nSTACK_REDIS_PORT=6379\n", encoding="utf-8")
    result = subprocess.run(
        [*tool, "-f", "docker-compose.yml", "--env-file", str(env_file), "config", "-q"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode != 0 and "must be set" in result.stderr, result.stderr


STACK_FILES = ("docker-compose.yml", "docker-compose.hostnet.yml", "docker-compose.override.yml", "scripts/stack.sh")


def test_no_file_of_the_stack_lets_anyone_in_as_an_admin() -> None:
    """The stack requires a login: no all-admins default in compose or stack.sh, on either path."""
    for name in STACK_FILES:
        text = (ROOT / name).read_text(encoding="utf-8")
        assert "AIRFLOW_ALL_ADMINS" not in text, name
        for line in text.splitlines():
            if "ALL_ADMINS" in line.upper():
                assert re.search(r"ALL_ADMINS:\s*\"?false\"?\s*$", line, re.IGNORECASE), f"{name}: {line.strip()}"
    common = _load("docker-compose.yml")["x-airflow-common"]["environment"]
    assert common["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS"] == "false"
    assert common["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS"].startswith("${AIRFLOW_USERS")
    assert common["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"] == "/opt/popsync-auth/passwords.json"


def test_only_the_api_server_mounts_the_passwords(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        volumes = service.get("volumes", compose["x-airflow-common"].get("volumes", []))
        mounts_auth = any(str(v).endswith(":/opt/popsync-auth") for v in volumes)
        assert mounts_auth == (name == "airflow-apiserver"), name
    assert "popsync-auth" in compose["volumes"]


def test_stack_script_generates_the_passwords_and_logs_in_for_its_checks() -> None:
    script = (ROOT / "scripts" / "stack.sh").read_text(encoding="utf-8")
    assert "passwords.json" in script and "0o600" in script and 'chmod 600 "$PASSWORDS"' in script
    assert "secrets.token_urlsafe" in script
    assert "stack_check anonymous" in script
    assert "GET /auth/token" not in script and '"$API/auth/token"' not in script
    assert "-e POPSYNC_API_USER -e POPSYNC_API_PASSWORD" in script  # by name: no password on a command line


def test_the_stack_test_checks_a_sector_user_buckets_on_both_workers_and_a_killed_worker() -> None:
    script = (ROOT / "scripts" / "stack.sh").read_text(encoding="utf-8")
    for check in ("anonymous", "sector-user", "run", "buckets", "kill-worker"):
        assert f"stack_check {check} " in script, check
    assert 'diff "$STATE/evaluate-before.txt" "$STATE/evaluate-after.txt"' in script  # results equal after the kill
    common = _load("docker-compose.yml")["x-airflow-common"]["environment"]
    assert common["POPSYNC_ROWS_PER_BUCKET"] == "${POPSYNC_ROWS_PER_BUCKET:-}"  # buckets: the sector YAML's or this


def test_the_heartbeat_timeout_outlasts_an_api_server_restart_and_the_test_recovers_sooner() -> None:
    """60 s by default (an API server restart took up to 27 s here), 30 s in `stack.sh test` (docs/stack.md)."""
    common = _load("docker-compose.yml")["x-airflow-common"]["environment"]
    assert common["AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT"] == "${TASK_HEARTBEAT_TIMEOUT:-60}"
    script = (ROOT / "scripts" / "stack.sh").read_text(encoding="utf-8")
    assert "export TASK_HEARTBEAT_TIMEOUT=${TASK_HEARTBEAT_TIMEOUT:-60}" in script
    assert "export TASK_HEARTBEAT_TIMEOUT=${HEARTBEAT_GIVEN:-30}" in script
