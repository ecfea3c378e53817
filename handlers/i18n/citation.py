"""One citation as one bidi isolate: the same text in chat, report and web panel."""

from __future__ import annotations

from functools import lru_cache

from markupsafe import Markup, escape

from knowledge import Reference

__all__ = ["citation"]

_FSI, _PDI = "\u2068", "\u2069"
_ENDS_SENTENCE = (".", "?", "!", "؟")


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith(_ENDS_SENTENCE) else f"{text}."


@lru_cache(maxsize=1024)  # a reference's text never changes: results cite dozens each time
def citation(ref: Reference) -> Markup:
    """`ref` as HTML in one FSI…PDI isolate (its direction from its first letter), no link.

    Authors (year). Title. <i>Venue</i> volume(issue), pages. A reference without authors
    starts with its title, so that no empty author slot shows. The link is left to the caller,
    on a line of its own, so that it never runs into the page range.
    """
    parts: list[Markup | str] = []
    year = f" ({ref.year})" if ref.year else ""
    if ref.authors:
        parts.append(escape(_sentence("; ".join(ref.authors) + year)))
        parts.append(escape(_sentence(ref.title)))
    else:
        parts.append(escape(_sentence(ref.title.strip() + year)))
    if ref.venue:
        source = Markup("<i>{}</i>").format(ref.venue.strip())
        if ref.volume:
            source += f", {ref.volume}" + (f"({ref.issue})" if ref.issue else "")
        if ref.pages:
            source += f", {ref.pages}"
        parts.append(source + ".")
    return Markup(_FSI) + Markup(" ").join(parts) + Markup(_PDI)
