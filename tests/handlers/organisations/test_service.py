"""Organisations on a real database: codes, duplicates, refusals, the list."""

from __future__ import annotations

from handlers.organisations.service import ORG_CODE_ALPHABET, ORG_CODE_LENGTH, OrgRefusal
from handlers.services import Services
from knowledge.interview_state import ORGANISATION_MAX_LENGTH


async def test_an_organisation_gets_a_code_and_is_listed(services: Services) -> None:
    added = await services.organisations.add("Tehran Water", author="test")
    assert added.organisation is not None and added.refusal is None
    code = added.organisation.code
    assert len(code) == ORG_CODE_LENGTH and set(code) <= set(ORG_CODE_ALPHABET)
    assert [(o.code, o.name) for o in await services.organisations.organisations()] == [
        (code, "Tehran Water")
    ]


async def test_the_same_name_twice_is_the_same_organisation(services: Services) -> None:
    first = await services.organisations.add("Fars Gas", author="test")
    second = await services.organisations.add("  Fars Gas ", author="test")
    assert first.organisation is not None and second.organisation is not None
    assert (first.created, second.created) == (True, False)
    assert second.organisation.code == first.organisation.code
    assert len(await services.organisations.organisations()) == 1


async def test_an_empty_or_over_long_name_is_refused(services: Services) -> None:
    assert (await services.organisations.add("   ", author="test")).refusal is OrgRefusal.EMPTY
    too_long = "x" * (ORGANISATION_MAX_LENGTH + 1)
    assert (
        await services.organisations.add(too_long, author="test")
    ).refusal is OrgRefusal.TOO_LONG
    assert await services.organisations.organisations() == []
