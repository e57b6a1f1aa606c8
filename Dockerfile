# Kenesh in a container: slim Python, the locked dependencies, a non-root user, the records in a volume.
#   docker build -t kenesh .
#   docker run -d --env-file .env -v kenesh-data:/app/data kenesh
# compose.yaml runs it with PostgreSQL and Redis; README "For a district" says how.
# Debian 13 (trixie): its postgresql-client is 17, the major version of compose's PostgreSQL, so the image's
# `python -m bot backup` can pg_dump it.
FROM python:3.11-slim-trixie

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# pg_dump and pg_restore for `python -m bot backup` / `restore` against PostgreSQL.
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*

# Dependencies first (a layer that changes only with the lock file): exact versions, every hash checked.
COPY requirements.lock ./
RUN python -m pip install --require-hashes --no-deps -r requirements.lock

# The application runs from its source directory (`python -m bot` from /app), as with `make run`.
COPY bot ./bot
COPY handlers ./handlers
COPY db ./db
COPY locales ./locales
# The translations are compiled now: at run time /app is read-only to the bot's user.
RUN pybabel compile -d locales -D messages \
    && useradd --system --uid 10001 --user-group --home-dir /app --no-create-home --shell /usr/sbin/nologin kenesh \
    && mkdir -p /app/data/files \
    && chown -R kenesh:kenesh /app/data

USER kenesh

# The SQLite database (when DATABASE_URL is not PostgreSQL) and the archive of materials (STORAGE_DIR).
# MPLCONFIGDIR: matplotlib (the /report chart) wants a writable cache, else it warns at every start.
ENV DATABASE_URL=sqlite+aiosqlite:////app/data/kenesh.db \
    STORAGE_DIR=/app/data/files \
    MPLCONFIGDIR=/tmp/matplotlib
VOLUME ["/app/data"]

# The web server listens here (WEB_PORT): the webhook, /healthz, /metrics, the Mini App. In polling mode it
# runs only when WEB_PORT (or MINIAPP_URL) is set.
EXPOSE 8080

# GET /healthz answers 200 while the database, Redis (when set) and the outbox are well. Without a web server
# (polling, WEB_PORT unset): healthy while the process runs (Docker restarts it when it exits).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 CMD ["python", "-c", "import os, urllib.request; any(os.environ.get(n) for n in ('WEBHOOK_URL', 'WEB_PORT', 'MINIAPP_URL')) and urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('WEB_PORT', '8080'), timeout=4)"]

# aiogram stops polling cleanly on SIGTERM (docker stop) and SIGINT.
CMD ["python", "-m", "bot"]
