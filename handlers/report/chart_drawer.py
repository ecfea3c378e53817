"""Draw result charts in a worker process, so that drawing never holds up anyone's update.

Drawing the two charts takes 0.4-0.8 s of CPU in matplotlib and holds the GIL; in the bot's
process that would stall every other update for as long (bench/README.md). A `ChartDrawer`
sends plain values (`ChartJob`) to a `ProcessPoolExecutor` with the 'spawn' start method
(a fresh interpreter: no copy of the bot's event loop, sockets or database connections),
created on first use, so the bot itself never imports matplotlib. It also runs each press's
drawing-and-sending as a task it tracks: a second press for the same assessment while one is
under way is refused, and `drain()` lets the bot finish what is under way before it stops.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from collections.abc import Callable, Coroutine, Hashable
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, TypeVar

from handlers.report.chart_data import BarTexts, ChartImage, FactorPoint, RadarTexts, SubFactorBar
from knowledge import Locale

__all__ = ["DRAIN_SECONDS", "ChartDrawer", "ChartJob", "draw_factor_means", "draw_job"]

log = logging.getLogger(__name__)
T = TypeVar("T")
# How long a stopping bot waits for charts being drawn and sent.
DRAIN_SECONDS = 30.0


@dataclass(frozen=True, slots=True)
class ChartJob:
    """Everything the two charts show, as plain (picklable) values in the user's locale."""

    locale: Locale
    threshold: float
    points: tuple[FactorPoint, ...]
    radar_texts: RadarTexts
    bars: tuple[SubFactorBar, ...]
    bar_texts: BarTexts


def draw_job(job: ChartJob) -> list[ChartImage]:
    """Draw the radar and the sub-factor bars (in whichever process calls it)."""
    from handlers.report.charts import render_radar, render_subfactor_bars  # matplotlib: only here

    radar = render_radar(job.points, job.radar_texts, threshold=job.threshold, locale=job.locale)
    bars = render_subfactor_bars(
        job.bars, job.bar_texts, threshold=job.threshold, locale=job.locale
    )
    return [ChartImage("radar", radar), ChartImage("bars", bars)]


def draw_factor_means(
    labels: list[str], means: list[float | None], title: str, threshold: float, locale: Locale
) -> bytes:
    """The administrators' chart of factor means (in whichever process calls it)."""
    from handlers.statistics.chart import render_factor_means  # matplotlib: only here

    return render_factor_means(labels, means, title=title, threshold=threshold, locale=locale)


def _process_pool(workers: int) -> Executor:
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))


class ChartDrawer:
    """A lazily started pool of drawing processes, and the chart tasks under way."""

    def __init__(
        self,
        *,
        workers: int = 1,
        executor_factory: Callable[[int], Executor] = _process_pool,
    ) -> None:
        self._workers = workers
        self._executor_factory = executor_factory
        self._executor: Executor | None = None
        self._tasks: dict[Hashable, asyncio.Task[None]] = {}

    async def draw(self, job: ChartJob) -> list[ChartImage]:
        """The two charts, drawn in a worker process while the event loop goes on."""
        return await self.run(draw_job, job)

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        """`function(*args)` in a worker process; both must pickle (a module-level function)."""
        if self._executor is None:
            self._executor = self._executor_factory(self._workers)
        executor = self._executor
        try:
            return await asyncio.get_running_loop().run_in_executor(executor, function, *args)
        except BrokenProcessPool:
            # A worker died (killed, out of memory): start a fresh pool on the next draw.
            if self._executor is executor:
                self._executor = None
            executor.shutdown(wait=False, cancel_futures=True)
            raise

    def busy(self, key: Hashable) -> bool:
        """Whether the task for `key` (such as ("charts", assessment id)) is under way."""
        return key in self._tasks

    @property
    def tasks_under_way(self) -> int:
        """How many chart tasks are drawing or sending right now."""
        return len(self._tasks)

    def start(self, key: Hashable, work: Coroutine[Any, Any, None]) -> bool:
        """Run `work` as a task for `key`; False (and `work` closed) if one is under way."""
        if key in self._tasks:
            work.close()
            return False
        task = asyncio.create_task(work, name=f"chart task {key}")
        self._tasks[key] = task
        task.add_done_callback(lambda done: self._finished(key, done))
        return True

    def _finished(self, key: Hashable, task: asyncio.Task[None]) -> None:
        if self._tasks.get(key) is task:
            del self._tasks[key]
        if not task.cancelled() and (error := task.exception()) is not None:
            log.error("chart task %s failed", key, exc_info=error)

    async def drain(self, timeout: float | None = None) -> None:  # noqa: ASYNC109
        """Wait for every chart task under way (before the bot's HTTP client closes); after
        `timeout` seconds, cancel those still running."""
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        while self._tasks:
            remaining = None if deadline is None else deadline - loop.time()
            if remaining is not None and remaining <= 0:
                for task in list(self._tasks.values()):
                    task.cancel()
                log.warning("cancelled %d chart task(s) still running", len(self._tasks))
                await asyncio.gather(*self._tasks.values(), return_exceptions=True)
                return
            await asyncio.wait(list(self._tasks.values()), timeout=remaining)

    async def close(self, timeout: float = DRAIN_SECONDS) -> None:  # noqa: ASYNC109
        """Finish the tasks under way (for up to `timeout` s) and stop the worker processes."""
        await self.drain(timeout)
        executor, self._executor = self._executor, None
        if executor is not None:
            await asyncio.to_thread(executor.shutdown, wait=True, cancel_futures=True)
