"""The instance's web side: the Mini App (bot/web/miniapp.py) and its static files."""
