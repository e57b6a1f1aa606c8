"""The school's methodical associations (МБ / МО) and creative groups (cl. 3.1, 4.2), kept by the chair.

Each has a head, an approved member; the council approves heads and each year's themes by the vote on an
agenda item made for it, and only then they count (shown as the head, asked to report). A member belongs to
at most one association, apart from the role chosen at registration, and to any number of creative groups.
An association's or group's report is an agenda item too; the council rates it at the meeting by a rating
vote on the school's scale (cl. 3.1, 5).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot import rules
from bot.domain import Affiliation, GroupRatingRow, GroupsOverview, GroupView, RatingLine, RollLine
from bot.errors import KeneshError
from bot.i18n import lazy_gettext as __
from bot.ops import audit, meetings, notices
from bot.ops.access import NOT_RUNNER, council_for_chair, council_of_member, runs_meetings
from bot.ops.meetings import open_meeting_of
from bot.ops.plan import parse_date
from bot.text_input import clean_text
from bot.ui import groups as ui_groups
from bot.ui import protocol
from db.models import (
    Choice,
    Council,
    GroupKind,
    GroupProposal,
    GroupReport,
    Meeting,
    MeetingStatus,
    Member,
    MemberStatus,
    Outcome,
    ProposalKind,
    ProposalState,
    Rating,
    TeacherGroup,
    Vote,
    VoteKind,
)
from db.repo import change_if, referenced
from db.repo import groups as groups_repo
from db.repo import jobs as jobs_repo
from db.repo import meeting_day as day_repo
from db.repo import meetings as meetings_repo
from db.repo import members as members_repo
from db.repo.outbox import Kind

log = logging.getLogger(__name__)

MAX_NAME, MAX_AREA, MAX_THEME = 200, 200, 300
GONE = __("This association or group no longer exists.")
ARCHIVED = __("This association or group is archived. Restore it first.")


def parse_name(text: str | None, limit: int = MAX_NAME) -> str:
    value = " ".join(clean_text(text).split())
    if not value:
        raise KeneshError(__("Send the text in one message."))
    if len(value) > limit:
        raise KeneshError(__("The text is too long: at most {limit} characters."), limit=limit)
    return value


def parse_end(text: str | None, today: date) -> date:
    """A temporary group's end: a date from today on."""
    day = parse_date(text or "", today)
    if day < today:
        raise KeneshError(__("This date has already passed. Choose today or a later date."))
    return day


# --- reading: the list, a group's page, members' affiliations ----------------------------------------------


def _current(
    proposals: Sequence[GroupProposal], kind: ProposalKind, school_year: int | None
) -> tuple[GroupProposal | None, GroupProposal | None]:
    """The approved one that counts (the latest approved) and the one waiting for the vote, of one kind."""
    mine = [p for p in proposals if p.kind is kind and (school_year is None or p.school_year == school_year)]
    approved = [p for p in mine if p.state is ProposalState.APPROVED]
    waiting = [p for p in mine if p.state is ProposalState.PROPOSED]
    return (approved[-1] if approved else None), (waiting[-1] if waiting else None)


async def _memberships(session: AsyncSession, council_id: int) -> set[tuple[int, int]]:
    """(group id, member id): who is in each association (one each) and in each creative group."""
    associations = await groups_repo.associations_of_council(session, council_id)
    creative = await groups_repo.creative_members_of_council(session, council_id)
    return {(group_id, member_id) for member_id, group_id in associations.items()} | set(creative)


