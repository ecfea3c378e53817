"""Text for charts: fonts with Persian glyphs from packages, and Persian shaped for display."""

from __future__ import annotations

import functools
import logging
import threading

from matplotlib import font_manager, ft2font

from knowledge import Locale

__all__ = ["display_text", "font_families", "has_bold"]

log = logging.getLogger(__name__)

# Fonts with Persian glyphs, best first: a system font if one is installed, else the
# Noto Sans Arabic that the `fontpkg-noto-sans-arabic` package ships.
_PERSIAN_FAMILIES = ("Vazirmatn", "Noto Sans Arabic")
_PACKAGED_FAMILY = "Noto Sans Arabic"
# Bundled with matplotlib; it also has Arabic-script glyphs, so it is a usable last resort.
_FALLBACK_FAMILY = "DejaVu Sans"
# matplotlib >= 3.11 lays text out with libraqm (HarfBuzz shaping + bidi); shaping it again
# beforehand would reverse it twice.
_NATIVE_SHAPING = hasattr(ft2font, "__libraqm_version__")
_FONT_LOCK = threading.Lock()


def display_text(text: str, *, native_shaping: bool = _NATIVE_SHAPING) -> str:
    """Text ready for matplotlib: shaped and reordered here unless matplotlib does it."""
    if native_shaping:
        return text
    import arabic_reshaper
    from bidi import get_display

    return str(get_display(arabic_reshaper.reshape(text)))


@functools.cache
def _persian_family() -> str | None:
    with _FONT_LOCK:  # charts are drawn in worker threads; register the font once
        return _find_persian_family()


def _find_persian_family() -> str | None:
    try:
        import fontpkg

        path = fontpkg.path(_PACKAGED_FAMILY)
    except (ImportError, LookupError, OSError) as exc:
        log.debug("packaged Persian font unavailable: %s", exc)
    else:
        font_manager.fontManager.addfont(str(path))
    installed = {entry.name for entry in font_manager.fontManager.ttflist}
    family = next((name for name in _PERSIAN_FAMILIES if name in installed), None)
    if family is None:
        log.warning(
            "no Persian font found (install fontpkg-noto-sans-arabic); charts use %s",
            _FALLBACK_FAMILY,
        )
    return family


def font_families(locale: Locale) -> list[str]:
    """The font families for a chart in `locale`, best first (matplotlib falls back per glyph)."""
    persian = _persian_family() if locale == "fa" else None
    return [persian, _FALLBACK_FAMILY] if persian else [_FALLBACK_FAMILY]


@functools.cache
def has_bold(family: str) -> bool:
    """Whether `family` has a bold face (a variable font is registered at one weight)."""
    # A variable font is registered once, at its default weight: asking it for bold would
    # only log a warning and fall back to regular.
    weights = [e.weight for e in font_manager.fontManager.ttflist if e.name == family]
    return any((isinstance(w, int) and w >= 600) or w == "bold" for w in weights)
