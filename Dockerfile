# popsync image: Apache Airflow 3 + popsync, installed from the project's lock file (uv.lock).
#
# BASE_IMAGE: any Debian bookworm image with Python 3.11 (`python3`, `python3 -m venv`).
#   With a registry: the default public image.  Without one: `scripts/stack.sh` builds
#   popsync-base:bookworm from the Debian package mirror (mmdebstrap + docker import).
ARG BASE_IMAGE=python:3.11-slim-bookworm
FROM ${BASE_IMAGE}

ARG UV_VERSION=0.13.8
ENV LANG=C.UTF-8 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    UV_COMPILE_BYTECODE=0 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/opt/venv

# Extra CA certificates (docker/certs/*.crt) are trusted only while installing.
COPY docker/certs/ /tmp/certs/
RUN set -eu; \
    bundle=/etc/ssl/certs/ca-certificates.crt; \
    if ls /tmp/certs/*.crt >/dev/null 2>&1; then cat /tmp/certs/*.crt > /tmp/ca-bundle.crt; bundle=/tmp/ca-bundle.crt; fi; \
    python3 -m venv /opt/uv; \
    PIP_CERT=$bundle /opt/uv/bin/pip install --quiet "uv==${UV_VERSION}"; \
    echo "$bundle" > /tmp/ca-bundle-path

WORKDIR /opt/popsync
# Dependencies first (cached while only the code changes): exactly the locked versions, hashes checked.
COPY pyproject.toml uv.lock README.md ./
RUN SSL_CERT_FILE=$(cat /tmp/ca-bundle-path) /opt/uv/bin/uv sync --frozen --no-dev --extra celery \
        --no-install-project --python "$(command -v python3)" \
 && rm -rf /root/.cache

COPY include/ include/
COPY plugins/ plugins/
COPY dags/ dags/
COPY docker/postgres-entrypoint.sh /usr/local/bin/popsync-postgres
COPY docker/healthcheck.py /usr/local/bin/popsync-healthcheck
RUN SSL_CERT_FILE=$(cat /tmp/ca-bundle-path) /opt/uv/bin/uv sync --frozen --no-dev --extra celery \
        --python "$(command -v python3)" \
 && rm -rf /root/.cache /tmp/certs /tmp/ca-bundle.crt /tmp/ca-bundle-path \
 && useradd --uid 50000 --gid 0 --home-dir /opt/airflow --create-home airflow \
 && mkdir -p /opt/airflow/logs /opt/popsync-work /opt/popsync-auth /var/lib/postgresql/data \
 && chown -R 50000:0 /opt/airflow /opt/popsync-work /opt/popsync-auth /var/lib/postgresql \
 && chmod -R g+rwX /opt/airflow /opt/popsync-work \
 && chmod 770 /opt/popsync-auth

ENV PATH=/opt/venv/bin:$PATH \
    AIRFLOW_HOME=/opt/airflow \
    AIRFLOW__CORE__DAGS_FOLDER=/opt/popsync/dags \
    AIRFLOW__CORE__PLUGINS_FOLDER=/opt/popsync/plugins \
    AIRFLOW__CORE__LOAD_EXAMPLES=False \
    POPSYNC_PROJECT_DIR=/opt/popsync \
    POPSYNC_HOME=/opt/popsync-work
USER 50000
WORKDIR /opt/airflow
CMD ["airflow", "version"]
