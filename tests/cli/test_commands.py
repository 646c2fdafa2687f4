"""The ``popsync`` command line: one parser, one module per command group, clear errors."""

import subprocess
import sys

import pytest

from popsync.cli.main import COMMANDS
from popsync.cli.parser import build_parser


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--persons", "-5"], "persons must be a non-negative integer"),
        (["--sectors", "tax"], "unknown sector"),
    ],
)
def test_command_line_reports_invalid_options(
    arguments: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from popsync.cli import main

    assert main(["generate", *arguments]) == 2
    assert message in capsys.readouterr().err


def test_every_command_of_the_parser_has_a_handler() -> None:
    parser = build_parser()
    [subparsers] = [action for action in parser._actions if action.dest == "command"]
    assert set(subparsers.choices) == set(COMMANDS)  # type: ignore[attr-defined]
    for command, handler in COMMANDS.items():
        assert handler.__module__.startswith("popsync.cli."), (command, handler.__module__)


@pytest.mark.parametrize(
    ("argv", "command"),
    [
        (["setup"], "setup"),
        (["generate", "--persons", "10", "--seed", "3"], "generate"),
        (["run", "--sectors", "education", "--in-process"], "run"),
        (["evaluate"], "evaluate"),
        (["demo", "--no-replace"], "demo"),
        (["server", "status"], "server"),
        (["airflow", "dags", "list"], "airflow"),
        (["verdict", "show", "education", "pupils", "HS1"], "verdict"),
    ],
)
def test_the_parser_reads_each_command(argv: list[str], command: str) -> None:
    assert build_parser().parse_args(argv).command == command


def test_python_dash_m_runs_the_package() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "popsync.cli", "--help"], capture_output=True, text=True, timeout=120, check=False
    )
    assert completed.returncode == 0, completed.stderr
    for command in ("setup", "generate", "run", "evaluate", "demo", "airflow", "server", "verdict"):
        assert command in completed.stdout
