"""Start-up memory: the bot imports matplotlib, openpyxl and Pillow only when first used, and
Alembic only when its database needs migrating."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HEAVY = ("matplotlib", "numpy", "openpyxl", "PIL", "alembic", "mako")
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


def test_a_database_at_the_head_is_prepared_without_alembic(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'head.sqlite3'}"
    script = (
        "import asyncio, sys\n"
        "from bot.application import prepare_database\n"
        "from storage.db import build_engine\n"
        "async def main():\n"
        f"    engine = build_engine({url!r})\n"
        "    await prepare_database(engine)\n"
        "    await engine.dispose()\n"
        "asyncio.run(main())\n"
        "print('alembic' in sys.modules)\n"
    )

    def imports_alembic() -> bool:
        done = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
        )
        return done.stdout.strip().splitlines()[-1] == "True"

    assert imports_alembic()  # a new database is migrated: Alembic is needed once
    assert not imports_alembic()  # restarted on it: nothing to migrate, no Alembic