async def _views(
    session: AsyncSession, council: Council, groups: Sequence[TeacherGroup], school_year: int, *, full: bool
) -> list[GroupView]:
    ids = [g.id for g in groups]
    proposals = await groups_repo.proposals_of(session, ids)
    members = {m.id: m for m in await groups_repo.approved_members(session, council.id)}
    memberships = await _memberships(session, council.id) if full else set()
    reports = await groups_repo.reports_of_groups(session, ids) if full else []
    numbers: dict[int, int | None] = {}
    for report in reports:
        if report.meeting_id not in numbers:
            meeting = await meetings_repo.get_meeting(session, report.meeting_id)
            numbers[report.meeting_id] = meeting.protocol_number if meeting else None
    views = []
    for group in groups:
        own = [p for p in proposals if p.group_id == group.id]
        head, head_waiting = _current(own, ProposalKind.HEAD, None)
        theme, theme_waiting = _current(own, ProposalKind.THEME, school_year)
        views.append(
            GroupView(
                group=group,
                head=members.get(head.member_id) if head and head.member_id else None,
                head_proposed=members.get(head_waiting.member_id) if head_waiting and head_waiting.member_id else None,
                theme=theme.text if theme else None,
                theme_proposed=theme_waiting.text if theme_waiting else None,
                members=[m for m in members.values() if (group.id, m.id) in memberships],
                ratings=[
                    RatingLine(r.school_year, numbers.get(r.meeting_id), r.rating)
                    for r in reports
                    if r.group_id == group.id and r.rating in rules.RATED
                ],
                head_on_agenda=await _agenda_day(session, head_waiting),
                theme_on_agenda=await _agenda_day(session, theme_waiting),
            )
        )
    return views


async def _agenda_day(session: AsyncSession, proposal: GroupProposal | None) -> datetime | None:
    """When the meeting whose agenda has this proposal is, while it is still to come."""
    if proposal is None or proposal.meeting_id is None:
        return None
    meeting = await meetings_repo.get_meeting(session, proposal.meeting_id)
    if meeting is None or meeting.status not in (MeetingStatus.ANNOUNCED, MeetingStatus.OPEN):
        return None
    return meeting.starts_at


async def overview(session: AsyncSession, user_id: int, today: date) -> GroupsOverview:
    """/groups: every member reads the list; the chair keeps it."""
    council = await council_of_member(session, user_id)
    year = rules.school_year_of(today)
    groups = await groups_repo.council_groups(session, council.id)
    kept = [g for g in groups if g.archived_at is None]
    return GroupsOverview(
        council,
        year,
        await _views(session, council, kept, year, full=False),
        [g for g in groups if g.archived_at is not None],
        council.chair_id == user_id,
    )


async def _own_group(
    session: AsyncSession, group_id: int, user_id: int, *, chair: bool
) -> tuple[TeacherGroup, Council]:
    group = await groups_repo.get_group(session, group_id)
    if group is None:
        raise KeneshError(GONE)
    council = await referenced(session, Council, group.council_id)
    if chair and council.chair_id != user_id:
        raise KeneshError(__("Only the chair of this council can do this."))
    if not chair and not await meetings.is_member_of(session, council.id, user_id):
        raise KeneshError(__("You are not a member of this council."))
    return group, council


@dataclass(frozen=True)
class GroupPage:
    council: Council
    view: GroupView
    school_year: int
    can_manage: bool


async def page(session: AsyncSession, group_id: int, user_id: int, today: date) -> GroupPage:
    group, council = await _own_group(session, group_id, user_id, chair=False)
    year = rules.school_year_of(today)
    (view,) = await _views(session, council, [group], year, full=True)
    return GroupPage(council, view, year, council.chair_id == user_id)


