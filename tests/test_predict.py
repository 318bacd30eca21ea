"""Predict, then reveal: the question, the grading rule, the mistakes it recognizes, names, and
the P key in and out of lessons."""

from __future__ import annotations

import math
import re

import pytest
from textual import events
from textual.widgets import Input, Static

from bptui.app.main import BptuiApp
from bptui.engine import Phase
from bptui.engine.predict import Target, ask, formula_lines
from bptui.lesson import bundled_lessons, load_lesson
from bptui.preset import PresetError, load_preset, preset_from_text
from bptui.preset.loader import with_overrides
from bptui.preset.overrides import parse_set
from tests.helpers import fingerprint, settled


@pytest.fixture(autouse=True)
def own_data_dir(tmp_path, monkeypatch):
    """Lesson progress goes to a temporary data directory, never the user's."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))


def sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z))


def test_asking_changes_nothing_and_names_what_the_next_micro_step_computes():
    stepper = load_preset("mazur").stepper()
    expected = [
        ("a", 0, 0.593269992),
        ("a", 1, 0.75136507),
        ("δ", 1, 0.138498562),
        ("δ", 0, 0.008771355),
        ("∂C/∂w", 0, 0.000438568),
        ("new w", 0, 0.149780716),
    ]
    for quantity, layer, value in expected:
        before = fingerprint(stepper), stepper.micro_index
        question = ask(stepper, 0, 0, 0)
        assert (fingerprint(stepper), stepper.micro_index) == before
        assert (question.target.quantity, question.target.layer, question.ahead) == (
            quantity,
            layer,
            1,
        )
        assert question.value == pytest.approx(value, abs=1e-9)
        assert question.reveal[0].kind == "head"
        stepper.micro_step()


def test_a_named_target_is_asked_ahead_and_leaves_the_stepper_as_it_was():
    preset = load_preset("mazur")
    stepper = preset.stepper()
    before = fingerprint(stepper), stepper.micro_index
    question = ask(stepper, 0, 0, 0, Target("new w", 1, 0, 0), preset.names)
    assert (fingerprint(stepper), stepper.micro_index) == before
    assert question.value == pytest.approx(0.35891648, abs=1e-8)  # Mazur's w5+
    assert question.ahead == 6 and question.what == "new w5 of output layer, unit 1"
    assert question.prompt(1) == (
        "Update will compute new w5 of output layer, unit 1. A right "
        "answer runs the 6 micro-steps up to it."
    )
    stepper.run_until(Phase.BACKWARD)  # backward layer 2 computed δ of hidden layer 1
    assert ask(stepper, 0, 0, 0, Target("δ", 0, 0)) is None


@pytest.mark.parametrize(
    "guess, right",
    [
        (0.5933, True),
        (0.5960, True),
        (0.5963, False),
        (0.5905, True),
        (0.59, False),
        (float("nan"), False),
    ],
)
def test_right_means_three_significant_figures(guess, right):
    question = ask(load_preset("mazur").stepper(), 0, 0, 0)  # a = 0.593269992
    assert question.grade(guess) is right


def test_small_values_are_graded_relatively_and_an_exact_zero_needs_zero():
    question = ask(load_preset("mazur").stepper(), 0, 0, 0, Target("∂C/∂w", 0, 0))
    assert question.value == pytest.approx(0.000438568, rel=1e-6)
    assert question.grade(0.000439) and question.grade(0.0004386)
    assert not question.grade(0.00035)  # 20% off: once "right" under a 1e-4 floor
    zero = load_lesson("initialization").preset.stepper()  # all weights 0: z = 0
    question = ask(zero, 0, 0, 0, Target("z", 0, 0))
    assert question.value == 0.0
    assert question.grade(0) and question.grade(1e-13) and not question.grade(1e-9)


def diagnosis(question, guess: float) -> str | None:
    mistake = question.diagnose(guess)
    return None if mistake is None else mistake.name


def mazur_question(target: Target, steps: int = 0, preset=None):
    preset = preset or load_preset("mazur")
    stepper = preset.stepper()
    for _ in range(steps):
        stepper.finish_step()
    return ask(stepper, 0, 0, 0, target, preset.names)


# Each listed mistake, with the number a learner making it would type (worked out by hand
# from Mazur's figures, not by the module under test).
A_H1, A_H2, A_O1 = 0.593269992, 0.596884378, 0.75136507
DELTA_O1, DELTA_O2, DELTA_H1 = 0.138498562, -0.038098236, 0.008771355
MAZUR_MISTAKES = [
    pytest.param(Target("a", 0, 0), 0.3775, "z instead of a", id="a-z-instead-of-a"),
    pytest.param(Target("a", 0, 0), sigmoid(0.0275), "forgot the bias", id="a-forgot-bias"),
    pytest.param(Target("a", 0, 0), -A_H1, "wrong sign", id="a-wrong-sign"),
    pytest.param(Target("a", 0, 0), sigmoid(-0.3775), "wrong sign", id="a-e-to-plus-z"),
    pytest.param(
        Target("a", 1, 0),
        sigmoid(0.40 * 0.05 + 0.45 * 0.10 + 0.60),
        "wrong input",
        id="a-inputs-x-not-hidden-a",
    ),
    pytest.param(
        Target("z", 0, 0), 0.15 * 0.10 + 0.20 * 0.05 + 0.35, "wrong input", id="z-inputs-swapped"
    ),
    pytest.param(Target("z", 0, 0), A_H1, "a instead of z", id="z-a-instead-of-z"),
    pytest.param(Target("δ", 1, 0), A_O1 - 0.01, "forgot f'(z)", id="output-delta-forgot-slope"),
    pytest.param(Target("δ", 1, 0), -DELTA_O1, "wrong sign", id="output-delta-wrong-sign"),
    pytest.param(
        Target("δ", 1, 0),
        (1.105905967 - 0.01) * A_O1 * (1 - A_O1),
        "z instead of a",
        id="output-delta-z-instead-of-a",
    ),
    pytest.param(
        Target("δ", 0, 0),
        0.40 * DELTA_O1 + 0.50 * DELTA_O2,
        "forgot f'(z)",
        id="hidden-delta-forgot-slope",
    ),
    pytest.param(
        Target("δ", 0, 0),
        (0.40 * DELTA_O1 + 0.45 * DELTA_O2) * A_H1 * (1 - A_H1),
        "summed the incoming instead of the outgoing weights",
        id="hidden-delta-row-not-column",
    ),
    pytest.param(
        Target("δ", 0, 0),
        (0.15 * DELTA_O1 + 0.20 * DELTA_O2) * A_H1 * (1 - A_H1),
        "summed the incoming instead of the outgoing weights",
        id="hidden-delta-own-incoming-weights",
    ),
    pytest.param(
        Target("δ", 0, 0),
        (0.35891648 * DELTA_O1 + 0.51130127 * DELTA_O2) * A_H1 * (1 - A_H1),
        "used the weights already updated",
        id="hidden-delta-updated-weights",
    ),
    pytest.param(Target("∂C/∂w", 0, 0), DELTA_H1 * 0.10, "wrong input", id="gradient-other-input"),
    pytest.param(Target("∂C/∂w", 0, 0), DELTA_H1 * A_H1, "wrong input", id="gradient-own-a"),
    pytest.param(Target("∂C/∂w", 0, 0), -DELTA_H1 * 0.05, "wrong sign", id="gradient-wrong-sign"),
    pytest.param(
        Target("∂C/∂w", 0, 0),
        (0.40 * DELTA_O1 + 0.50 * DELTA_O2) * 0.05,
        "forgot f'(z)",
        id="gradient-forgot-slope",
    ),
    pytest.param(
        Target("∂C/∂w", 1, 0), DELTA_O1 * A_H2, "wrong input", id="gradient-other-hidden-a"
    ),
    pytest.param(Target("new w", 1, 0), 0.40, "the previous value", id="new-w-not-updated"),
    pytest.param(Target("new w", 1, 0), 0.40 - DELTA_O1 * A_H1, "forgot η", id="new-w-forgot-eta"),
    pytest.param(
        Target("new w", 1, 0), 0.40 + 0.5 * DELTA_O1 * A_H1, "wrong sign", id="new-w-wrong-sign"
    ),
]


@pytest.mark.parametrize("target, guess, name", MAZUR_MISTAKES)
def test_each_usual_mistake_is_recognized_on_mazur(target, guess, name):
    question = mazur_question(target)
    assert not question.grade(guess)
    assert diagnosis(question, guess) == name


def test_the_previous_value_is_recognized_after_a_step():
    question = mazur_question(Target("a", 1, 0), steps=1)
    assert diagnosis(question, A_O1) == "the previous value"


def test_forgot_momentum_is_recognized_with_a_momentum_optimizer():
    preset = with_overrides(load_preset("mazur"), [parse_set("training.optimizer=momentum")])
    stepper = preset.stepper()
    stepper.finish_step()  # the velocity is no longer zero
    question = ask(stepper, 0, 0, 0, Target("new w", 1, 0), preset.names)
    plain = [m for m in question.mistakes if m.name == "forgot momentum"]
    assert plain and diagnosis(question, plain[0].value) == "forgot momentum"


def test_forgot_one_over_m_is_recognized_on_a_batch():
    stepper = load_preset("xor").stepper()  # 4 samples, full batch
    question = ask(stepper, 0, 0, 0, Target("∂C/∂w", 0, 0))
    stepper.run_until(Phase.BACKWARD)
    stepper.finish_phase()
    assert question.value == pytest.approx(float(stepper.dw[0][0, 0]))
    assert diagnosis(question, question.value * 4) == "forgot 1/m"


def test_an_unrelated_number_matches_no_mistake():
    question = mazur_question(Target("δ", 0, 0))
    assert diagnosis(question, 0.5) is None
    assert formula_lines(
        load_preset("mazur").stepper(), Target("δ", 0, 0), load_preset("mazur").names
    )[0].startswith("δ = (w5·δ1 + w7·δ2)·f'(z)")


async def answer(pilot, text: str) -> None:
    await pilot.press("P")
    await pilot.pause()
    pilot.app.screen.query_one("#guess", Input).value = text
    await pilot.press("enter")
    await pilot.pause()


async def test_p_right_runs_the_step_and_wrong_gives_the_formula_then_the_arithmetic():
    app = BptuiApp(preset="mazur")
    async with app.run_test(size=(120, 40)) as pilot:
        await answer(pilot, "0.5")  # a of hidden layer 1, unit 1 is 0.5933
        assert app.main_screen.stepper.micro_index == 0 and app.main_screen.tally == (0, 1)
        assert "0.5933" not in app.main_screen.hint and "σ(0.3775)" not in app.main_screen.hint
        assert "a = σ(z) = 1/(1 + e^(−z))" in app.main_screen.hint
        assert "z = w1·x1 + w2·x2 + b1" in app.main_screen.hint
        assert "t: the arithmetic" in app.main_screen.hint
        explained = app.query_one("#explain").render_text()
        assert "z = w1·x1 + w2·x2 + b1" in explained and "0.5933" not in explained
        await answer(pilot, "0.6")  # second wrong answer: the numbers
        assert app.main_screen.tally == (0, 1)  # the tally counts first answers
        assert "not quite: you said 0.6, a = 0.5933" in app.main_screen.hint
        explained = app.query_one("#explain").render_text()
        assert "a = σ(z) = σ(0.3775) = 0.5933  (0.59326999)" in explained
        await answer(pilot, "0.5933")
        assert app.main_screen.stepper.micro_index == 1 and app.main_screen.tally == (0, 1)
        assert app.main_screen.hint.startswith("right: a = 0.5933")
        await answer(pilot, "0.7514")  # a of output layer, unit 1, right the first time
        assert app.main_screen.tally == (1, 2)
        assert "P 1/2" in str(app.query_one("#status", Static).render())
        await pilot.press("P")
        await pilot.pause()
        await pilot.press("escape")  # no answer: nothing counted, nothing run
        await pilot.pause()
        assert app.main_screen.tally == (1, 2) and app.main_screen.stepper.micro_index == 2


async def test_a_recognized_mistake_is_named_without_its_value_and_t_shows_the_arithmetic():
    app = BptuiApp(preset="mazur")
    async with app.run_test(size=(120, 40)) as pilot:
        await answer(pilot, "0.3775")  # z, not a
        assert "that is z, the weighted sum" in app.main_screen.hint
        assert "0.5933" not in app.main_screen.hint
        assert "0.5933" not in app.query_one("#explain").render_text()
        await pilot.press("t")  # outside lessons too: the arithmetic
        await pilot.pause()
        assert "a = 0.5933" in app.main_screen.hint
        assert "σ(0.3775) = 0.5933" in app.query_one("#explain").render_text()


async def test_outside_lessons_p_names_the_unit_as_the_diagram_heads_it():
    app = BptuiApp(preset="mazur")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("down")
        await pilot.press("P")
        await pilot.pause()
        prompt = app.screen.prompt
        assert prompt == "Forward layer 1/2 will compute a of hidden layer 1, unit 2."
        await pilot.press("escape")
        await pilot.pause()
        diagram = app.query_one("#diagram").build().plain
        assert "hidden layer 1" in diagram and "output" in diagram


async def test_a_lesson_step_asks_what_it_names_whatever_the_cursor():
    lesson = load_lesson("forward")
    app = BptuiApp(preset=lesson.preset, lesson=lesson)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("x", "n")
        await pilot.pause()
        assert app.main_screen.lesson.index == 1
        await pilot.press("down", "right")  # the cursor wanders off
        await pilot.press("P")
        await pilot.pause()
        assert app.screen.prompt.startswith(
            "Forward layer 1/2 will compute a of hidden layer 1, unit 1"
        )
        app.screen.query_one("#guess", Input).value = "0.5933"
        await pilot.press("enter")
        await pilot.pause()
        assert app.main_screen.hint.startswith("right")
        assert app.main_screen.lessons.context().predicted == 1


def post_burst(app, burst: str) -> None:
    """Keys as a terminal delivers a burst (or a paste): all queued at the app at once."""
    for char in burst:
        key = {"\r": "enter", ".": "full_stop", "\x1b": "escape", " ": "space"}.get(char, char)
        app.post_message(events.Key(key, None if char in "\r\x1b" else char))


@pytest.mark.parametrize("burst", ["P0.5933\r", "P.59\r"])
async def test_an_answer_typed_in_one_burst_with_p_is_graded(burst):
    """P, the value and enter typed at once (or pasted) reach the question, not the explorer's
    keys: they were queued at the explorer before the question's screen came (. would have
    moved the sample, the digits were lost, and enter graded an empty answer)."""
    app = BptuiApp(preset="mazur")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        post_burst(app, burst)
        screen = app.main_screen
        await settled(pilot, lambda: app.screen is screen and screen.tally[1] == 1)
        assert app.screen is screen and screen.sample == 0
        right = burst == "P0.5933\r"
        assert screen.hint.startswith("right: a = 0.5933" if right else "not quite (0.59)")
        assert screen.tally == (int(right), 1)


@pytest.mark.parametrize(
    "burst, tally",
    [
        ("P0.59\rP0.5933\r", (0, 1)),  # wrong, then right: the micro-step runs
        ("P0.5933\rP0.7514\r", (2, 2)),  # right, then the next unit's right too
        ("P\x1bP0.5933\r", (1, 1)),  # no answer, then the answer
        ("Pabc\r\x1b ", (0, 0)),  # refused, no answer, then space takes the micro-step
    ],
)
async def test_two_questions_in_one_burst_keep_their_own_keys(burst, tally):
    """Keys typed across two questions at once (or pasted) reach each in turn: the keys behind
    an answer's enter wait until the question has closed or refused it (they went straight
    to its field, ahead of the enter still on its way, and the question got "0.59P0.5933")."""
    app = BptuiApp(preset="mazur")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        post_burst(app, burst)
        screen = app.main_screen
        await settled(
            pilot,
            lambda: (
                app.screen is screen and screen.tally == tally and screen.stepper.micro_index >= 1
            ),
        )
        assert app.screen is screen
        assert screen.tally == tally
        assert screen.stepper.micro_index >= 1


async def test_keys_after_a_p_that_opens_no_question_go_on_at_once(monkeypatch):
    """P with nothing to ask (here: the engine has no question) says why and opens nothing:
    the keys typed behind it do not wait for a question that never comes."""
    from bptui.app import guards
    from bptui.engine import predict

    monkeypatch.setattr(guards, "HOLD_LIMIT", 600.0)  # only the release can let space through
    monkeypatch.setattr(predict, "ask", lambda *args, **kwargs: None)
    app = BptuiApp(preset="mazur")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        post_burst(app, "P ")
        screen = app.main_screen
        await settled(pilot, lambda: screen.stepper.micro_index >= 1)
        assert app.screen is screen and screen.stepper.micro_index == 1
        assert app.held_keys.keys is None


def plain(markdown: str) -> str:
    """Step text as read: no emphasis marks, subscript digits as digits, one line."""
    text = markdown.replace("*", "").replace("`", "")
    text = text.translate(str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789"))
    return re.sub(r"\s+", " ", text)


@pytest.mark.parametrize("name", bundled_lessons())
def test_every_step_that_says_predict_names_what_p_asks_as_its_text_does(name):
    lesson = load_lesson(name)
    for number, step in enumerate(lesson.steps, start=1):
        text = plain(step.text)
        asks = "predict" in text.lower() or bool(step.check and step.check.predicted)
        assert asks == (step.predict is not None), f"{name} step {number}"
        if step.predict is None:
            continue
        stepper = lesson.preset.stepper()
        what = step.predict.what(stepper.depth, lesson.preset.names)
        assert what in text.replace(" *a* ", " a "), f"{name} step {number}: says {text!r}"


async def test_the_tally_belongs_to_a_lesson():
    app = BptuiApp(preset="mazur")
    async with app.run_test(size=(120, 40)) as pilot:
        await answer(pilot, "0.5933")
        assert app.main_screen.tally == (1, 1)
        app.main_screen.lessons.start(load_lesson("error"))
        await pilot.pause()
        assert app.main_screen.tally == (0, 0)
        assert "P 1/1" not in str(app.query_one("#status", Static).render())


async def test_the_wrong_answer_offers_only_keys_the_step_allows():
    lesson = load_lesson("forward")
    app = BptuiApp(preset=lesson.preset, lesson=lesson)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("x", "n")
        await answer(pilot, "0.1")
        assert "P: again" in app.main_screen.hint and "space" not in app.main_screen.hint
        await answer(pilot, "0.2")
        assert "P: again" in app.main_screen.hint and "space" not in app.main_screen.hint


async def test_undo_says_the_step_as_the_status_line_counts_it():
    app = BptuiApp(preset="mazur")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f", "f", "z")
        await pilot.pause()
        status = str(app.query_one("#status", Static).render())
        assert "step 0" in status and "step 0, forward layer 1/2" in app.main_screen.hint


async def test_p_refuses_text_in_place():
    app = BptuiApp(preset="xor")
    async with app.run_test(size=(120, 40)) as pilot:
        await answer(pilot, "half")
        assert "is not a number" in str(app.screen.query_one("#predict-error", Static).render())
        assert app.main_screen.tally == (0, 0)
        assert "3 significant figures" in str(app.screen.query_one("#predict").render()) or any(
            "3 significant figures" in str(s.render()) for s in app.screen.query(Static)
        )


# ----- names as in the sources --------------------------------------------------------------


def test_mazur_names_its_weights_as_the_article_does():
    preset = load_preset("mazur")
    stepper = preset.stepper()
    stepper.finish_step()
    from bptui.engine.explain import explain

    text = "\n".join(line.text for line in explain(stepper, 1, 0, 0, preset.names))
    assert "∂C/∂w5 = δ·a_1" in text and "w5: 0.4 + (-0.04108) = 0.3589" in text
    text = "\n".join(line.text for line in explain(stepper, 0, 0, 0, preset.names))
    assert "z = w1·x1 + w2·x2 + b1" in text  # the inputs as the diagram and lessons write them


NAMES_ERRORS = [
    ('weights = [[["w1", "w2"]]]', "names.weights", "2 arrays"),
    (
        'weights = [[["w1"], ["w3"]], [["w5", "w6"], ["w7", "w8"]]]',
        "names.weights",
        "2 rows of 2 names",
    ),
    (
        'weights = [[["w1", "w 2"], ["w3", "w4"]], [["w5", "w6"], ["w7", "w8"]]]',
        "names.weights",
        "not a name",
    ),
    (
        'weights = [[["w1", "w2"], ["w3", "w4"]], [["w5", "w6"], ["w7", "w8"]]]\nbiases = [["b"]]',
        "names.biases",
        "2 arrays",
    ),
    ("weights = []\ncolour = 1", "names.colour", ""),
]


@pytest.mark.parametrize("names, key, says", NAMES_ERRORS)
def test_bad_names_are_one_error_naming_the_key(names, key, says):
    text = (load_preset("mazur").base / "mazur.toml").read_text(encoding="utf-8")
    text = text[: text.index("[names]")] + "[names]\n" + names + "\n"
    with pytest.raises(PresetError) as caught:
        preset_from_text(text, "m.toml", "m", load_preset("mazur").base)
    assert caught.value.key == key and says in caught.value.message


async def test_the_matrix_pane_shows_the_weights_names():
    app = BptuiApp(preset="mazur")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("right_square_bracket")
        await pilot.pause()
        text = app.query_one("#matrix").build().plain
        assert re.search(r"unit 1 +w5 +w6 +│ +b2", text), text


BAD_PREDICT = [
    ('predict = { layer = 3, unit = 1, quantity = "a" }', "step[1].predict.layer", "out of range"),
    ('predict = { layer = 1, unit = 1, quantity = "q" }', "step[1].predict.quantity", "q"),
    (
        'predict = { layer = 1, unit = 1, quantity = "a", weight = 1 }',
        "step[1].predict.weight",
        "goes with",
    ),
    (
        'predict = { layer = 1, unit = 1, quantity = "new_w", weight = 3 }',
        "step[1].predict.weight",
        "out of range",
    ),
    ('predict = { layer = 1, quantity = "a" }', "step[1].predict.unit", "missing"),
]


@pytest.mark.parametrize("line, key, says", BAD_PREDICT)
def test_a_bad_predict_key_is_one_error_naming_it(tmp_path, line, key, says):
    path = tmp_path / "l.toml"
    path.write_text(
        f'title = "T"\npreset = "mazur"\n[[step]]\ntext = "predict"\n{line}\n', encoding="utf-8"
    )
    with pytest.raises(PresetError) as caught:
        load_lesson(str(path))
    assert caught.value.key == key and says in caught.value.message
