"""Helpers for the web admin panel's tests: settings with a token, forms read from pages."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from aiohttp.test_utils import TestClient

from bot.admin import CSRF_FIELD
from bot.emulator import BotApiEmulator
from bot.settings import Settings
from tests.auxil.harness import bot_settings

__all__ = [
    "ADMIN_TOKEN",
    "Form",
    "forms_in",
    "panel_settings",
    "post_form",
    "sign_in",
]

ADMIN_TOKEN = "test-admin-token-0123456789abcdef"


def panel_settings(
    emulator: BotApiEmulator, emulator_url: str, database_url: str, **overrides: Any
) -> Settings:
    """Bot settings with the panel enabled; each process re-reads the active KB at once."""
    values: dict[str, Any] = {"admin_token": ADMIN_TOKEN, "kb_refresh_seconds": 0.001}
    return bot_settings(emulator, emulator_url, database_url, **{**values, **overrides})


@dataclass
class Form:
    """One <form> of a page: where it posts, and the value of every named field."""

    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)


class _FormReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(a.get("action", ""), a.get("method", "get").lower()))
        elif tag == "option" and self._select is not None and "selected" in a:
            self.forms[-1].fields[self._select] = a.get("value", "")
        elif not self.forms or "name" not in a:
            return
        elif tag == "input":
            self.forms[-1].fields[a["name"]] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a["name"]
            self.forms[-1].fields[a["name"]] = ""
        elif tag == "select":
            self._select = a["name"]

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self.forms[-1].fields[self._textarea] += data


def forms_in(html: str) -> list[Form]:
    """Every form of a page, with its fields as a browser would submit them untouched."""
    reader = _FormReader()
    reader.feed(html)
    return reader.forms


async def post_form(
    client: TestClient[Any, Any],
    form: Form,
    *,
    headers: dict[str, str] | None = None,
    **changes: str,
) -> Any:  # aiohttp.ClientResponse
    """Submit `form` with some fields changed, without following the redirect."""
    data = {**form.fields, **changes}
    return await client.post(form.action, data=data, headers=headers, allow_redirects=False)


async def sign_in(
    client: TestClient[Any, Any],
    token: str = ADMIN_TOKEN,
    *,
    headers: dict[str, str] | None = None,
) -> Any:
    """Open the sign-in page and submit `token` with the page's CSRF token."""
    page = await client.get("/admin/sign-in", headers=headers)
    (form,) = forms_in(await page.text())
    assert CSRF_FIELD in form.fields
    return await post_form(client, form, headers=headers, token=token)
