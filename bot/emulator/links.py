"""Links in messages as Telegram accepts them: normalised, or refused when not a usable URL."""

from __future__ import annotations

from urllib.parse import urlsplit

__all__ = ["checked_link"]


def checked_link(url: str) -> str:
    """Normalise a link like Telegram does; return "" when it is not a usable URL."""
    url = url.strip()
    if not url or any(c in url for c in ' \n\t<>"'):
        return ""
    if "://" not in url and not url.lower().startswith(("tg:", "mailto:")):
        url = "http://" + url
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme in ("http", "https", "ftp"):
        host = parts.hostname or ""
        if "." not in host and host != "localhost":
            return ""
        if not parts.path and not parts.query and not parts.fragment:
            return url + "/"
        return url
    if scheme in ("tg", "ton", "mailto"):
        return url
    return ""
