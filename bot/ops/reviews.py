"""Expert review of methodical materials (cl. 3.1, 5): before a material is decided, the chair asks one or two
members, never its author, to review it. Each gets the file privately and a short form (approve for the bank,
return for revision, reject, and a comment). The chair reads the reviews when deciding; they are listed with
the material's item in the protocol; the author gets the comments, the reviewer named only if they agree.
A review not given in 7 days is reminded once; 3 days later the chair is told."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import ReviewLine
from bot.errors import KeneshError
from bot.i18n import lazy_gettext as __
from bot.ops import audit, notices
from bot.ops.materials import MAX_COMMENT, review_lines, undecided
from bot.text_input import clean_text
from bot.ui import protocol
from bot.ui import reviews as ui_reviews
from db.models import Council, Material, MaterialReview, MaterialState, Member, MemberStatus, ReviewVerdict
from db.repo import jobs as jobs_repo
from db.repo import members as members_repo
from db.repo import referenced
from db.repo import reviews as reviews_repo
from db.repo.outbox import Kind

log = logging.getLogger(__name__)

MAX_REVIEWERS = 2
REVIEW_DAYS = 7  # then the reviewer is reminded, once
CHAIR_AFTER_DAYS = 3  # after the reminder, the chair is told
NOT_NEEDED = __("This review is no longer needed: the material has been decided or sent again.")


def protocol_notes(given: Mapping[int, Sequence[ReviewLine]]) -> dict[int, list[protocol.ReviewNote]]:
    """The reviews given of the materials on a meeting's agenda (`meetings.item_reviews`, the same the
    announcement lists), as each material's item in the protocol lists them."""
    return {
        position: [
            protocol.ReviewNote(line.public_name, line.review.verdict, line.review.comment)
            for line in lines
            if line.review.verdict is not None
        ]
        for position, lines in given.items()
    }


@dataclass(frozen=True)
class Choices:
    material: Material
    people: list[Member]  # who may still be asked
    asked: list[ReviewLine]


async def reviewer_choices(session: AsyncSession, material_id: int, user_id: int) -> Choices:
    """Members with a vote who may review it: not its author, not asked already; at most two are asked."""
    material, author, council = await undecided(session, material_id, user_id)
    asked = await review_lines(session, material)
    if len(asked) >= MAX_REVIEWERS:
        raise KeneshError(__("Two members already review this version of the material."))
    taken = {line.review.reviewer_id for line in asked} | {author.id}
    people = [
        m
        for m in await members_repo.council_members(session, council.id)
        if m.status is MemberStatus.APPROVED and m.role.votes and m.id not in taken
    ]
    return Choices(material, people, asked)


async def ask_review(
    session: AsyncSession,
    *,
    material_id: int,
    member_id: int,
    user_id: int,
    now: datetime,
    default_locale: str,
) -> tuple[Material, Member, MaterialReview]:
    """The chair's request: the reviewer gets the form (the file comes with it, from the handler)."""
    material, author, council = await undecided(session, material_id, user_id)
    reviewer = await members_repo.get_member(session, member_id)
    if reviewer is None or reviewer.council_id != council.id or reviewer.status is not MemberStatus.APPROVED:
        raise KeneshError(__("This person is not a member of the council."))
    if reviewer.id == author.id:
        raise KeneshError(__("The author cannot review their own material."))
    asked = await review_lines(session, material)
    if any(line.review.reviewer_id == reviewer.id for line in asked):
        raise KeneshError(__("{name} is already asked to review it."), name=reviewer.full_name)
    if len(asked) >= MAX_REVIEWERS:
        raise KeneshError(__("Two members already review this version of the material."))
    review = MaterialReview(
        material_id=material.id,
        version=material.version,
        reviewer_id=reviewer.id,
        asked_by=user_id,
        asked_at=now,
        named=False,
    )
    session.add(review)
    await session.flush()  # the unique constraint: a second press of the same name stops here
    audit.record(
        session,
        council_id=council.id,
        actor_id=user_id,
        action=audit.AuditAction.REVIEW_ASKED,
        obj_kind=audit.AuditObject.MATERIAL,
        obj_id=material.id,
        after=reviewer.full_name,
        now=now,
    )
    await notices.to_person(
        session,
        reviewer.user_id,
        partial(ui_reviews.review_request, material, author.full_name, REVIEW_DAYS),
        kind=Kind.PERSONAL,
        now=now,
        default_locale=default_locale,
        council_id=council.id,
        markup=partial(ui_reviews.review_keyboard, review.id),
    )
    await session.commit()
    log.info("Material %s: member %s asked for an expert review", material.id, reviewer.id)
    return material, reviewer, review


