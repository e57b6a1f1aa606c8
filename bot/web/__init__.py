"""The instance's web server (bot/web/server.py): the webhook route, /healthz, /metrics, the Mini App."""
