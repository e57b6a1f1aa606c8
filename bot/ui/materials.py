"""Methodical materials: submitting one (the file, four short questions), the chair's review, and /bank."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.i18n import fmt_date, fmt_datetime
from bot.i18n import gettext as _
from bot.i18n import lazy_gettext as __
from bot.ui.callbacks import AgendaPickCb, BankCb, ExpertCb, KindCb, MaterialAction, MaterialCb, StepCb
from bot.ui.labels import MATERIAL_STATE_MARKS, group_title, kind_label, material_state_label
from bot.ui.meetings import meeting_choices
from bot.ui.render import esc, short_label
from db.models import GroupKind, Material, MaterialKind, MaterialState, Meeting

# Carried by a KeneshError, rendered in the reader's language when it is handled.
ALREADY_DECIDED = __("This material has already been decided.")

# --- submitting ---------------------------------------------------------------------------------------------


def new_version_label(material: Material) -> str:
    return _("New version of No. {number} «{title}»").format(number=material.id, title=material.title)


def which_submission() -> str:
    """/submit from an author with materials returned for revision: the new version, or a new material?"""
    return _("Is the file you are going to send a new version of a material returned for revision, or a new material?")


def which_submission_keyboard(returned: Sequence[Material]) -> InlineKeyboardMarkup:
    """Under /submit: a new version of each returned material, or a new material."""
    builder = InlineKeyboardBuilder()
    for material in returned:
        builder.button(
            text=short_label("📝 " + new_version_label(material)),
            callback_data=MaterialCb(action=MaterialAction.VERSION, material_id=material.id),
        )
    builder.button(text=_("➕ A new material"), callback_data=StepCb(step="new"))
    builder.adjust(1)
    return builder.as_markup()


def choose_first() -> str:
    """A file sent before the author said whether it is a new version or a new material."""
    return _(
        "First choose with a button: a new version of the returned material, or a new material. Then send the file."
    )


def new_version_keyboard(material: Material) -> InlineKeyboardMarkup:
    """Under the notice of a material returned for revision: the button that sends its new version."""
    builder = InlineKeyboardBuilder()
    builder.button(
        text=short_label("📝 " + new_version_label(material)),
        callback_data=MaterialCb(action=MaterialAction.VERSION, material_id=material.id),
    )
    return builder.as_markup()


def ask_version_file(material_id: int) -> str:
    return _("Send the corrected file of material No. {number}.").format(number=material_id)


def version_saved(material: Material) -> str:
    return _("Version {version} of material No. {number} is saved and sent to the council.").format(
        version=material.version, number=material.id
    )


def already_submitted(material: Material) -> str:
    return _("This file is already submitted as material No. {number} «{title}»; it is not stored twice.").format(
        number=material.id, title=esc(material.title)
    )


def already_submitted_by_someone() -> str:
    """The same bytes as a material still under review that is not the sender's: neither its title nor its
    author is told."""
    return _("This file has already been submitted to the council; it is not stored twice.")


def title_from_file_name(file_name: str) -> str:
    """The file's name without its extension: the title the author may take with one press."""
    return file_name.rsplit(".", 1)[0] or file_name


def title_keyboard(file_name: str) -> InlineKeyboardMarkup:
    return step_keyboard("title", title_from_file_name(file_name)[:60])


def skip_keyboard() -> InlineKeyboardMarkup:
    return step_keyboard("skip", _("Skip"))


def no_comment_keyboard() -> InlineKeyboardMarkup:
    return step_keyboard("nocomment", _("No comment"))


def step_keyboard(step: str, text: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=text[:60], callback_data=StepCb(step=step).pack())]]
    )


def kind_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for kind in MaterialKind:
        builder.button(text=kind_label(kind).capitalize(), callback_data=KindCb(kind=kind))
    builder.adjust(2)
    return builder.as_markup()


def submitted(material: Material) -> str:
    return _(
        "Material No. {number} «{title}» is saved and sent to the council for review. I will tell you the decision."
    ).format(number=material.id, title=esc(material.title))


# --- review -------------------------------------------------------------------------------------------------


