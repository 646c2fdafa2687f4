#!/usr/bin/env bash
# MariaDB server for the SQLAlchemy source tests (Debian's package; the tests start a private
# mysqld on a loopback port in a temporary data directory, never the system service).
# Idempotent: does nothing when mariadb-install-db exists. Needs root (CI runs as root).
set -euo pipefail
if command -v mariadb-install-db >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" != "0" ]; then
    echo "mariadb-server is missing and this is not root: install it with 'apt-get install -y mariadb-server'" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# policy-rc.d keeps the package from starting (and enabling) the system service
if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get install -y -qq --no-install-recommends mariadb-server >/dev/null
