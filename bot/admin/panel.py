"""What the panel's views share: the use cases, its settings and its typed app keys."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import jinja2
from aiohttp import web

from bot.admin.labels import Labels
from bot.admin.refusals import RefusalLog
from bot.admin.security import SignInThrottle
from bot.admin.sessions import PanelSessions
from handlers.audit_trail import AuditTrail
from handlers.kb_admin.service import KnowledgeAdmin
from handlers.knowledge_store import KnowledgeStore
from handlers.organisations.service import OrganisationAdmin
from handlers.statistics.service import Statistics
from knowledge import Locale

__all__ = [
    "ADMIN_ACTOR",
    "ADMIN_KEY",
    "ADMIN_PREFIX",
    "ANONYMOUS_ACTOR",
    "LANGUAGE_COOKIE",
    "TEMPLATES_KEY",
    "AdminPanel",
    "client_address",
    "is_https",
]

ADMIN_PREFIX = "/admin"
# Everyone who signs in with the token is the same administrator to the audit log.
ADMIN_ACTOR = "web:admin"
ANONYMOUS_ACTOR = "web:anonymous"
LANGUAGE_COOKIE = "pishran_admin_lang"


@dataclass(frozen=True)
class AdminPanel:
    """The use cases behind the panel, its labels, the token, the sign-in throttle, the
    server-side sessions and the counter of refused requests."""

    kb_admin: KnowledgeAdmin
    organisations: OrganisationAdmin
    audit: AuditTrail
    knowledge: KnowledgeStore
    labels: Labels
    token: str
    default_locale: Locale
    throttle: SignInThrottle
    sessions: PanelSessions
    refusals: RefusalLog
    bot_username: Callable[[], str | None]
    behind_proxy: bool = False
    statistics: Statistics | None = None


ADMIN_KEY = web.AppKey("admin_panel", AdminPanel)
TEMPLATES_KEY = web.AppKey("admin_templates", jinja2.Environment)


def _forwarded(request: web.Request, header: str) -> str | None:
    """The value the nearest proxy added to `header`, when the settings say to trust it."""
    if not request.config_dict[ADMIN_KEY].behind_proxy:
        return None
    values = [v.strip() for v in ",".join(request.headers.getall(header, [])).split(",")]
    return values[-1] or None


def client_address(request: web.Request) -> str:
    """The client's address: the peer's, or the one the trusted proxy in front forwarded."""
    return _forwarded(request, "X-Forwarded-For") or request.remote or "unknown"


def is_https(request: web.Request) -> bool:
    """Whether the client's own request used https (directly, or to the trusted proxy)."""
    return request.secure or _forwarded(request, "X-Forwarded-Proto") == "https"
