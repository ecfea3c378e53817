"""What one phase of bench/throughput.py measured, and the lines it prints about it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

__all__ = ["MB", "Figures"]

MB = 1024 * 1024


@dataclass
class Figures:
    """What one phase measured."""

    name: str
    users: int
    updates: int
    seconds: float
    latencies: list[float]
    cpu: float
    peak_rss: int
    driver_cpu: float  # this process: the emulator and the simulated users
    steps: list[str]  # what each latency's step was (bench.walk.step_kind, or completion)
    cpu_per_answer: float = 0.0  # ms, measured apart (bench.phases.answer_cpu); 0 if not

    @property
    def throughput(self) -> float:
        """Updates handled per second of wall time."""
        return self.updates / self.seconds

    def percentile(self, share: float, step: str | None = None) -> float:
        """The latency below which `share` of the replies (of `step` only) came, in seconds."""
        pairs = zip(self.latencies, self.steps, strict=True)
        ordered = sorted(latency for latency, kind in pairs if step in (None, kind))
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]

    def breakdown(self) -> str:
        """Latency by step (count:p50/p99), and the steps of the slowest 1% of replies."""
        parts = []
        for step in dict.fromkeys(self.steps):
            p50, p99 = (self.percentile(p, step) * 1000 for p in (0.5, 0.99))
            parts.append(f"{step.replace(' ', '_')}={self.steps.count(step)}:{p50:.0f}/{p99:.0f}ms")
        p99 = self.percentile(0.99)
        slowest = Counter(
            kind for latency, kind in zip(self.latencies, self.steps, strict=True) if latency >= p99
        )
        tail = " ".join(f"{kind.replace(' ', '_')}={n}" for kind, n in slowest.most_common())
        return f"{self.name:<8} by step {' '.join(parts)}; at or above p99: {tail}"

    def line(self) -> str:
        """One printed line."""
        ms = [self.percentile(p) * 1000 for p in (0.5, 0.95, 0.99)]
        return (
            f"{self.name:<8} users={self.users} updates={self.updates} time={self.seconds:.1f}s "
            f"throughput={self.throughput:.0f}/s p50={ms[0]:.0f}ms p95={ms[1]:.0f}ms "
            f"p99={ms[2]:.0f}ms cpu/update={self.cpu / self.updates * 1000:.2f}ms "
            f"peak_rss={self.peak_rss / MB:.0f}MB "
            f"bot_cpu={self.cpu / self.seconds:.0%} driver_cpu={self.driver_cpu / self.seconds:.0%}"
        )
