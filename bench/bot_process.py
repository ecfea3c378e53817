"""A bot as its own OS process, pointed at the emulator; its CPU time and memory read from /proc.

The benchmark, the crash script and the crash test run the bot (or the bare and floor bots)
this way, so that what is measured or killed is a real process, as deployed.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bench.watched_emulator import WatchedEmulator
from bot.emulator import BotApiEmulator

__all__ = ["ROOT", "BotProcess", "bot_environ"]

ROOT = Path(__file__).resolve().parents[1]


def bot_environ(emulator: BotApiEmulator, url: str, database_url: str) -> dict[str, str]:
    """What a deployment puts in `.env`, pointed at the emulator and a database."""
    return {
        "BOT_TOKEN": emulator.token,
        "BOT_API_BASE_URL": f"{url}/bot",
        "BOT_API_FILE_URL": f"{url}/file/bot",
        "DATABASE_URL": database_url,
    }


def _proc_status(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1]) * 1024
    raise LookupError(f"no {key} for process {pid}")


@dataclass
class BotProcess:
    """A bot (`python -m bot run`, or any script) as a real OS process, logging to a file."""

    process: asyncio.subprocess.Process
    log_path: Path

    @classmethod
    async def start(
        cls, argv: list[str], environ: Mapping[str, str], *, cwd: Path, log_path: Path
    ) -> BotProcess:
        """Spawn `python <argv>` with only PATH, PYTHONPATH and `environ` in its environment."""
        env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT), **environ}
        with log_path.open("ab") as log:
            process = await asyncio.create_subprocess_exec(
                sys.executable, *argv, cwd=cwd, env=env,
                stdin=asyncio.subprocess.DEVNULL, stdout=log, stderr=log,
            )  # fmt: skip
        return cls(process, log_path)

    @property
    def pid(self) -> int:
        """The process id."""
        return self.process.pid

    def cpu_seconds(self) -> float:
        """User plus system CPU time used so far."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss(self) -> int:
        """Resident memory now, in bytes."""
        return _proc_status(self.pid, "VmRSS")

    def peak_rss(self) -> int:
        """The most resident memory the process has had, in bytes (VmHWM)."""
        return _proc_status(self.pid, "VmHWM")

    async def wait_polling(self, emulator: WatchedEmulator, *, within: float = 60.0) -> None:
        """Wait until the bot calls getUpdates; fail with its log if it exits first."""
        emulator.polled.clear()
        waiting = asyncio.ensure_future(emulator.polled.wait())
        exited = asyncio.ensure_future(self.process.wait())
        done, _ = await asyncio.wait(
            {waiting, exited}, timeout=within, return_when="FIRST_COMPLETED"
        )
        waiting.cancel()
        exited.cancel()
        if waiting not in done:
            tail = self.log_path.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"the bot did not start polling within {within} s:\n{tail}")

    def kill(self) -> None:
        """SIGKILL: no clean-up, no finishing the update in hand."""
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGKILL)

    async def stop(self, *, within: float = 30.0) -> int:
        """SIGTERM and wait (SIGKILL after `within` seconds); the exit code."""
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return await asyncio.wait_for(self.process.wait(), within)
        except TimeoutError:
            self.kill()
            return await self.process.wait()
