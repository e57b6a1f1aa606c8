"""What people see, by capability: the callbacks, the enum-to-words labels, and the texts and keyboards.

Pure functions of data and the current locale (group posts through bot.i18n.group_text): no I/O, no session,
no Telegram calls, so each is tested without a bot. The ui imports no operation: the values it renders come
from bot.domain and db.models. Handlers and operations import the ui, never the other way round.

  render.py      escaping and the 4096-character split
  documents.py   every .docx and .xlsx: the school's page layout, text cells that stay text
  callbacks.py   every CallbackData (short prefixes: Telegram allows 64 bytes) and its action enums
  labels.py      enum -> words: roles, statuses, choices, outcomes, material kinds and states, log actions;
                 a school year's and a trimester's names
  common.py      /help, /lang, links to the private chat
  commands.py    the command menus under "/", the private chat's and a group's
  members.py     registration, /members, member cards, applications
  councils.py    the council in its group (/setup) and /settings
  meetings.py    the agenda, announcements, reminders, /meetings
  meeting_day.py attendance, votes and tallies, /heard, /close, /protocols
  materials.py   submitting, reviewing, /bank
  reviews.py     expert reviews of materials
  groups.py      methodical associations and creative groups, /groups
  plan.py        the annual plan: drawing it up, its messages, controls and .docx, /agenda from it
  decisions.py   decisions followed up (cl. 7.6), /decisions
  watchdog.py    the trimester warnings (cl. 7.4)
  report.py      the year in figures: /report's message, .xlsx and chart; /export's file name and caption
  audit.py       /log
  miniapp.py     the Mini App's pages
  protocol.py    a closed meeting -> the protocol's HTML parts and its .docx
  regulation.py  the regulation's text (regulation/ky.txt, ru.txt) and its edition
"""
