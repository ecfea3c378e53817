"""The panel's locks: the session cookie, the admin token, CSRF tokens and a sign-in throttle."""

from __future__ import annotations

import hmac
import secrets
import time
from collections import deque
from collections.abc import Callable

from aiohttp import web
from aiohttp_session import Session
from aiohttp_session.cookie_storage import EncryptedCookieStorage
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

__all__ = [
    "COOKIE_NAME",
    "CSRF_FIELD",
    "SESSION_MAX_AGE",
    "AdminCookieStorage",
    "SignInThrottle",
    "csrf_token",
    "is_signed_in",
    "session_key",
    "session_token",
    "sign_in",
    "token_matches",
    "valid_csrf",
]

COOKIE_NAME = "pishran_admin"
CSRF_FIELD = "csrf_token"
SESSION_MAX_AGE = 8 * 3600
_SIGNED_IN = "admin"
_CSRF = "csrf"
_TOKEN = "session"
# A versioned label, so that a later change of what the key protects gives a different key.
_KEY_INFO = b"pishran admin panel session cookie v1"


def session_key(admin_token: str) -> bytes:
    """The 32-byte cookie encryption key, derived from the admin token with HKDF-SHA256."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_KEY_INFO)
    return hkdf.derive(admin_token.encode())


class AdminCookieStorage(EncryptedCookieStorage):
    """Encrypted, HttpOnly, SameSite=Strict cookie for /admin; Secure on https or by setting."""

    def __init__(
        self,
        key: bytes,
        *,
        path: str,
        always_secure: bool,
        is_https: Callable[[web.Request], bool] = lambda request: request.secure,
    ) -> None:
        self._is_https = is_https
        super().__init__(
            key,
            cookie_name=COOKIE_NAME,
            max_age=SESSION_MAX_AGE,
            path=path,
            httponly=True,
            samesite="Strict",
            secure=always_secure or None,
        )

    async def save_session(
        self, request: web.Request, response: web.StreamResponse, session: Session
    ) -> None:
        """Save as usual; mark the cookie Secure when the request itself came over https."""
        await super().save_session(request, response, session)
        morsel = response.cookies.get(COOKIE_NAME)
        if morsel is not None and self._is_https(request):
            morsel["secure"] = True


def token_matches(given: str, expected: str) -> bool:
    """Whether `given` is the admin token, in time independent of where they differ."""
    return hmac.compare_digest(given.encode(), expected.encode())


def is_signed_in(session: Session) -> bool:
    """Whether the cookie says its holder signed in (the guard also asks the database)."""
    return session.get(_SIGNED_IN) is True


def session_token(session: Session) -> object:
    """The token of the server-side session this cookie belongs to (anything, if forged)."""
    return session.get(_TOKEN)


def sign_in(session: Session, token: str) -> None:
    """Mark a fresh session as signed in to the server-side session `token`, with a new
    CSRF token."""
    session[_SIGNED_IN] = True
    session[_TOKEN] = token
    session[_CSRF] = secrets.token_urlsafe(32)


def csrf_token(session: Session) -> str:
    """The session's CSRF token, created on first use (a signed-out visitor gets one too)."""
    token = session.get(_CSRF)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session[_CSRF] = token
    return token


def valid_csrf(session: Session, given: object) -> bool:
    """Whether a form's CSRF field matches the session's token."""
    expected = session.get(_CSRF)
    if not isinstance(expected, str) or not isinstance(given, str) or not given:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


class SignInThrottle:
    """At most `limit` failed sign-ins per address within `window` seconds, kept in memory."""

    def __init__(
        self,
        *,
        limit: int = 5,
        window: float = 900.0,
        max_addresses: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._limit = limit
        self._window = window
        self._max_addresses = max_addresses
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}

    def blocked(self, address: str) -> bool:
        """Whether `address` used up its failed attempts for now."""
        failures = self._failures.get(address)
        if failures is None:
            return False
        horizon = self._clock() - self._window
        while failures and failures[0] <= horizon:
            failures.popleft()
        if not failures:
            del self._failures[address]
        return len(failures) >= self._limit

    def fail(self, address: str) -> None:
        """Count one failed sign-in from `address`."""
        if address not in self._failures and len(self._failures) >= self._max_addresses:
            # Forget the address that failed longest ago rather than grow without bound.
            oldest = min(self._failures, key=lambda a: self._failures[a][-1])
            del self._failures[oldest]
        self._failures.setdefault(address, deque()).append(self._clock())

    def clear(self, address: str) -> None:
        """Forget the failures of `address` (after a successful sign-in)."""
        self._failures.pop(address, None)
