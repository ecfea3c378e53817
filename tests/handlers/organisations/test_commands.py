"""Administrators on Telegram: /org_add with its deep link and QR code, and /orgs."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from bot.emulator import BotApiEmulator
from handlers.i18n import Renderer
from handlers.organisations.service import ORG_CODE_ALPHABET, ORG_CODE_LENGTH
from knowledge import KnowledgeBase, QuestionSet
from storage.models import Assessment
from tests.auxil.admin import (
    ADMIN_ID,
    CIVIL_SERVANT_ID,
    audit_log,
    unchanged_state,
)
from tests.auxil.flows import question_set_button
from tests.auxil.harness import RunningBot

RENDERER = Renderer()


def _decoded_qr(png: bytes) -> str | None:
    """The text of the QR code in a PNG, or None where no decoder is installed."""
    try:
        import zxingcpp
        from PIL import Image
    except ImportError:
        return None
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    return found[0].text if found else ""


async def test_org_add_replies_with_a_deep_link_and_its_qr_code_that_presets_the_name(
    emulator: BotApiEmulator, bot: RunningBot, shipped_kb: KnowledgeBase
) -> None:
    name = "شرکت آب و فاضلاب تهران"
    admin = emulator.user(ADMIN_ID, language_code="fa")
    await admin.send(f"/org_add {name}")
    text = admin.bot_messages[-2].text or ""
    match = re.search(r"https://t\.me/pishran_test_bot\?start=org_([a-z0-9]+)", text)
    assert match is not None, text
    link, code = match.group(0), match.group(1)
    assert len(code) == ORG_CODE_LENGTH and set(code) <= set(ORG_CODE_ALPHABET)
    assert name in text
    qr = admin.last_bot_message.document
    assert qr is not None and qr.filename == f"pishran-organisation-{code}.png"
    assert qr.data.startswith(b"\x89PNG\r\n\x1a\n")
    decoded = _decoded_qr(qr.data)
    assert decoded in (None, link)

    # The same name again: the same organisation, the same code.
    await admin.send(f"/org_add  {name} ")
    assert f"org_{code}" in (admin.bot_messages[-2].text or "")
    assert "پیش‌تر افزوده شده" in (admin.bot_messages[-2].text or "")

    # A civil servant who opens the link starts with the organisation's name preset.
    user = emulator.user(CIVIL_SERVANT_ID, language_code="en")
    await user.send(f"/start org_{code.upper()}")
    await user.press(shipped_kb.profile.sectors[0].label.get("en"))
    await user.press(next(r for r in shipped_kb.profile.regions if r.key == "tehran").label.en)
    await user.press(shipped_kb.profile.roles[0].label.get("en"))  # no organisation question
    assert question_set_button(user, QuestionSet.CORE)
    async with bot.runtime.session_factory() as session:
        assessment = await session.scalar(select(Assessment))
    assert assessment is not None
    assert (assessment.organisation, assessment.org_code) == (name, code)

    await admin.send("/orgs")
    listing = admin.last_bot_message.text or ""
    # One person started (none completed): never shown as a count, however small.
    assert name in listing and code in listing and "کمتر از ۵ پاسخ‌دهنده" in listing
    assert "۱ پاسخ‌دهنده" not in listing
    actions = [(e.action, e.detail.get("created")) for e in await audit_log(bot)]
    assert actions == [("org.add", True), ("org.add", False), ("org.list", None)]


@pytest.mark.parametrize(
    ("command", "expected"),
    [("/org_add", "Please write the organisation's name"), ("/org_add " + "x" * 121, "too long")],
)
async def test_org_add_refuses_an_empty_or_over_long_name(
    emulator: BotApiEmulator, bot: RunningBot, command: str, expected: str
) -> None:
    admin = emulator.user(ADMIN_ID, language_code="en")
    await admin.send(command)
    assert expected in (admin.last_bot_message.text or "")
    assert await unchanged_state(bot) == (1, 1, 0, 0)


async def test_orgs_says_when_there_are_none(emulator: BotApiEmulator, bot: RunningBot) -> None:
    admin = emulator.user(ADMIN_ID, language_code="en")
    await admin.send("/orgs")
    assert "No organisations yet" in (admin.last_bot_message.text or "")
