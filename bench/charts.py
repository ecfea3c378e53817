"""How long the result charts and the report document take to draw, measured.

.venv/bin/python -m bench.charts --repeat 5
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from functools import partial

from handlers.checklist.service import Results
from handlers.i18n import Renderer
from handlers.report.document import render_report_document
from handlers.report.pdf import html_to_pdf
from handlers.report.telegram import chart_images
from knowledge import Locale, QuestionSet, advise, assess, load_shipped_kb

ANSWERS: list[int | None] = [4, 3, 1, 0, 2, 4, None, 3, 0, 1, 4, 4, 2, 0, 3, 1]


def _timed(action: Callable[[], object], repeat: int) -> list[float]:
    action()  # warm-up: font loading and matplotlib's caches
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    """Print the median and worst time per locale for the two charts and for the document."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    kb = load_shipped_kb()
    core = kb.questions(QuestionSet.CORE)
    readiness = assess(kb, QuestionSet.CORE, dict(zip([q.id for q in core], ANSWERS, strict=True)))
    results = Results(1, kb, readiness, advise(kb, readiness))
    renderer = Renderer()
    locales: tuple[Locale, ...] = ("fa", "en")
    for locale in locales:
        charts = chart_images(renderer, locale, results)
        actions: dict[str, Callable[[], object]] = {
            "two charts": partial(chart_images, renderer, locale, results),
            "document": partial(render_report_document, renderer, locale, results, charts),
            "pdf": partial(html_to_pdf, render_report_document(renderer, locale, results, charts)),
        }
        for name, action in actions.items():
            times = _timed(action, args.repeat)
            print(
                f"{locale} {name:<10} median {statistics.median(times) * 1000:7.1f} ms"
                f"  max {max(times) * 1000:7.1f} ms  (n={args.repeat})"
            )
    pngs = chart_images(renderer, "fa", results)
    print("PNG sizes (fa): " + ", ".join(f"{c.key} {len(c.png) // 1024} KiB" for c in pngs))


if __name__ == "__main__":
    main()