def material_card(material: Material, author_name: str, association: str | None = None) -> str:
    """A material as the chair reviews it (and as the bank shows it), with its author's association."""
    lines = [
        _("<b>Material No. {number}</b> (version {version})").format(number=material.id, version=material.version),
        f"<b>{esc(material.title)}</b>",
        _("Kind: {kind}").format(kind=kind_label(material.kind)),
        _("Subject: {subject}").format(subject=esc(material.subject)),
        _("Author: {name}").format(name=esc(author_name)),
        _("File: {name}, {size} KB").format(name=esc(material.file_name), size=max(1, material.size // 1024)),
        _("State: {state}").format(state=material_state_label(material.state)),
    ]
    if association:
        lines.insert(
            5, _("Author's association: {group}").format(group=esc(group_title(GroupKind.ASSOCIATION, association)))
        )
    if material.description:
        lines.append(esc(material.description))
    return "\n".join(lines)


def decided(material: Material, author_name: str) -> str:
    """The card after the chair's decision."""
    return material_card(material, author_name) + "\n\n✅ " + _("Saved; the author is told.")


def materials_list(found: Sequence[Material]) -> str:
    """/materials: how many are in each state; the materials themselves are the buttons."""
    counts = {state: sum(1 for m in found if m.state is state) for state in MaterialState}
    summary = _("Submitted {submitted} · approved {approved} · returned {returned} · rejected {rejected}").format(
        submitted=counts[MaterialState.SUBMITTED] + counts[MaterialState.ON_AGENDA],
        approved=counts[MaterialState.APPROVED],
        returned=counts[MaterialState.RETURNED],
        rejected=counts[MaterialState.REJECTED],
    )
    return _("<b>Methodical materials</b>") + "\n" + summary


def materials_list_keyboard(found: Sequence[Material]) -> InlineKeyboardMarkup:
    return materials_keyboard([(m.id, f"{MATERIAL_STATE_MARKS[m.state]} №{m.id} {m.title}") for m in found[:40]])


def materials_keyboard(materials: list[tuple[int, str]]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for material_id, label in materials:
        builder.button(text=label[:60], callback_data=MaterialCb(action=MaterialAction.OPEN, material_id=material_id))
    builder.adjust(1)
    return builder.as_markup()


def review_keyboard(material: Material) -> InlineKeyboardMarkup | None:
    """The chair's decisions under a material still to be decided; none under a decided one."""
    if material.state in (MaterialState.SUBMITTED, MaterialState.ON_AGENDA):
        return material_review_keyboard(material.id)
    return None


def material_review_keyboard(material_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("Approve for the bank"), callback_data=MaterialCb(action=MaterialAction.APPROVE, material_id=material_id)
    )
    builder.button(
        text=_("Return for revision"), callback_data=MaterialCb(action=MaterialAction.RETURN, material_id=material_id)
    )
    builder.button(text=_("Reject"), callback_data=MaterialCb(action=MaterialAction.REJECT, material_id=material_id))
    builder.button(
        text=_("Put on a meeting's agenda"),
        callback_data=MaterialCb(action=MaterialAction.AGENDA, material_id=material_id),
    )
    builder.button(text=_("🧐 Ask for an expert review"), callback_data=ExpertCb(material_id=material_id))
    builder.button(
        text=_("Send the file"), callback_data=MaterialCb(action=MaterialAction.FILE, material_id=material_id)
    )
    builder.adjust(1)
    return builder.as_markup()


def agenda_pick_keyboard(material_id: int, meetings: Sequence[Meeting], tz: ZoneInfo) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for meeting_id, label in meeting_choices(meetings, tz):
        builder.button(text=label[:60], callback_data=AgendaPickCb(material_id=material_id, meeting_id=meeting_id))
    builder.adjust(1)
    return builder.as_markup()


def put_on_agenda(material: Material, meeting: Meeting, tz: ZoneInfo) -> str:
    return _("Material No. {number} is now an item of the meeting on {when}; the vote on that item decides it.").format(
        number=material.id, when=fmt_datetime(meeting.starts_at, tz)
    )


def material_item_title(material: Material) -> str:
    """The agenda item a material becomes (stored as the item's title, in the language of who put it there)."""
    return _("Methodical material No. {number} «{title}»").format(number=material.id, title=material.title)


def meeting_decided_comment(protocol_number: int | None) -> str:
    """The comment a material decided by a meeting's vote gets (stored in its history, and told the author)."""
    return _("Decided at the meeting, protocol No. {number}.").format(number=protocol_number)


def material_outcome(material: Material, state: MaterialState, comment: str | None) -> str:
    """To the author: the council's decision on their material, with the chair's (or the meeting's) comment."""
    head = {
        MaterialState.APPROVED: _("Your material «{title}» is approved and added to the bank of pedagogical ideas."),
        MaterialState.RETURNED: _(
            "Your material «{title}» is returned for revision. To send the corrected file, press "
            "«New version of No. {number}» below (or in /submit)."
        ),
        MaterialState.REJECTED: _("Your material «{title}» is not accepted by the council."),
    }[state].format(title=esc(material.title), number=material.id)
    return head + ("\n" + _("Comment: {comment}").format(comment=esc(comment)) if comment else "")


def material_decided_at_meeting(material: Material, state: MaterialState, protocol_number: int | None) -> str:
    """To the author: the meeting's decision on their material, with the protocol's number as the comment."""
    return material_outcome(material, state, meeting_decided_comment(protocol_number))


# --- the bank -----------------------------------------------------------------------------------------------


def bank_empty(words: str) -> str:
    if words:
        return _("Nothing found for «{words}» in the bank.").format(words=esc(words))
    return _("The bank of pedagogical ideas is empty so far.")


def bank_page(
    shown: Sequence[tuple[Material, str]],
    words: str,
    page: int,
    pages: int,
    tz: ZoneInfo,
    associations: dict[int, str] | None = None,
) -> str:
    """One page of /bank: each material with its kind, subject, author (and their association) and date."""
    lines = [
        _("<b>Bank of pedagogical ideas</b>") + (f" · «{esc(words)}»" if words else ""),
        _("Page {page} of {pages}").format(page=page + 1, pages=pages),
        "",
    ]
    for material, author_name in shown:
        lines.append(
            f"<b>№{material.id} {esc(material.title)}</b>\n{kind_label(material.kind)} · "
            f"{esc(material.subject)} · {esc(author_name)}{_association(associations, material.id)} · "
            f"{fmt_date(material.updated_at, tz)}"
        )
    return "\n".join(lines)


def _association(associations: dict[int, str] | None, material_id: int) -> str:
    name = (associations or {}).get(material_id)
    return f" ({esc(group_title(GroupKind.ASSOCIATION, name))})" if name else ""


def bank_page_keyboard(shown: Sequence[tuple[Material, str]], page: int, pages: int) -> InlineKeyboardMarkup:
    return bank_keyboard([(m.id, f"№{m.id} {m.title}") for m, _name in shown], page, pages)


def bank_keyboard(items: list[tuple[int, str]], page: int, pages: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for material_id, label in items:
        builder.button(
            text=f"📄 {label}"[:60], callback_data=MaterialCb(action=MaterialAction.FILE, material_id=material_id)
        )
    navigation = []
    if page > 0:
        navigation.append(InlineKeyboardButton(text=_("‹ Back"), callback_data=BankCb(page=page - 1).pack()))
    if page + 1 < pages:
        navigation.append(InlineKeyboardButton(text=_("More ›"), callback_data=BankCb(page=page + 1).pack()))
    builder.adjust(1)
    if navigation:
        builder.row(*navigation)
    return builder.as_markup()


def file_caption(material: Material) -> str:
    return f"№{material.id} {esc(material.title)}"


# --- the prompts and short answers a handler sends ----------------------------------------------------------


def ask_file() -> str:
    return _("Send the file of the material: a document or a photo of a paper page.")


def file_expected() -> str:
    """Something else than a file came while /submit waits for one."""
    return _(
        "I am waiting for the material's file: a document (pdf, doc, docx, odt, ppt, pptx, odp, xls, xlsx, ods, "
        "txt, rtf, zip) or a photo (jpg, png). Attach it with 📎, or send /cancel to stop."
    )


def ask_title() -> str:
    return _("The file is received. What is the material's title? Write it, or use the file's name:")


def finish_step_first() -> str:
    return _("Please finish the current step first, or send /cancel and then the file.")


def ask_kind() -> str:
    return _("What kind of material is it?")


def ask_subject() -> str:
    return _(
        "Which subject or methodical association is it for? For example: Математика, or Башталгыч класстардын МБсы"
    )


def ask_description() -> str:
    return _("A short description (optional): what is it, for which class?")


def ask_comment() -> str:
    return _("A comment for the author (it is sent with the decision), or press the button:")


def no_materials() -> str:
    return _("No materials have been submitted yet.")
