# Kenesh in a container: slim Python, the locked dependencies, a non-root user, the records in a volume.
#   docker build -t kenesh .
#   docker run -d --env-file .env -v kenesh-data:/app/data kenesh
# compose.yaml runs it with PostgreSQL and Redis; README "For a district" says how.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

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
ENV DATABASE_URL=sqlite+aiosqlite:////app/data/kenesh.db \
    STORAGE_DIR=/app/data/files
VOLUME ["/app/data"]

# Webhook mode listens here (WEB_PORT); polling mode listens nowhere.
EXPOSE 8080

# Webhook mode: GET /healthz answers 200 while the database answers. Polling mode has no port: healthy while
# the process runs (Docker restarts it when it exits).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 CMD ["python", "-c", "import os, urllib.request; os.environ.get('WEBHOOK_URL') and urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('WEB_PORT', '8080'), timeout=4)"]

# aiogram stops polling cleanly on SIGTERM (docker stop) and SIGINT.
CMD ["python", "-m", "bot"]
