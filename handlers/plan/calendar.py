"""An .ics calendar file of the committed steps: one all-day event on each step's due date."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event

from handlers.i18n import Renderer
from handlers.plan.service import Overview
from knowledge import Locale

__all__ = ["plan_calendar"]


def plan_calendar(renderer: Renderer, locale: Locale, overview: Overview) -> bytes:
    """The steps of `overview` as an iCalendar file (RFC 5545), in the person's language."""
    calendar = Calendar()
    calendar.add("prodid", "-//Pishran//plan//EN")
    calendar.add("version", "2.0")
    title = renderer.text(locale, "plan_calendar_title")
    calendar.add("x-wr-calname", title)
    stamp = datetime.now(UTC)
    for step in overview.steps:
        event = Event()
        event.add("uid", f"plan-step-{step.plan_step_id}@pishran")
        event.add("dtstamp", stamp)
        event.add("dtstart", step.due_on)
        event.add("dtend", step.due_on + timedelta(days=1))
        event.add("summary", step.text.get(locale))
        event.add("description", f"{title}: {renderer.text(locale, 'plan_status', step.status)}")
        calendar.add_component(event)
    ical: bytes = calendar.to_ical()
    return ical
