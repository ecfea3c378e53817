"""Simulated civil servants, and bots running as their own OS processes, over the emulator.

The benchmark, the crash script and the crash test share these pieces: an emulator that tells
a waiting user the moment the bot's reply for their chat arrives, a closed-loop walk through
the core checklist that reads what to do next from the chat (so it survives a bot that was
killed mid-update), and a bot process whose CPU time and peak memory are read from /proc.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
import time
import zlib
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.emulator import ApiCall, BotApiEmulator, ChatMessage, EmulatedUser

__all__ = [
    "ROOT",
    "BotProcess",
    "Walk",
    "WatchedEmulator",
    "answer_chooser",
    "any_reply",
    "bot_environ",
    "keyboard_reply",
    "newest_keyboard",
    "next_action",
    "shown_question",
    "step_kind",
    "step_reply",
    "walk_checklist",
    "walk_script",
]

ROOT = Path(__file__).resolve().parents[1]
REPLY_METHODS = frozenset({"sendmessage", "editmessagetext", "sendphoto", "senddocument"})
Accept = Callable[[ApiCall], bool]
_ANSWER = re.compile(r"a:(\d+):([a-z0-9_]+):([0-9x])")


def keyboard_reply(call: ApiCall) -> bool:
    """A reply that shows the next step: our bot puts every step under inline buttons."""
    markup = call.params.get("reply_markup")
    return isinstance(markup, dict) and bool(markup.get("inline_keyboard"))


def step_reply(call: ApiCall) -> bool:
    """A reply that ends a checklist step: a keyboard other than the results' 📊 and 📄 buttons.

    The completing answer replies with several messages: the scores (under the charts button)
    first and the explore screen last; the step is over when the last one arrives.
    """
    if not keyboard_reply(call):
        return False
    rows = call.params["reply_markup"]["inline_keyboard"]
    data = [str(button.get("callback_data", "")) for row in rows for button in row]
    return not (data and all(item.startswith(("ch:", "rp:")) for item in data))


def step_kind(kind: str, payload: str) -> str:
    """What a step is, for the latency breakdown: start, sector, region, organisation, role,
    question set or answer (the walk calls the answer that brings the results completion)."""
    if kind == "send":
        return "start" if payload.startswith("/start") else "organisation"
    for prefix, name in (("p:", "profile"), ("qs:", "question set"), ("a:", "answer")):
        if payload.startswith(prefix):
            if name == "profile":
                return {"s": "sector", "r": "region", "o": "role"}.get(payload.split(":")[2], name)
            return name
    return "other"


def shown_reply(call: ApiCall) -> bool:
    """A message sent or edited: what the person sees change (not a button's acknowledgement)."""
    return call.method in ("sendMessage", "editMessageText", "sendPhoto", "sendDocument")


def any_reply(call: ApiCall) -> bool:
    """Any message sent or edited (the bare echo bot answers with one plain message)."""
    return True


class WatchedEmulator(BotApiEmulator):
    """The emulator, waking the user who waits for a reply the moment it is recorded."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.polled = asyncio.Event()
        self.last_reply_at = 0.0
        self.replies = 0
        self._waiters: dict[int, tuple[Accept, asyncio.Future[float]]] = {}

    async def poll_updates(self, offset: int | None, limit: int, wait: float) -> list[Any]:
        """Note that a bot is polling, then answer getUpdates as usual."""
        self.polled.set()
        return await super().poll_updates(offset, limit, wait)

    def request_finished(self, ticket: int) -> None:
        """After each call: if it replied in a chat whose user waits, wake that user."""
        super().request_finished(ticket)
        # The server records the call just before this, with no await in between.
        call = self.calls[-1] if self.calls else None
        if call is None or call.status != 200 or call.method.lower() not in REPLY_METHODS:
            return
        now = time.perf_counter()
        self.last_reply_at = now
        self.replies += 1
        chat_id = call.params.get("chat_id")
        waiter = self._waiters.get(int(chat_id)) if chat_id is not None else None
        if waiter is not None and waiter[0](call) and not waiter[1].done():
            waiter[1].set_result(now)

    async def act(
        self,
        user: EmulatedUser,
        publish: Callable[[], Awaitable[object]],
        accept: Accept,
        patience: float,
    ) -> float | None:
        """Publish an update and wait for an accepted reply: its latency, or None on timeout."""
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._waiters[user.id] = (accept, future)
        started = time.perf_counter()
        try:
            await publish()
            return await asyncio.wait_for(future, patience) - started
        except TimeoutError:
            return None
        finally:
            self._waiters.pop(user.id, None)


def answer_chooser(user_id: int) -> Callable[[str], str]:
    """A fixed, varied answer per user and question ("x" is don't know)."""

    def value_of(question_id: str) -> str:
        return "0123x"[(zlib.crc32(question_id.encode()) + user_id) % 5]

    return value_of


@dataclass
class Walk:
    """What one simulated user did and saw."""

    user_id: int
    latencies: list[float] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)  # step_kind of each latency
    updates: int = 0
    timeouts: int = 0
    finished: bool = False
    # (assessment id, question id) -> value, for answers whose reply showed the next question
    acknowledged: dict[tuple[int, str], int | None] = field(default_factory=dict)


def newest_keyboard(user: EmulatedUser) -> ChatMessage | None:
    """The newest bot message with inline buttons: the step the user is at."""
    for message in reversed(user.messages):
        if message.from_bot and message.inline_keyboard:
            return message
    return None


def _data(message: ChatMessage) -> list[str]:
    return [data for row in message.buttons for _, data in row if data]


def shown_question(message: ChatMessage | None) -> tuple[int, str] | None:
    """(assessment id, question id) of the question `message` asks, if it asks one."""
    for data in _data(message) if message is not None else []:
        if match := _ANSWER.fullmatch(data):
            return int(match.group(1)), match.group(2)
    return None


def next_action(user: EmulatedUser, value_of: Callable[[str], str]) -> tuple[str, str] | None:
    """("send", text) or ("press", data) read from the chat, or None when the results are shown."""
    message = newest_keyboard(user)
    if message is None:
        return "send", "/start"
    data = _data(message)
    if any(item.startswith("ev:") for item in data):
        return None
    # /start after a finished checklist offers to keep its profile: answer it afresh.
    fresh = next((d for d in data if d.startswith("cf:fresh:")), None)
    if fresh is not None:
        return "press", fresh
    for prefix in (":s:", ":r:", ":o:"):
        choice = next((d for d in data if d.startswith("p:") and prefix in d), None)
        if choice is not None:
            return "press", choice
    core = next((d for d in data if d.startswith("qs:") and d.endswith(":core")), None)
    if core is not None:
        return "press", core
    shown = shown_question(message)
    if shown is not None:
        wanted = f"a:{shown[0]}:{shown[1]}:{value_of(shown[1])}"
        return "press", wanted if wanted in data else next(d for d in data if _ANSWER.match(d))
    if all(item.startswith("b:") for item in data):  # the organisation's name is asked
        return "send", f"Organisation {user.id % 97}"
    return "send", "/start"


async def walk_checklist(
    emulator: WatchedEmulator,
    user: EmulatedUser,
    *,
    patience: float = 30.0,
    max_updates: int = 200,
    stop_after: int | None = None,
) -> Walk:
    """Take the core checklist to its results, closed loop; retry a step that got no reply."""
    walk = Walk(user.id)

    value_of = answer_chooser(user.id)

    while walk.updates < max_updates and (stop_after is None or walk.updates < stop_after):
        action = next_action(user, value_of)
        if action is None:
            walk.finished = True
            break
        kind, payload = action
        message = newest_keyboard(user)
        before = shown_question(message) if kind == "press" else None

        def publish(
            kind: str = kind, payload: str = payload, message: ChatMessage | None = message
        ) -> Awaitable[object]:
            if kind == "send" or message is None:
                return user.send(payload)
            return user.press_data(payload, message.message_id)

        latency = await emulator.act(user, publish, step_reply, patience)
        walk.updates += 1
        if latency is None:
            walk.timeouts += 1
            continue
        walk.latencies.append(latency)
        after = newest_keyboard(user)
        completed = after is not None and "ev:" in "".join(_data(after))
        walk.steps.append("completion" if completed else step_kind(kind, payload))
        if before is not None and _ANSWER.fullmatch(payload):
            shown = shown_question(after)
            moved_on = shown is None and completed
            if moved_on or (shown is not None and shown != before):
                value = payload.rsplit(":", 1)[1]
                walk.acknowledged[before] = None if value == "x" else int(value)
    return walk


async def walk_script(
    emulator: WatchedEmulator,
    user: EmulatedUser,
    script: list[tuple[str, str]],
    patience: float,
    accept: Accept | None = None,
) -> Walk:
    """Send a fixed list of messages and button presses, each after the previous reply
    (any Bot API call, or the first one `accept` takes)."""
    walk = Walk(user.id)
    for number, (kind, payload) in enumerate(script, 1):
        newest = user.bot_messages[-1].message_id if kind == "press" else None

        def publish(payload: str = payload, newest: int | None = newest) -> Awaitable[object]:
            if newest is None:
                return user.send(payload)
            return user.press_data(payload, newest)

        latency = await emulator.act(user, publish, accept or any_reply, patience)
        walk.updates += 1
        if latency is None:
            walk.timeouts += 1
            break
        walk.latencies.append(latency)
        walk.steps.append("completion" if number == len(script) else step_kind(kind, payload))
    walk.finished = walk.timeouts == 0
    return walk


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
