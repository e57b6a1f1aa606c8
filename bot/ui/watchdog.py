"""The trimester warnings (cl. 7.4): no meeting yet this trimester, with the meeting the annual plan has in it.
Pure: data in, text out, in the current locale."""

from __future__ import annotations

from datetime import date

from bot import rules
from bot.domain import Planned
from bot.i18n import fmt_long_date
from bot.i18n import gettext as _
from bot.ui.render import esc


def planned_in_warning(planned: Planned) -> str:
    return _("By the annual plan, a meeting is planned for {date}: {topics}.").format(
        date=fmt_long_date(planned.day), topics="; ".join(esc(e.topic) for e in planned.entries)
    )


def trimester_warning(trimester: rules.Trimester, stage: int, today: date) -> str:
    """The watchdog's warning (cl. 7.4) to the group and the chair: no meeting yet this trimester."""
    last, end = fmt_long_date(trimester.last_announce_day), fmt_long_date(trimester.end)
    if stage >= rules.TOO_LATE or today > trimester.last_announce_day:
        return _(
            "<b>Warning (regulation, cl. 7.4).</b> The council has held no meeting this trimester, and the last "
            "day to announce one with 7 days' notice ({last}) has passed: a meeting before the trimester ends "
            "on {end} can no longer have a week's notice."
        ).format(last=last, end=end)
    left = (trimester.last_announce_day - today).days
    if left == 0:
        return _(
            "<b>Warning (regulation, cl. 7.4).</b> No meeting of the council is announced this trimester. "
            "Today, {last}, is the last day to announce one with 7 days' notice; the trimester ends on {end}. "
            "The chair announces a meeting with /agenda."
        ).format(last=last, end=end)
    return _(
        "<b>Warning (regulation, cl. 7.4).</b> No meeting of the council is announced this trimester, which "
        "ends on {end}. The last day to announce one with 7 days' notice is {last} ({days} left). "
        "The chair announces a meeting with /agenda."
    ).format(last=last, end=end, days=_("{count} day", "{count} days", left).format(count=left))


def warning_naming_plan(warning: str, planned: Planned | None) -> str:
    """A trimester warning (as trimester_warning rendered it) with the meeting the annual plan has in that
    trimester named under it (cl. 7.3)."""
    return warning + ("\n" + planned_in_warning(planned) if planned else "")
