"""The web admin panel: locks (session, token, CSRF, throttle), pages in fa and en, errors."""

from __future__ import annotations

import html
import io
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from sqlmodel import col, select

from bot.admin import ANONYMOUS_ACTOR, COOKIE_NAME, CSRF_FIELD, PANEL_ROUTES, Route
from bot.admin.app import build_admin_app
from bot.admin.labels import Labels
from bot.admin.panel import AdminPanel
from bot.admin.refusals import RefusalLog
from bot.admin.security import SignInThrottle, session_key
from bot.admin.sessions import PanelSessions
from bot.emulator import BotApiEmulator
from bot.settings import Settings
from bot.web import build_web_app
from knowledge import KnowledgeBase, Locale, load_shipped_kb
from storage.models import Assessment, KbRevision, Respondent
from tests.auxil.admin import (
    CIVIL_SERVANT_ID,
    REVISED_ADVICE,
    audit_log,
    edited_document,
    first_advice_summary,
    revise_first_advice,
    texts_since,
    unchanged_state,
)
from tests.auxil.admin_panel import (
    ADMIN_TOKEN,
    Form,
    forms_in,
    panel_settings,
    post_form,
    sign_in,
)
from tests.auxil.harness import RunningBot, start_bot
from tests.auxil.kb_flows import complete_core_checklist

Client = TestClient[Any, Any]
ClientFactory = Callable[..., Awaitable[Client]]
SAMPLE = {"kind": "subfactors", "key": "transparency", "number": "1", "code": "abc234"}
# Every page a signed-in administrator can open (the organisation pages need one first).
PAGES = [
    "/admin/",
    "/admin/kb",
    "/admin/kb/subfactors/transparency",
    "/admin/kb/subfactors/transparency/edit",
    "/admin/kb/factors/human/edit",
    "/admin/kb/references/seed/edit",
    "/admin/kb/revisions",
    "/admin/kb/revisions/1",
    "/admin/organisations",
    "/admin/stats",
    "/admin/audit",
    "/admin/sign-in?next=/admin/kb",
]


@pytest.fixture
def settings(emulator: BotApiEmulator, emulator_url: str, database_url: str) -> Settings:
    """Settings with the admin panel enabled."""
    return panel_settings(emulator, emulator_url, database_url)


@pytest.fixture
async def bot(emulator: BotApiEmulator, settings: Settings) -> AsyncIterator[RunningBot]:
    """The real bot, on the same database as the panel."""
    running = await start_bot(emulator, settings)
    yield running
    await running.stop()


@pytest.fixture
async def client(settings: Settings, bot: RunningBot, aiohttp_client: ClientFactory) -> Client:
    """A browser-like client of the web app that serves the bot and the panel."""
    return await aiohttp_client(build_web_app(settings, bot.runtime, bot.application))


def _path(route: Route) -> str:
    return "/admin" + route.path.format(**SAMPLE)


async def _actions(bot: RunningBot) -> list[tuple[str, str]]:
    return [(e.actor, e.action) for e in await audit_log(bot)]


@pytest.mark.parametrize("route", PANEL_ROUTES, ids=lambda r: f"{r.method} {r.path}")
async def test_every_panel_route_refuses_a_request_without_a_session(
    client: Client, bot: RunningBot, route: Route
) -> None:
    before = await unchanged_state(bot)
    response = await client.request(route.method, _path(route), allow_redirects=False)
    if route.method == "GET":
        assert response.status == 303
        assert response.headers["Location"].startswith("/admin/sign-in?next=")
    else:
        assert response.status == 403
    assert await unchanged_state(bot) == before
    (entry,) = await audit_log(bot)
    assert (entry.actor, entry.action) == (ANONYMOUS_ACTOR, "web.refused")
    assert entry.detail["method"] == route.method and entry.detail["path"] == _path(route)


async def test_the_panel_is_absent_without_an_admin_token(
    bot: RunningBot, settings: Settings, aiohttp_client: ClientFactory
) -> None:
    plain = settings.model_copy(update={"admin_token": None})
    client = await aiohttp_client(build_web_app(plain, bot.runtime))
    for path in ("/admin", "/admin/", "/admin/sign-in"):
        assert (await client.get(path, allow_redirects=False)).status == 404


async def test_a_wrong_token_gives_no_session(client: Client, bot: RunningBot) -> None:
    response = await sign_in(client, token=ADMIN_TOKEN + "x")
    assert response.status == 403
    assert "Set-Cookie" not in response.headers
    assert "این توکن درست نیست" in await response.text()
    assert (await client.get("/admin/kb", allow_redirects=False)).status == 303
    assert (ANONYMOUS_ACTOR, "web.sign_in_failed") in await _actions(bot)


