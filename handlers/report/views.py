"""The report's button under the results."""

from __future__ import annotations

from telegram import InlineKeyboardButton

from handlers import callbacks
from handlers.i18n import Renderer
from knowledge import Locale

__all__ = ["report_button"]


def report_button(renderer: Renderer, locale: Locale, assessment_id: int) -> InlineKeyboardButton:
    """ "📄 Report": sends the PDF report of this completed assessment."""
    data = callbacks.encode(callbacks.ShowReport(assessment_id))
    return InlineKeyboardButton(renderer.text(locale, "button_report"), callback_data=data)
