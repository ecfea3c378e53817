"""Start-up memory: the bot imports matplotlib, openpyxl and Pillow only when first used."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("matplotlib", "numpy", "openpyxl", "PIL")
SCRIPT = """
import json, sys
import bot.application, bot.main, bot.web, handlers.registry
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


def test_starting_the_bot_imports_no_charting_or_spreadsheet_library():
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True, timeout=120
    )
    imported = set(json.loads(done.stdout.strip().splitlines()[-1]))
    assert "telegram" in imported and "handlers" in imported  # the script did import the bot
    assert imported.isdisjoint(HEAVY), sorted(imported & set(HEAVY))


def test_drawing_needs_them_in_the_drawing_process_only():
    script = (
        "import sys\n"
        "from handlers.report.chart_drawer import draw_job\n"
        "assert 'matplotlib' not in sys.modules\n"
        "from handlers.report.charts import render_radar\n"
        "assert 'matplotlib' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=120)
