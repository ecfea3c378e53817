"""The PDF report: its text, Solar Hijri dates, its file name, the 📄 button under the results."""

from __future__ import annotations

import io
import struct
import zlib
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from bot.emulator import BotApiEmulator, ChatMessage, EmulatedUser
from handlers.checklist.service import Results
from handlers.i18n import Renderer
from handlers.report.chart_data import ChartImage
from handlers.report.dates import report_date
from handlers.report.document import render_report_document, report_filename
from handlers.report.pdf import html_to_pdf
from knowledge import KnowledgeBase, Locale, QuestionSet, assess
from knowledge.comparison import compare
from tests.auxil.harness import RunningBot
from tests.auxil.pdf import assert_complete_pdf, normalised, pdf_text
from tests.handlers.report.test_report import complete_checklist, completed_results

RENDERER = Renderer()
EARLIER_VALUES: list[int | None] = [2, 3, 1, 0, 1, 4, 1, 3, 0, 3, 4, 2, 2, 0, 3, 1]


def tiny_png() -> bytes:
    """A valid 1×1 white PNG, standing in for a chart."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


CHARTS = (ChartImage("radar", tiny_png()), ChartImage("bars", tiny_png()))


def reassessed(kb: KnowledgeBase) -> Results:
    """Results with a comparison against an earlier assessment, a KB revision and an org code."""
    results = completed_results(kb, organisation="Registry of Deeds")
    core = [q.id for q in kb.questions(QuestionSet.CORE)]
    earlier = assess(kb, QuestionSet.CORE, dict(zip(core, EARLIER_VALUES, strict=True)))
    return replace(
        results,
        comparison=compare(earlier, results.readiness),
        kb_revision=3,
        org_code="Ab3kQ9",
    )


@pytest.mark.parametrize("locale", ["fa", "en"])
def test_the_pdf_has_every_subfactor_every_doi_the_plan_and_the_comparison(
    shipped_kb: KnowledgeBase, locale: Locale
) -> None:
    results = reassessed(shipped_kb)
    pdf = html_to_pdf(render_report_document(RENDERER, locale, results, CHARTS))
    assert_complete_pdf(pdf, shipped_kb, results, locale)
    text = pdf_text(pdf)

    def shown(key: str, member: str | None = None) -> str:
        return normalised(RENDERER.text(locale, key, member))

    for member in ("summary", "comparison", "plan", "references"):
        assert shown("document", member) in text, member
    # The "don't know" advice (its heading has guillemets, which pypdf reads out of order).
    assert results.report.dont_know
    for finding in results.report.dont_know:
        assert normalised(finding.text.get(locale)) in text
    assert results.report.plan.groups, "the plan is empty"
    for group in results.report.plan.groups:
        assert shown("report_horizon", group.horizon) in text
        # Each step's owner; only in English, as pypdf reads a Persian table row out of order
        # («امور حقو» + «قی»; the page shows it whole: checked on the rendered page).
        for step in group.steps if locale == "en" else ():
            assert normalised(shipped_kb.owner(step.owner).title.get(locale)) in text
    # The date in the reader's calendar, in Persian digits for Persian readers. pypdf reads a
    # right-to-left line backwards, digit runs included (the page itself shows ۱۴۰۴/۱۲/۱۰).
    date = normalised(report_date(locale, datetime(2026, 3, 1, 9, 30, tzinfo=UTC)))
    assert date in text if locale == "en" else date[::-1] in text
    if locale == "fa":
        assert "2026" not in text


def test_the_pdf_embeds_only_the_packaged_fonts_and_fetches_nothing_else(
    shipped_kb: KnowledgeBase, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    secret = tmp_path / "not-for-the-report.png"
    secret.write_bytes(tiny_png())
    document = render_report_document(RENDERER, "fa", reassessed(shipped_kb), CHARTS)
    document = document.replace("</body>", f'<img src="{secret.as_uri()}"></body>')
    pdf = html_to_pdf(document)
    reader = PdfReader(io.BytesIO(pdf))
    fonts = {
        str(font["/BaseFont"]).split("+", 1)[-1]
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()  # type: ignore[index]
    }
    assert {"Pishran-Persian", "Pishran-Persian-Bold"} <= fonts
    # The charts' data URIs are drawn; the local file is never read.
    assert "the report fetches no 'file:" in caplog.text


@pytest.mark.parametrize(
    ("moment", "persian", "english"),
    [
        (datetime(2026, 12, 6, 10, 0, tzinfo=UTC), "۱۴۰۵/۰۹/۱۵", "6 December 2026"),
        (datetime(2026, 3, 1, 9, 30, tzinfo=UTC), "۱۴۰۴/۱۲/۱۰", "1 March 2026"),
        # The last day of the year, and Nowruz once it is past midnight in Tehran (UTC+3:30).
        (datetime(2026, 3, 20, 20, 0, tzinfo=UTC), "۱۴۰۴/۱۲/۲۹", "20 March 2026"),
        (datetime(2026, 3, 20, 21, 0, tzinfo=UTC), "۱۴۰۵/۰۱/۰۱", "21 March 2026"),
        # 1403 is a leap year: Esfand has 30 days.
        (datetime(2025, 3, 20, 12, 0, tzinfo=UTC), "۱۴۰۳/۱۲/۳۰", "20 March 2025"),
        # A naive time is UTC, as the database stores it.
        (datetime(2026, 3, 1, 22, 0), "۱۴۰۴/۱۲/۱۱", "2 March 2026"),
    ],
)
def test_report_dates_are_solar_hijri_in_persian_and_gregorian_in_english(
    moment: datetime, persian: str, english: str
) -> None:
    assert report_date("fa", moment) == persian
    assert report_date("en", moment) == english


@pytest.mark.parametrize(
    ("locale", "org_code", "revision", "expected"),
    [
        ("fa", "Ab3kQ9", 3, "pishran-report-Ab3kQ9-1404-12-10-r3-a1.pdf"),
        ("en", "Ab3kQ9", 3, "pishran-report-Ab3kQ9-2026-03-01-r3-a1.pdf"),
        ("fa", None, 2, "pishran-report-agency-1404-12-10-r2-a1.pdf"),
        ("en", "../ev il\u202e.exe", 2, "pishran-report-evilexe-2026-03-01-r2-a1.pdf"),
        ("en", None, None, "pishran-report-agency-2026-03-01-a1.pdf"),
    ],
)
def test_the_file_name_says_organisation_date_and_revision_in_ascii(
    shipped_kb: KnowledgeBase,
    locale: Locale,
    org_code: str | None,
    revision: int | None,
    expected: str,
) -> None:
    results = replace(completed_results(shipped_kb), org_code=org_code, kb_revision=revision)
    name = report_filename(locale, results)
    assert name == expected and name.isascii()
    other = report_filename(locale, replace(results, assessment_id=2))
    assert other != name  # a second report of the same day does not overwrite the first


def documents(user: EmulatedUser) -> list[ChatMessage]:
    return [m for m in user.bot_messages if m.document is not None]


async def test_the_report_button_sends_the_pdf_of_the_pressers_own_assessment(
    emulator: BotApiEmulator, bot: RunningBot, shipped_kb: KnowledgeBase
) -> None:
    owner = emulator.user(4601, language_code="fa")
    await complete_checklist(owner, shipped_kb, "fa")
    assert documents(owner) == []
    step = await bot.runtime.services.checklist.latest_results(
        telegram_id=owner.id, language_code="fa"
    )
    assert step.results is not None

    await owner.press(RENDERER.text("fa", "button_report"))
    assert owner.callback_answers[-1].text == RENDERER.text("fa", "report_preparing")
    await bot.runtime.services.charts.drain()
    [sent] = documents(owner)
    assert sent.document is not None and sent.document.mime_type == "application/pdf"
    assert sent.document.filename.startswith("pishran-report-agency-14")
    assert sent.document.filename.endswith(f"-a{step.results.assessment_id}.pdf")
    assert sent.caption == RENDERER.text("fa", "report_caption")
    assert_complete_pdf(sent.document.data, shipped_kb, step.results, "fa")
    assert [c.params.get("action") for c in emulator.calls_to("sendChatAction")] == [
        "upload_document"
    ]
    assert len(emulator.calls_to("sendDocument")) == 1

    # Someone else's, a forged and a malformed button send nothing.
    other = emulator.user(4602, language_code="en")
    await other.send("/start")
    for data in (f"rp:{step.results.assessment_id}", "rp:999999", "rp:x", "rp:"):
        await other.press_data(data)
        answer = other.callback_answers[-1]
        assert (answer.text, answer.show_alert) == (RENDERER.text("en", "invalid_button"), True)
    await bot.runtime.services.charts.drain()
    assert documents(other) == [] and len(emulator.calls_to("sendDocument")) == 1
