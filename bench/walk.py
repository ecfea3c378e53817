"""Simulated civil servants: closed-loop walks through the core checklist, over the emulator.

Each user sends, waits for the bot's reply in their chat, and reads what to do next from the
chat itself, so a walk survives a bot that was killed mid-update (the crash script and test
rely on it). A scripted walk sends a fixed list instead, for the bare and floor bots.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bench.watched_emulator import Accept, WatchedEmulator, any_reply, step_reply
from bot.emulator import ChatMessage, EmulatedUser

__all__ = [
    "Walk",
    "answer_chooser",
    "newest_keyboard",
    "next_action",
    "shown_question",
    "step_kind",
    "walk_checklist",
    "walk_script",
]

_ANSWER = re.compile(r"a:(\d+):([a-z0-9_]+):([0-9x])")


def step_kind(kind: str, payload: str) -> str:
    """What a step is, for the latency breakdown: start, sector, region, organisation, role,
    question set, answer or results (/results; the walk calls the step that brings the results
    completion)."""
    if kind == "send":
        if payload.startswith("/results"):
            return "results"
        return "start" if payload.startswith("/start") else "organisation"
    for prefix, name in (("p:", "profile"), ("qs:", "question set"), ("a:", "answer")):
        if payload.startswith(prefix):
            if name == "profile":
                return {"s": "sector", "r": "region", "o": "role"}.get(payload.split(":")[2], name)
            return name
    return "other"


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
    """Take the core checklist to its results, closed loop; retry a step that got no reply.

    A press the bot answers only with a notice that names /results (the assessment is
    closed: a crash took its results after they were stored) is followed by /results, as a
    person would; a press that got nothing is made again.
    """
    walk = Walk(user.id)

    value_of = answer_chooser(user.id)
    ask_results = False

    while walk.updates < max_updates and (stop_after is None or walk.updates < stop_after):
        action = ("send", "/results") if ask_results else next_action(user, value_of)
        ask_results = False
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

        notices = len(user.callback_answers)
        latency = await emulator.act(user, publish, step_reply, patience)
        walk.updates += 1
        if latency is None:
            walk.timeouts += 1
            told = [answer.text or "" for answer in user.callback_answers[notices:]]
            ask_results = kind == "press" and any("/results" in text for text in told)
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
    accept_last: Accept | None = None,
) -> Walk:
    """Send a fixed list of messages and button presses, each after the previous reply
    (any Bot API call, or the first one `accept` takes; for the last step, the one
    `accept_last` takes, when given: the completion's last message, as Pishran's walk waits
    for its explore screen)."""
    walk = Walk(user.id)
    for number, (kind, payload) in enumerate(script, 1):
        last = number == len(script)
        newest = user.bot_messages[-1].message_id if kind == "press" else None

        def publish(payload: str = payload, newest: int | None = newest) -> Awaitable[object]:
            if newest is None:
                return user.send(payload)
            return user.press_data(payload, newest)

        taken = accept_last if last and accept_last is not None else accept or any_reply
        latency = await emulator.act(user, publish, taken, patience)
        walk.updates += 1
        if latency is None:
            walk.timeouts += 1
            break
        walk.latencies.append(latency)
        walk.steps.append("completion" if last else step_kind(kind, payload))
    walk.finished = walk.timeouts == 0
    return walk