async def affiliations(session: AsyncSession, council_id: int) -> dict[int, Affiliation]:
    """member id -> their association, their creative groups and the groups they head, as /members shows them."""
    groups = {g.id: g for g in await groups_repo.council_groups(session, council_id)}
    associations = await groups_repo.associations_of_council(session, council_id)
    creative: dict[int, list[str]] = {}
    for group_id, member_id in await groups_repo.creative_members_of_council(session, council_id):
        if groups[group_id].archived_at is None:
            creative.setdefault(member_id, []).append(groups[group_id].name)
    heads: dict[int, list[tuple[GroupKind, str]]] = {}
    proposals = await groups_repo.proposals_of(session, list(groups))
    for group in groups.values():
        if group.archived_at is not None:
            continue
        head, _waiting = _current([p for p in proposals if p.group_id == group.id], ProposalKind.HEAD, None)
        if head is not None and head.member_id is not None:
            heads.setdefault(head.member_id, []).append((group.kind, group.name))
    found: dict[int, Affiliation] = {}
    for member_id in set(associations) | set(heads) | set(creative):
        association = groups.get(associations.get(member_id, 0))
        headed = heads.get(member_id, [])
        found[member_id] = Affiliation(
            association=association.name if association and association.archived_at is None else None,
            heads=tuple(headed),
            # a head's own group is said once, as the group they head
            creative=tuple(n for n in creative.get(member_id, ()) if (GroupKind.CREATIVE, n) not in headed),
        )
    return found


# --- keeping the list (the chair) ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Draft:
    """A new association or group as the chair typed it, shown as a preview before it is saved."""

    kind: GroupKind
    name: str
    area: str | None = None
    theme: str | None = None
    ends_on: date | None = None


async def create_group(
    session: AsyncSession, *, user_id: int, draft: Draft, now: datetime, tz: ZoneInfo
) -> TeacherGroup:
    council = await council_for_chair(session, user_id)
    group = TeacherGroup(
        council_id=council.id,
        kind=draft.kind,
        name=parse_name(draft.name),
        area=parse_name(draft.area, MAX_AREA) if draft.area else None,
        ends_on=draft.ends_on,
        created_by=user_id,
        created_at=now,
    )
    session.add(group)
    await session.flush()
    audit.record(
        session,
        council_id=council.id,
        actor_id=user_id,
        action=audit.AuditAction.GROUP_ADDED,
        obj_kind=audit.AuditObject.GROUP,
        obj_id=group.id,
        now=now,
    )
    if draft.theme:  # a creative group comes with its theme: proposed for this year's vote
        _propose(
            session,
            group,
            ProposalKind.THEME,
            rules.school_year_of(now.astimezone(tz).date()),
            user_id,
            now,
            text=draft.theme,
        )
    await session.commit()
    log.info("Council %s: %s %s added", council.id, group.kind.value, group.id)
    return group


EDITABLE = ("name", "area", "ends_on")


async def edit_group(
    session: AsyncSession, *, group_id: int, user_id: int, field: str, text: str, now: datetime, tz: ZoneInfo
) -> TeacherGroup:
    """The chair corrects a name, an association's subject area, or a temporary group's end ("-" clears it)."""
    group, council = await _own_group(session, group_id, user_id, chair=True)
    if field not in EDITABLE:
        raise KeneshError(GONE)
    before = getattr(group, field)
    value: object
    if field == "name":
        value = parse_name(text)
    elif field == "area":
        value = None if text.strip() == "-" else parse_name(text, MAX_AREA)
    else:
        value = None if text.strip() == "-" else parse_end(text, now.astimezone(tz).date())
    setattr(group, field, value)
    audit.record(
        session,
        council_id=council.id,
        actor_id=user_id,
        action=audit.AuditAction.GROUP_CHANGED,
        obj_kind=audit.AuditObject.GROUP,
        obj_id=group.id,
        before=before,
        after=value,
        now=now,
    )
    await session.commit()
    return group


async def archive_group(
    session: AsyncSession, *, group_id: int, user_id: int, restore: bool, now: datetime
) -> TeacherGroup:
    """Archived: off the list and the members' lines, its history kept; restored, back as it was."""
    group, council = await _own_group(session, group_id, user_id, chair=True)
    await _archive(session, group, council.id, actor_id=user_id, restore=restore, now=now)
    await session.commit()
    return group


