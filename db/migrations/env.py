"""Alembic environment.

The bot migrates through db.engine.migrate(), which hands a connection over. From the command line,
`alembic upgrade head` (alembic.ini at the project root) reads DATABASE_URL from the environment or `.env`,
the same setting read the same way as the bot reads it (db.settings), so an operator can migrate, stamp or
downgrade by hand.

A new revision is numbered after the last one (0013, 0014 ...; alembic.ini names its file by that number), so
`make migration m="..."` (alembic revision --autogenerate) needs no --rev-id.
"""

import asyncio
from logging.config import fileConfig
from pathlib import Path

from alembic import context
from alembic.operations.ops import MigrationScript
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from db.engine import create_engine
from db.models import Base
from db.settings import database_url


def _number_revision(_context: MigrationContext, _revision: object, directives: list[MigrationScript]) -> None:
    """The next number after the head (0012 -> 0013), unless --rev-id gave one already."""
    script = directives[0]
    if script.rev_id is not None and script.rev_id.isdigit():
        return
    head = ScriptDirectory.from_config(context.config).get_current_head()
    script.rev_id = f"{int(head) + 1:04d}" if head is not None and head.isdigit() else "0001"


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
        process_revision_directives=_number_revision,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_from_command_line() -> None:
    url = database_url()
    prefix = "sqlite+aiosqlite:///"
    if url.startswith(prefix) and url[len(prefix) :] not in ("", ":memory:"):
        Path(url[len(prefix) :]).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_run)
    finally:
        await engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported: run them against the database")
connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    if context.config.config_file_name is not None:
        fileConfig(context.config.config_file_name, disable_existing_loggers=False)  # alembic.ini's logging
    asyncio.run(_run_from_command_line())
