"""The charts button under the results: drawn beside other people's updates, checked, once."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from typing import Any

import pytest

from bot.emulator import BotApiEmulator, EmulatedUser
from handlers.context import SERVICES_KEY
from handlers.i18n import Renderer
from handlers.report.chart_drawer import ChartDrawer
from knowledge import KnowledgeBase, Locale, QuestionSet
from tests.auxil.flows import answer_questions, fill_profile, question_set_button
from tests.auxil.harness import RunningBot
from tests.handlers.report.test_report import CORE_VALUES, photos

RENDERER = Renderer()


class HeldExecutor(Executor):
    """Takes drawing jobs and holds them until the test releases them (or makes them fail)."""

    def __init__(self) -> None:
        self.held: list[tuple[Callable[..., Any], tuple[Any, ...], Future[Any]]] = []
        self._submitted = asyncio.Event()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        assert not kwargs
        future: Future[Any] = Future()
        self.held.append((fn, args, future))
        self._submitted.set()  # run_in_executor submits from the event loop's thread
        return future

    async def submitted(self) -> None:
        """Wait until a job is held."""
        while not self.held:
            self._submitted.clear()
            await self._submitted.wait()

    def release(self) -> None:
        """Draw every held job for real (in this process) and hand the pictures back."""
        held, self.held = self.held, []
        for fn, args, future in held:
            future.set_result(fn(*args))

    def fail(self) -> None:
        held, self.held = self.held, []
        for _, _, future in held:
            future.set_exception(RuntimeError("the drawing process died"))


@pytest.fixture
def held(bot: RunningBot) -> Iterator[tuple[ChartDrawer, HeldExecutor]]:
    """Give the running bot a ChartDrawer whose jobs wait for the test."""
    executor = HeldExecutor()
    drawer = ChartDrawer(executor_factory=lambda workers: executor)
    services = bot.application.bot_data[SERVICES_KEY]
    bot.application.bot_data[SERVICES_KEY] = dataclasses.replace(services, charts=drawer)
    yield drawer, executor
    executor.fail()  # a failed test may leave jobs held: let the bot stop


async def complete(user: EmulatedUser, kb: KnowledgeBase, locale: Locale = "en") -> None:
    """Take `user` through the core checklist to the results."""
    await user.send("/start")
    await fill_profile(user, kb, locale)
    await user.press(question_set_button(user, QuestionSet.CORE))
    await answer_questions(user, kb, locale, CORE_VALUES)


def chart_data(user: EmulatedUser) -> str:
    label = RENDERER.text("en", "button_charts")
    for message in reversed(user.bot_messages):
        for text, data in (b for row in message.buttons for b in row):
            if text == label and data is not None:
                return data
    raise AssertionError("no charts button in the chat")


async def test_another_persons_answer_is_answered_while_the_charts_are_drawn(
    emulator: BotApiEmulator,
    bot: RunningBot,
    shipped_kb: KnowledgeBase,
    held: tuple[ChartDrawer, HeldExecutor],
) -> None:
    drawer, executor = held
    drawing = emulator.user(4501, language_code="en")
    answering = emulator.user(4502, language_code="en")
    await complete(drawing, shipped_kb)
    await answering.send("/start")
    await fill_profile(answering, shipped_kb, "en")
    await answering.press(question_set_button(answering, QuestionSet.CORE))
    first = shipped_kb.questions(QuestionSet.CORE)[0]

    await drawing.press(RENDERER.text("en", "button_charts"))
    await executor.submitted()
    assert len(executor.held) == 1 and drawer.tasks_under_way == 1  # the drawing has started
    assert drawing.callback_answers[-1].text == RENDERER.text("en", "charts_drawing")
    # While it is drawn, someone else answers a question and is shown the next one.
    await answering.press(shipped_kb.scale.label(3).get("en"))
    second = shipped_kb.questions(QuestionSet.CORE)[1]
    assert second.text.get("en") in (answering.last_bot_message.text or "")
    assert first.text.get("en") not in (answering.last_bot_message.text or "")
    assert photos(drawing) == []

    executor.release()
    await drawer.drain()
    charts = photos(drawing)
    assert len(charts) == 2 and drawing.bot_messages[-2:] == charts
    methods = [call.method for call in emulator.calls]
    answered = max(i for i, call in enumerate(emulator.calls) if call.method == "editMessageText")
    assert methods.index("sendPhoto") > answered  # the other person was answered first


async def test_a_repeated_press_draws_once(
    emulator: BotApiEmulator,
    bot: RunningBot,
    shipped_kb: KnowledgeBase,
    held: tuple[ChartDrawer, HeldExecutor],
) -> None:
    drawer, executor = held
    user = emulator.user(4503, language_code="en")
    await complete(user, shipped_kb)
    data = chart_data(user)
    await user.press_data(data)
    await user.press_data(data)
    await executor.submitted()
    assert [a.text for a in user.callback_answers[-2:]] == [
        RENDERER.text("en", "charts_drawing"),
        RENDERER.text("en", "charts_busy"),
    ]
    assert len(executor.held) == 1
    executor.release()
    await drawer.drain()
    assert len(photos(user)) == 2
    await user.press_data(data)  # once they have arrived, a press draws them again
    await executor.submitted()
    assert len(executor.held) == 1
    executor.release()
    await drawer.drain()
    assert len(photos(user)) == 4


async def test_a_failed_drawing_tells_the_person_and_the_next_press_works(
    emulator: BotApiEmulator,
    bot: RunningBot,
    shipped_kb: KnowledgeBase,
    held: tuple[ChartDrawer, HeldExecutor],
) -> None:
    drawer, executor = held
    user = emulator.user(4504, language_code="fa")
    await complete(user, shipped_kb, "fa")
    await user.press(RENDERER.text("fa", "button_charts"))
    await executor.submitted()
    executor.fail()
    await drawer.drain()
    assert user.last_bot_message.text == RENDERER.text("fa", "charts_failed")
    assert photos(user) == []
    await user.press(RENDERER.text("fa", "button_charts"))
    await executor.submitted()
    executor.release()
    await drawer.drain()
    assert len(photos(user)) == 2


async def test_forged_and_stale_chart_buttons_are_no_longer_valid(
    emulator: BotApiEmulator,
    bot: RunningBot,
    shipped_kb: KnowledgeBase,
    held: tuple[ChartDrawer, HeldExecutor],
) -> None:
    drawer, executor = held
    owner = emulator.user(4505, language_code="en")
    other = emulator.user(4506, language_code="fa")
    await complete(owner, shipped_kb)
    owned = chart_data(owner)
    await other.send("/start")  # an assessment in progress: no results to draw
    step = await bot.runtime.services.checklist.current(telegram_id=other.id, language_code="fa")
    assert step.assessment_id is not None
    for data in (owned, f"ch:{step.assessment_id}", "ch:999999", "ch:x", "ch:"):
        await other.press_data(data)
        answer = other.callback_answers[-1]
        assert (answer.text, answer.show_alert) == (RENDERER.text("fa", "invalid_button"), True)
    await owner.send("/forget")
    await owner.press(RENDERER.text("en", "button_yes_forget"))
    await owner.press_data(owned)  # the assessment was deleted with everything else
    answer = owner.callback_answers[-1]
    assert (answer.text, answer.show_alert) == (RENDERER.text("en", "invalid_button"), True)
    assert executor.held == [] and drawer.tasks_under_way == 0
    assert photos(owner) == [] and photos(other) == []
