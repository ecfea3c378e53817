"""The report as a PDF: the report's HTML laid out by WeasyPrint (Pango shapes Persian).

The fonts come from Python packages (IBM Plex Sans Arabic for Persian, Noto Sans for Latin
text), not from the system, so every machine lays the report out alike. Not Noto Sans Arabic:
it draws the dots of ب، ز، خ as glyphs of their own, so the PDF's text (search, copy, screen
readers) read «جرای» for «برای»; IBM Plex Sans Arabic keeps one glyph per letter.
WeasyPrint fetches nothing but those font files and the charts' data URIs: a link in the
report is never followed.
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path

__all__ = ["FONT_FAMILIES", "font_face_css", "html_to_pdf"]

# (CSS family name, weight, package, font file in its `files/` folder).
FONT_FAMILIES = (
    ("Pishran Latin", "400", "fontpkg_noto_sans", "NotoSans[wdth,wght].ttf"),
    ("Pishran Persian", "400", "fontpkg_ibm_plex_sans_arabic", "IBMPlexSansArabic-Regular.ttf"),
    ("Pishran Persian", "700", "fontpkg_ibm_plex_sans_arabic", "IBMPlexSansArabic-Bold.ttf"),
)


def _font_path(package: str, name: str) -> Path:
    path = resources.files(package) / "files" / name
    assert isinstance(path, Path), f"{package} is not installed as files"
    return path


@functools.cache
def font_face_css() -> str:
    """@font-face rules for the packaged fonts, by file URL."""
    rules = [
        f'@font-face {{ font-family: "{family}"; font-weight: {weight};'
        f' src: url("{_font_path(package, name).as_uri()}"); }}'
        for family, weight, package, name in FONT_FAMILIES
    ]
    return "\n".join(rules)


@functools.cache
def _allowed_files() -> frozenset[str]:
    return frozenset(_font_path(package, name).as_uri() for *_, package, name in FONT_FAMILIES)


def html_to_pdf(document: str) -> bytes:
    """The PDF of a report HTML page (CPU-bound: run it in a worker)."""
    from weasyprint import CSS, HTML  # Pango, cffi: loaded only where reports are made
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher

    class _PackagedOnly(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: object = None) -> object:
            if not (url.startswith("data:") or url in _allowed_files()):
                raise ValueError(f"the report fetches no {url[:40]!r}")
            return super().fetch(url, headers)

    fetcher = _PackagedOnly(allowed_protocols=("file", "data"))
    fonts = FontConfiguration()
    faces = CSS(string=font_face_css(), font_config=fonts, url_fetcher=fetcher)
    page = HTML(string=document, base_url=None, url_fetcher=fetcher)
    pdf = page.write_pdf(stylesheets=[faces], font_config=fonts)
    assert isinstance(pdf, bytes)
    return pdf
