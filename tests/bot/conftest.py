"""Fixtures for bot/ tests: headless Chromium for the browser tests."""

from __future__ import annotations

import importlib.util
import os
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.auxil.browser import CHROMIUM, CHROMIUM_ARGS, REQUIRE_BROWSER_VARIABLE


def _missing_browser() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install chromium)"
    if importlib.util.find_spec("playwright") is None:
        return "Playwright's Python package is missing (pip install playwright)"
    return None


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    """Headless Debian Chromium driven by Playwright, or a skip saying what is missing."""
    missing = _missing_browser()
    if missing is not None:
        if os.environ.get(REQUIRE_BROWSER_VARIABLE) == "1":
            pytest.fail(f"{REQUIRE_BROWSER_VARIABLE}=1 but {missing}")
        pytest.skip(missing)
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield launched
        finally:
            await launched.close()
