#!/usr/bin/env bash
# The production stack (docker-compose.yml) on this machine: no image registry, host networking,
# every port on 127.0.0.1.
#
#   bash scripts/stack.sh build   # images: base (from the Debian mirror if no registry), popsync, redis
#   bash scripts/stack.sh up      # build, then start the stack and wait until it is healthy
#   bash scripts/stack.sh test    # up, demo data, every sector DAG through the scheduler on two Celery
#                                 # workers, ground-truth score, a worker killed mid-run, down
#   bash scripts/stack.sh kill    # on a running stack with demo data: kill a worker mid-run, time the retry
#   bash scripts/stack.sh logs [service]   # follow the logs
#   bash scripts/stack.sh down    # stop and remove containers and volumes
#
# Ports (127.0.0.1): STACK_DB_PORT (55616), STACK_REDIS_PORT (56379), STACK_API_PORT (8286),
# STACK_WORKER1_LOG_PORT / STACK_WORKER2_LOG_PORT (58793 / 58794), STACK_TRIGGER_LOG_PORT (58795).
# BASE_IMAGE=<image> skips the registry probe and uses that image as the base.
# Login (always required): users, roles and sectors in STACK_USERS_FILE (default .stack/users, one
# `name:role:sectors` a line, created with one admin on first use); their passwords are generated
# into .stack/auth/passwords.json (0600), which the API server reads. See docs/stack.md, "Login".
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
STATE=$ROOT/.stack
mkdir -p "$STATE"
# shellcheck source=scripts/compose_cmd.sh
source "$ROOT/scripts/compose_cmd.sh"

export STACK_DB_PORT=${STACK_DB_PORT:-55616}
export STACK_REDIS_PORT=${STACK_REDIS_PORT:-56379}
export STACK_API_PORT=${STACK_API_PORT:-8286}
export STACK_WORKER1_LOG_PORT=${STACK_WORKER1_LOG_PORT:-58793}
export STACK_WORKER2_LOG_PORT=${STACK_WORKER2_LOG_PORT:-58794}
export STACK_TRIGGER_LOG_PORT=${STACK_TRIGGER_LOG_PORT:-58795}
PROJECT=${STACK_PROJECT:-popsync}
# The scheduler's task heartbeat timeout: 60 s (as docker-compose.yml), 30 s in `test` (docs/stack.md).
HEARTBEAT_GIVEN=${TASK_HEARTBEAT_TIMEOUT:-}
export TASK_HEARTBEAT_TIMEOUT=${TASK_HEARTBEAT_TIMEOUT:-60}
PUBLIC_BASE=python:3.11-slim-bookworm
OFFLINE_BASE=popsync-base:bookworm
API=http://127.0.0.1:$STACK_API_PORT

T_START=$(date +%s)
step() { STEP=$1; STEP_T0=$(date +%s); echo; echo "=== $1"; }
step_done() { echo "=== $STEP: $(($(date +%s) - STEP_T0)) s"; }