async def _archive(
    session: AsyncSession, group: TeacherGroup, council_id: int, *, actor_id: int | None, restore: bool, now: datetime
) -> bool:
    """Archive or restore, once however often it is asked (the chair's press, the daily check); False when it
    already was so. Recorded in the council's log with the change; no commit: the caller's."""
    expected = TeacherGroup.archived_at.is_not(None) if restore else TeacherGroup.archived_at.is_(None)
    if not await change_if(session, TeacherGroup, group.id, expected, archived_at=None if restore else now):
        return False  # pressed twice, or archived meanwhile: already so
    group.archived_at = None if restore else now
    audit.record(
        session,
        council_id=council_id,
        actor_id=actor_id,
        action=audit.AuditAction.GROUP_CHANGED if restore else audit.AuditAction.GROUP_ARCHIVED,
        obj_kind=audit.AuditObject.GROUP,
        obj_id=group.id,
        now=now,
    )
    return True


async def archive_ended(session: AsyncSession, *, now: datetime, tz: ZoneInfo, default_locale: str) -> int:
    """The daily check: a temporary creative group whose end date has passed goes to the archive (its history
    kept, off the lists and the agenda's choices), and the chair is told once, with the way to restore it if
    the group goes on. No commit: the caller's."""
    archived, today = 0, now.astimezone(tz).date()
    for group in await groups_repo.ended_groups(session, today):
        once = f"group-ended:{group.id}:{group.ends_on}"  # restored by the chair after its end: left as it is
        if await jobs_repo.job_run(session, once) is not None:
            continue
        jobs_repo.add_job_run(session, once, today)
        if not await _archive(session, group, group.council_id, actor_id=None, restore=False, now=now):
            continue
        council = await referenced(session, Council, group.council_id)
        await notices.to_person(
            session,
            council.chair_id,
            partial(ui_groups.ended_and_archived, group),
            kind=Kind.PERSONAL,
            now=now,
            default_locale=default_locale,
            council_id=council.id,
            markup=partial(ui_groups.ended_keyboard, group.id),
        )
        archived += 1
    return archived


def _propose(
    session: AsyncSession,
    group: TeacherGroup,
    kind: ProposalKind,
    school_year: int,
    user_id: int,
    now: datetime,
    *,
    member_id: int | None = None,
    text: str | None = None,
) -> GroupProposal:
    proposal = GroupProposal(
        group_id=group.id,
        kind=kind,
        school_year=school_year,
        member_id=member_id,
        text=text,
        state=ProposalState.PROPOSED,
        created_by=user_id,
        created_at=now,
    )
    session.add(proposal)
    return proposal


async def head_choices(session: AsyncSession, group_id: int, user_id: int) -> tuple[TeacherGroup, list[Member]]:
    """Who may head it: approved members with a vote (cl. 4.2: heads are members of the council)."""
    group, council = await _own_group(session, group_id, user_id, chair=True)
    return group, [m for m in await groups_repo.approved_members(session, council.id) if m.role.votes]


async def propose_head(
    session: AsyncSession, *, group_id: int, member_id: int, user_id: int, now: datetime, tz: ZoneInfo
) -> tuple[TeacherGroup, Member]:
    """The chair's candidate for head, waiting for the council's vote (an earlier candidate is replaced)."""
    group, council = await _own_group(session, group_id, user_id, chair=True)
    if group.archived_at is not None:
        raise KeneshError(ARCHIVED)
    member = await members_repo.get_member(session, member_id)
    if (
        member is None
        or member.council_id != council.id
        or member.status is not MemberStatus.APPROVED
        or not member.role.votes
    ):
        raise KeneshError(__("The head must be an approved member of the council with a vote."))
    year = rules.school_year_of(now.astimezone(tz).date())
    await groups_repo.replace_pending(session, group.id, ProposalKind.HEAD, year)
    _propose(session, group, ProposalKind.HEAD, year, user_id, now, member_id=member.id)
    audit.record(
        session,
        council_id=council.id,
        actor_id=user_id,
        action=audit.AuditAction.HEAD_PROPOSED,
        obj_kind=audit.AuditObject.MEMBER,
        obj_id=member.id,
        now=now,
    )
    await session.commit()
    return group, member


