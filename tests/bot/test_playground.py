"""The playground's page and JSON API, with the real bot polling the emulator behind them."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import struct
import sys
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient

from bot.emulator import DEFAULT_TOKEN, BotApiEmulator
from bot.playground import (
    MAX_TEXT_LENGTH,
    PLAYGROUND_BOT_USERNAME,
    USER_COOKIE,
    PlaygroundBot,
    build_playground_app,
    start_playground_bot,
)
from bot.playground.server import _loopback_url
from bot.settings import Settings
from handlers.i18n import Renderer, load_catalogs
from knowledge import KnowledgeBase, Locale, QuestionSet
from tests.auxil.ports import free_port

ClientFactory = Callable[..., Awaitable[TestClient[Any, Any]]]


def tiny_png() -> bytes:
    """A valid 2x1 PNG, made here so the test needs no image library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 2, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00\x00\x00\xff")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


class PageClient:
    """What the page's script does, in Python: post actions and keep the chat by message id."""

    def __init__(
        self, client: TestClient[Any, Any], emulator: BotApiEmulator, bot: PlaygroundBot | None
    ) -> None:
        self.client, self.emulator, self.bot = client, emulator, bot
        self.cursor = 0
        self.messages: dict[int, dict[str, Any]] = {}
        self.user: dict[str, Any] = {}

    async def post(self, path: str, body: object) -> ClientResponse:
        return await self.client.post(path, json=body)

    async def start_as(self, language: Locale) -> int:
        response = await self.post("/api/user", {"language": language})
        assert response.status == 200, await response.text()
        user_id = int((await response.json())["user"]["id"])
        self.cursor, self.messages = 0, {}
        return user_id

    async def refresh(self) -> dict[str, Any]:
        """Wait until the bot has answered, then fetch what changed, as the page does."""
        await self.settle()
        response = await self.client.get(f"/api/messages?after={self.cursor}")
        assert response.status == 200, await response.text()
        data: dict[str, Any] = await response.json()
        for message in data["messages"]:
            if message["deleted"]:
                self.messages.pop(message["id"], None)
            else:
                self.messages[message["id"]] = message
        self.cursor, self.user = data["cursor"], data["user"]
        return data

    async def settle(self) -> None:
        """Every update is fetched (the emulator's queue is empty) and handled by the bot."""
        await self.emulator.wait_idle()
        if self.bot is not None:
            await self.bot.application.update_queue.join()

    async def send(self, text: str) -> None:
        response = await self.post("/api/send", {"text": text})
        assert response.status == 200, await response.text()
        await self.refresh()

    @property
    def bot_messages(self) -> list[dict[str, Any]]:
        return [m for _, m in sorted(self.messages.items()) if m["from_bot"]]

    @property
    def last_bot_message(self) -> dict[str, Any]:
        return self.bot_messages[-1]

    @staticmethod
    def labels(message: dict[str, Any]) -> list[str]:
        return [button["text"] for row in message["buttons"] for button in row]

    async def press(self, label: str) -> None:
        """Press the button with this label on the newest bot message that has it."""
        for message in reversed(self.bot_messages):
            for button in (b for row in message["buttons"] for b in row):
                if button["text"] == label:
                    body = {"message_id": message["id"], "data": button["data"]}
                    response = await self.post("/api/press", body)
                    assert response.status == 200, await response.text()
                    await self.refresh()
                    return
        newest = self.labels(self.bot_messages[-1]) if self.bot_messages else []
        raise AssertionError(f"no button {label!r}; newest keyboard: {newest}")


@pytest.fixture
def emulator() -> BotApiEmulator:
    return BotApiEmulator(token=DEFAULT_TOKEN, bot_username=PLAYGROUND_BOT_USERNAME)


@pytest.fixture
async def client(aiohttp_client: ClientFactory, emulator: BotApiEmulator) -> TestClient[Any, Any]:
    """The playground app on a loopback test server (the page's default language: Persian)."""
    return await aiohttp_client(build_playground_app(emulator, default_locale="fa"))


@pytest.fixture
async def bot(
    client: TestClient[Any, Any], emulator: BotApiEmulator, database_url: str
) -> AsyncIterator[PlaygroundBot]:
    """The real bot, long-polling the emulator mounted in the playground app."""
    settings = Settings(_env_file=None, database_url=database_url)  # type: ignore[call-arg]
    running = await start_playground_bot(settings, emulator, server_url=str(client.make_url("/")))
    yield running
    await running.stop()


@pytest.fixture
def page(
    request: pytest.FixtureRequest, client: TestClient[Any, Any], emulator: BotApiEmulator
) -> PageClient:
    """The page's actions; they wait for the bot when the test runs one."""
    bot = request.getfixturevalue("bot") if "bot" in request.fixturenames else None
    return PageClient(client, emulator, bot)


