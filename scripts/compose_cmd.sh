#!/usr/bin/env bash
# Which docker compose command this machine has, printed as words on stdout:
#   docker compose   (the compose plugin; preferred)
#   docker-compose   (the standalone v1/v2 binary)
# Exit status 1, with the reason on stderr, when there is none: no docker at all, or a docker
# client without the plugin (which answers `docker compose -f …` with "unknown shorthand
# flag: 'f'") and no docker-compose.
# Used by scripts/stack.sh (sourced: call compose_cmd) and tests/test_stack_files.py (run).
compose_cmd() {
    if command -v docker >/dev/null 2>&1 && docker compose version >/dev/null 2>&1; then
        echo "docker compose"
        return 0
    fi
    if command -v docker-compose >/dev/null 2>&1 && docker-compose version >/dev/null 2>&1; then
        echo "docker-compose"
        return 0
    fi
    if command -v docker >/dev/null 2>&1; then
        echo "no compose: docker has no compose plugin and there is no docker-compose" >&2
    else
        echo "no compose: neither docker nor docker-compose is installed" >&2
    fi
    return 1
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    compose_cmd
fi