async def propose_theme(
    session: AsyncSession, *, group_id: int, user_id: int, text: str, now: datetime, tz: ZoneInfo
) -> TeacherGroup:
    """This school year's theme, waiting for the council's vote."""
    group, council = await _own_group(session, group_id, user_id, chair=True)
    if group.archived_at is not None:
        raise KeneshError(ARCHIVED)
    theme = parse_name(text, MAX_THEME)
    year = rules.school_year_of(now.astimezone(tz).date())
    await groups_repo.replace_pending(session, group.id, ProposalKind.THEME, year)
    _propose(session, group, ProposalKind.THEME, year, user_id, now, text=theme)
    audit.record(
        session,
        council_id=council.id,
        actor_id=user_id,
        action=audit.AuditAction.THEME_PROPOSED,
        obj_kind=audit.AuditObject.GROUP,
        obj_id=group.id,
        after=theme,
        now=now,
    )
    await session.commit()
    return group


# --- members of an association or a creative group ----------------------------------------------------------


async def member_roll(session: AsyncSession, group_id: int, user_id: int) -> tuple[TeacherGroup, list[RollLine]]:
    """The council's approved members, each marked in or out of this association or group, for the toggle."""
    group, council = await _own_group(session, group_id, user_id, chair=True)
    people = await groups_repo.approved_members(session, council.id)
    if group.kind is GroupKind.CREATIVE:
        inside = {m for g, m in await groups_repo.creative_members_of_council(session, council.id) if g == group.id}
        return group, [RollLine(m, m.id in inside) for m in people]
    names = {g.id: g.name for g in await groups_repo.council_groups(session, council.id)}
    associations = await groups_repo.associations_of_council(session, council.id)
    lines = []
    for member in people:
        current = associations.get(member.id)
        other = names.get(current) if current is not None and current != group.id else None
        lines.append(RollLine(member, current == group.id, other))
    return group, lines


async def toggle_member(session: AsyncSession, *, group_id: int, member_id: int, user_id: int, now: datetime) -> bool:
    """In the association or group now (True), or out of it. Joining an association leaves any other: one
    association each; creative groups are as many as the member is in."""
    group, council = await _own_group(session, group_id, user_id, chair=True)
    if group.archived_at is not None:
        raise KeneshError(ARCHIVED)
    member = await members_repo.get_member(session, member_id)
    if member is None or member.council_id != council.id or member.status is not MemberStatus.APPROVED:
        raise KeneshError(__("This person is not a member of the council."))
    if group.kind is GroupKind.CREATIVE:
        joined = not await groups_repo.leave_creative_group(session, group.id, member.id)
        if joined:
            await groups_repo.join_creative_group(session, group.id, member.id, now)
        action = audit.AuditAction.CREATIVE_GROUP_CHANGED
        before, after = (None, group.id) if joined else (group.id, None)
    else:
        previous = await groups_repo.association_of(session, member.id)
        joined = previous != group.id
        if joined:
            await groups_repo.join_association(session, member.id, group.id, now)
        else:
            await groups_repo.leave_association(session, member.id)
        action, before, after = audit.AuditAction.ASSOCIATION_CHANGED, previous, group.id if joined else None
    audit.record(
        session,
        council_id=council.id,
        actor_id=user_id,
        action=action,
        obj_kind=audit.AuditObject.MEMBER,
        obj_id=member.id,
        before=before,
        after=after,
        now=now,
    )
    await session.commit()
    return joined


# --- onto a meeting's agenda: the head, the theme, the report -------------------------------------------------

HEAD, THEME, REPORT = "head", "theme", "report"


async def _waiting(session: AsyncSession, group: TeacherGroup, kind: ProposalKind, year: int) -> GroupProposal:
    proposals = await groups_repo.proposals_of(session, [group.id])
    _approved, waiting = _current(proposals, kind, year if kind is ProposalKind.THEME else None)
    if waiting is None:
        if kind is ProposalKind.HEAD:
            raise KeneshError(__("Choose the candidate for head first."))
        raise KeneshError(__("Write this year's theme first."))
    if await _agenda_day(session, waiting) is not None:
        raise KeneshError(__("This is already on the agenda of a meeting to come."))
    return waiting


