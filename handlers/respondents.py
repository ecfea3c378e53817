"""The person behind an update: found or registered, with the language they are answered in.

Every use case that starts from a Telegram id looks the respondent up here, inside its own
transaction, so that a newcomer is registered once and in one language everywhere.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.i18n import locale_for
from knowledge import Locale
from storage import respondents as respondent_store
from storage.models import Respondent

__all__ = ["locale_of", "locale_of_language", "respondent_for"]


async def respondent_for(
    session: AsyncSession, telegram_id: int, language_code: str | None, default_locale: Locale
) -> Respondent:
    """The respondent with `telegram_id`, registered on first contact in the language of
    Telegram's `language_code` (else `default_locale`)."""
    return await respondent_store.get_or_create_respondent(
        session=session,
        telegram_id=telegram_id,
        language=locale_for(language_code, default_locale),
    )


def locale_of(respondent: Respondent) -> Locale:
    """The locale a respondent is answered in: English when chosen, else Persian."""
    return locale_of_language(respondent.language)


def locale_of_language(language: str | None) -> Locale:
    """The locale for a respondent's stored language: English when chosen, else Persian."""
    return "en" if language == "en" else "fa"
