"""A calendar (RFC 5545) from feed events: times in Asia/Shanghai with its VTIMEZONE, dates
as all-day events, text escaped and folded by icalendar."""

from __future__ import annotations

import datetime as dt

from icalendar import Calendar, Timezone
from icalendar import Event as IcsEvent

from expedite.domain.calendar import SHANGHAI
from expedite.domain.text import has_control

from .selectors import Event

PRODID = "-//Expedite//加急服务台//ZH"


def _text(value: str) -> str:
    # Control characters are not text; a name that held one shows without it.
    return "".join(ch for ch in value if not has_control(ch)) if has_control(value) else value


def _line(value: str) -> str:
    # A title is one line (calendar lists show one), and icalendar refuses a line break in an
    # extension property such as the calendar's name.
    return " ".join(_text(value).split())


def calendar_bytes(events: list[Event], *, name: str, stamp: dt.datetime) -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", _line(name))
    cal.add("x-wr-timezone", "Asia/Shanghai")
    cal.add_component(Timezone.from_tzid("Asia/Shanghai"))
    for event in events:
        item = IcsEvent()
        item.add("uid", f"{event.uid}@expedite")
        item.add("dtstamp", stamp.astimezone(dt.UTC))
        item.add("summary", _line(event.summary))
        if isinstance(event.start, dt.datetime):
            item.add("dtstart", event.start.astimezone(SHANGHAI))
            item.add("dtend", event.end.astimezone(SHANGHAI))
        else:
            item.add("dtstart", event.start)
            item.add("dtend", event.end)
        if event.description:
            item.add("description", _text(event.description))
        if event.url:
            item.add("url", event.url)
        cal.add_component(item)
    return cal.to_ical()