async def agenda_choices(session: AsyncSession, group_id: int, user_id: int, what: str, today: date) -> list[Meeting]:
    """The announced meetings the head's approval, the theme or the report can go on."""
    group, council = await _own_group(session, group_id, user_id, chair=True)
    if group.archived_at is not None:
        raise KeneshError(ARCHIVED)
    year = rules.school_year_of(today)
    if what == HEAD:
        await _waiting(session, group, ProposalKind.HEAD, year)
    elif what == THEME:
        await _waiting(session, group, ProposalKind.THEME, year)
    else:
        await _approved_head(session, council, group)
    found = list(await meetings_repo.council_meetings(session, council.id, (MeetingStatus.ANNOUNCED,)))
    if not found:
        raise KeneshError(__("No meeting is announced. Announce one with /agenda first."))
    return found


async def _approved_head(session: AsyncSession, council: Council, group: TeacherGroup) -> Member:
    (view,) = await _views(session, council, [group], 0, full=False)
    if view.head is None:
        raise KeneshError(__("The head reports, and this one has no head approved by the council yet."))
    return view.head


async def put_on_agenda(
    session: AsyncSession,
    *,
    group_id: int,
    what: str,
    meeting_id: int,
    user_id: int,
    now: datetime,
    tz: ZoneInfo,
    default_locale: str,
) -> tuple[TeacherGroup, Meeting, int]:
    """An item made for it: "approve the head of …", "approve the theme of …" (its vote approves it), or the
    association's report (the head reports, and is told). The agenda changes only with a week's notice."""
    group, council = await _own_group(session, group_id, user_id, chair=True)
    if group.archived_at is not None:
        raise KeneshError(ARCHIVED)
    year = rules.school_year_of(now.astimezone(tz).date())
    reporter: str | None = None
    proposal: GroupProposal | None = None
    head: Member | None = None
    if what == HEAD:
        proposal = await _waiting(session, group, ProposalKind.HEAD, year)
        candidate = await referenced(session, Member, proposal.member_id or 0)
        title = partial(ui_groups.head_item_title, group, candidate.full_name)
    elif what == THEME:
        proposal = await _waiting(session, group, ProposalKind.THEME, year)
        title = partial(ui_groups.theme_item_title, group, proposal.text or "", proposal.school_year)
    else:
        head = await _approved_head(session, council, group)
        title, reporter = partial(ui_groups.report_item_title, group), head.full_name
    view, position = await meetings.add_to_agenda(
        session,
        council=council,
        meeting_id=meeting_id,
        user_id=user_id,
        title=title,
        reporter=reporter,
        now=now,
        tz=tz,
        default_locale=default_locale,
    )
    meeting = view.meeting
    if proposal is not None:
        # Pressed twice: the second finds it on this agenda already and adds nothing (its item rolls back).
        if not await change_if(
            session,
            GroupProposal,
            proposal.id,
            GroupProposal.state == ProposalState.PROPOSED,
            GroupProposal.meeting_id.is_(None)
            if proposal.meeting_id is None
            else GroupProposal.meeting_id == proposal.meeting_id,
            meeting_id=meeting.id,
            item_position=position,
        ):
            raise KeneshError(__("This is already on the agenda of a meeting to come."))
    else:
        report_year = rules.school_year_of(meeting.starts_at.astimezone(tz).date())
        session.add(
            GroupReport(group_id=group.id, meeting_id=meeting.id, item_position=position, school_year=report_year)
        )
        assert head is not None
        await notices.to_person(
            session,
            head.user_id,
            partial(ui_groups.asked_to_report, group, meeting, position, tz),
            kind=Kind.PERSONAL,
            now=now,
            default_locale=default_locale,
            council_id=council.id,
        )
    await session.commit()
    log.info("Council %s: %s of group %s is item %s of meeting %s", council.id, what, group.id, position, meeting.id)
    return group, meeting, position


