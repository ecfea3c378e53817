"""Rendering panel pages: the shared context, one-time notices, and the error pages."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from functools import partial
from importlib import resources
from typing import Any

import aiohttp_jinja2
import jinja2
from aiohttp import web
from aiohttp_session import STORAGE_KEY, Session, get_session

from bot.admin.labels import LOCALES, Labels, text_direction
from bot.admin.panel import ADMIN_KEY, ADMIN_PREFIX, LANGUAGE_COOKIE, TEMPLATES_KEY
from bot.admin.security import CSRF_FIELD, csrf_token, is_signed_in
from handlers.i18n.citation import citation
from knowledge import Locale

__all__ = [
    "SECURITY_HEADERS",
    "error_pages",
    "pop_notice",
    "render",
    "request_locale",
    "safe_next",
    "set_notice",
    "setup_templates",
]

log = logging.getLogger(__name__)

_NOTICE = "notice"
_ERROR_TEMPLATES = {403: "403.html", 404: "404.html", 405: "404.html", 429: "429.html"}
# The pages load only their own stylesheet and images; nothing may frame them.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def setup_templates(app: web.Application, labels: Labels) -> jinja2.Environment:
    """Attach the panel's jinja2 environment (autoescape on) with its filters."""
    env = aiohttp_jinja2.setup(
        app,
        app_key=TEMPLATES_KEY,
        loader=jinja2.PackageLoader("bot", "templates/admin"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = jinja2.pass_context(lambda ctx, v: labels.number(ctx["locale"], v))
    env.filters["moment"] = jinja2.pass_context(lambda ctx, v: labels.moment(ctx["locale"], v))
    env.filters["citation"] = citation  # the chat's and the report's citation, one isolate
    return env


def request_locale(request: web.Request) -> Locale:
    """The panel language chosen with the language switch, else the default language."""
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    for locale in LOCALES:
        if chosen == locale:
            return locale
    return request.config_dict[ADMIN_KEY].default_locale


def safe_next(value: object, default: str = f"{ADMIN_PREFIX}/") -> str:
    """`value` if it is a path inside the panel (never another site), else `default`."""
    if (
        isinstance(value, str)
        and value.startswith(f"{ADMIN_PREFIX}/")
        and "\\" not in value
        and not value.startswith("//")
    ):
        return value
    return default


def set_notice(session: Session, key: str, **values: Any) -> None:
    """Remember a one-time notice (a `notice` label) for the next page shown."""
    session[_NOTICE] = {"key": key, "values": values}


def pop_notice(session: Session) -> dict[str, Any] | None:
    """The pending notice, removed from the session."""
    notice = session.get(_NOTICE)
    if notice is not None:
        del session[_NOTICE]
    return notice if isinstance(notice, dict) else None


async def render(
    request: web.Request, template: str, *, status: int = 200, **data: Any
) -> web.Response:
    """A page in the visitor's panel language, with the session's CSRF token for its forms."""
    panel = request.config_dict[ADMIN_KEY]
    locale = request_locale(request)
    session = await get_session(request) if request.get(STORAGE_KEY) else None
    context = {
        "locale": locale,
        "direction": text_direction(locale),
        "locales": LOCALES,
        "t": partial(panel.labels.text, locale),
        "signed_in": session is not None and is_signed_in(session),
        "csrf_field": CSRF_FIELD,
        "csrf_token": csrf_token(session) if session is not None else "",
        "notice": pop_notice(session) if session is not None else None,
        "here": request.path_qs,
        **data,
    }
    return aiohttp_jinja2.render_template(
        template, request, context, app_key=TEMPLATES_KEY, status=status
    )


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def error_pages(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Render 403, 404, 429 and 500 as panel pages; add the security headers to every answer."""
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        template = _ERROR_TEMPLATES.get(exc.status)
        if template is None:
            exc.headers.update(SECURITY_HEADERS)
            raise
        response = await render(request, template, status=exc.status)
    except Exception:
        log.exception("admin panel error on %s %s", request.method, request.path)
        response = await render(request, "500.html", status=500)
    response.headers.update(SECURITY_HEADERS)
    return response


def stylesheet_directory() -> str:
    """Where the panel's stylesheet lives (served at /admin/static)."""
    return str(resources.files("bot") / "static" / "admin")
