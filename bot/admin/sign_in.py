"""Signing in with the admin token, signing out, and the panel's language switch."""

from __future__ import annotations

from aiohttp import web
from aiohttp_session import get_session, new_session

from bot.admin.labels import LOCALES
from bot.admin.pages import render, safe_next
from bot.admin.panel import (
    ADMIN_ACTOR,
    ADMIN_KEY,
    ADMIN_PREFIX,
    ANONYMOUS_ACTOR,
    LANGUAGE_COOKIE,
    client_address,
    is_https,
)
from bot.admin.security import is_signed_in, session_token, sign_in, token_matches

__all__ = ["choose_language", "sign_in_page", "sign_out", "signing_in"]

_LANGUAGE_COOKIE_AGE = 365 * 24 * 3600


async def sign_in_page(request: web.Request) -> web.StreamResponse:
    """The sign-in form (or straight on, for someone already signed in)."""
    target = safe_next(request.query.get("next"))
    if is_signed_in(await get_session(request)):
        raise web.HTTPSeeOther(target)
    return await render(request, "sign_in.html", next=target, failed=False)


async def signing_in(request: web.Request) -> web.StreamResponse:
    """Check the token in constant time; a wrong one leaves no session and is audited."""
    panel = request.config_dict[ADMIN_KEY]
    form = await request.post()
    target = safe_next(form.get("next"))
    address = client_address(request)
    if panel.throttle.blocked(address):
        await panel.refusals.record(
            "web.sign_in_throttled", address=address, method=request.method, path=request.path
        )
        raise web.HTTPTooManyRequests()
    given = form.get("token")
    if not isinstance(given, str) or not token_matches(given, panel.token):
        panel.throttle.fail(address)
        await panel.audit.record(
            actor=ANONYMOUS_ACTOR, action="web.sign_in_failed", detail={"address": address}
        )
        return await render(request, "sign_in.html", status=403, next=target, failed=True)
    panel.throttle.clear(address)
    # A new session: nothing from before carries over, and signing out can revoke it.
    sign_in(await new_session(request), await panel.sessions.start())
    await panel.audit.record(actor=ADMIN_ACTOR, action="web.sign_in", detail={"address": address})
    raise web.HTTPSeeOther(target)


async def sign_out(request: web.Request) -> web.StreamResponse:
    """End the session everywhere (revoked in the database, the cookie deleted)."""
    panel = request.config_dict[ADMIN_KEY]
    session = await get_session(request)
    await panel.sessions.end(session_token(session))
    session.invalidate()
    address = client_address(request)
    await panel.audit.record(actor=ADMIN_ACTOR, action="web.sign_out", detail={"address": address})
    raise web.HTTPSeeOther(request.app.router["admin_sign_in"].url_for())


async def choose_language(request: web.Request) -> web.StreamResponse:
    """Remember the panel language in a cookie and go back to the page it was chosen on."""
    locale = request.match_info["lang"]
    if locale not in LOCALES:
        raise web.HTTPNotFound()
    response = web.HTTPSeeOther(safe_next(request.query.get("next")))
    response.set_cookie(
        LANGUAGE_COOKIE,
        locale,
        max_age=_LANGUAGE_COOKIE_AGE,
        path=ADMIN_PREFIX,
        httponly=True,
        samesite="Strict",
        secure=is_https(request) or None,
    )
    raise response
