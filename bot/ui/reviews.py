"""Expert reviews of materials (cl. 3.1, 5): the chair's request, the reviewer's form, the review as the chair
and the author read it, the reminders."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.domain import ReviewLine
from bot.i18n import fmt_date
from bot.i18n import gettext as _
from bot.ui.callbacks import ExpertCb, MaterialAction, MaterialCb, ReviewAction, ReviewCb
from bot.ui.labels import kind_label, verdict_label
from bot.ui.materials import material_card, material_review_keyboard
from bot.ui.render import esc
from db.models import Material, Member, ReviewVerdict

# --- the chair asks -------------------------------------------------------------------------------------------


def choose_reviewer(material: Material, asked: Sequence[ReviewLine]) -> str:
    lines = [
        _("Who reviews material No. {number} «{title}»? Choose a member; at most two, never its author.").format(
            number=material.id, title=esc(material.title)
        )
    ]
    if asked:
        lines.append(_("Already asked: {names}").format(names=", ".join(esc(line.reviewer) for line in asked)))
    return "\n".join(lines)


def reviewers_keyboard(material_id: int, people: Sequence[Member]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for member in people[:90]:
        builder.button(text=member.full_name[:60], callback_data=ExpertCb(material_id=material_id, member_id=member.id))
    builder.button(
        text=_("« Back to the material"), callback_data=MaterialCb(action=MaterialAction.OPEN, material_id=material_id)
    )
    builder.adjust(1)
    return builder.as_markup()


def review_asked(material: Material, name: str) -> str:
    return _(
        "{name} is asked to review material No. {number}: the file and the form are sent. You will get the review here."
    ).format(name=esc(name), number=material.id)


def reviews_block(lines: Sequence[ReviewLine], tz: ZoneInfo) -> str:
    """Under the material's card, for the chair: each review with the reviewer's name, or that it is awaited."""
    if not lines:
        return ""
    out = [_("<b>Expert reviews</b>")]
    for line in lines:
        review = line.review
        if review.verdict is None:
            out.append(
                _("— {name}: asked on {date}, not given yet").format(
                    name=esc(line.reviewer), date=fmt_date(review.asked_at, tz)
                )
            )
            continue
        text = f"— {esc(line.reviewer)}: {verdict_label(review.verdict)}"
        if review.comment:
            text += f". {esc(review.comment)}"
        out.append(text)
    return "\n".join(out)


def card_with_reviews(
    material: Material, author_name: str, association: str | None, lines: Sequence[ReviewLine], tz: ZoneInfo
) -> str:
    """The material's card as the chair decides it: with the reviews asked and given."""
    block = reviews_block(lines, tz)
    card = material_card(material, author_name, association)
    return f"{card}\n\n{block}" if block else card


def decide_keyboard(material_id: int) -> InlineKeyboardMarkup:
    """The chair's decisions, under a review that came in."""
    return material_review_keyboard(material_id)


# --- the reviewer ---------------------------------------------------------------------------------------------


def review_request(material: Material, author_name: str, days: int) -> str:
    return "\n".join(
        [
            _("<b>Expert review.</b> The chair asks you to review methodical material No. {number}:").format(
                number=material.id
            ),
            f"<b>{esc(material.title)}</b>",
            _("Kind: {kind}").format(kind=kind_label(material.kind)),
            _("Subject: {subject}").format(subject=esc(material.subject)),
            _("Author: {name}").format(name=esc(author_name)),
            "",
            _(
                "Read the file, then choose your recommendation and write a short comment for the author, "
                "within {days} day.",
                "Read the file, then choose your recommendation and write a short comment for the author, "
                "within {days} days.",
                days,
            ).format(days=days),
        ]
    )


def review_keyboard(review_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("📄 The file"), callback_data=ReviewCb(action=ReviewAction.FILE, review_id=review_id))
    for verdict, text in (
        (ReviewVerdict.APPROVE, _("Approve for the bank")),
        (ReviewVerdict.REVISE, _("Return for revision")),
        (ReviewVerdict.REJECT, _("Reject")),
    ):
        builder.button(
            text=text, callback_data=ReviewCb(action=ReviewAction.VERDICT, review_id=review_id, verdict=verdict)
        )
    builder.adjust(1)
    return builder.as_markup()


def ask_review_comment(verdict: ReviewVerdict) -> str:
    return _("Your recommendation: {verdict}. Now write a short comment for the author. /cancel to stop.").format(
        verdict=verdict_label(verdict)
    )


def ask_named() -> str:
    return _("May the author see your name with the review? Without it, the author reads “an expert”.")


def named_keyboard(review_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("Yes, with my name"), callback_data=ReviewCb(action=ReviewAction.NAMED, review_id=review_id))
    builder.button(
        text=_("No, anonymously"), callback_data=ReviewCb(action=ReviewAction.ANONYMOUS, review_id=review_id)
    )
    builder.adjust(1)
    return builder.as_markup()


def review_saved() -> str:
    return _("Thank you: your review is saved and sent to the chair.")


def review_reminder(material: Material, asked_on: date) -> str:
    return _(
        "<b>Reminder.</b> The expert review of material No. {number} «{title}» was asked on {date} and is not "
        "given yet. Choose your recommendation below."
    ).format(number=material.id, title=esc(material.title), date=fmt_date(asked_on))


# --- the chair and the author read it -------------------------------------------------------------------------


def review_to_chair(material: Material, line: ReviewLine) -> str:
    review = line.review
    lines = [
        _("<b>Expert review</b> of material No. {number} «{title}»").format(
            number=material.id, title=esc(material.title)
        ),
        _("{name}: {verdict}").format(
            name=esc(line.reviewer), verdict=verdict_label(review.verdict) if review.verdict else "—"
        ),
    ]
    if review.comment:
        lines.append(_("Comment: {comment}").format(comment=esc(review.comment)))
    if not review.named:
        lines.append(_("The author will read it without the reviewer's name."))
    return "\n".join(lines)


def review_late(material: Material, name: str, asked_on: date) -> str:
    return _(
        "{name} has not given the expert review of material No. {number} «{title}» asked on {date}, though "
        "reminded. Decide without it, or ask another member."
    ).format(name=esc(name), number=material.id, title=esc(material.title), date=fmt_date(asked_on))


def for_author(lines: Sequence[ReviewLine]) -> str:
    """The reviews' comments with the council's decision, to the author: named only with consent."""
    given = [line for line in lines if line.review.verdict is not None]
    if not given:
        return ""
    out = [_("<b>Expert reviews</b>")]
    for line in given:
        review = line.review
        who = esc(line.public_name) if line.public_name else _("an expert")
        text = f"— {who}: {verdict_label(review.verdict)}" if review.verdict else f"— {who}"
        if review.comment:
            text += f". {esc(review.comment)}"
        out.append(text)
    return "\n".join(out)
