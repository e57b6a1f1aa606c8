"""Every CallbackData factory and its action enum. Prefixes are short: Telegram allows 64 bytes of data.

A prefix or an enum value, once released, is in buttons of messages already sent: changing one makes those
buttons stale.
"""

from __future__ import annotations

import enum

from aiogram.filters.callback_data import CallbackData

from db.models import Choice, GroupLanguage, MaterialKind, Role

# --- registration and members -------------------------------------------------------------------------------


class LanguageCb(CallbackData, prefix="lg"):
    locale: str


class RoleCb(CallbackData, prefix="rl"):
    role: Role


class RegulationCb(CallbackData, prefix="rg"):
    council_id: int


class ApplicationAction(enum.StrEnum):
    """The chair's answer to an application to join the council."""

    APPROVE = "a"
    REJECT = "r"


class ApplicationCb(CallbackData, prefix="ap"):
    action: ApplicationAction
    member_id: int


class MemberAction(enum.StrEnum):
    CARD = "c"
    SECRETARY = "s"
    CHAIR = "h"
    CHAIR_CONFIRM = "H"
    ORDER = "o"
    REMOVE = "r"
    REMOVE_CONFIRM = "R"
    LIST = "l"


class MemberCb(CallbackData, prefix="mb"):
    action: MemberAction
    member_id: int


# --- meetings -----------------------------------------------------------------------------------------------


class AgendaAction(enum.StrEnum):
    PUBLISH = "p"
    DISCARD = "d"


class AgendaCb(CallbackData, prefix="ag"):
    action: AgendaAction
    meeting_id: int


class MeetingAction(enum.StrEnum):
    RESCHEDULE = "r"
    CANCEL = "c"
    CANCEL_CONFIRM = "C"
    KEEP = "k"


class MeetingCb(CallbackData, prefix="mt"):
    action: MeetingAction
    meeting_id: int


# --- the meeting day ----------------------------------------------------------------------------------------


class PresentCb(CallbackData, prefix="pr"):
    meeting_id: int


class RollCallCb(CallbackData, prefix="rc"):
    meeting_id: int
    member_id: int


class RollPageCb(CallbackData, prefix="rq"):
    """A page of the chair's roll call: a council of hundreds does not fit one keyboard."""

    meeting_id: int
    page: int


class VoteCb(CallbackData, prefix="v"):
    vote_id: int
    choice: Choice


class CloseVoteCb(CallbackData, prefix="vc"):
    vote_id: int


class ConfirmCloseVoteCb(CallbackData, prefix="vz"):
    """The chair confirms closing a vote nobody voted in ("no votes cast")."""

    vote_id: int


class VoteTimerCb(CallbackData, prefix="vt"):
    vote_id: int
    minutes: int


class ProtocolCb(CallbackData, prefix="pt"):
    meeting_id: int


# --- settings -----------------------------------------------------------------------------------------------


class GroupLanguageCb(CallbackData, prefix="gl"):
    language: GroupLanguage


class TrimestersCb(CallbackData, prefix="tr"):
    pass


class JoinLinkCb(CallbackData, prefix="jl"):
    confirm: bool = False
    code: str = ""  # the link being replaced: a second press finds it already gone


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
    material_id: int


class AgendaPickCb(CallbackData, prefix="mg"):
    material_id: int
    meeting_id: int


class KindCb(CallbackData, prefix="mk"):
    kind: MaterialKind


class StepCb(CallbackData, prefix="st"):
    step: str  # "title" (use the file's name) or "skip" (no description) or "nocomment"


class BankCb(CallbackData, prefix="bk"):
    page: int


# --- the log ------------------------------------------------------------------------------------------------


class LogCb(CallbackData, prefix="au"):
    page: int  # 0: the latest entries


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
    plan_id: int = 0


class PlanAgendaCb(CallbackData, prefix="pg"):
    plan_id: int
    meeting_id: int


class PlanDayCb(CallbackData, prefix="pd"):
    day: str  # YYYYMMDD: the planned date /agenda offers


class FollowUpCb(CallbackData, prefix="fu"):
    vote_id: int
    member_id: int  # 0: skip, nobody is made responsible


class FollowDoneCb(CallbackData, prefix="fd"):
    follow_up_id: int
