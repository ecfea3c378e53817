"""The shared respondent look-up: registered once, in the language Telegram reports."""

from __future__ import annotations

from handlers.respondents import locale_of, respondent_for
from storage.db import build_engine, build_session_factory

PERSON = 4242


async def test_a_newcomer_is_registered_once_in_telegrams_language(database_url: str) -> None:
    engine = build_engine(database_url)
    try:
        session_factory = build_session_factory(engine)
        async with session_factory() as session, session.begin():
            first = await respondent_for(session, PERSON, "en-GB", "fa")
        async with session_factory() as session, session.begin():
            again = await respondent_for(session, PERSON, "fa-IR", "fa")  # stored language wins
            unknown = await respondent_for(session, PERSON + 1, None, "fa")
        assert again.id == first.id
        assert (locale_of(first), locale_of(again)) == ("en", "en")
        assert locale_of(unknown) == "fa"
    finally:
        await engine.dispose()
