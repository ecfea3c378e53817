"""Prometheus metrics of one bot process, on its own registry, served at GET /metrics."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)

__all__ = ["METRICS_REGISTRY_KEY", "Metrics", "build_metrics", "setup_metrics"]

METRICS_REGISTRY_KEY = web.AppKey("metrics_registry", CollectorRegistry)
# From a fast button press to a slow multi-message results page with a retried send.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


@dataclass(frozen=True)
class Metrics:
    """The instruments one process records into; each process (and test) has its own."""

    registry: CollectorRegistry
    updates: Counter
    latency: Histogram
    errors: Counter
    assessments_started: Counter
    assessments_completed: Counter

    def assessment_started(self) -> None:
        """Count a new assessment (called by the checklist once it is committed)."""
        self.assessments_started.inc()

    def assessment_completed(self) -> None:
        """Count a completed assessment (called by the checklist once it is committed)."""
        self.assessments_completed.inc()


def build_metrics(registry: CollectorRegistry | None = None) -> Metrics:
    """Register Pishran's instruments, and the process's memory and CPU, on `registry`."""
    registry = registry if registry is not None else CollectorRegistry()
    ProcessCollector(registry=registry)
    PlatformCollector(registry=registry)
    GCCollector(registry=registry)
    return Metrics(
        registry=registry,
        updates=Counter(
            "pishran_updates", "Updates handled, by kind.", ["kind"], registry=registry
        ),
        latency=Histogram(
            "pishran_update_duration_seconds",
            "Time from taking an update to finishing all of its handlers, by kind.",
            ["kind"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        ),
        errors=Counter(
            "pishran_errors",
            "Exceptions raised by handlers and jobs, by exception class.",
            ["error"],
            registry=registry,
        ),
        assessments_started=Counter(
            "pishran_assessments_started", "Assessments started.", registry=registry
        ),
        assessments_completed=Counter(
            "pishran_assessments_completed", "Assessments completed.", registry=registry
        ),
    )


async def metrics_view(request: web.Request) -> web.Response:
    """The process's metrics in Prometheus' text format."""
    body = generate_latest(request.app[METRICS_REGISTRY_KEY])
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


def setup_metrics(app: web.Application, registry: CollectorRegistry) -> None:
    """Serve `registry` at GET /metrics."""
    app[METRICS_REGISTRY_KEY] = registry
    app.router.add_get("/metrics", metrics_view, name="metrics")
