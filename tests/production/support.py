"""Webhook replicas for tests: in this process (aiohttp test clients) or as real OS processes."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import signal
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import aiohttp
from aiohttp.test_utils import TestClient
from prometheus_client import CollectorRegistry

from bot.application import PTBApplication, Runtime, build_application, start_runtime
from bot.emulator import BotApiEmulator
from bot.settings import Settings
from bot.web import SECRET_HEADER, build_web_app
from tests.auxil.harness import bot_settings
from tests.auxil.ports import free_port

__all__ = [
    "SECRET",
    "Replica",
    "ReplicaProcess",
    "eventually",
    "free_port",
    "round_robin",
    "start_replica",
    "webhook_settings",
]

SECRET = "replica-test-secret_0123456789"
ROOT = Path(__file__).resolve().parents[2]
AiohttpClient = Callable[..., Awaitable[TestClient[Any, Any]]]


class Deliverer(Protocol):
    """Anything that takes an update the way Telegram hands it to a webhook."""

    async def deliver(self, update: dict[str, Any]) -> None: ...


def webhook_settings(
    emulator: BotApiEmulator, emulator_url: str, database_url: str, **overrides: Any
) -> Settings:
    """Settings of a webhook replica on the emulator and the test database."""
    values: dict[str, Any] = {
        "webhook_url": "http://127.0.0.1:9/telegram",
        "webhook_secret": SECRET,
        **overrides,
    }
    return bot_settings(emulator, emulator_url, database_url, **values)


@dataclass
class Replica:
    """One webhook process, inside the test process: its runtime, Application and web app."""

    name: str
    runtime: Runtime
    application: PTBApplication
    client: TestClient[Any, Any]

    @property
    def registry(self) -> CollectorRegistry:
        """This replica's own metrics."""
        return self.runtime.metrics.registry

    def handled(self, kind: str) -> float:
        """How many updates of `kind` this replica has handled."""
        return self.registry.get_sample_value("pishran_updates_total", {"kind": kind}) or 0.0

    async def deliver(self, update: dict[str, Any]) -> None:
        """POST the update to /telegram as Telegram does, then wait until it was handled."""
        response = await self.client.post("/telegram", json=update, headers={SECRET_HEADER: SECRET})
        assert response.status == 200, await response.text()
        await self.application.update_queue.join()

    async def stop(self) -> None:
        """Finish the accepted updates, then release the Application and the database."""
        await self.application.stop()
        await self.application.shutdown()
        await self.runtime.close()


async def start_replica(name: str, settings: Settings, aiohttp_client: AiohttpClient) -> Replica:
    """Start a replica wired as `pishran run --webhook` wires it (without setWebhook)."""
    runtime = await start_runtime(settings)
    application = build_application(
        settings, runtime.services, updater=False, metrics=runtime.metrics
    )
    await application.initialize()
    await application.start()
    client = await aiohttp_client(build_web_app(settings, runtime, application))
    return Replica(name, runtime, application, client)


def round_robin(replicas: Sequence[Deliverer]) -> Callable[[dict[str, Any]], Awaitable[None]]:
    """An `emulator.deliver` that hands each update to the next replica in turn."""
    turns = itertools.cycle(replicas)

    async def deliver(update: dict[str, Any]) -> None:
        await next(turns).deliver(update)

    return deliver


async def eventually(
    check: Callable[[], Awaitable[bool]], *, within: float, what: str, every: float = 0.05
) -> None:
    """Poll `check` until it is true; fail with `what` once `within` seconds have passed."""
    deadline = time.monotonic() + within
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {within} s: {what}")
        await asyncio.sleep(every)


@dataclass
class ReplicaProcess:
    """`python -m bot run --webhook` as a real OS process, with its JSON log lines parsed."""

    name: str
    port: int
    process: asyncio.subprocess.Process
    session: aiohttp.ClientSession
    records: list[dict[str, Any]] = field(default_factory=list)
    raw_lines: list[str] = field(default_factory=list)
    not_json: list[str] = field(default_factory=list)
    handle_within: float = 15.0  # seconds deliver() waits for an update to be handled
    _changed: asyncio.Event = field(default_factory=asyncio.Event)
    _reader: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        """The base URL of its web server."""
        return f"http://127.0.0.1:{self.port}"

    @classmethod
    async def start(
        cls, name: str, environ: dict[str, str], cwd: Path, session: aiohttp.ClientSession
    ) -> ReplicaProcess:
        """Spawn the process on a free port with the given settings in its environment."""
        port = free_port()
        env = {
            "PATH": os.environ.get("PATH", ""),
            "PYTHONPATH": str(ROOT),
            "LOG_FORMAT": "json",
            "LOG_LEVEL": "INFO",
            "HOST": "127.0.0.1",
            "PORT": str(port),
            "WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram",
            "WEBHOOK_SECRET": SECRET,
            **environ,
        }
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", "--webhook",
            cwd=cwd, env=env, stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        replica = cls(name, port, process, session)
        replica._reader = asyncio.create_task(replica._read_logs())
        return replica

    async def _read_logs(self) -> None:
        assert self.process.stderr is not None
        async for line in self.process.stderr:
            text = line.decode().rstrip("\n")
            self.raw_lines.append(text)
            try:
                self.records.append(json.loads(text))
            except ValueError:
                self.not_json.append(text)
            self._changed.set()
            self._changed = asyncio.Event()

    def handled_update_ids(self) -> list[int]:
        """Ids of the updates this process logged as handled."""
        return [r["update_id"] for r in self.records if r.get("logger") == "bot.monitoring"]

    async def wait_handled(self, update_id: int) -> None:
        """Wait for the log line that says this process finished handling `update_id`."""
        deadline = time.monotonic() + self.handle_within
        while update_id not in self.handled_update_ids():
            if self.process.returncode is not None:
                raise AssertionError(f"{self.name} exited: {self.raw_lines[-5:]}")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"{self.name} did not handle update {update_id}")
            changed = self._changed
            try:
                await asyncio.wait_for(changed.wait(), remaining)
            except TimeoutError:
                continue

    async def wait_healthy(self, *, within: float = 60.0) -> None:
        """Wait until GET /healthz answers 200 (migrations done, KB active)."""

        async def healthy() -> bool:
            if self.process.returncode is not None:
                raise AssertionError(f"{self.name} exited early: {self.raw_lines[-10:]}")
            try:
                async with self.session.get(f"{self.url}/healthz") as response:
                    return response.status == 200
            except aiohttp.ClientConnectionError:
                return False

        await eventually(healthy, within=within, what=f"{self.name} healthy", every=0.2)

    async def post(self, update: dict[str, Any]) -> None:
        """POST the update to the process's webhook; it answers once the update is queued."""
        url, headers = f"{self.url}/telegram", {SECRET_HEADER: SECRET}
        async with self.session.post(url, json=update, headers=headers) as response:
            assert response.status == 200, await response.text()

    async def deliver(self, update: dict[str, Any]) -> None:
        """POST the update and wait until the process logged it as handled."""
        await self.post(update)
        await self.wait_handled(update["update_id"])

    def terminate(self) -> None:
        """Send SIGTERM, as `docker stop` does."""
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)

    async def wait(self, *, within: float = 30.0) -> int:
        """Wait for the process to exit; kill it if it takes longer than `within`."""
        try:
            code = await asyncio.wait_for(self.process.wait(), within)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()
            raise AssertionError(f"{self.name} did not exit within {within} s") from None
        if self._reader is not None:
            await self._reader
        return code
