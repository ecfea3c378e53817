"""Bot API error responses as the emulator raises and serialises them."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any


class ApiError(Exception):
    """A Bot API failure that becomes an ``{"ok": false, ...}`` response."""

    def __init__(self, status: int, description: str, *, retry_after: int | None = None) -> None:
        """Store the HTTP status (== error_code), description and optional retry_after."""
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def to_body(self) -> dict[str, Any]:
        """Return the JSON body Telegram sends for this error."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(reason: str) -> ApiError:
    """Build a 400 error with Telegram's ``Bad Request: `` prefix."""
    return ApiError(400, f"Bad Request: {reason}")


def forbidden(reason: str) -> ApiError:
    """Build a 403 error with Telegram's ``Forbidden: `` prefix."""
    return ApiError(403, f"Forbidden: {reason}")


def conflict(reason: str) -> ApiError:
    """Build a 409 error with Telegram's ``Conflict: `` prefix."""
    return ApiError(409, f"Conflict: {reason}")


def too_many_requests(retry_after: int) -> ApiError:
    """Build Telegram's flood-control 429 error."""
    return ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)


def unauthorized() -> ApiError:
    """Build the 401 answer for a malformed or foreign token."""
    return ApiError(401, "Unauthorized")


def not_found() -> ApiError:
    """Build the 404 answer for an unknown method or file."""
    return ApiError(404, "Not Found")


def status_error(status: int, description: str | None = None) -> ApiError:
    """Build an error for an arbitrary status, defaulting to its HTTP reason phrase."""
    if status == HTTPStatus.TOO_MANY_REQUESTS and description is None:
        return too_many_requests(1)
    if description is None:
        try:
            description = HTTPStatus(status).phrase
        except ValueError:
            description = f"Error {status}"
    return ApiError(status, description)
