# Numatix: the app on one port (pages, API, event socket). Not built on the development
# machines (they have no Docker engine): it repeats, step for step, what `make run` does
# there, which the tests exercise on every run.
FROM python:3.11-slim-bookworm

RUN apt-get update \
 && apt-get install -y --no-install-recommends make nodejs npm unzip curl \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt Makefile rxconfig.py alembic.ini ./
COPY .tools/package.json .tools/package-lock.json .tools/
COPY scripts scripts
RUN make setup

COPY . .

ENV NUMATIX_DATA_DIR=/data \
    REFLEX_TELEMETRY_ENABLED=false \
    PORT=3000
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=3s --start-period=60s CMD curl -fsS http://127.0.0.1:3000/api/health || exit 1
CMD ["make", "run"]
