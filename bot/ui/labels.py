"""Enum -> words, in the current locale: the same word wherever the thing is named (texts, buttons, reports);
the names of a school year and of its trimesters."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from bot import rules
from bot.i18n import gettext as _
from bot.i18n import group_text, per_locale
from db.models import (
    AuditAction,
    Choice,
    GroupKind,
    GroupLanguage,
    MaterialKind,
    MaterialState,
    MemberStatus,
    Outcome,
    Rating,
    RatingScale,
    ReviewVerdict,
    Role,
)


@per_locale
def role_label(role: Role) -> str:
    labels = {
        Role.CHAIR: _("chair"),
        Role.HEAD_MA: _("head of a methodical association"),
        Role.HEAD_CG: _("head of a creative group"),
        Role.TEACHER: _("teacher, council member"),
        Role.PARTICIPANT: _("participant without a vote"),
    }
    return labels[role]


def member_status_label(status: MemberStatus, *, votes: bool) -> str:
    """A member's standing; an approved participant is "registered", not "approved" (they have no vote)."""
    return {
        MemberStatus.PENDING: _("waiting for approval"),
        MemberStatus.APPROVED: _("approved") if votes else _("registered as a participant without a vote"),
        MemberStatus.REJECTED: _("rejected"),
        MemberStatus.REMOVED: _("removed from the council"),
    }[status]


def choice_label(choice: Choice) -> str:
    return {
        # TRANSLATORS: For, Against, Abstain: a vote's buttons, and the words of its result.
        Choice.FOR: _("For"),
        Choice.AGAINST: _("Against"),
        Choice.ABSTAIN: _("Abstain"),
        # TRANSLATORS: High, Good, Satisfactory, Unsatisfactory, Medium, Low: the options of the schools' scales
        # for rating a report (cl. 3.1): high / satisfactory / unsatisfactory, high / medium / low,
        # high / good / satisfactory / unsatisfactory. A vote's buttons.
        Choice.HIGH: _("High"),
        Choice.SATISFACTORY: _("Satisfactory"),
        Choice.UNSATISFACTORY: _("Unsatisfactory"),
        Choice.GOOD: _("Good"),
        Choice.MEDIUM: _("Medium"),
        Choice.LOW: _("Low"),
    }[choice]


def scale_label(scale: RatingScale | None) -> str:
    """A rating scale as its options read: "High / Good / Satisfactory / Unsatisfactory"."""
    return " / ".join(choice_label(choice) for choice in rules.rating_choices(scale))


def rating_label(rating: Rating) -> str:
    """A report's rating on the school's scale (cl. 3.1), or why there is none."""
    return {
        Rating.HIGH: _("high level"),
        Rating.SATISFACTORY: _("satisfactory level"),
        Rating.UNSATISFACTORY: _("unsatisfactory level"),
        Rating.GOOD: _("good level"),
        Rating.MEDIUM: _("medium level"),
        Rating.LOW: _("low level"),
        Rating.TIE: _("a tie between the options with the most votes"),
        Rating.NO_QUORUM: _("no quorum: no valid rating"),
        Rating.NO_VOTES: _("no votes cast"),
    }[rating]


def group_kind_label(kind: GroupKind) -> str:
    return {GroupKind.ASSOCIATION: _("methodical association"), GroupKind.CREATIVE: _("creative group")}[kind]


def group_title(kind: GroupKind, name: str) -> str:
    """An association or group by its kind and name: «МБ «Табигый илимдер»», «творческая группа «…»»."""
    if kind is GroupKind.ASSOCIATION:
        # TRANSLATORS: MA: a methodical association, shortened as the school writes it.
        return _("MA «{name}»").format(name=name)
    return _("creative group «{name}»").format(name=name)


def head_of(kind: GroupKind, name: str) -> str:
    """ "head of МБ «…»": its own sentence per kind, as the words decline around the name."""
    if kind is GroupKind.ASSOCIATION:
        return _("head of the methodical association «{name}»").format(name=name)
    return _("head of the creative group «{name}»").format(name=name)


def verdict_label(verdict: ReviewVerdict) -> str:
    """An expert's recommendation on a material."""
    return {
        ReviewVerdict.APPROVE: _("approve for the bank"),
        ReviewVerdict.REVISE: _("return for revision"),
        ReviewVerdict.REJECT: _("reject"),
    }[verdict]


@per_locale
def outcome_label(outcome: Outcome) -> str:
    return {
        Outcome.ADOPTED: _("adopted"),
        Outcome.NOT_ADOPTED: _("not adopted"),
        Outcome.NO_QUORUM: _("no quorum: no valid decision"),
        Outcome.NO_VOTES: _("no votes cast"),
        Outcome.RATED: _("rating recorded"),
        Outcome.NOT_COUNTED: _("not counted (restart)"),
    }[outcome]


@per_locale
def kind_label(kind: MaterialKind) -> str:
    return {
        MaterialKind.LESSON_PLAN: _("lesson plan"),
        MaterialKind.DEVELOPMENT: _("methodical development"),
        MaterialKind.REPORT: _("report"),
        MaterialKind.PRESENTATION: _("presentation"),
        MaterialKind.OTHER: _("other"),
    }[kind]