# ---------------------------------------------------------------------- the page


async def test_the_page_has_the_chat_and_follows_the_language_toggle(
    client: TestClient[Any, Any],
) -> None:
    response = await client.get("/")
    assert response.status == 200
    html = await response.text()
    assert '<html lang="fa" dir="rtl">' in html
    for marker in ('id="messages"', 'id="composer"', 'id="start"', 'data-language="en"'):
        assert marker in html
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]

    english = await client.get("/?lang=en")
    assert '<html lang="en" dir="ltr">' in await english.text()
    # The choice is remembered for the next visit.
    assert '<html lang="en" dir="ltr">' in await (await client.get("/")).text()

    for path in ("/static/playground.js", "/static/playground.css"):
        assert (await client.get(path)).status == 200


def test_the_page_texts_exist_in_both_languages() -> None:
    catalogs = load_catalogs(["bot.playground"])
    for group in ("playground", "playground_error"):
        assert set(catalogs["fa"][group]) == set(catalogs["en"][group]), group


# ---------------------------------------------------------------------- the conversation


@pytest.mark.parametrize("locale", ["fa", "en"])
async def test_start_greets_and_asks_the_first_profile_question(
    bot: PlaygroundBot, page: PageClient, shipped_kb: KnowledgeBase, locale: Locale
) -> None:
    user_id = await page.start_as(locale)
    assert page.client.session.cookie_jar.filter_cookies(page.client.make_url("/"))[USER_COOKIE]
    await page.send("/start")

    first = min(page.messages.values(), key=lambda m: m["id"])
    assert (first["from_bot"], first["text"]) == (False, "/start")
    assert first["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    welcome = page.bot_messages[0]["text"]
    assert ("پیشران" if locale == "fa" else "Pishran") in welcome
    sectors = [sector.label.get(locale) for sector in shipped_kb.profile.sectors]
    asking = next(m for m in page.bot_messages if page.labels(m))
    assert set(sectors) <= set(page.labels(asking))
    assert page.user["id"] == user_id
    assert page.user["commands"][0]["command"] == "start"  # the menu the page offers


async def test_pressing_through_the_profile_reaches_the_first_question(
    bot: PlaygroundBot, page: PageClient, shipped_kb: KnowledgeBase
) -> None:
    await page.start_as("en")
    await page.send("/start")
    await page.press(shipped_kb.profile.sectors[0].label.get("en"))
    tehran = next(r for r in shipped_kb.profile.regions if r.key == "tehran")
    await page.press(tehran.label.get("en"))
    await page.send("Tehran Water Company")
    await page.press(shipped_kb.profile.roles[0].label.get("en"))
    core = next(
        button["text"]
        for message in reversed(page.bot_messages)
        for row in message["buttons"]
        for button in row
        if button["data"].startswith("qs:") and button["data"].endswith(QuestionSet.CORE.value)
    )
    await page.press(core)

    question = page.last_bot_message
    assert re.search(r"\b1/16\b", question["text"]), question["text"]
    scale = [shipped_kb.scale.label(value).get("en") for value in range(5)]
    assert set(scale) <= set(page.labels(question))
    # The organisation typed into the page is the bot's record too.
    assert any(m["text"] == "Tehran Water Company" for m in page.messages.values())


async def test_persian_progress_uses_persian_digits(
    bot: PlaygroundBot, page: PageClient, shipped_kb: KnowledgeBase
) -> None:
    await page.start_as("fa")
    await page.send("/start")
    await page.press(shipped_kb.profile.sectors[0].label.get("fa"))
    tehran = next(r for r in shipped_kb.profile.regions if r.key == "tehran")
    await page.press(tehran.label.get("fa"))
    await page.send("شرکت آب تهران")
    await page.press(shipped_kb.profile.roles[0].label.get("fa"))
    core = next(
        b["text"]
        for m in reversed(page.bot_messages)
        for row in m["buttons"]
        for b in row
        if b["data"].startswith("qs:") and b["data"].endswith(QuestionSet.CORE.value)
    )
    await page.press(core)
    assert "پرسش ۱ از ۱۶" in page.last_bot_message["text"]


# ---------------------------------------------------------------------- what the bot edits


async def test_edits_deletions_and_button_notices_reach_the_page(
    bot: PlaygroundBot, page: PageClient
) -> None:
    user_id = await page.start_as("en")
    await page.send("/start")  # a bot cannot write first
    sent = await bot.application.bot.send_message(user_id, "<b>first</b> draft")
    await page.refresh()
    assert page.messages[sent.message_id]["entities"] == [
        {"type": "bold", "offset": 0, "length": 5}
    ]
    seen = page.cursor

    await bot.application.bot.edit_message_text(
        "final", chat_id=user_id, message_id=sent.message_id
    )
    changes = await page.refresh()
    assert [(m["id"], m["text"], m["edited"]) for m in changes["messages"]] == [
        (sent.message_id, "final", True)
    ]
    assert page.cursor > seen
    assert (await page.refresh())["messages"] == []  # nothing new since

    await bot.application.bot.delete_message(user_id, sent.message_id)
    assert [m["deleted"] for m in (await page.refresh())["messages"]] == [True]
    assert sent.message_id not in page.messages

    # The bot's answer to a pressed button (here: an alert for a closed assessment) reaches
    # the page once.
    first = next(m for m in page.bot_messages if m["buttons"])
    await page.send("/restart")  # asks first; "Yes, start again" closes the assessment
    confirm = page.bot_messages[-1]
    (yes,) = [b["data"] for row in confirm["buttons"] for b in row if "restart" in b["data"]]
    await page.post("/api/press", {"message_id": confirm["id"], "data": yes})
    await page.settle()
    button = first["buttons"][0][0]
    response = await page.post("/api/press", {"message_id": first["id"], "data": button["data"]})
    assert response.status == 200
    notices = (await page.refresh())["notices"]
    closed = Renderer().text("en", "closed_assessment")
    assert notices == [{"text": closed, "alert": True}]
    assert (await page.refresh())["notices"] == []
    # A reloaded page (which asks from the beginning) gets the chat, not the old alert again.
    reloaded = await page.client.get("/api/messages?after=0")
    data = await reloaded.json()
    assert data["messages"] and data["notices"] == []


# ---------------------------------------------------------------------- photos and documents


async def test_photos_and_documents_are_served_only_to_their_chat(
    bot: PlaygroundBot, page: PageClient
) -> None:
    user_id = await page.start_as("en")
    await page.send("/start")
    png = tiny_png()
    await bot.application.bot.send_photo(user_id, png, caption="<i>chart</i>")
    await bot.application.bot.send_document(
        user_id, b"<html><body>report</body></html>", filename="report.html"
    )
    await page.refresh()
    photo_message = next(m for m in page.bot_messages if m["photo"])
    document_message = next(m for m in page.bot_messages if m["document"])
    assert photo_message["caption"] == "chart"
    assert photo_message["caption_entities"] == [{"type": "italic", "offset": 0, "length": 5}]
    assert (photo_message["photo"]["width"], photo_message["photo"]["height"]) == (2, 1)

    photo = await page.client.get(photo_message["photo"]["url"])
    assert photo.status == 200
    assert photo.headers["Content-Type"] == "image/png"
    assert await photo.read() == png

    document = await page.client.get(document_message["document"]["url"])
    assert document_message["document"]["name"] == "report.html"
    assert document.headers["Content-Disposition"].startswith("attachment;")
    assert document.headers["X-Content-Type-Options"] == "nosniff"
    assert await document.read() == b"<html><body>report</body></html>"

    # Someone else (another cookie) cannot read this chat's files or messages.
    page.client.session.cookie_jar.clear()
    await page.start_as("en")
    other = await page.client.get(photo_message["photo"]["url"])
    assert other.status == 404
    assert (await other.json())["error"] == "no_media"
    assert (await page.refresh())["messages"] == []


# ---------------------------------------------------------------------- refusing bad input


@pytest.mark.parametrize(
    ("path", "body", "code"),
    [
        ("/api/send", {"text": ""}, "empty_text"),
        ("/api/send", {"text": "   \n"}, "empty_text"),
        ("/api/send", {"text": 42}, "bad_text"),
        ("/api/send", {}, "bad_text"),
        ("/api/send", ["/start"], "not_json"),
        ("/api/send", {"text": "x" * (MAX_TEXT_LENGTH + 1)}, "text_too_long"),
        ("/api/send", {"text": "😀" * (MAX_TEXT_LENGTH // 2 + 1)}, "text_too_long"),
        ("/api/press", {"message_id": "1", "data": "x"}, "bad_button"),
        ("/api/press", {"message_id": True, "data": "x"}, "bad_button"),
        ("/api/press", {"message_id": 1, "data": None}, "bad_button"),
        ("/api/press", {"message_id": 999, "data": "x"}, "no_message"),
        ("/api/press", {"message_id": 1, "data": "x"}, "no_message"),  # the user's own
        ("/api/user", {"language": "de"}, "bad_language"),
        ("/api/user", {}, "bad_language"),
    ],
)
async def test_bad_input_is_refused_with_a_json_error(
    page: PageClient, path: str, body: object, code: str
) -> None:
    await page.start_as("en")
    assert (await page.post("/api/send", {"text": "/start"})).status == 200  # message 1
    response = await page.post(path, body)
    assert response.status == 400
    assert (await response.json())["error"] == code
    assert code in load_catalogs(["bot.playground"])["en"]["playground_error"]


async def test_a_button_the_message_does_not_have_is_refused(
    bot: PlaygroundBot, page: PageClient
) -> None:
    await page.start_as("en")
    await page.send("/start")
    asking = next(m for m in page.bot_messages if m["buttons"])
    response = await page.post("/api/press", {"message_id": asking["id"], "data": "qs:1:core"})
    assert (response.status, (await response.json())["error"]) == (400, "bad_button")


async def test_malformed_requests_are_refused_with_json_errors(
    client: TestClient[Any, Any], page: PageClient
) -> None:
    # No simulated user yet: the page shows its start panel on this 401.
    for method, path in [("GET", "/api/messages"), ("POST", "/api/send"), ("GET", "/api/media/1")]:
        response = await client.request(method, path, json={"text": "hi"})
        assert (response.status, (await response.json())["error"]) == (401, "no_user")

    await page.start_as("fa")
    longest = await page.post("/api/send", {"text": "x" * MAX_TEXT_LENGTH})
    assert longest.status == 200  # Telegram's limit itself is fine
    not_json = await client.post("/api/send", data="text=hi")
    assert (not_json.status, (await not_json.json())["error"]) == (415, "not_json")
    broken = await client.post("/api/send", data="{", headers={"Content-Type": "application/json"})
    assert (broken.status, (await broken.json())["error"]) == (400, "not_json")
    huge = await client.post(
        "/api/send",
        data=b'{"text": "' + b"a" * 70_000 + b'"}',
        headers={"Content-Type": "application/json"},
    )
    assert (huge.status, (await huge.json())["error"]) == (413, "too_large")
    for cursor in ("-1", "abc", "1e3"):
        response = await client.get(f"/api/messages?after={cursor}")
        assert (response.status, (await response.json())["error"]) == (400, "bad_cursor")
    wrong_method = await client.get("/api/send")
    assert wrong_method.status == 405
    assert (await wrong_method.json())["error"] == "http_error"

    client.session.cookie_jar.clear()
    client.session.cookie_jar.update_cookies(  # a user nobody created
        {USER_COOKIE: "12345"}, response_url=client.make_url("/")
    )
    response = await client.get("/api/messages")
    assert (response.status, (await response.json())["error"]) == (401, "no_user")


# ---------------------------------------------------------------------- the command line


def test_a_wildcard_address_is_opened_on_loopback() -> None:
    assert _loopback_url([("0.0.0.0", 8080)]) == "http://127.0.0.1:8080/"
    assert _loopback_url([("::", 8080, 0, 0)]) == "http://[::1]:8080/"
    assert _loopback_url([("127.0.0.1", 41000)]) == "http://127.0.0.1:41000/"


async def _serve_until_interrupted(tmp_path: Path, *args: str, **env: str) -> str:
    """Run `pishran <args>`, open the page once it logs its URL, then press Ctrl-C."""
    pishran = Path(sys.executable).with_name("pishran")
    environ = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/cli.sqlite3", **env}
    process = await asyncio.create_subprocess_exec(
        str(pishran), *args, cwd=tmp_path, env=environ, stderr=asyncio.subprocess.PIPE
    )
    assert process.stderr is not None
    log: list[str] = []
    try:
        async with asyncio.timeout(60):
            while not (found := re.search(r"Pishran playground: (\S+)", "".join(log[-1:]))):
                line = await process.stderr.readline()
                assert line, "pishran exited before serving:\n" + "".join(log)
                log.append(line.decode())
        from aiohttp import ClientSession

        async with ClientSession() as session, session.get(found.group(1)) as response:
            assert response.status == 200
            assert 'id="messages"' in await response.text()
        process.send_signal(signal.SIGINT)
        async with asyncio.timeout(60):
            rest = await process.stderr.read()
            assert await process.wait() == 0, "".join(log) + rest.decode()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    return found.group(1)


async def test_pishran_playground_serves_the_page_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    url = await _serve_until_interrupted(tmp_path, "playground", "--port", "0")
    assert url.startswith("http://127.0.0.1:")
    assert (tmp_path / "cli.sqlite3").exists()  # migrated on start


async def test_pishran_run_without_a_token_starts_the_playground(tmp_path: Path) -> None:
    port = free_port()
    url = await _serve_until_interrupted(tmp_path, "run", PORT=str(port))
    assert url == f"http://127.0.0.1:{port}/"