async def test_sign_in_sets_a_strict_http_only_cookie_and_sign_out_ends_it(
    client: Client, bot: RunningBot
) -> None:
    response = await sign_in(client)
    assert (response.status, response.headers["Location"]) == (303, "/admin/")
    cookie = response.cookies[COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Strict"
    assert cookie["path"] == "/admin" and not cookie["secure"]
    home = await client.get("/admin/")
    assert home.status == 200
    (sign_out,) = [f for f in forms_in(await home.text()) if f.action == "/admin/sign-out"]

    refused = await post_form(client, sign_out, **{CSRF_FIELD: "forged"})
    assert refused.status == 403
    assert (await client.get("/admin/", allow_redirects=False)).status == 200  # still signed in
    response = await post_form(client, sign_out)
    assert (response.status, response.headers["Location"]) == (303, "/admin/sign-in")
    assert response.cookies[COOKIE_NAME].value == ""  # deleted
    assert (await client.get("/admin/", allow_redirects=False)).status == 303
    actions = [a for _, a in await _actions(bot)]
    assert actions == ["web.sign_in", "web.csrf_refused", "web.sign_out", "web.refused"]


async def test_the_cookie_is_secure_when_the_settings_say_so(
    bot: RunningBot, settings: Settings, aiohttp_client: ClientFactory
) -> None:
    secure = settings.model_copy(update={"admin_cookie_secure": True})
    client = await aiohttp_client(build_web_app(secure, bot.runtime))
    page = await client.get("/admin/sign-in")
    assert page.cookies[COOKIE_NAME]["secure"]


@pytest.mark.parametrize(
    "route", [r for r in PANEL_ROUTES if r.method == "POST"], ids=lambda r: r.path
)
async def test_a_post_without_a_csrf_token_is_refused_and_changes_nothing(
    client: Client, bot: RunningBot, route: Route
) -> None:
    await sign_in(client)
    edit = forms_in(await (await client.get("/admin/kb/subfactors/transparency/edit")).text())
    fields = {k: v for k, v in edit[-1].fields.items() if k != CSRF_FIELD}
    fields[f"{SUMMARY}.en"] = "Changed without a CSRF token."
    fields["name"] = "Tehran Water Company"
    before = await unchanged_state(bot)
    for forged in ({}, {CSRF_FIELD: "not-the-session-token"}):
        response = await client.post(_path(route), data={**fields, **forged})
        assert response.status == 403
        assert "این درخواست پذیرفته نشد" in await response.text()
    assert await unchanged_state(bot) == before
    refused = [a for a in await _actions(bot) if a[1] == "web.csrf_refused"]
    assert refused == [("web:admin", "web.csrf_refused")] * 2


@pytest.mark.parametrize("locale", ["fa", "en"])
async def test_every_page_renders_and_every_form_carries_the_csrf_token(
    client: Client, locale: str
) -> None:
    await client.get(f"/admin/language/{locale}")
    await sign_in(client)
    tokens = set()
    for path in PAGES:
        response = await client.get(path)
        html = await response.text()
        assert response.status == 200, path
        direction = "rtl" if locale == "fa" else "ltr"
        assert f'<html lang="{locale}" dir="{direction}">' in html
        assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
        for form in forms_in(html):
            if form.method == "post":
                tokens.add(form.fields.get(CSRF_FIELD))
    assert len(tokens) == 1 and None not in tokens and "" not in tokens


async def test_the_panel_is_persian_right_to_left_by_default_and_switches_to_english(
    client: Client,
) -> None:
    page = await (await client.get("/admin/sign-in")).text()
    assert '<html lang="fa" dir="rtl">' in page and "توکن مدیر" in page
    switched = await client.get("/admin/language/en?next=/admin/sign-in")
    assert str(switched.url).endswith("/admin/sign-in")
    assert '<html lang="en" dir="ltr">' in await switched.text()
    outside = await client.get(
        "/admin/language/fa?next=https://evil.example/", allow_redirects=False
    )
    assert outside.headers["Location"] == "/admin/"  # never a redirect off the panel
    assert (await client.get("/admin/language/de", allow_redirects=False)).status == 404


def test_both_label_catalogs_have_the_same_keys() -> None:
    def keys(node: dict[str, Any], prefix: str = "") -> set[str]:
        found = set()
        for key, value in node.items():
            found.add(prefix + str(key))
            if isinstance(value, dict):
                found |= keys(value, f"{prefix}{key}.")
        return found

    catalogs = Labels().catalogs
    assert keys(catalogs["fa"]) == keys(catalogs["en"])


async def test_failed_sign_ins_are_throttled_per_address(client: Client, bot: RunningBot) -> None:
    for n in range(5):  # a forged X-Forwarded-For is ignored: BEHIND_PROXY is off
        forged = {"X-Forwarded-For": f"198.51.100.{n}"}
        assert (await sign_in(client, "wrong-token-0000000000", headers=forged)).status == 403
    throttled = await sign_in(client)  # even the right token, until the window has passed
    assert throttled.status == 429
    assert "Set-Cookie" not in throttled.headers
    actions = [a for _, a in await _actions(bot)]
    assert actions == ["web.sign_in_failed"] * 5 + ["web.sign_in_throttled"]


async def test_behind_a_proxy_its_forwarded_address_and_scheme_are_trusted(
    bot: RunningBot, settings: Settings, aiohttp_client: ClientFactory
) -> None:
    proxied = settings.model_copy(update={"behind_proxy": True})
    client = await aiohttp_client(build_web_app(proxied, bot.runtime))
    https = await client.get("/admin/sign-in", headers={"X-Forwarded-Proto": "https"})
    assert https.cookies[COOKIE_NAME]["secure"]
    client.session.cookie_jar.clear()
    attacker = {"X-Forwarded-For": "203.0.113.7"}
    for _ in range(5):
        assert (await sign_in(client, "wrong-token-0000000000", headers=attacker)).status == 403
    assert (await sign_in(client, headers=attacker)).status == 429
    admin = {"X-Forwarded-For": "203.0.113.8"}
    assert (await sign_in(client, headers=admin)).status == 303
    addresses = [e.detail["address"] for e in await audit_log(bot)]
    assert addresses == ["203.0.113.7"] * 6 + ["203.0.113.8"]


def test_the_throttle_forgets_failures_after_its_window() -> None:
    now = [0.0]
    throttle = SignInThrottle(limit=2, window=60, clock=lambda: now[0])
    throttle.fail("10.0.0.1")
    throttle.fail("10.0.0.1")
    assert throttle.blocked("10.0.0.1") and not throttle.blocked("10.0.0.2")
    now[0] = 61.0
    assert not throttle.blocked("10.0.0.1")


async def test_unknown_pages_and_unexpected_errors_render_the_error_pages(
    client: Client, bot: RunningBot, settings: Settings, aiohttp_client: ClientFactory
) -> None:
    await sign_in(client)
    missing = await client.get("/admin/kb/subfactors/nosuchthing")
    assert missing.status == 404 and "صفحه پیدا نشد" in await missing.text()
    assert (await client.get("/admin/kb/revisions/99")).status == 404

    async def broken(request: web.Request) -> web.Response:
        raise RuntimeError("a bug")

    services = bot.runtime.services
    panel = AdminPanel(
        kb_admin=services.kb_admin,
        organisations=services.organisations,
        audit=services.audit,
        knowledge=services.knowledge,
        labels=Labels(),
        token=ADMIN_TOKEN,
        default_locale="en",
        throttle=SignInThrottle(),
        sessions=PanelSessions(bot.runtime.session_factory, lifetime=timedelta(hours=1)),
        refusals=RefusalLog(services.audit, actor=ANONYMOUS_ACTOR),
        bot_username=lambda: None,
    )
    admin = build_admin_app(panel, cookie_key=session_key(ADMIN_TOKEN), always_secure=False)
    admin.router.add_get("/broken", broken)
    root = web.Application()
    root.add_subapp("/admin", admin)
    own = await aiohttp_client(root)
    await sign_in(own)
    response = await own.get("/admin/broken")
    assert response.status == 500
    assert "Something went wrong" in await response.text()
    assert "a bug" not in await response.text()


async def test_the_audit_log_page_shows_who_did_what(client: Client) -> None:
    await sign_in(client, token="wrong-token-0000000000")
    await sign_in(client)
    page = await (await client.get("/admin/audit")).text()
    rows = re.findall(r'<code dir="ltr">([^<]+)</code></td>\s*<td><code dir="ltr">([^<]+)<', page)
    assert rows == [("web:admin", "web.sign_in"), ("web:anonymous", "web.sign_in_failed")]


EDIT_PATH = "/admin/kb/subfactors/transparency/edit"
SUMMARY = first_advice_summary(load_shipped_kb())
REVISED_FA = "توصیه بازنگری‌شده: منشور شفافیت را منتشر کنید."


async def _edit_form(client: Client, path: str = EDIT_PATH) -> Form:
    page = await client.get(path)
    return next(f for f in forms_in(await page.text()) if f.action == path)


async def _revision(bot: RunningBot, number: int) -> KbRevision | None:
    async with bot.runtime.session_factory() as session:
        return await session.get(KbRevision, number)


async def _assessment_revision(bot: RunningBot, telegram_id: int) -> int | None:
    async with bot.runtime.session_factory() as session:
        return await session.scalar(
            select(col(Assessment.kb_revision))
            .join(Respondent, col(Respondent.id) == col(Assessment.respondent_id))
            .where(col(Respondent.telegram_id) == telegram_id)
        )


def _diff(page: str, kind: str) -> list[str]:
    lines = re.findall(rf'<span class="line {kind}">(.*?)</span>', page)
    return [html.unescape(re.sub(r"</?bdi>", "", line)) for line in lines]


async def test_an_advice_edit_becomes_a_revision_with_a_diff_and_reaches_the_bot(
    client: Client, bot: RunningBot, emulator: BotApiEmulator, shipped_kb: KnowledgeBase
) -> None:
    await sign_in(client)
    form = await _edit_form(client)
    assert form.fields["expected_revision"] == "1"
    old = form.fields[f"{SUMMARY}.en"]
    assert old == shipped_kb.subfactor("transparency").advice.for_band("absent").summary.en
    changes = {f"{SUMMARY}.en": REVISED_ADVICE, f"{SUMMARY}.fa": REVISED_FA, "note": "clearer"}
    saved = await post_form(client, form, **changes)
    assert (saved.status, saved.headers["Location"]) == (303, "/admin/kb/revisions/2")

    page = await (await client.get("/admin/kb/revisions/2")).text()
    assert "به‌عنوان نسخه ۲ ذخیره شد" in page
    assert '<code dir="ltr">transparency.absent</code>' in page  # the summary: advice changed
    assert any(REVISED_ADVICE in line for line in _diff(page, "added"))
    assert any(old in line for line in _diff(page, "removed"))
    history = await (await client.get("/admin/kb/revisions")).text()
    assert re.search(r"نسخه ۲</a> <span class=\"badge\">فعال", history)
    assert "<bdi>clearer</bdi>" in history and '<code dir="ltr">web:admin</code>' in history
    revision = await _revision(bot, 2)
    assert revision is not None and (revision.author, revision.note) == ("web:admin", "clearer")

    readers: list[tuple[int, Locale, str]] = [
        (CIVIL_SERVANT_ID, "en", REVISED_ADVICE),
        (7_000_000_003, "fa", REVISED_FA),
    ]
    for user_id, locale, expected in readers:
        user = emulator.user(user_id, language_code=locale)
        await complete_core_checklist(user, shipped_kb, locale, [0] * 16)
        assert expected in texts_since(user.bot_messages, 0)
        assert await _assessment_revision(bot, user_id) == 2
    entries = [(e.actor, e.action, e.detail) for e in await audit_log(bot)][:2]
    assert entries[0][:2] == ("web:admin", "web.sign_in")
    assert entries[1] == ("web:admin", "kb.activate", {"base": 1, "revision": 2})


async def test_an_invalid_edit_names_the_problem_by_path_and_changes_nothing(
    client: Client, bot: RunningBot
) -> None:
    await sign_in(client)
    form = await _edit_form(client)
    before = await unchanged_state(bot)
    response = await post_form(
        client, form, **{f"{SUMMARY}.fa": "   ", f"{SUMMARY}.en": REVISED_ADVICE}
    )
    assert response.status == 422
    page = await response.text()
    path = f"factors[0].subfactors[0].{SUMMARY}.fa"
    assert f'<code dir="ltr">{path}</code>' in page
    beside = re.search(rf'id="field-{re.escape(SUMMARY)}\.fa-problems">(.*?)</ul>', page, re.S)
    # The panel speaks Persian by default, problems included; the audit log keeps English.
    assert beside is not None and "دست‌کم ۱ نویسه لازم است" in beside.group(1)
    kept = next(f for f in forms_in(page) if f.action == EDIT_PATH)
    assert kept.fields[f"{SUMMARY}.en"] == REVISED_ADVICE  # the input is kept
    assert kept.fields["expected_revision"] == "1"
    assert await unchanged_state(bot) == before
    (entry,) = [e for e in await audit_log(bot) if e.action == "kb.edit_invalid"]
    assert entry.detail["problems"] == [f"{path}: String should have at least 1 character"]


async def test_an_edit_of_a_revision_that_is_no_longer_active_is_refused(
    client: Client, bot: RunningBot, shipped_kb: KnowledgeBase
) -> None:
    await sign_in(client)
    form = await _edit_form(client)
    other = edited_document(shipped_kb, revise_first_advice)
    await bot.runtime.services.kb_admin.activate(other, author="telegram:someone")
    response = await post_form(client, form, **{f"{SUMMARY}.en": "My own rewording."})
    assert response.status == 409
    page = await response.text()
    assert "در مدتی که ویرایش می‌کردید نسخه ۲ فعال شد" in page
    assert "My own rewording." in page
    assert (await _revision(bot, 3)) is None


async def test_saving_an_untouched_form_adds_no_revision(client: Client, bot: RunningBot) -> None:
    await sign_in(client)
    for path in (EDIT_PATH, "/admin/kb/factors/human/edit", "/admin/kb/references/seed/edit"):
        response = await post_form(client, await _edit_form(client, path))
        assert response.status == 200
        assert "چیزی تغییر نکرد" in await response.text()
    assert (await _revision(bot, 2)) is None


async def test_a_reference_edit_is_validated_and_saved(client: Client, bot: RunningBot) -> None:
    await sign_in(client)
    path = "/admin/kb/references/bonson2012/edit"
    bad = await post_form(client, await _edit_form(client, path), doi="not a doi")
    assert bad.status == 422 and "references[" in await bad.text()
    good = await post_form(client, await _edit_form(client, path), pages="123-130")
    assert good.status == 303
    revision = await _revision(bot, 2)
    assert revision is not None
    (reference,) = [r for r in revision.content["references"] if r["key"] == "bonson2012"]
    assert reference["pages"] == "123-130"


async def test_rollback_brings_back_old_content_as_a_new_revision(
    client: Client, bot: RunningBot
) -> None:
    await sign_in(client)
    await post_form(client, await _edit_form(client), **{f"{SUMMARY}.en": REVISED_ADVICE})
    page = await (await client.get("/admin/kb/revisions/1")).text()
    (rollback,) = [f for f in forms_in(page) if f.action.endswith("/rollback")]
    response = await post_form(client, rollback)
    assert (response.status, response.headers["Location"]) == (303, "/admin/kb/revisions/3")
    page = await (await client.get("/admin/kb/revisions/3")).text()
    assert "محتوای نسخه ۱ به‌صورت نسخه تازه ۳ دوباره فعال شد" in page
    assert not [f for f in forms_in(page) if f.action.endswith("/rollback")]  # active: no form
    first, third = await _revision(bot, 1), await _revision(bot, 3)
    assert first is not None and third is not None
    assert (third.content, third.author) == (first.content, "web:admin")
    assert third.note == "بازگشت به نسخه ۱"

    again = await post_form(client, rollback)  # revision 1's content is already active
    assert again.headers["Location"] == "/admin/kb/revisions/1"
    assert (
        "با پایگاه دانش فعال یکی است" in await (await client.get(again.headers["Location"])).text()
    )
    assert (await _revision(bot, 4)) is None
    rollbacks = [e.detail for e in await audit_log(bot) if e.action == "kb.rollback"]
    assert rollbacks == [{"to": 1, "base": 2, "revision": 3}]


async def test_organisations_get_a_code_a_deep_link_and_a_qr_code(
    client: Client, bot: RunningBot
) -> None:
    import zxingcpp
    from PIL import Image

    await sign_in(client)
    page = await (await client.get("/admin/organisations")).text()
    (add,) = [f for f in forms_in(page) if f.action == "/admin/organisations"]
    empty = await post_form(client, add, name="  ")
    assert empty.status == 422 and "لطفاً نام سازمان را بنویسید" in await empty.text()

    name = "شرکت آب و فاضلاب تهران"
    created = await post_form(client, add, name=name)
    assert created.status == 303
    code = created.headers["Location"].rsplit("/", 1)[-1]
    page = await (await client.get(created.headers["Location"])).text()
    link = f"https://t.me/pishran_test_bot?start=org_{code}"
    assert f"<h1><bdi>{name}</bdi></h1>" in page and "سازمان افزوده شد" in page
    assert f'<code dir="ltr">{code}</code>' in page and f'href="{link}"' in page
    qr = await client.get(f"/admin/organisations/{code}/qr.png")
    assert qr.content_type == "image/png"
    (found,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(await qr.read())))
    assert found.text == link

    again = await post_form(client, add, name=name)
    assert again.headers["Location"] == created.headers["Location"]
    listing = await (await client.get("/admin/organisations")).text()
    assert listing.count(f"<bdi>{name}</bdi>") == 1
    added = [e.detail for e in await audit_log(bot) if e.action == "org.add"]
    assert [d["created"] for d in added] == [True, False]
    assert (await client.get("/admin/organisations/zzzzzz")).status == 404
