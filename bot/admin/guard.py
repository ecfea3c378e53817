"""The middleware in front of every panel route: a signed-in session, and a CSRF token per POST."""

from __future__ import annotations

from collections.abc import Collection

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware
from aiohttp_session import get_session

from bot.admin.panel import ADMIN_ACTOR, ADMIN_KEY, ANONYMOUS_ACTOR, client_address
from bot.admin.security import CSRF_FIELD, is_signed_in, valid_csrf

__all__ = ["SIGN_IN_ROUTE", "guard"]

SIGN_IN_ROUTE = "admin_sign_in"
_READS = frozenset({"GET", "HEAD"})


def guard(public: Collection[str]) -> Middleware:
    """Refuse (and audit) requests without a signed-in session, except to `public` routes."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        panel = request.config_dict[ADMIN_KEY]
        session = await get_session(request)
        signed_in = is_signed_in(session)
        detail = {
            "method": request.method,
            "path": request.path,
            "address": client_address(request),
        }
        if request.match_info.route.name not in public and not signed_in:
            await panel.audit.record(actor=ANONYMOUS_ACTOR, action="web.refused", detail=detail)
            if request.method in _READS:
                sign_in = request.app.router[SIGN_IN_ROUTE].url_for()
                raise web.HTTPSeeOther(sign_in.with_query(next=request.path_qs))
            raise web.HTTPForbidden()
        if request.method not in _READS:
            form = await request.post()
            if not valid_csrf(session, form.get(CSRF_FIELD)):
                actor = ADMIN_ACTOR if signed_in else ANONYMOUS_ACTOR
                await panel.audit.record(actor=actor, action="web.csrf_refused", detail=detail)
                raise web.HTTPForbidden()
        return await handler(request)

    return middleware