async def for_reviewer(session: AsyncSession, review_id: int, user_id: int) -> tuple[MaterialReview, Material]:
    """A review its reviewer may still give: theirs, not given, of the version still to be decided."""
    review = await reviews_repo.get_review(session, review_id)
    reviewer = await members_repo.get_member(session, review.reviewer_id) if review else None
    if review is None or reviewer is None or reviewer.user_id != user_id:
        raise KeneshError(__("This review is not yours."))
    material = await referenced(session, Material, review.material_id)
    if review.given_at is not None:
        raise KeneshError(__("Your review is already given."))
    if material.version != review.version or material.state not in (MaterialState.SUBMITTED, MaterialState.ON_AGENDA):
        raise KeneshError(NOT_NEEDED)
    return review, material


async def give_review(
    session: AsyncSession,
    *,
    review_id: int,
    user_id: int,
    verdict: ReviewVerdict,
    comment: str | None,
    named: bool,
    now: datetime,
    default_locale: str,
) -> tuple[MaterialReview, Material]:
    """The reviewer's recommendation and comment, once; the chair is told with the decision's buttons."""
    review, material = await for_reviewer(session, review_id, user_id)
    comment = clean_text(comment, multiline=True).strip()[:MAX_COMMENT] or None
    if not await reviews_repo.give(session, review.id, verdict=verdict, comment=comment, named=named, now=now):
        raise KeneshError(__("Your review is already given."))
    await session.refresh(review)
    reviewer = await referenced(session, Member, review.reviewer_id)
    council = await referenced(session, Council, material.council_id)
    line = ReviewLine(review, reviewer.full_name)
    await notices.to_person(
        session,
        council.chair_id,
        partial(ui_reviews.review_to_chair, material, line),
        kind=Kind.PERSONAL,
        now=now,
        default_locale=default_locale,
        council_id=council.id,
        markup=partial(ui_reviews.decide_keyboard, material.id),
    )
    await session.commit()
    log.info("Material %s: review %s given (%s)", material.id, review.id, verdict.value)
    return review, material


async def remind_late(session: AsyncSession, *, now: datetime, tz: ZoneInfo, default_locale: str) -> int:
    """The daily check: a review not given 7 days after it was asked is reminded to its reviewer, once; 3 days
    later, still not given, the chair is told, once (job_runs keep each once). No commit: the caller's."""
    today = now.astimezone(tz).date()
    sent = 0
    for review, material in await reviews_repo.waiting(session):
        asked_on = review.asked_at.astimezone(tz).date()
        reminded = f"review-remind:{review.id}"
        told = f"review-late:{review.id}"
        reviewer = await referenced(session, Member, review.reviewer_id)
        if today >= asked_on + timedelta(days=REVIEW_DAYS) and await jobs_repo.job_run(session, reminded) is None:
            jobs_repo.add_job_run(session, reminded, today)
            await notices.to_person(
                session,
                reviewer.user_id,
                partial(ui_reviews.review_reminder, material, asked_on),
                kind=Kind.REMINDER,
                now=now,
                default_locale=default_locale,
                council_id=material.council_id,
                markup=partial(ui_reviews.review_keyboard, review.id),
            )
            sent += 1
        elif today >= asked_on + timedelta(days=REVIEW_DAYS + CHAIR_AFTER_DAYS) and (
            await jobs_repo.job_run(session, told) is None and await jobs_repo.job_run(session, reminded) is not None
        ):
            jobs_repo.add_job_run(session, told, today)
            council = await referenced(session, Council, material.council_id)
            await notices.to_person(
                session,
                council.chair_id,
                partial(ui_reviews.review_late, material, reviewer.full_name, asked_on),
                kind=Kind.REMINDER,
                now=now,
                default_locale=default_locale,
                council_id=council.id,
                markup=partial(ui_reviews.decide_keyboard, material.id),
            )
            sent += 1
    return sent
