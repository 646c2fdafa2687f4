#!/usr/bin/env bash
# Debian's docker-compose (1.29) for the compose-file tests (tests/test_stack_files.py): `config`
# checks the files and refuses them without the secrets, with no Docker daemon and no image.
# The stack itself (`scripts/stack.sh test`) is not part of the suite.
# Idempotent: does nothing when a compose command exists (scripts/compose_cmd.sh). Needs root.
set -euo pipefail
cd "$(dirname "$0")/.."
if bash scripts/compose_cmd.sh >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" != "0" ]; then
    echo "no compose command and this is not root: install it with 'apt-get install -y docker-compose'" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# Without the recommended docker.io: `config` needs no daemon.
apt-get install -y -qq --no-install-recommends docker-compose >/dev/null
