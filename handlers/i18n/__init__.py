"""Localised text for chat and web: catalogs, the message Renderer, bidi and digits."""

from handlers.i18n.catalog import CHAT_FEATURES, load_catalogs
from handlers.i18n.citation import citation
from handlers.i18n.renderer import Renderer, bidi_isolate, locale_for
from knowledge import LOCALES

__all__ = [
    "CHAT_FEATURES",
    "LOCALES",
    "Renderer",
    "bidi_isolate",
    "citation",
    "load_catalogs",
    "locale_for",
]
