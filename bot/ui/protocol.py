"""The protocol (cl. 7.5), pure: a closed meeting's data -> HTML message parts (each under 4096) and a .docx.
No session and no Telegram: closing a meeting and storing what is issued are in bot/ops/meeting_day.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot import rules
from bot.i18n import current_locale, fmt_date, fmt_datetime, group_locales, in_locale
from bot.i18n import gettext as _
from bot.rules import Counts
from bot.ui.documents import Docx
from bot.ui.labels import group_title, rating_label, verdict_label
from bot.ui.meeting_day import counts_text, rating_counts_text
from bot.ui.render import council_name, esc, split_blocks
from db.models import Choice, GroupKind, GroupLanguage, Outcome, Rating, ReviewVerdict


@dataclass(frozen=True)
class Decision:
    item_position: int | None
    text: str
    secret: bool
    counts: Counts
    outcome: Outcome
    present: int
    members: int
    names: dict[str, list[str]] = field(default_factory=dict)  # open votes: choice -> names
    # A rating vote (cl. 3.1, 5): the report's rating and the votes for each option of the vote's scale.
    rating: Rating | None = None
    rating_counts: dict[Choice, int] = field(default_factory=dict)


@dataclass(frozen=True)
class GroupLine:
    """An association or creative group in the protocol: its head (approved) and its members at the meeting's
    roster (an association's), so each member's association is on record."""

    kind: GroupKind
    name: str
    head: str | None
    members: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ReviewNote:
    """An expert review of a material on the agenda: the reviewer named only with their consent."""

    reviewer: str | None
    verdict: ReviewVerdict
    comment: str | None


@dataclass(frozen=True)
class ProtocolData:
    council_title: str
    number: int
    school_year: int
    starts_at: datetime
    place: str | None
    chair: str
    secretary: str | None
    members_total: int
    present: list[str]
    absent: list[str]
    participants: list[str]
    items: list[tuple[int, str, str | None]]
    decisions: list[Decision]
    heard: dict[int, str] = field(default_factory=dict)  # item position -> who reported (/heard)
    closed_automatically: bool = False
    # cl. 7.6: decisions reported done since the previous meeting: (protocol number, text, responsible, report)
    done: list[tuple[int | None, str, str, str | None]] = field(default_factory=list)
    school: str | None = None  # the school's name, above the title of the .docx, when it is not the council's

    @property
    def school_line(self) -> str | None:
        """The school's name at the top of the .docx, unless the title already says it."""
        return self.school if self.school and self.school != self.council_title else None

    # cl. 7.1: the pedagogical council's decision creating the council; cl. 4.1: the order appointing the chair.
    founding: tuple[str, date] | None = None
    chair_order: tuple[str, date] | None = None
    groups: list[GroupLine] = field(default_factory=list)
    reviews: dict[int, list[ReviewNote]] = field(default_factory=dict)  # item position -> expert reviews
    # item position -> the title in each language of an item the bot composed (AgendaItem.titles): each part of
    # the protocol reads it in its own language; `items` keeps the title as it was put on the agenda
    item_titles: dict[int, dict[str, str]] = field(default_factory=dict)

    def item_title(self, position: int, title: str) -> str:
        return self.item_titles.get(position, {}).get(current_locale()) or title

    @property
    def quorum(self) -> bool:
        return rules.quorum_met(len(self.present), self.members_total)


# --- rendering (pure; in the current locale) ---------------------------------------------------------------


def _lines(data: ProtocolData, tz: ZoneInfo) -> list[tuple[str, str]]:
    """The protocol as (style, text) lines; style is title, heading, space, text or sign. Text is plain."""
    lines = [
        (
            "title",
            _("PROTOCOL No. {number} of the meeting of the methodical council «{title}»").format(
                number=data.number, title=council_name(data.council_title)
            ),
        ),
    ]
    if data.founding:
        number, day = data.founding
        lines.append(
            (
                "text",
                _("Created by the decision of the pedagogical council, protocol No. {number} of {date}.").format(
                    number=number, date=fmt_date(day)
                ),
            )
        )
    if data.chair_order:
        number, day = data.chair_order
        lines.append(
            (
                "text",
                _("The chair is appointed by the director's order No. {number} of {date}.").format(
                    number=number, date=fmt_date(day)
                ),
            )
        )
    lines.append(("text", _("Date: {when}").format(when=fmt_datetime(data.starts_at, tz))))
    if data.place:
        lines.append(("text", _("Place: {place}").format(place=data.place)))
    lines.append(("text", _("Chair: {name}").format(name=data.chair)))
    if data.secretary:
        lines.append(("text", _("Secretary: {name}").format(name=data.secretary)))
    lines.append(
        (
            "text",
            _("Present: {present} of {total} members: {names}").format(
                present=len(data.present), total=data.members_total, names=", ".join(data.present) or "—"
            ),
        )
    )
    if data.absent:
        lines.append(("text", _("Absent: {names}").format(names=", ".join(data.absent))))
    if data.participants:
        lines.append(("text", _("Participants without a vote: {names}").format(names=", ".join(data.participants))))
    lines.extend(_group_lines(data))
    needed = rules.quorum_needed(data.members_total)
    lines.append(
        (
            "text",
            (
                _("Quorum: present (at least {needed} needed)")
                if data.quorum
                else _("No quorum (at least {needed} needed)")
            ).format(needed=needed),
        )
    )
    lines.append(("heading", _("Agenda")))
    for position, title, reporter in data.items:
        lines.append(
            ("text", f"{position}. {data.item_title(position, title)}" + (f" — {reporter}" if reporter else ""))
        )
    for position, title, reporter in data.items:
        lines.append(("heading", f"{position}. {data.item_title(position, title)}"))
        heard = data.heard.get(position) or reporter
        if heard:
            lines.append(("text", _("Heard: {name}").format(name=heard)))
        lines.extend(_review_lines(data.reviews.get(position, [])))
        item_decisions = [d for d in data.decisions if d.item_position == position]
        if not item_decisions:
            lines.append(("text", _("No decision was put to the vote.")))
        lines.extend(_decision_lines(item_decisions, data.item_title(position, title)))
    other = [d for d in data.decisions if d.item_position is None]
    if other:
        lines.append(("heading", _("Decisions outside the agenda")))
        lines.extend(_decision_lines(other))
    if data.closed_automatically:
        lines.append(
            ("text", _("The meeting was not closed by the chair: it was closed automatically at the end of the day."))
        )
    lines.extend(_done_lines(data))
    lines.append(("space", ""))
    lines.append(("sign", _("Chair: ____________ {name}").format(name=data.chair)))
    lines.append(("sign", _("Secretary: ____________ {name}").format(name=data.secretary or "")))
    return lines


def _done_lines(data: ProtocolData) -> list[tuple[str, str]]:
    """The separate block of decisions carried out since the previous meeting."""
    if not data.done:
        return []
    lines = [("heading", _("Carrying out of decisions"))]
    for number, text, name, report in data.done:
        source = _("Protocol No. {number}").format(number=number) if number else "—"
        line = _("{source}: {text} — carried out by {name}").format(source=source, text=text, name=name)
        lines.append(("text", line + (f". {report}" if report else "")))
    return lines


def _group_lines(data: ProtocolData) -> list[tuple[str, str]]:
    """Each association and creative group with its approved head and its members on the roster."""
    lines = []
    for group in data.groups:
        title = group_title(group.kind, group.name)
        line = title[:1].upper() + title[1:]
        line += ": " + (_("head {name}").format(name=group.head) if group.head else _("no head approved"))
        if group.members:
            line += "; " + _("members: {names}").format(names=", ".join(group.members))
        lines.append(("text", line))
    return lines


def _review_lines(reviews: list[ReviewNote]) -> list[tuple[str, str]]:
    lines = []
    for review in reviews:
        who = review.reviewer or _("an expert")
        line = _("Expert review ({name}): {verdict}").format(name=who, verdict=verdict_label(review.verdict))
        lines.append(("text", line + (f". {review.comment}" if review.comment else "")))
    return lines


def _decision_lines(decisions: list[Decision], item: str | None = None) -> list[tuple[str, str]]:
    """`item`: the item's title in the reader's language, what a rating rates (its vote keeps the chair's)."""
    lines = []
    for decision in decisions:
        if decision.rating is not None:
            lines.append(("text", _("Rated: {text}").format(text=item or decision.text)))
            votes = rating_counts_text(decision.rating_counts)
            lines.append(
                (
                    "text",
                    _("Open vote: {counts}. Rating: {rating}.").format(
                        counts=votes, rating=rating_label(decision.rating)
                    ),
                )
            )
            continue
        # cl. 7.5: only an adopted decision stands under "Decided"; a motion that failed (or was not validly
        # voted) is recorded as proposed, followed by its result.
        if decision.outcome is Outcome.ADOPTED:
            lines.append(("text", _("Decided: {text}").format(text=decision.text)))
        else:
            # TRANSLATORS: in a protocol, a motion that was put to the vote but not adopted (Russian "Предлагалось").
            lines.append(("text", _("Proposed: {text}").format(text=decision.text)))
        kind = _("Secret ballot") if decision.secret else _("Vote")
        # One sentence per outcome, so the result starts with a capital and no colon follows a colon.
        result = {
            Outcome.ADOPTED: _("{kind}: {counts}. Adopted."),
            Outcome.NOT_ADOPTED: _("{kind}: {counts}. Not adopted."),
            Outcome.NO_QUORUM: _("{kind}: {counts}. No quorum, so the decision is not valid."),
            Outcome.NO_VOTES: _("{kind}: no votes were cast, so no decision was taken."),
            Outcome.NOT_COUNTED: _(
                "{kind}: not counted, as the bot restarted during the vote and its sealed ballots could not be "
                "read; no decision was taken."
            ),
        }[decision.outcome]
        lines.append(("text", result.format(kind=kind, counts=counts_text(decision.counts))))
    return lines


def protocol_messages(data: ProtocolData, tz: ZoneInfo, language: GroupLanguage) -> list[str]:
    """The protocol as HTML messages for the group, each under 4096 characters, cut between lines."""
    blocks: list[str] = []
    for locale in group_locales(language):
        for style, text in in_locale(locale, lambda: _lines(data, tz)):
            if style == "title":
                blocks.append(f"<b>{esc(text)}</b>")
            elif style == "heading":
                blocks.append(f"\n<b>{esc(text)}</b>")
            else:
                blocks.append(esc(text))
        blocks.append("")
    return split_blocks(blocks)


def issued_parts(data: ProtocolData, tz: ZoneInfo, language: GroupLanguage) -> list[tuple[str, int, str]]:
    """(locale, position, HTML) of every message of the protocol, in each language the group reads: what is
    stored at the close and sent again later, byte for byte."""
    return [
        (locale, position, text)
        for locale in group_locales(language)
        for position, text in enumerate(protocol_messages(data, tz, GroupLanguage(locale)), 1)
    ]


def protocol_docx(data: ProtocolData, tz: ZoneInfo, language: GroupLanguage) -> bytes:
    """A .docx the school prints and signs: one protocol per language, Kyrgyz first, laid out as the
    school's records are (bot/ui/documents.py): the school's name and the council's at the top, the
    signature lines of the chair and the secretary at the end, page numbers in the footer."""
    document = Docx()  # python-docx (and lxml, ~10 MB resident) is loaded at the first close, not when idle
    for index, locale in enumerate(group_locales(language)):
        if index:
            document.page_break()
        if data.school_line:
            document.paragraph(data.school_line, bold=True, align="center")
        for kind, text in in_locale(locale, lambda: _lines(data, tz)):
            if kind == "title":
                document.paragraph(text, bold=True, align="center")
                document.paragraph()
            elif kind == "heading":
                document.paragraph(text, bold=True, space_before=6)
            elif kind == "sign":
                document.paragraph(text, space_before=12)
            elif kind == "space":
                document.paragraph()
            else:
                document.paragraph(text, align="justify")
    return document.bytes()


def protocol_filename(data: ProtocolData) -> str:
    return f"protocol_{data.school_year}-{data.school_year + 1}_{data.number:02d}.docx"