@per_locale
def material_state_label(state: MaterialState) -> str:
    return {
        MaterialState.SUBMITTED: _("submitted"),
        MaterialState.ON_AGENDA: _("on a meeting's agenda"),
        MaterialState.APPROVED: _("approved for the bank"),
        MaterialState.RETURNED: _("returned for revision"),
        MaterialState.REJECTED: _("rejected by the council"),
    }[state]


# The chair's list of materials marks each one's state with a sign, not a word: forty titles stay readable.
MATERIAL_STATE_MARKS = {
    MaterialState.SUBMITTED: "🆕",
    MaterialState.ON_AGENDA: "🗓",
    MaterialState.APPROVED: "✅",
    MaterialState.RETURNED: "↩️",
    MaterialState.REJECTED: "❌",
}


@per_locale
def audit_action_label(action: AuditAction) -> str:
    """What was done, as a noun phrase: the same words for the chair, the secretary and either language."""
    return {
        AuditAction.MEMBER_APPROVED: _("approval of an application"),
        AuditAction.MEMBER_REJECTED: _("rejection of an application"),
        AuditAction.MEMBER_REMOVED: _("removal from the council"),
        AuditAction.ORDER_NUMBER_SET: _("number of the director's order"),
        AuditAction.SECRETARY_NAMED: _("naming of the secretary"),
        AuditAction.CHAIR_HANDED_OVER: _("handing over of the chairmanship"),
        AuditAction.MEETING_PUBLISHED: _("announcement of a meeting"),
        AuditAction.MEETING_MOVED: _("moving of a meeting"),
        AuditAction.MEETING_CANCELLED: _("cancellation of a meeting"),
        AuditAction.MEETING_OPENED: _("opening of a meeting"),
        AuditAction.MEETING_CLOSED: _("closing of a meeting"),
        AuditAction.PRESENCE_MARKED: _("marked present"),
        AuditAction.PRESENCE_UNMARKED: _("mark of presence removed"),
        AuditAction.VOTE_OPENED: _("start of a vote"),
        AuditAction.VOTE_CLOSED: _("end of a vote"),
        AuditAction.MATERIAL_APPROVED: _("material approved for the bank"),
        AuditAction.MATERIAL_RETURNED: _("material returned for revision"),
        AuditAction.MATERIAL_REJECTED: _("material rejected"),
        AuditAction.MATERIAL_ON_AGENDA: _("material put on a meeting's agenda"),
        AuditAction.GROUP_LANGUAGE_SET: _("language of the council's posts in the group"),
        AuditAction.RATING_SCALE_SET: _("scale for rating reports"),
        AuditAction.TRIMESTERS_SET: _("trimesters"),
        AuditAction.JOIN_LINK_REPLACED: _("join link replaced"),
        AuditAction.GROUP_ADDED: _("an association or group added"),
        AuditAction.GROUP_CHANGED: _("an association or group changed"),
        AuditAction.GROUP_ARCHIVED: _("an association or group archived"),
        AuditAction.HEAD_PROPOSED: _("a head proposed to the council"),
        AuditAction.THEME_PROPOSED: _("a theme proposed to the council"),
        AuditAction.ASSOCIATION_CHANGED: _("a member's association"),
        AuditAction.CREATIVE_GROUP_CHANGED: _("a member of a creative group"),
        AuditAction.REVIEW_ASKED: _("an expert review asked"),
        AuditAction.FOUNDING_SET: _("the decision that created the council"),
        AuditAction.CHAIR_ORDER_SET: _("the director's order appointing the chair"),
        AuditAction.COUNCIL_PAUSED: _("the council paused by the bot's operator"),
        AuditAction.COUNCIL_RESUMED: _("the council resumed by the bot's operator"),
        AuditAction.OPERATOR_NOTICE: _("a message from the bot's operator to the chair"),
    }[action]


def labelled(language: GroupLanguage, render: Callable[[], str]) -> str:
    """A button label for the group: in its language, or "Кыргызча / Русский" when it reads both."""
    return group_text(language, render).replace("\n\n", " / ")


# --- the school year and its trimesters -----------------------------------------------------------------------


ROMAN = ("I", "II", "III", "IV")


def school_year_text(year: int) -> str:
    return f"{year}-{year + 1}"


def trimester_label(day: date, spec: str | None) -> str:
    """ "Trimester II (01.12–28.02)" for the trimester of a day, or "Outside the trimesters"."""
    trimester = rules.trimester_of(day, spec)
    if trimester is None:
        return _("Outside the trimesters")
    pairs = rules.parse_calendar(spec)
    start = f"{trimester.start:%m-%d}"
    number = next((i for i, (s, _end) in enumerate(pairs) if s == start), 0)
    span = f"{trimester.start:%d.%m}–{trimester.end:%d.%m}"
    return _("Trimester {number} ({span})").format(number=ROMAN[number % len(ROMAN)], span=span)
