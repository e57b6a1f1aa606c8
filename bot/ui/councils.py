"""The council itself: set up in its group (/setup, the bot joining), and /settings (the language of its posts
in the group, the scale reports are rated on, the trimesters, the join link)."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.i18n import GROUP_LANGUAGE_NAMES, fmt_date, fmt_long_date, group_text
from bot.i18n import gettext as _
from bot.rules import trimester_text
from bot.ui.callbacks import GroupLanguageCb, JoinLinkCb, RatingScaleCb, RecordCb, RecordField, TrimestersCb
from bot.ui.common import bot_link_keyboard
from bot.ui.labels import labelled, scale_label
from bot.ui.members import join_keyboard
from bot.ui.render import council_name, esc
from db.models import Council, GroupLanguage, RatingScale

# --- in the group -------------------------------------------------------------------------------------------


def bot_added(council: Council | None) -> str:
    """The bot's first words in a group: how to set up a council, or that this group already has one."""
    if council is None:
        return group_text(
            GroupLanguage.BOTH,
            lambda: _(
                "Hello! I keep the work of the school's methodical council: members, meetings, votes "
                "and protocols.\nNext step: a group administrator sends /setup here and becomes the chair."
            ),
        )
    return group_text(
        council.group_language,
        lambda: _(
            "Hello again! The methodical council of this group is already set up. The chair can "
            "send /setup to get the join link."
        ),
    )


def anonymous_admin() -> str:
    return group_text(
        GroupLanguage.BOTH,
        lambda: _(
            "I cannot see who you are: you write as an anonymous administrator. Turn off "
            "“Remain anonymous” in your administrator rights, or ask another administrator to send /setup."
        ),
    )


def council_set_up(council: Council, chair_name: str, *, created: bool) -> str:
    if created:
        return group_text(
            council.group_language,
            lambda: _(
                "The methodical council «{title}» is created. Chair: {chair}.\n"
                "Members join with the button below: the bot asks for the name and role and shows the regulation. "
                "The chair presses it too, to confirm the regulation."
            ).format(title=esc(council_name(council.title)), chair=esc(chair_name)),
        )
    return group_text(
        council.group_language,
        lambda: _(
            "The methodical council of this group already exists; nothing was changed. "
            "Members join with the button below."
        ),
    )


def group_join_keyboard(language: GroupLanguage, link: str) -> InlineKeyboardMarkup:
    """The join button under the group's post, labelled in the group's language(s)."""
    if language is GroupLanguage.BOTH:
        return bot_link_keyboard(labelled(language, lambda: _("Join the council")), link)
    return join_keyboard(link)


def group_help(council: Council | None) -> str:
    """/help in the group: what works here (the group's menu, bot/ui/commands.py), then that the rest is in the
    private chat. In the council's languages; both before a council is set up."""
    return group_text(
        council.group_language if council is not None else GroupLanguage.BOTH,
        lambda: _(
            "Here in the group: /setup creates the council (administrators); /agenda, /open, /vote, /rate, "
            "/close run a meeting (the chair, the secretary); /year shows the council's year. Everything else "
            "is in the private chat with me."
        ),
    )


# --- /settings ----------------------------------------------------------------------------------------------


def settings_text(council: Council) -> str:
    current = GROUP_LANGUAGE_NAMES[council.group_language.value]
    lines = [
        _("<b>Settings of the council</b>"),
        _("Language of the council's posts in the group: {current}.").format(current=current),
        _("Reports are rated on the scale: {scale}.").format(scale=scale_label(council.rating_scale)),
        _("Trimesters (for the reminder of cl. 7.4): {calendar}.").format(calendar=trimester_text(council.trimesters)),
        "",
        _("School: {name}").format(name=esc(council.school_name or council.title)),
    ]
    if council.founding_protocol and council.founded_on:
        lines.append(
            _("Created by the decision of the pedagogical council, protocol No. {number} of {date}.").format(
                number=esc(council.founding_protocol), date=fmt_date(council.founded_on)
            )
        )
    else:
        lines.append(_("The pedagogical council's decision creating the council (cl. 7.1): not recorded yet."))
    if council.chair_order_number and council.chair_order_date:
        lines.append(
            _("The chair is appointed by the director's order No. {number} of {date}.").format(
                number=esc(council.chair_order_number), date=fmt_date(council.chair_order_date)
            )
        )
    else:
        lines.append(_("📝 The director's order appointing the chair (cl. 4.1): pending, record it below."))
    if council.last_pedcouncil_on:
        lines.append(
            _(
                "The last pedagogical council of the school year: {date}; the council's report is drafted "
                "two weeks before."
            ).format(date=fmt_long_date(council.last_pedcouncil_on))
        )
    else:
        lines.append(_("The last pedagogical council of the school year (cl. 7.6): not set."))
    return "\n".join(lines)


