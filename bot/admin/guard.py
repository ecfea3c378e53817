"""The middleware in front of every panel route: a signed-in session, and a CSRF token per POST."""

from __future__ import annotations

from collections.abc import Collection

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware
from aiohttp_session import get_session

from bot.admin.panel import ADMIN_ACTOR, ADMIN_KEY, AdminPanel, client_address
from bot.admin.security import CSRF_FIELD, is_signed_in, session_token, valid_csrf

__all__ = ["SIGN_IN_ROUTE", "guard"]

SIGN_IN_ROUTE = "admin_sign_in"
_READS = frozenset({"GET", "HEAD"})


def guard(public: Collection[str]) -> Middleware:
    """Refuse (and count) requests without a signed-in session, except to `public` routes.

    Signed in means both: the cookie says so, and its session is still in the database (not
    signed out, on any replica). A cookie whose session is gone is emptied.
    """

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        panel = request.config_dict[ADMIN_KEY]
        session = await get_session(request)
        signed_in = is_signed_in(session)
        if signed_in and not await panel.sessions.active(session_token(session)):
            session.invalidate()
            signed_in = False
        address = client_address(request)
        if request.match_info.route.name not in public and not signed_in:
            await panel.refusals.record(
                "web.refused", address=address, method=request.method, path=request.rel_url.raw_path
            )
            if request.method in _READS:
                sign_in = request.app.router[SIGN_IN_ROUTE].url_for()
                raise web.HTTPSeeOther(sign_in.with_query(next=request.path_qs))
            raise web.HTTPForbidden()
        if request.method not in _READS:
            form = await request.post()
            if not valid_csrf(session, form.get(CSRF_FIELD)):
                await _csrf_refused(panel, request, address, signed_in=signed_in)
                raise web.HTTPForbidden()
        return await handler(request)

    return middleware


async def _csrf_refused(
    panel: AdminPanel, request: web.Request, address: str, *, signed_in: bool
) -> None:
    """An administrator's refused form is an entry of its own; anyone else's is counted."""
    if signed_in:
        detail = {"method": request.method, "path": request.path, "address": address}
        await panel.audit.record(actor=ADMIN_ACTOR, action="web.csrf_refused", detail=detail)
        return
    await panel.refusals.record(
        "web.csrf_refused", address=address, method=request.method, path=request.rel_url.raw_path
    )
