"""The migrations build exactly the schema the models describe (no forgotten column or index)."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from db.models import Base


async def test_migrations_match_the_models(engine):
    async with engine.connect() as connection:
        diff = await connection.run_sync(
            lambda sync: compare_metadata(
                MigrationContext.configure(sync, opts={"render_as_batch": True}), Base.metadata
            )
        )
    assert diff == []
