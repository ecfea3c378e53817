"""Callback data: every shape round-trips, fits in 64 bytes, and junk decodes to None."""

from __future__ import annotations

from typing import get_args

import pytest

from handlers import callbacks
from handlers.callbacks import MAX_CALLBACK_BYTES, decode, encode
from knowledge import KnowledgeBase, QuestionSet
from knowledge.block_reasons import DEFAULT_KEYS

LARGEST_ID = 10**18 - 1  # 18 digits, the most an id may have in callback data

# One (or more) value of every shape; add yours when you add a shape to callbacks.py.
SAMPLES: list[callbacks.Callback] = [
    callbacks.ChooseLanguage("fa"),
    callbacks.ChooseLanguage("en"),
    callbacks.ChooseProfile(7, "sector", "health"),
    callbacks.ChooseProfile(7, "region", "tehran"),
    callbacks.ChooseProfile(7, "role", "manager"),
    callbacks.ChooseQuestionSet(7, "core"),
    callbacks.ChooseQuestionSet(7, "detailed"),
    callbacks.Answer(7, "tra_c1", 0),
    callbacks.Answer(7, "tra_c1", 4),
    callbacks.Answer(7, "tra_c1", None),
    callbacks.Back(7, 1),
    callbacks.Back(7, 53),
    callbacks.ConfirmForget(True),
    callbacks.ConfirmForget(False),
    callbacks.ChecklistChoice("restart", 12345678901234567),
    callbacks.ChecklistChoice("stay", 0),
    callbacks.ContinueChecklist(7),
    callbacks.ShowCharts(7),
    callbacks.RefineResults(7),
    callbacks.ShowReport(7),
    callbacks.ConfirmUpload(12, True),
    callbacks.ConfirmUpload(12, False),
    callbacks.EvidenceFactors(),
    callbacks.EvidenceSubFactors(None),
    callbacks.EvidenceSubFactors("managerial"),
    callbacks.EvidenceCards("transparency", 0, callbacks.EvidenceOrigin.BROWSE),
    callbacks.EvidenceCards("transparency", 3, callbacks.EvidenceOrigin.RESULTS),
    callbacks.EvidenceCards("transparency", 12, callbacks.EvidenceOrigin.ASK),
    callbacks.ExportStats("s", None),
    callbacks.ExportStats("sm", "xlsx"),
    callbacks.ExportStats("b", None),
    callbacks.ExportStats("ba", None),
    callbacks.ExportStats("bm", "xlsx"),
    callbacks.OpenPlan(7),
    callbacks.CommitStep(7, 0),
    callbacks.CommitStep(7, 123),
    callbacks.CommitStep(LARGEST_ID, None),
    callbacks.CheckInAnswer(LARGEST_ID, "done"),
    callbacks.CheckInAnswer(9, "in_progress"),
    callbacks.CheckInAnswer(9, "not_started"),
    callbacks.CheckInAnswer(9, "blocked"),
    *(callbacks.CheckInReason(LARGEST_ID, reason) for reason in DEFAULT_KEYS),
    # A KB may name its own reasons: any key of 24 characters fits beside the largest id.
    callbacks.CheckInReason(LARGEST_ID, "no_room_" + "x" * 16),
    callbacks.RecheckStart(7, "transparency"),
    callbacks.RecheckStart(LARGEST_ID, "k" * 40),
    callbacks.RecheckAnswer(LARGEST_ID, 0, 4),
    callbacks.RecheckAnswer(9, 2, None),
]


def test_every_callback_shape_has_a_sample() -> None:
    shapes = set(get_args(callbacks.Callback))
    sampled = {type(sample) for sample in SAMPLES}
    assert shapes - sampled == set(), "add a sample of the new shape to SAMPLES"


@pytest.mark.parametrize("callback", SAMPLES, ids=repr)
def test_a_callback_round_trips(callback: callbacks.Callback) -> None:
    data = encode(callback)
    assert len(data.encode()) <= MAX_CALLBACK_BYTES
    assert decode(data) == callback


def test_the_longest_possible_data_fits_in_64_bytes(shipped_kb: KnowledgeBase) -> None:
    longest_question = max(
        (q.id for q in shipped_kb.questions(QuestionSet.DETAILED)), key=lambda i: len(i.encode())
    )
    choices = (*shipped_kb.profile.sectors, *shipped_kb.profile.regions, *shipped_kb.profile.roles)
    longest_choice = max((c.key for c in choices), key=lambda k: len(k.encode()))
    positions = 4 + 1 + len(shipped_kb.questions(QuestionSet.DETAILED))
    longest: list[callbacks.Callback] = [
        callbacks.Answer(LARGEST_ID, longest_question, None),
        callbacks.ChooseProfile(LARGEST_ID, "region", longest_choice),
        callbacks.ChooseQuestionSet(LARGEST_ID, "detailed"),
        callbacks.Back(LARGEST_ID, positions),
        callbacks.ContinueChecklist(LARGEST_ID),
        callbacks.ShowCharts(LARGEST_ID),
        callbacks.ShowReport(LARGEST_ID),
        callbacks.ConfirmUpload(LARGEST_ID, False),
    ]
    for callback in longest:
        data = encode(callback)  # raises past 64 bytes
        assert len(data.encode()) <= MAX_CALLBACK_BYTES
        assert decode(data) == callback


def test_well_formed_data_of_exactly_64_bytes_decodes() -> None:
    data = f"a:{LARGEST_ID}:" + "q" * 41 + ":1"
    assert len(data.encode()) == MAX_CALLBACK_BYTES
    assert decode(data) == callbacks.Answer(LARGEST_ID, "q" * 41, 1)


def test_encoding_past_64_bytes_is_refused() -> None:
    with pytest.raises(ValueError, match="64 bytes"):
        encode(callbacks.Answer(LARGEST_ID, "q" * 48, 1))


@pytest.mark.parametrize(
    "data",
    [
        None,
        "",
        "zzz",
        "a:1:..",
        "a:1:tra_c1",
        "a:0:tra_c1:1",
        "a:01:tra_c1:1",
        "a:-1:tra_c1:1",
        f"a:{10**18}:tra_c1:1",
        "a:1:TRA_C1:1",
        "a:1:tra c1:1",
        "a:1:tra_c1:10",
        "a:1:tra_c1:-1",
        "a:1:tra_c1:X",
        "a:۱:tra_c1:۱",
        "a:1:tra_c1:1\n",
        " a:1:tra_c1:1",
        "a:1:tra_c1:1:extra",
        "p:1:x:health",
        "p:1:s:",
        "p:1:s:Health",
        "qs:1:full",
        "b:1",
        "b:1:01",
        "b:x:1",
        "lang:de",
        "lang:",
        "forget:maybe",
        "rem:",
        "ch:",
        "ch:0",
        "ch:x",
        "ch:1:2",
        "rp:",
        "rp:0",
        "rp:1:2",
        "kbc:1:maybe",
        "ev:",
        "ev:x:transparency:0",
        "ev:s:transparency:01",
        "rs:1:",
        "rs:0:transparency",
        "rs:1:Transparency",
        "ra:1:01:2",
        "ra:1:0:5x",
        "ra:1:0",
        "x" * 64,
        f"a:{LARGEST_ID}:" + "q" * 42 + ":1",  # well formed but 65 bytes
        "a:1:tra_c1:1" + "\u200c" * 20,
    ],
)
def test_malformed_data_decodes_to_none(data: str | None) -> None:
    assert decode(data) is None