# --- prerequisites ------------------------------------------------------------------------------
apt_install() {
    local missing=()
    for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "installing ${missing[*]} (apt)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

prerequisites() {
    command -v dockerd >/dev/null || apt_install docker.io
    if ! docker info >/dev/null 2>&1; then
        echo "starting dockerd (log: /tmp/dockerd.log)"
        nohup dockerd >/tmp/dockerd.log 2>&1 &
        for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
        docker info >/dev/null
    fi
    local detected
    if ! detected=$(compose_cmd 2>/dev/null); then
        apt_install docker-compose
        detected=$(compose_cmd)
    fi
    read -r -a COMPOSE <<<"$detected"
    COMPOSE+=(-p "$PROJECT" -f docker-compose.yml -f docker-compose.hostnet.yml --env-file "$STATE/env")
    write_env
}

write_env() {
    # Secrets are generated once per checkout (git-ignored); ports come from the environment.
    if [ ! -f "$STATE/secrets" ]; then
        python3 - >"$STATE/secrets" <<'EOF'
import base64, os, secrets
print("POSTGRES_PASSWORD=" + secrets.token_hex(16))
print("AIRFLOW_FERNET_KEY=" + base64.urlsafe_b64encode(os.urandom(32)).decode())
print("AIRFLOW_JWT_SECRET=" + secrets.token_urlsafe(64))
EOF
        chmod 600 "$STATE/secrets"
    fi
    {
        cat "$STATE/secrets"
        echo "POPSYNC_IMAGE=popsync:latest"
        echo "REDIS_IMAGE=popsync-redis:bookworm"
        echo "STACK_BIND_HOST=127.0.0.1"
        echo "STACK_DB_HOST=127.0.0.1"
        echo "STACK_REDIS_HOST=127.0.0.1"
        echo "STACK_API_HOST=127.0.0.1"
        for var in STACK_DB_PORT STACK_REDIS_PORT STACK_API_PORT STACK_WORKER1_LOG_PORT STACK_WORKER2_LOG_PORT \
            STACK_TRIGGER_LOG_PORT; do echo "$var=${!var}"; done
        echo "TASK_HEARTBEAT_TIMEOUT=$TASK_HEARTBEAT_TIMEOUT"
        echo "AIRFLOW_USE_JOB_SCHEDULE=${AIRFLOW_USE_JOB_SCHEDULE:-true}"
        echo "POPSYNC_RETRY_DELAY_SECONDS=${POPSYNC_RETRY_DELAY_SECONDS:-10}"
        echo "WORKER_CONCURRENCY=${WORKER_CONCURRENCY:-4}"
        echo "POPSYNC_ROWS_PER_BUCKET=${POPSYNC_ROWS_PER_BUCKET:-}"
        users_env
    } >"$STATE/env"
    chmod 600 "$STATE/env"
}

# --- login --------------------------------------------------------------------------------------
USERS_FILE=${STACK_USERS_FILE:-$STATE/users}
AUTH_DIR=$STATE/auth
PASSWORDS=$AUTH_DIR/passwords.json
# `test` logs in as an admin and as a user granted one sector (SECTOR_USER): its own users file
# unless STACK_USERS_FILE names one (which must then hold both).
SECTOR_USER=stack_hi_reader
if [ "${1:-}" = test ] && [ -z "${STACK_USERS_FILE:-}" ]; then
    USERS_FILE=$STATE/test-users
    printf '%s\n' "# Users of 'stack.sh test' (rewritten by each test)" admin:admin:'*' \
        "$SECTOR_USER:viewer:health_insurance" >"$USERS_FILE"
    chmod 600 "$USERS_FILE"
fi

users_env() {
    # The users file -> AIRFLOW_USERS (Airflow's "name:role,...") and POPSYNC_UI_SECTOR_ACCESS (JSON);
    # a password is generated for every user who has none. Prints the variables for the env file.
    if [ ! -f "$USERS_FILE" ]; then
        cat >"$USERS_FILE" <<'EOF'
# Users of the popsync stack: one `name:role:sectors` a line.
#   role: admin, op, user or viewer (Airflow's simple auth manager; admin and op trigger DAGs)
#   sectors: comma-separated sector names popsync's pages and exports show this user, or * for all
# Passwords: generated into .stack/auth/passwords.json (0600) by `scripts/stack.sh up`.
admin:admin:*
# hi_reader:viewer:health_insurance
EOF
        chmod 600 "$USERS_FILE"
    fi
    mkdir -p "$AUTH_DIR"
    python3 - "$USERS_FILE" "$PASSWORDS" <<'EOF' || return 1
import json, os, re, secrets, sys
users_file, passwords_file = sys.argv[1:]
users, access = [], {}
for number, raw in enumerate(open(users_file, encoding="utf-8"), 1):
    line = raw.strip()
    if not line or line.startswith("#"):
        continue
    parts = line.split(":")
    if len(parts) != 3 or not re.fullmatch(r"[A-Za-z0-9_.@-]+", parts[0]) or parts[1].lower() not in {"admin", "op", "user", "viewer"}:
        sys.exit(f"{users_file}:{number}: expected name:role:sectors (role admin, op, user or viewer)")
    name, role, sectors = parts
    users.append(f"{name}:{role.lower()}")
    access[name] = [s.strip() for s in sectors.split(",") if s.strip()]
if not users:
    sys.exit(f"{users_file}: no user (the stack requires a login)")
passwords = json.load(open(passwords_file)) if os.path.exists(passwords_file) else {}
for entry in users:
    passwords.setdefault(entry.split(":")[0], secrets.token_urlsafe(18))
fd = os.open(passwords_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
with os.fdopen(fd, "w") as out:
    json.dump(passwords, out, indent=1)
print("AIRFLOW_USERS=" + ",".join(users))
print("POPSYNC_UI_SECTOR_ACCESS=" + json.dumps({"users": access}, separators=(",", ":")))
EOF
    chmod 600 "$PASSWORDS"
    # The API server runs as uid 50000, group 0: it must read (and may extend) the file.
    chown -R "${AIRFLOW_UID:-50000}:0" "$AUTH_DIR"
    chmod 770 "$AUTH_DIR"
    echo "POPSYNC_AUTH_DIR=$AUTH_DIR"
}

api_login() {
    # POPSYNC_API_USER / POPSYNC_API_PASSWORD: the given user, or the first admin of the users file
    # (for stack_check).
    POPSYNC_API_USER=${1:-$(grep -E '^[^#][^:]*:admin:' "$USERS_FILE" | head -n 1 | cut -d: -f1)}
    [ -n "$POPSYNC_API_USER" ] || { echo "$USERS_FILE has no admin user: stack.sh test needs one" >&2; return 1; }
    POPSYNC_API_PASSWORD=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' \
        "$PASSWORDS" "$POPSYNC_API_USER")
    export POPSYNC_API_USER POPSYNC_API_PASSWORD
}

print_login() {
    echo "login required: users in $USERS_FILE, their passwords in $PASSWORDS (0600); UI $API/"
}

# --- images -----------------------------------------------------------------------------------------
registry_reachable() {
    docker image inspect "$PUBLIC_BASE" >/dev/null 2>&1 && return 0
    timeout 20 docker pull -q "$PUBLIC_BASE" >/dev/null 2>&1
}

offline_base_image() {
    # A Debian bookworm root file system from the package mirror, imported as an image.
    docker image inspect "$OFFLINE_BASE" >/dev/null 2>&1 && return 0
    apt_install mmdebstrap
    local sources=/etc/apt/sources.list.d/debian.sources
    [ -f "$sources" ] || sources=/etc/apt/sources.list
    local rootfs=$STATE/rootfs.tar
    mmdebstrap --quiet --variant=minbase --include=python3,python3-venv,ca-certificates \
        --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
        --dpkgopt='path-include=/usr/share/doc/*/copyright' --dpkgopt='path-exclude=/usr/share/locale/*' \
        bookworm "$rootfs" "$sources"
    docker import -c 'ENV LANG=C.UTF-8' -c 'CMD ["/bin/bash"]' "$rootfs" "$OFFLINE_BASE" >/dev/null
    rm -f "$rootfs"
}

docker_build() {
    # Host networking for RUN steps (no bridge NAT here); the legacy builder's warning is noise.
    docker build -q --network host "$@" 2>&1 | grep -v -i -e deprecated -e buildx -e 'install the' -e '^ *$' || true
}

build_images() {
    step "images"
    local base=${BASE_IMAGE:-}
    if [ -z "$base" ]; then
        if registry_reachable; then base=$PUBLIC_BASE; else
            echo "no image registry reachable: building $OFFLINE_BASE from the Debian mirror"
            offline_base_image
            base=$OFFLINE_BASE
        fi
    fi
    echo "base image: $base"
    # Where PyPI is reached through a TLS-inspecting proxy, the image trusts the host's bundle while installing.
    [ -f /etc/ssl/certs/ca-certificates.crt ] && cp /etc/ssl/certs/ca-certificates.crt docker/certs/host-ca-bundle.crt
    docker_build --build-arg BASE_IMAGE="$base" -t popsync:latest .
    docker image inspect popsync:latest >/dev/null
    if [ "$base" = "$OFFLINE_BASE" ] || ! docker image inspect redis:7.2-bookworm >/dev/null 2>&1; then
        docker image inspect popsync-redis:bookworm >/dev/null 2>&1 ||
            docker_build --build-arg BASE_IMAGE="$base" -t popsync-redis:bookworm -f docker/redis.Dockerfile docker
        docker image inspect popsync-redis:bookworm >/dev/null
    fi
    docker images --format '  {{.Repository}}:{{.Tag}}  {{.Size}}' | grep -E 'popsync' || true
    step_done
}

# --- stack ------------------------------------------------------------------------------------------
wait_healthy() {
    local services=(postgres redis airflow-apiserver airflow-scheduler airflow-dag-processor airflow-triggerer
        airflow-worker-1 airflow-worker-2)
    for _ in $(seq 1 120); do
        local unhealthy=0
        for service in "${services[@]}"; do
            local id
            id=$("${COMPOSE[@]}" ps -q "$service" 2>/dev/null || true)
            [ -n "$id" ] || { unhealthy=1; break; }
            [ "$(docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}' "$id")" = healthy ] ||
                { unhealthy=1; break; }
        done
        [ $unhealthy -eq 0 ] && return 0
        sleep 5
    done
    "${COMPOSE[@]}" ps
    echo "stack not healthy after 10 min" >&2
    return 1
}

stack_up() {
    build_images
    step "compose up"
    "${COMPOSE[@]}" up -d 2>&1 | grep -v -i -e deprecated
    [ "${PIPESTATUS[0]}" -eq 0 ] || { echo "compose up failed" >&2; return 1; }
    wait_healthy
    "${COMPOSE[@]}" ps
    print_login
    step_done
}

stack_down() {
    step "compose down"
    "${COMPOSE[@]}" down -v --remove-orphans 2>&1 | tail -n 3
    step_done
}

in_stack() {
    # Run a command in a one-off container of the popsync image, with the stack's configuration
    # and, once api_login ran, the API login (passed by name: the password is on no command line).
    local login=()
    [ -z "${POPSYNC_API_USER:-}" ] || login=(-e POPSYNC_API_USER -e POPSYNC_API_PASSWORD)
    "${COMPOSE[@]}" run --rm --no-deps -T "${login[@]}" airflow-init "$@"
}

stack_test() {
    stack_up
    step "demo data (${STACK_PERSONS:-20000} persons)"
    in_stack popsync generate --persons "${STACK_PERSONS:-20000}" --seed 6 --replace | tail -n 1
    step_done

    step "anonymous requests refused (Airflow API, popsync pages, JSON, exports, Data Docs)"
    in_stack python3 -m popsync.local.stack_check anonymous --api "$API"
    step_done

    api_login
    step "every DAG through the scheduler on two Celery workers"
    in_stack python3 -m popsync.local.stack_check run --api "$API" --expect-workers 2
    step_done

    step "a user granted one sector sees only that sector ($SECTOR_USER: health_insurance)"
    api_login "$SECTOR_USER"
    in_stack python3 -m popsync.local.stack_check sector-user --api "$API" --sector health_insurance
    api_login
    step_done

    evaluate_step "score against the ground truth (popsync evaluate)" "$STATE/evaluate-before.txt"

    step "one dataset split into buckets over both workers (health_insurance, $POPSYNC_ROWS_PER_BUCKET records a bucket)"
    in_stack python3 -m popsync.local.stack_check buckets --api "$API" --sector health_insurance --expect-workers 2
    step_done

    kill_step
    evaluate_step "ground truth after the kill: the same as before" "$STATE/evaluate-after.txt"
    diff "$STATE/evaluate-before.txt" "$STATE/evaluate-after.txt" && echo "results equal before and after the kill"
    "${COMPOSE[@]}" ps
}

evaluate_step() {
    step "$1"
    in_stack popsync evaluate >"$2"
    tail -n 1 "$2"
    grep -q 'precision = recall = 1.000' "$2"
    step_done
}

kill_step() {
    step "a worker killed (docker kill) while it runs a bucket of reconcile (heartbeat timeout $TASK_HEARTBEAT_TIMEOUT s)"
    # The workers' container ids are looked up before: the kill lands within a second of the KILL line.
    local -A worker_ids
    local service
    for service in airflow-worker-1 airflow-worker-2; do worker_ids[$service]=$("${COMPOSE[@]}" ps -q "$service"); done
    in_stack python3 -m popsync.local.stack_check kill-worker --api "$API" --sectors health_insurance | while IFS= read -r line; do
        echo "$line"
        case $line in
        "KILL "*)
            service=${line#KILL }
            docker kill "${worker_ids[$service]}" >/dev/null
            echo "docker kill $service (${worker_ids[$service]:0:12}) at $(date -u +%T.%N | cut -c1-12) UTC"
            ;;
        esac
    done
    [ "${PIPESTATUS[0]}" -eq 0 ]
    step_done
    # `docker kill` counts as a manual stop (restart: always does not bring the container back):
    # start the killed worker again and wait for it before anything else runs.
    docker start "${worker_ids[@]}" >/dev/null
    wait_healthy
}

prerequisites
case ${1:-} in
build) build_images ;;
up) stack_up ;;
down) stack_down ;;
logs) shift; "${COMPOSE[@]}" logs -f --tail=200 "$@" ;;
ps) "${COMPOSE[@]}" ps ;;
config) "${COMPOSE[@]}" config ;;
kill)
    # On a running stack (up or KEEP_UP=1 test, with its demo data): kill a worker mid-run, time the retry.
    api_login
    kill_step
    ;;
test)
    export AIRFLOW_USE_JOB_SCHEDULE=false # the test triggers every run itself: no cron or Asset runs besides
    # Nothing restarts the API server during the test: a killed worker's task is retried sooner.
    export TASK_HEARTBEAT_TIMEOUT=${HEARTBEAT_GIVEN:-30}
    # Small buckets: the 20,000-person demo's larger datasets split into several buckets.
    export POPSYNC_ROWS_PER_BUCKET=${POPSYNC_ROWS_PER_BUCKET:-5000}
    write_env
    trap 'status=$?; [ "${KEEP_UP:-0}" = 1 ] || stack_down; echo "=== total: $(($(date +%s) - T_START)) s"; exit $status' EXIT
    stack_test
    ;;
*)
    sed -n '2,18p' "$0"
    exit 2
    ;;
esac