async def adopted_by_vote(session: AsyncSession, vote: Vote, now: datetime, default_locale: str) -> None:
    """A vote on a head's or a theme's item closed: adopted, it counts from now; not adopted, it does not.
    No vote or no quorum leaves it waiting for another agenda. Before the caller's commit."""
    if vote.item_position is None or vote.kind is not VoteKind.DECISION:
        return
    if vote.outcome not in (Outcome.ADOPTED, Outcome.NOT_ADOPTED):
        return
    adopted = vote.outcome is Outcome.ADOPTED
    for proposal in await groups_repo.proposals_on_item(session, vote.meeting_id, vote.item_position):
        state = ProposalState.APPROVED if adopted else ProposalState.NOT_APPROVED
        if not await groups_repo.decide_proposal(session, proposal.id, state, vote.id, now):
            continue
        group = await referenced(session, TeacherGroup, proposal.group_id)
        log.info("Group %s: %s %s by vote %s", group.id, proposal.kind.value, state.value, vote.id)
        if not adopted or proposal.kind is not ProposalKind.HEAD or proposal.member_id is None:
            continue
        head = await referenced(session, Member, proposal.member_id)
        # A head belongs to what they head: an association if they are in none yet, a creative group always.
        if group.kind is GroupKind.ASSOCIATION and await groups_repo.association_of(session, head.id) is None:
            await groups_repo.join_association(session, head.id, group.id, now)
        elif group.kind is GroupKind.CREATIVE and not await groups_repo.in_creative_group(session, group.id, head.id):
            await groups_repo.join_creative_group(session, group.id, head.id, now)
        await notices.to_person(
            session,
            head.user_id,
            partial(ui_groups.head_approved, group),
            kind=Kind.PERSONAL,
            now=now,
            default_locale=default_locale,
            council_id=group.council_id,
        )


# --- the rating of a report at the meeting ------------------------------------------------------------------


@dataclass(frozen=True)
class NewRating:
    council: Council
    meeting: Meeting
    vote: Vote


async def start_rating(session: AsyncSession, *, council: Council, user_id: int, text: str, now: datetime) -> NewRating:
    """`/rate 2`: after the report on item 2 is heard, the council rates it on the school's scale, by an open
    vote (cl. 3.1, 5). The vote takes the council's scale now and keeps it. One rating vote at a time for a
    report; another only if the last rated nothing."""
    if not runs_meetings(council, user_id):
        raise KeneshError(NOT_RUNNER)
    meeting = await open_meeting_of(session, council)
    number = (text or "").strip().rstrip(".)")
    if not number.isdigit():
        raise KeneshError(__("Write the number of the report's item, for example: /rate 2"))
    position = int(number)
    report = await groups_repo.report_on_item(session, meeting.id, position)
    if report is None:
        raise KeneshError(__("Item {number} is not an association's or group's report."), number=position)
    previous = report.vote_id
    if previous is not None:
        earlier = await session.get(Vote, previous)
        if earlier is not None and (earlier.is_open or earlier.outcome is Outcome.RATED):
            raise KeneshError(__("This report is already rated or being rated."))
    item = await meetings_repo.item_at(session, meeting.id, position)
    if item is None:  # a report is on an item: only a report row left behind by a removed item
        raise KeneshError(__("The agenda has no item {number}."), number=position)
    vote = Vote(
        meeting_id=meeting.id,
        item_position=position,
        decision=item.title,
        secret=False,
        is_open=True,
        opened_at=now,
        kind=VoteKind.RATING,
        rating_scale=council.rating_scale,
    )
    session.add(vote)
    await session.flush()
    if not await groups_repo.claim_rating_vote(session, report.id, vote.id, previous):
        raise KeneshError(__("This report is already rated or being rated."))
    audit.record(
        session,
        council_id=council.id,
        actor_id=user_id,
        action=audit.AuditAction.VOTE_OPENED,
        obj_kind=audit.AuditObject.VOTE,
        obj_id=vote.id,
        after=vote.rating_scale,  # /log names the scale the vote keeps
        now=now,
    )
    await session.commit()
    log.info("Council %s: rating vote %s on item %s (%s)", council.id, vote.id, position, vote.rating_scale)
    return NewRating(council, meeting, vote)


