"""Every CallbackData factory and its action enum. Prefixes are short: Telegram allows 64 bytes of data.

A prefix or an enum value, once released, is in buttons of messages already sent: changing one makes those
buttons stale.

Every number is bounded where it is parsed: a row's id is 1 ≤ id < 2^63 (a BIGINT), a page is small. Data out
of bounds (forged: the bot never makes it) does not unpack, so no handler's filter matches and the press is
answered "This button is out of date." (handlers/fallback.py) before anything reads the database with it.
"""

from __future__ import annotations

import enum
from datetime import date
from typing import Annotated

from aiogram.filters.callback_data import CallbackData
from pydantic import AfterValidator, Field

from db.models import Choice, GroupLanguage, MaterialKind, RatingScale, ReviewVerdict, Role

ID_LIMIT = 2**63  # BIGINT: a larger id could never be a row's, and the database would refuse to compare it
Id = Annotated[int, Field(ge=1, lt=ID_LIMIT)]
IdOrNone = Annotated[int, Field(ge=0, lt=ID_LIMIT)]  # 0: none chosen
Page = Annotated[int, Field(ge=0, lt=100_000)]
Minutes = Annotated[int, Field(ge=1, le=60)]
Token = Annotated[str, Field(pattern=r"^[0-9a-f]{8}$")]
Edition = Annotated[str, Field(pattern=r"^[0-9a-f]{12}$")]  # bot.ui.regulation.regulation_version()


def _a_date(text: str) -> str:
    date(int(text[:4]), int(text[4:6]), int(text[6:]))  # ValueError for 20261332: the data was not ours
    return text


Day = Annotated[str, Field(pattern=r"^\d{8}$"), AfterValidator(_a_date)]

# --- registration and members -------------------------------------------------------------------------------


class LanguageCb(CallbackData, prefix="lg"):
    locale: str


class RoleCb(CallbackData, prefix="rl"):
    role: Role


class RegulationCb(CallbackData, prefix="rg"):
    council_id: Id


class RegulationReadCb(CallbackData, prefix="rd"):
    """A member confirms the edition of the regulation /regulation showed them."""

    version: Edition


class ApplicationAction(enum.StrEnum):
    """The chair's answer to an application to join the council."""

    APPROVE = "a"
    REJECT = "r"
    # The same, pressed on the member's card in /members: the card stays, with its way back to the list.
    # New values rather than a new field, so the buttons already sent still unpack.
    APPROVE_ON_CARD = "ac"
    REJECT_ON_CARD = "rc"

    @property
    def approves(self) -> bool:
        return self in (ApplicationAction.APPROVE, ApplicationAction.APPROVE_ON_CARD)

    @property
    def on_card(self) -> bool:
        return self in (ApplicationAction.APPROVE_ON_CARD, ApplicationAction.REJECT_ON_CARD)


class ApplicationCb(CallbackData, prefix="ap"):
    action: ApplicationAction
    member_id: Id


class MemberAction(enum.StrEnum):
    CARD = "c"
    SECRETARY = "s"
    CHAIR = "h"
    CHAIR_CONFIRM = "H"
    ORDER = "o"
    REMOVE = "r"
    REMOVE_CONFIRM = "R"
    LIST = "l"
    ORDER_LISTED = "O"  # an order number asked from that list: the list comes back after it


class MemberCb(CallbackData, prefix="mb"):
    action: MemberAction
    member_id: Id


class OrdersPendingCb(CallbackData, prefix="op"):
    """cl. 7.2: the list of approved members whose director's order is still to be recorded."""


# --- meetings -----------------------------------------------------------------------------------------------


class AgendaAction(enum.StrEnum):
    PUBLISH = "p"
    DISCARD = "d"


class AgendaCb(CallbackData, prefix="ag"):
    action: AgendaAction
    meeting_id: Id


class MeetingAction(enum.StrEnum):
    RESCHEDULE = "r"
    CANCEL = "c"
    CANCEL_CONFIRM = "C"
    KEEP = "k"


class MeetingCb(CallbackData, prefix="mt"):
    action: MeetingAction
    meeting_id: Id


# --- the meeting day ----------------------------------------------------------------------------------------


class PresentCb(CallbackData, prefix="pr"):
    meeting_id: Id


class RollCallCb(CallbackData, prefix="rc"):
    meeting_id: Id
    member_id: Id


class RollPageCb(CallbackData, prefix="rq"):
    """A page of the chair's roll call: a council of hundreds does not fit one keyboard."""

    meeting_id: Id
    page: Page


class VoteCb(CallbackData, prefix="v"):
    vote_id: Id
    choice: Choice


class CloseVoteCb(CallbackData, prefix="vc"):
    vote_id: Id


class ConfirmCloseVoteCb(CallbackData, prefix="vz"):
    """The chair confirms closing a vote nobody voted in ("no votes cast")."""

    vote_id: Id


class VoteTimerCb(CallbackData, prefix="vt"):
    vote_id: Id
    minutes: Minutes


class OutsideAgendaCb(CallbackData, prefix="vo"):
    """The one who runs the meeting confirms that a decision with no agenda item is voted outside the agenda."""

    meeting_id: Id
    token: Token  # the pending decision this button was made for (kept with the asker's state)


class ProtocolCb(CallbackData, prefix="pt"):
    meeting_id: Id


# --- settings -----------------------------------------------------------------------------------------------


class GroupLanguageCb(CallbackData, prefix="gl"):
    language: GroupLanguage


class RatingScaleCb(CallbackData, prefix="rs"):
    scale: RatingScale