def settings_keyboard(council: Council) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for language in GroupLanguage:
        # Labelled as the group's, so it does not read as the chair's own language; ✓ on the current one.
        label = _("Group posts: {language}").format(language=GROUP_LANGUAGE_NAMES[language.value])
        mark = "✓ " if language == council.group_language else ""
        builder.button(text=f"{mark}{label}", callback_data=GroupLanguageCb(language=language))
    for scale in RatingScale:
        # The scale's own words (a "Scale:" before them would not fit a button); ✓ on the current one.
        mark = "✓ " if scale == council.rating_scale else ""
        builder.button(text=f"{mark}{scale_label(scale)}", callback_data=RatingScaleCb(scale=scale))
    builder.button(text=_("Change the trimesters"), callback_data=TrimestersCb())
    builder.button(text=_("Replace the join link"), callback_data=JoinLinkCb())
    builder.button(text=_("🏫 The school's name"), callback_data=RecordCb(field=RecordField.SCHOOL))
    builder.button(text=_("📜 The decision creating the council"), callback_data=RecordCb(field=RecordField.FOUNDING))
    builder.button(text=_("📜 The order appointing the chair"), callback_data=RecordCb(field=RecordField.CHAIR_ORDER))
    builder.button(text=_("📅 The last pedagogical council"), callback_data=RecordCb(field=RecordField.LAST_PEDCOUNCIL))
    builder.adjust(1)
    return builder.as_markup()


def ask_record(field: RecordField) -> str:
    return {
        RecordField.SCHOOL: _(
            "The school's name as the council's documents write it, or - to use the group's title. /cancel to keep it."
        ),
        RecordField.FOUNDING: _(
            "The pedagogical council's decision that created the methodical council: send its protocol's number "
            "and date (for example 1 28.08.2026). /cancel to keep it."
        ),
        RecordField.CHAIR_ORDER: _(
            "The director's order appointing the chair: send its number and date (for example 15 01.09.2026). "
            "/cancel to keep it."
        ),
        RecordField.LAST_PEDCOUNCIL: _(
            "The date of the school year's last pedagogical council, for example: 10.06.2027. The council's "
            "report reaches you two weeks before. /cancel to keep it."
        ),
    }[field]


def replace_link_confirm(code: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("Yes, replace the link"), callback_data=JoinLinkCb(confirm=True, code=code))
    return builder.as_markup()


def new_join_link(link: str) -> str:
    return _(
        "The new join link:\n{link}\nThe old link no longer works. Send /setup in the council's group to post "
        "the new one there with its button."
    ).format(link=link)


# --- the prompts and short answers a handler sends ----------------------------------------------------------


def already_chosen() -> str:
    """The current group language or rating scale pressed again: nothing to change."""
    return _("This is the current choice.")


def works_in_private() -> str:
    return _("This command works in the private chat with me.")


def setup_admins_only() -> str:
    return _("Only a group administrator can set up the methodical council.")


def ask_trimesters() -> str:
    return _(
        "Send the trimesters in one line, each as start-end, for example:\n"
        "01.09-30.11, 01.12-28.02, 01.03-31.05\n/cancel to keep them."
    )


def ask_replace_link() -> str:
    return _(
        "Replace the join link? The old link stops working at once; people who have not joined yet need the new one."
    )
