"""Scheduled work done once: a JobRun row per reminder sent or daily check run."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import (
    JobRun,
)


async def job_runs_like(session: AsyncSession, prefix: str) -> Sequence[str]:
    return (await session.scalars(select(JobRun.name).where(JobRun.name.startswith(prefix)))).all()


async def job_run(session: AsyncSession, name: str) -> JobRun | None:
    return await session.get(JobRun, name)


def add_job_run(session: AsyncSession, name: str, day: date) -> JobRun:
    """The record that this work was done (its name is the primary key: a second one cannot be stored)."""
    run = JobRun(name=name, last_day=day)
    session.add(run)
    return run