class TrimestersCb(CallbackData, prefix="tr"):
    pass


class JoinLinkCb(CallbackData, prefix="jl"):
    confirm: bool = False
    code: str = ""  # the link being replaced: a second press finds it already gone


class RecordField(enum.StrEnum):
    """What /settings records about the school and the council (cl. 7.1, 4.1, 7.6)."""

    SCHOOL = "s"  # the school's name
    FOUNDING = "f"  # the pedagogical council's decision that created the council
    CHAIR_ORDER = "o"  # the director's order appointing the chair
    LAST_PEDCOUNCIL = "p"  # the school year's last pedagogical council


class RecordCb(CallbackData, prefix="sf"):
    field: RecordField


# --- methodical materials -----------------------------------------------------------------------------------


class MaterialAction(enum.StrEnum):
    OPEN = "o"
    APPROVE = "a"
    RETURN = "r"
    REJECT = "x"
    FILE = "f"
    VERSION = "v"  # the author sends a new version of a returned material
    AGENDA = "g"  # put it on an announced meeting's agenda


class MaterialCb(CallbackData, prefix="ml"):
    action: MaterialAction
    material_id: Id


class ExpertCb(CallbackData, prefix="ex"):
    """The chair asks a member for an expert review of a material (member 0: the list to choose from)."""

    material_id: Id
    member_id: IdOrNone = 0


class ReviewAction(enum.StrEnum):
    FILE = "f"
    VERDICT = "v"
    NAMED = "n"  # the author may see the reviewer's name
    ANONYMOUS = "a"


class ReviewCb(CallbackData, prefix="rv"):
    action: ReviewAction
    review_id: Id
    verdict: ReviewVerdict | None = None


class AgendaPickCb(CallbackData, prefix="mg"):
    material_id: Id
    meeting_id: Id


class KindCb(CallbackData, prefix="mk"):
    kind: MaterialKind


class StepCb(CallbackData, prefix="st"):
    step: str  # "title" (use the file's name) or "skip" (no description) or "nocomment"


class BankCb(CallbackData, prefix="bk"):
    page: Page


# --- the log ------------------------------------------------------------------------------------------------


class LogCb(CallbackData, prefix="au"):
    page: Page  # 0: the latest entries


# --- the year's work: the annual plan, decisions followed up ------------------------------------------------


class PlanAction(enum.StrEnum):
    SAVE = "s"
    CANCEL = "c"
    PREVIEW = "p"  # step by step: that was the last date
    ENTER = "e"  # draw up the plan (again)
    AGENDA = "g"  # put it on an announced meeting's agenda
    DOCX = "x"


class PlanCb(CallbackData, prefix="pl"):
    action: PlanAction
    plan_id: IdOrNone = 0


class PlanAgendaCb(CallbackData, prefix="pg"):
    plan_id: Id
    meeting_id: Id


class PlanDayCb(CallbackData, prefix="pd"):
    day: Day  # YYYYMMDD: the planned date /agenda offers


class FollowUpCb(CallbackData, prefix="fu"):
    vote_id: Id
    member_id: IdOrNone  # 0: skip, nobody is made responsible


class FollowDoneCb(CallbackData, prefix="fd"):
    follow_up_id: Id


# --- associations and creative groups (cl. 3.1, 4.2) --------------------------------------------------------


class GroupAction(enum.StrEnum):
    LIST = "l"
    OPEN = "o"
    NEW_ASSOCIATION = "a"
    NEW_CREATIVE = "c"
    SAVE = "s"  # the preview of a new one is saved
    DISCARD = "d"
    NO_END = "e"  # a creative group without an end date
    EDIT_NAME = "n"
    EDIT_AREA = "r"
    EDIT_END = "t"
    ARCHIVE = "x"
    RESTORE = "u"
    HEAD = "h"  # choose the candidate for head
    THEME = "m"  # write this year's theme
    MEMBERS = "b"  # an association's members
    ARCHIVED = "v"


class GroupCb(CallbackData, prefix="gr"):
    action: GroupAction
    group_id: IdOrNone = 0


class GroupPickCb(CallbackData, prefix="gh"):
    """A member chosen on a group's page: the candidate for head, or in and out of the association."""

    group_id: Id
    member_id: Id
    toggle: bool = False


class GroupAgendaCb(CallbackData, prefix="ga"):
    """The head's approval, the theme's or the report onto an announced meeting (meeting 0: the list)."""

    group_id: Id
    what: str  # "head", "theme" or "report"
    meeting_id: IdOrNone = 0


# --- the operator (ADMIN_IDS): the district's councils --------------------------------------------------------


class CouncilsCb(CallbackData, prefix="os"):
    """A page of /councils."""

    page: Page


class OperatorAction(enum.StrEnum):
    CARD = "c"  # the council's card (/council N)
    PAUSE = "p"  # asks to confirm
    PAUSE_CONFIRM = "P"
    RESUME = "r"
    CHAIR = "h"  # the members the chair can be handed to (a page of them)
    CHAIR_PICK = "m"  # asks to confirm, for member_id
    CHAIR_CONFIRM = "H"


class OperatorCb(CallbackData, prefix="oc"):
    action: OperatorAction
    council_id: Id
    member_id: IdOrNone = 0
    page: Page = 0


class NoticeAction(enum.StrEnum):
    SEND = "s"
    CANCEL = "c"


class NoticeCb(CallbackData, prefix="on"):
    """/notify_chairs: the preview's Send or Cancel."""

    action: NoticeAction
    notice_id: Id
