"""Reading a PDF report back: its text (pypdf) and the checks every report must pass."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

from handlers.checklist.service import Results
from knowledge import KnowledgeBase, Locale

# Whitespace, ZWNJ and the bidi controls: a PDF's text keeps neither where the page breaks a
# line nor the invisible characters, so titles and DOIs are compared without them. Guillemets
# too: in a right-to-left line « is drawn with the glyph of », and read back as such.
_INVISIBLE = re.compile(r"[\s\u200c\u200e\u200f\u202a-\u202e\u2066-\u2069«»]")


def pdf_text(data: bytes, *, normalise: bool = True) -> str:
    """Every page's text, in order; without whitespace and invisible characters by default."""
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return _INVISIBLE.sub("", text) if normalise else text


def normalised(text: str) -> str:
    return _INVISIBLE.sub("", text)


def assert_complete_pdf(data: bytes, kb: KnowledgeBase, results: Results, locale: Locale) -> None:
    """A PDF that opens, with every sub-factor's title and every cited reference's DOI."""
    assert data.startswith(b"%PDF-")
    assert len(PdfReader(io.BytesIO(data)).pages) > 1
    text = pdf_text(data)
    for sf in kb.subfactors:
        assert normalised(sf.title.get(locale)) in text, sf.key
    dois = [ref.doi for ref in results.report.references if ref.doi]
    assert dois, "the advice cites no study with a DOI"
    for doi in dois:
        assert normalised(doi) in text, doi
