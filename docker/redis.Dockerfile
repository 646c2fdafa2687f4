# Redis (the Celery broker) from Debian's package, for machines without an image registry.
# With a registry, docker-compose.yml uses the official redis image instead.
ARG BASE_IMAGE=popsync-base:bookworm
FROM ${BASE_IMAGE}
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends redis-server \
 && rm -rf /var/lib/apt/lists/*
USER redis
CMD ["redis-server", "--bind", "127.0.0.1", "--port", "6379", "--save", "", "--appendonly", "no"]