async def rating_closed(
    session: AsyncSession, vote: Vote, counted: dict[Choice, int], present: int, members: int, now: datetime
) -> Rating:
    """A rating vote closing (by the chair, on time or at /close), inside its closing transaction: the option
    of the vote's scale with most votes is the report's rating, a tie a tie, no quorum or no ballots no rating
    (cl. 7.7)."""
    rating = rules.rating_of(counted, present, members, vote.rating_scale)
    report = await groups_repo.report_of_vote(session, vote.id)
    if report is not None:
        scale = rules.rating_choices(vote.rating_scale)
        groups_repo.record_rating(report, rating, {choice: counted.get(choice, 0) for choice in scale}, now)
    log.info("Rating vote %s closed: %s", vote.id, rating.value)
    return rating


def rating_in_protocol(vote: Vote, names: dict[str, list[str]]) -> tuple[Rating | None, dict[Choice, int]]:
    """A closed rating vote's rating and the votes for each option of its scale, from its ballots (an open vote
    keeps them) and its frozen presence: the same rule as at its close, so the protocol, the Mini App and the
    group's message agree."""
    if vote.kind is not VoteKind.RATING:
        return None, {}
    counted = {choice: len(names.get(choice.value, [])) for choice in rules.rating_choices(vote.rating_scale)}
    rating = rules.rating_of(counted, vote.present_total or 0, vote.members_total or 0, vote.rating_scale)
    return rating, counted


async def rating_tally(session: AsyncSession, vote: Vote) -> tuple[Rating | None, dict[Choice, int]]:
    """A closed rating vote's rating and votes, as its protocol records them (the Mini App's meeting page)."""
    names: dict[str, list[str]] = {}
    for choice, name in await day_repo.open_ballots(session, vote.id):
        names.setdefault(choice.value, []).append(name)
    return rating_in_protocol(vote, names)


async def protocol_groups(session: AsyncSession, council_id: int, roster: dict[int, str]) -> list[protocol.GroupLine]:
    """The associations and groups for a protocol: each with its approved head and its members on the
    meeting's roster, under the names the roster froze."""
    kept = [g for g in await groups_repo.council_groups(session, council_id) if g.archived_at is None]
    if not kept:
        return []
    council = await referenced(session, Council, council_id)
    memberships = await _memberships(session, council_id)
    lines = []
    for view in await _views(session, council, kept, 0, full=False):
        members = sorted(roster[m] for g, m in memberships if g == view.group.id and m in roster)
        head = roster.get(view.head.id, view.head.full_name) if view.head else None
        lines.append(protocol.GroupLine(view.group.kind, view.group.name, head, members))
    return lines


async def year_rows(session: AsyncSession, council: Council, school_year: int) -> list[GroupRatingRow]:
    """The associations and groups in a year's report (cl. 7.6): each kept one (or archived, if rated that
    year) with its head, the year's approved theme and the ratings of its reports heard that year."""
    groups = list(await groups_repo.council_groups(session, council.id))
    views = await _views(session, council, groups, school_year, full=True)
    rows = []
    for view in views:
        ratings = [(line.protocol or 0, line.rating) for line in view.ratings if line.school_year == school_year]
        if view.group.archived_at is not None and not ratings:
            continue
        head = view.head.full_name if view.head else None
        rows.append(GroupRatingRow(view.group.kind, view.group.name, head, view.theme, ratings))
    return rows
