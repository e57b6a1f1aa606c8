"""Persistence: models, repository functions, engine/session and Alembic migrations. Imports nothing of ours."""
