"""The web admin panel at /admin: sign in with ADMIN_TOKEN, edit the KB, history, organisations.

Built on the same use cases as the Telegram admin commands (handlers.kb_admin.service,
handlers.organisations.service, handlers.audit_trail); this package only adds the web around them.
"""

from bot.admin.app import build_admin_app, setup_admin
from bot.admin.forms import EditTarget
from bot.admin.panel import ADMIN_ACTOR, ADMIN_PREFIX, ANONYMOUS_ACTOR, AdminPanel
from bot.admin.routes import PANEL_ROUTES, ROUTES, Route
from bot.admin.security import COOKIE_NAME, CSRF_FIELD, session_key

__all__ = [
    "ADMIN_ACTOR",
    "ADMIN_PREFIX",
    "ANONYMOUS_ACTOR",
    "COOKIE_NAME",
    "CSRF_FIELD",
    "PANEL_ROUTES",
    "ROUTES",
    "AdminPanel",
    "EditTarget",
    "Route",
    "build_admin_app",
    "session_key",
    "setup_admin",
]
