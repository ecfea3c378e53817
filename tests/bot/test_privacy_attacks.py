"""Red team (issue 16): the differencing attacks and the before/after answer diff, against
the real API, the `pishran` command line and the panel, judged on what the attacker gets.

(a) A has 1 respondent, B 5, C 10: total - C - B = A. (b) Tehran holds the victim and ten
in utilities: Tehran - utilities = the victim. (c) Export, let one person complete, export
again: the answer counts that moved are theirs. Each runs over many independent draws of
the secret record keys (seeded, so reproducible) on every surface.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.application import Runtime, start_runtime
from bot.cli import main
from bot.settings import Settings
from bot.web import build_web_app
from knowledge import KnowledgeBase
from storage.organisations import create_organisation
from storage.respondents import forget_respondent
from tests.auxil.admin_panel import ADMIN_TOKEN, sign_in
from tests.auxil.privacy import (
    Attempts,
    Document,
    K,
    answer_guesses,
    answering_specs,
    assert_not_recovered,
    difference,
    group_figures,
    groups_by,
    organisation_specs,
    region_specs,
    rekey,
    true_figures,
)
from tests.auxil.stats import STATS_TOKEN
from tests.storage.stats_data import TELEGRAM_BASE, Spec, Stored, store_specs

Client = TestClient[Any, Any]
ClientFactory = Callable[..., Awaitable[Client]]
SURFACES = ["api", "cli", "panel"]
#: Independent draws of the secret keys per attack.
TRIALS = 24


def settings_for(database_url: str) -> Settings:
    """The API and the panel on, k = 5, releases cut whenever k new people completed."""
    values: dict[str, Any] = {
        "database_url": database_url,
        "stats_api_token": STATS_TOKEN,
        "admin_token": ADMIN_TOKEN,
        "stats_k": K,
        "stats_release_hours": 0,
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


class Surface:
    """One published surface, read as an outsider reads it: JSON documents, grouped by `by`."""

    def __init__(self, name: str, client: Client, out: Path) -> None:
        self.name, self.client, self.out = name, client, out

    async def export(self, by: str = "") -> Document:
        """The JSON export grouped by `by` ("" for everything as one group)."""
        if self.name == "api":
            response = await self.client.get(
                f"/api/stats?by={by}&format=json",
                headers={"Authorization": f"Bearer {STATS_TOKEN}"},
            )
        elif self.name == "panel":
            dimensions = by.split(",") if by else []
            params = {f"by{i + 1}": d for i, d in enumerate(dimensions)}
            response = await self.client.get(
                "/admin/stats/export", params={**params, "format": "json", "lang": "en"}
            )
        else:
            path = self.out / "export.json"
            args = ["stats", "export", "--format", "json", "--out", str(path)]
            # The command line runs its own event loop, as from a shell.
            assert await asyncio.to_thread(main, [*args, *(["--by", by] if by else [])]) == 0
            return json.loads(path.read_bytes())  # type: ignore[no-any-return]
        assert response.status == 200, await response.text()
        return json.loads(await response.read())  # type: ignore[no-any-return]

    async def profile(self, code: str) -> Document | None:
        """An organisation's profile (the API's own route), None when it is not published."""
        response = await self.client.get(
            f"/api/stats/org/{code}?format=json", headers={"Authorization": f"Bearer {STATS_TOKEN}"}
        )
        if response.status == 404:
            return None
        assert response.status == 200
        return json.loads(await response.read())  # type: ignore[no-any-return]


@pytest.fixture
async def runtime(database_url: str) -> AsyncIterator[Runtime]:
    started = await start_runtime(settings_for(database_url))
    yield started
    await started.close()


@pytest.fixture(params=SURFACES)
async def surface(
    request: pytest.FixtureRequest,
    runtime: Runtime,
    database_url: str,
    aiohttp_client: ClientFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Surface:
    client = await aiohttp_client(build_web_app(settings_for(database_url), runtime))
    if request.param == "panel":
        await sign_in(client)
    if request.param == "cli":
        monkeypatch.setenv("DATABASE_URL", database_url)
        monkeypatch.setenv("STATS_K", str(K))
        monkeypatch.setenv("STATS_RELEASE_HOURS", "0")
    return Surface(request.param, client, tmp_path)


async def store(runtime: Runtime, kb: KnowledgeBase, specs: list[Spec], seed: int = 0) -> None:
    """Store the completions, with record keys from a seeded draw (reproducible tests)."""
    async with runtime.session_factory() as session:
        ids = await store_specs(session, kb, specs, Stored())
    await rekey(runtime.session_factory, seed, ids)


async def test_organisation_differencing_recovers_nothing(
    surface: Surface, runtime: Runtime, shipped_kb: KnowledgeBase
) -> None:
    victim, others = organisation_specs()
    await store(runtime, shipped_kb, [victim, *others])
    truth = true_figures(shipped_kb, victim)
    informed, published = Attempts([]), Attempts([])
    for trial in range(TRIALS):
        await rekey(runtime.session_factory, trial)
        total = (await surface.export())["groups"][0]
        organisations = groups_by(await surface.export("organisation"), "organisation")
        # A is not published, nor listed; B and C are.
        assert set(organisations) == {"orgb", "orgc"}
        b, c = organisations["orgb"], organisations["orgc"]
        if surface.name == "api":
            # B's own profile is the same cell: the same figures, nothing new to average
            # (to rounding: PostgreSQL may add up a differently shaped query in another order).
            profile = await surface.profile("orgb")
            assert profile is not None
            assert profile["groups"][0]["n"] == b["n"]
            assert group_figures(profile["groups"][0]) == pytest.approx(group_figures(b), rel=1e-12)
            assert await surface.profile("orga") is None
        # total - C - B, with the published counts, and with the true ones (16, 10, 5).
        published.add(difference(total, [c, b]), truth)
        informed.add(difference(total, [c, b], sizes=[16, 10, 5]), truth)
    assert_not_recovered(informed)
    assert_not_recovered(published)


async def test_cross_table_differencing_recovers_nothing(
    surface: Surface, runtime: Runtime, shipped_kb: KnowledgeBase
) -> None:
    victim, others = region_specs()
    await store(runtime, shipped_kb, [victim, *others])
    truth = true_figures(shipped_kb, victim)
    crossed = await surface.export("sector,region")
    # The two-way table lists only what it publishes: nothing says that Tehran holds
    # anyone but utilities' ten.
    assert [g["key"] for g in crossed["groups"]] == [
        {"sector": "education", "region": "fars"},
        {"sector": "utilities", "region": "tehran"},
    ]
    informed, published = Attempts([]), Attempts([])
    for trial in range(TRIALS):
        await rekey(runtime.session_factory, 100 + trial)
        tehran = groups_by(await surface.export("region"), "region")["tehran"]
        sectors = groups_by(await surface.export("sector"), "sector")
        assert "health" not in sectors
        published.add(difference(tehran, [sectors["utilities"]]), truth)
        informed.add(difference(tehran, [sectors["utilities"]], sizes=[11, 10]), truth)
    assert_not_recovered(informed)
    assert_not_recovered(published)


async def test_answer_counts_before_and_after_one_completion_tell_nothing(
    surface: Surface, runtime: Runtime, shipped_kb: KnowledgeBase
) -> None:
    await store(runtime, shipped_kb, answering_specs(100, 25, seed=1), seed=1)
    before = await surface.export()
    assert before["release"] == 1  # the first release: 25 people

    (victim,) = answering_specs(1, 1, seed=2)
    await store(runtime, shipped_kb, [victim], seed=2)
    after = await surface.export()
    # The answer counts have not moved at all: nothing to subtract.
    assert after["answers"] == before["answers"]
    assert after["release"] == before["release"]
    assert answer_guesses(before, after) == {}

    # Three more: still under k new people, still no release.
    await store(runtime, shipped_kb, answering_specs(2, 3, seed=3), seed=3)
    assert (await surface.export())["answers"] == before["answers"]

    # The fifth newcomer makes k: a release, whose change is that of five people together.
    await store(runtime, shipped_kb, answering_specs(5, 1, seed=4), seed=4)
    released = await surface.export()
    assert released["release"] == 2
    guesses = answer_guesses(before, released)
    answers = {q: str(v) for q, v in victim.answers(shipped_kb).items()}
    right = sum(guesses.get(question) == value for question, value in answers.items())
    # A guess from a group of five is right about as often as the victim agrees with the
    # group; the single-person diff got all 48 right.
    assert right / len(answers) <= 0.5, f"{right} of {len(answers)} answers guessed"


async def test_live_figures_before_and_after_one_completion_stay_noisy(
    surface: Surface, runtime: Runtime, shipped_kb: KnowledgeBase
) -> None:
    # The figures of groups are live (only answer counts wait for a release): the whole
    # population's figures before and after one completion differ by the newcomer's.
    others = answering_specs(100, 12, seed=5)
    (victim,) = answering_specs(1, 1, seed=6)
    await store(runtime, shipped_kb, others)
    truth = true_figures(shipped_kb, victim)
    attempts = Attempts([])
    for trial in range(TRIALS):
        async with runtime.session_factory() as session:
            await forget_respondent(session=session, telegram_id=TELEGRAM_BASE + victim.respondent)
            await session.commit()
        await rekey(runtime.session_factory, 200 + trial)
        before = (await surface.export())["groups"][0]
        await store(runtime, shipped_kb, [victim], seed=300 + trial)
        after = (await surface.export())["groups"][0]
        attempts.add(difference(after, [before], sizes=[13, 12]), truth)
    assert_not_recovered(attempts)


async def test_organisation_counts_never_show_a_small_one(
    runtime: Runtime, database_url: str, aiohttp_client: ClientFactory, shipped_kb: KnowledgeBase
) -> None:
    # (d) The panel listed exact respondent counts per organisation, 1 included.
    victim, others = organisation_specs()
    await store(runtime, shipped_kb, [victim, *others])
    async with runtime.session_factory() as session, session.begin():
        for code in ("orga", "orgb", "orgc"):
            await create_organisation(
                session=session, code=code, name=f"Agency {code[-1].upper()}", created_by="t"
            )
    client = await aiohttp_client(build_web_app(settings_for(database_url), runtime))
    await sign_in(client)
    await client.get("/admin/language/en")

    page = await (await client.get("/admin/organisations")).text()

    cells = dict(
        re.findall(r"<bdi>Agency (\w)</bdi>.*?</td>\s*<td>.*?</td>\s*<td>(.*?)</td>", page, re.S)
    )
    assert cells["A"] == "fewer than 5"
    # B has exactly k = 5 people (shown as 5); C's ten come with their cell's noise, the same
    # as C's count in the statistics.
    assert cells["B"] == "5"
    c = await Surface("api", client, Path()).profile("orgc")
    assert c is not None and cells["C"] == str(c["groups"][0]["n"])
