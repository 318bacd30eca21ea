"""Predict, then reveal: the question, the grading rule, and the P key."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Static

from bptui.app.main import BptuiApp
from bptui.engine import Phase
from bptui.engine.predict import ask
from bptui.preset import load_preset
from tests.helpers import fingerprint


def test_asking_changes_nothing_and_names_what_the_next_micro_step_computes():
    stepper = load_preset("mazur").stepper()
    expected = [("a", 0, 0.593269992), ("a", 1, 0.75136507), ("δ", 1, 0.138498562),
                ("δ", 0, 0.008771355), ("∂C/∂w_1", 0, 0.000438568), ("new w_1", 0, 0.149780716)]
    for quantity, layer, value in expected:
        before = fingerprint(stepper), stepper.micro_index
        question = ask(stepper, 0, 0, 0)
        assert (fingerprint(stepper), stepper.micro_index) == before
        assert (question.quantity, question.layer) == (quantity, layer)
        assert question.value == pytest.approx(value, abs=1e-9)
        assert question.reveal[0].kind == "head"
        stepper.micro_step()


@pytest.mark.parametrize("guess, right", [(0.5933, True), (0.5960, True), (0.5963, False),
                                          (0.5905, True), (0.59, False), (float("nan"), False)])
def test_the_rule_is_half_a_percent_or_1e_minus_4(guess, right):
    question = ask(load_preset("mazur").stepper(), 0, 0, 0)  # a = 0.593269992
    assert question.grade(guess) is right


def test_tiny_values_use_the_absolute_tolerance():
    stepper = load_preset("mazur").stepper()
    stepper.run_until(Phase.ERROR)
    question = ask(stepper, 0, 0, 0)  # δ of hidden 1, unit 1 = 0.008771
    assert question.grade(0.008771 + 9e-5) and not question.grade(0.008771 + 2e-4)


async def answer(pilot, text: str) -> None:
    await pilot.press("P")
    await pilot.pause()
    pilot.app.screen.query_one("#guess", Input).value = text
    await pilot.press("enter")
    await pilot.pause()


async def test_p_right_runs_the_step_and_wrong_reveals_the_arithmetic():
    app = BptuiApp(preset="mazur")
    async with app.run_test(size=(120, 40)) as pilot:
        await answer(pilot, "0.5")  # a of hidden 1, unit 1 is 0.5933
        assert app.stepper.micro_index == 0 and app.tally == (0, 1)
        assert "not quite" in app.hint and "0.5933" in app.hint
        explained = str(app.query_one("#explain", Static).render())
        assert "a = σ(z) = σ(0.3775) = 0.5933" in explained
        await answer(pilot, "0.5933")
        assert app.stepper.micro_index == 1 and app.tally == (1, 2)
        assert app.hint.startswith("right: a = 0.5933")
        assert "P 1/2" in str(app.query_one("#status", Static).render())
        await pilot.press("P")
        await pilot.pause()
        await pilot.press("escape")  # no answer: nothing counted, nothing run
        await pilot.pause()
        assert app.tally == (1, 2) and app.stepper.micro_index == 1


async def test_p_refuses_text_in_place():
    app = BptuiApp(preset="xor")
    async with app.run_test(size=(120, 40)) as pilot:
        await answer(pilot, "half")
        assert "is not a number" in str(app.screen.query_one("#predict-error", Static).render())
        assert app.tally == (0, 0)
