"""The result charts: real PNGs that follow the answers, Persian drawn with Persian glyphs."""

from __future__ import annotations

import io
import logging
import struct
import warnings
from collections.abc import Sequence
from dataclasses import replace

import pytest
from PIL import Image

from handlers.checklist.service import Results
from handlers.i18n import Renderer
from handlers.report.chart_text import display_text, font_families
from handlers.report.charts import (
    BarTexts,
    SubFactorBar,
    render_subfactor_bars,
)
from handlers.report.telegram import chart_images, chart_job
from knowledge import Effect, KnowledgeBase, Locale, QuestionSet, advise, assess

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MIXED: list[int | None] = [4, 3, 1, 0, 2, 4, None, 3, 0, 1, 4, 4, 2, 0, 3, 1]
LOW: list[int | None] = [0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1]


def results_for(kb: KnowledgeBase, values: Sequence[int | None]) -> Results:
    core = kb.questions(QuestionSet.CORE)
    readiness = assess(kb, QuestionSet.CORE, dict(zip([q.id for q in core], values, strict=True)))
    return Results(1, kb, readiness, advise(kb, readiness))


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk, after checking the signature."""
    assert data[:8] == PNG_SIGNATURE
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer()


@pytest.mark.parametrize("locale", ["fa", "en"])
def test_charts_are_valid_pngs(shipped_kb: KnowledgeBase, renderer: Renderer, locale: Locale):
    images = chart_images(renderer, locale, results_for(shipped_kb, MIXED))
    assert [image.key for image in images] == ["radar", "bars"]
    for image in images:
        width, height = png_size(image.png)
        with Image.open(io.BytesIO(image.png)) as picture:
            picture.verify()  # the whole file decodes, not only its header
        assert width >= 800 and height >= 800


def test_charts_differ_for_different_answers(shipped_kb: KnowledgeBase, renderer: Renderer):
    mixed = chart_images(renderer, "en", results_for(shipped_kb, MIXED))
    low = chart_images(renderer, "en", results_for(shipped_kb, LOW))
    for first, second in zip(mixed, low, strict=True):
        assert first.png != second.png, first.key


def test_the_same_answers_draw_the_same_charts(shipped_kb: KnowledgeBase, renderer: Renderer):
    first = chart_images(renderer, "fa", results_for(shipped_kb, MIXED))
    again = chart_images(renderer, "fa", results_for(shipped_kb, MIXED))
    assert [i.png for i in first] == [i.png for i in again]


def test_a_sector_mean_adds_a_shape_to_the_radar(shipped_kb: KnowledgeBase, renderer: Renderer):
    results = results_for(shipped_kb, MIXED)
    plain = chart_images(renderer, "en", results)
    means = {"managerial": 55.0, "organizational": 40.0, "human": 70.0, "infrastructural": 35.0}
    with_sector = chart_images(renderer, "en", replace(results, sector_means=means))
    assert plain[0].png != with_sector[0].png
    assert plain[1].png == with_sector[1].png  # the bars do not show the sector


def test_persian_charts_draw_every_glyph(
    shipped_kb: KnowledgeBase, renderer: Renderer, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.WARNING)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        chart_images(renderer, "fa", results_for(shipped_kb, MIXED))
    messages = [str(w.message) for w in caught] + [r.getMessage() for r in caplog.records]
    assert not [m for m in messages if "missing from font" in m or "findfont" in m], messages


def test_persian_charts_use_the_packaged_persian_font():
    assert font_families("fa")[0] == "Noto Sans Arabic"
    assert font_families("en") == ["DejaVu Sans"]


def test_the_fallback_shapes_and_reverses_persian_for_older_matplotlib():
    # Without libraqm, matplotlib draws code points left to right, one glyph each: the text must
    # arrive as joined presentation forms in visual order (the word's first letter on the right).
    shown = display_text("سلام", native_shaping=False)
    assert shown == "\ufee1\ufefc\ufeb3"  # final meem, lam-alef ligature, initial seen
    assert display_text("سلام", native_shaping=True) == "سلام"


def test_fallback_shaped_labels_draw_without_missing_glyphs(shipped_kb: KnowledgeBase):
    bars = [
        SubFactorBar(
            display_text(sf.title.fa, native_shaping=False),
            display_text(shipped_kb.factor(sf.factor_key).title.fa, native_shaping=False),
            50.0,
            Effect.OBSTACLE,
        )
        for sf in shipped_kb.subfactors
    ]
    texts = BarTexts(*(display_text(t, native_shaping=False) for t in ["پیشران"] * 6))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        png = render_subfactor_bars(bars, texts, threshold=60, locale="fa")
    assert png.startswith(PNG_SIGNATURE)
    assert not [w for w in caught if "missing from font" in str(w.message)]


@pytest.mark.parametrize("locale", ["fa", "en"])
def test_the_charts_draw_scores_only_the_agency_and_its_sector(
    shipped_kb: KnowledgeBase, renderer: Renderer, locale: Locale
):
    # The national review classifies sub-factors from the literature and gives no scores:
    # nothing of it is drawn as a number, and the caption says whom the agency is drawn against.
    results = results_for(shipped_kb, MIXED)
    alone = chart_job(renderer, locale, results)
    assert all(point.sector_mean is None for point in alone.points)
    assert alone.radar_texts.caption == renderer.text(locale, "chart", "radar_caption_alone")
    means = {"managerial": 55.0, "organizational": 40.0, "human": 70.0, "infrastructural": 35.0}
    compared = chart_job(renderer, locale, replace(results, sector_means=means))
    assert [p.sector_mean for p in compared.points] == list(means.values())
    assert compared.radar_texts.caption == renderer.text(locale, "chart", "radar_caption")
    for job in (alone, compared):
        assert [p.score for p in job.points] == [f.score for f in results.readiness.factors]
        assert not any(hasattr(p, "baseline") for p in (*job.points, *job.bars))
