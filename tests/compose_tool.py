"""The docker compose command of this machine, as scripts/compose_cmd.sh finds it (shared by the stack tests)."""

import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def compose_command(path: str | None = None) -> tuple[list[str] | None, str]:
    """The compose command ``scripts/compose_cmd.sh`` finds on ``path`` (default: PATH), or why there is none."""
    env = {**os.environ, "PATH": path} if path is not None else None
    bash = shutil.which("bash") or "/bin/bash"
    result = subprocess.run(
        [bash, str(ROOT / "scripts" / "compose_cmd.sh")], capture_output=True, text=True, check=False, env=env
    )
    if result.returncode == 0:
        return result.stdout.split(), ""
    return None, result.stderr.strip()
