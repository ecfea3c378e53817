"""The one place every update is measured: count, latency, errors and one log line each."""

from __future__ import annotations

import logging
import time
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.logs import hash_user_id, user_hash_key
from bot.metrics import Metrics
from handlers.report.chart_drawer import DRAIN_SECONDS
from handlers.services import SERVICES_KEY, Services

__all__ = ["MonitoredApplication", "update_kind"]

log = logging.getLogger(__name__)
_KINDS = tuple(str(kind) for kind in Update.ALL_TYPES)


@dataclass
class _Outcome:
    error: str | None = None


# process_error runs inside process_update's task, so it can mark that update as failed.
_current_outcome: ContextVar[_Outcome | None] = ContextVar("pishran_update_outcome", default=None)


def update_kind(update: object) -> str:
    """The update's type (`message`, `callback_query`, ...), or `other` for anything else."""
    if isinstance(update, Update):
        for kind in _KINDS:
            if getattr(update, kind, None) is not None:
                return kind
    return "other"


class MonitoredApplication(Application[Any, Any, Any, Any, Any, Any]):
    """An Application that records metrics and writes one log line for every update."""

    def __init__(self, *, metrics: Metrics, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.metrics = metrics
        self._user_key = user_hash_key(self.bot.token)

    async def shutdown(self) -> None:
        """Let the chart tasks under way send what they draw, then shut down as usual."""
        services = self.bot_data.get(SERVICES_KEY)
        if isinstance(services, Services):
            await services.charts.drain(DRAIN_SECONDS)
        await super().shutdown()

    async def process_update(self, update: object) -> None:
        """Handle the update as usual, then count it, time it and log it."""
        outcome = _Outcome()
        reset = _current_outcome.set(outcome)
        started = time.perf_counter()
        try:
            await super().process_update(update)
        finally:
            elapsed = time.perf_counter() - started
            _current_outcome.reset(reset)
            self._record(update, elapsed, outcome)

    async def process_error(
        self,
        update: object | None,
        error: Exception,
        job: Any = None,
        coroutine: Any = None,
    ) -> bool:
        """Count the error, mark the update in progress as failed, then run the error handlers."""
        name = type(error).__name__
        self.metrics.errors.labels(name).inc()
        outcome = _current_outcome.get()
        if outcome is not None:
            outcome.error = name
        return await super().process_error(update, error, job, coroutine)

    def _record(self, update: object, elapsed: float, outcome: _Outcome) -> None:
        kind = update_kind(update)
        self.metrics.updates.labels(kind).inc()
        self.metrics.latency.labels(kind).observe(elapsed)
        user = update.effective_user if isinstance(update, Update) else None
        fields = {
            "update_id": update.update_id if isinstance(update, Update) else None,
            "kind": kind,
            "user": hash_user_id(user.id, key=self._user_key) if user else None,
            "latency_ms": round(elapsed * 1000, 1),
            "outcome": "error" if outcome.error else "ok",
            "error": outcome.error,
        }
        log.info(
            "update %s %s user=%s %s in %.1f ms",
            fields["update_id"],
            kind,
            fields["user"],
            fields["outcome"],
            fields["latency_ms"],
            extra=fields,
        )
