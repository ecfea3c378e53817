"""Free TCP ports for servers a test starts itself, safe with several test processes at once.

A port is picked, checked and released before the server binds it, so someone else could take
it in between. Two things make that unlikely: the ports come from below the kernel's ephemeral
range, which outgoing connections and `bind(port 0)` draw from, and each pytest-xdist worker has
its own share of them, tried in a random order (other test runs may share the machine).
"""

from __future__ import annotations

import os
import random
import socket
from pathlib import Path

__all__ = ["free_port"]

LOWEST = 10_000
EPHEMERAL_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")


def _below_ephemeral() -> int:
    try:
        return int(EPHEMERAL_RANGE.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32_768  # Linux's default


def _share() -> range:
    """This worker's share of the ports between LOWEST and the ephemeral range."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    index = int(worker) if worker.isdigit() else 0
    size = (_below_ephemeral() - LOWEST) // max(workers, 1)
    start = LOWEST + (index % max(workers, 1)) * size
    return range(start, start + size)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now, from this worker's share."""
    for port in random.sample(_share(), 100):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in this test worker's share")
