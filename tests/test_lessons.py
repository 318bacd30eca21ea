"""Lessons: every bundled lesson is finished by a scripted learner through Pilot, lesson files
are validated like presets, and progress is kept per lesson."""

from __future__ import annotations

import pytest
from textual.widgets import Button, Input, Select

from bptui.app.main import BptuiApp
from bptui.cli import main
from bptui.engine.predict import ask
from bptui.lesson import bundled_lessons, load_lesson
from bptui.lesson import progress as saved


@pytest.fixture(autouse=True)
def own_data_dir(tmp_path, monkeypatch):
    """Progress goes to a temporary data directory, never the user's."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))


async def predict_right(pilot) -> None:
    """P, then the engine's own value, as a learner who did the arithmetic would type it."""
    app = pilot.app
    column, unit = app.query_one("#diagram").cursor
    value = ask(app.stepper, column - 1, unit, app.sample or 0).value
    await pilot.press("P")
    await pilot.pause()
    app.screen.query_one("#guess", Input).value = f"{value:.6g}"
    await pilot.press("enter")
    await pilot.pause()


async def change_setting(pilot, field: str, value: str) -> None:
    """o, a new value in one field of the settings screen (a list or a text field), Apply."""
    await pilot.press("o")
    await pilot.pause()
    screen = pilot.app.screen
    screen.query_one(f"#{field}", Input | Select).value = value
    await pilot.pause()
    screen.query_one("#apply", Button).press()
    await pilot.pause()


async def act(pilot, action: str) -> None:
    """One scripted action: a key, 'predict', 'train N' (train until step N, as r would) or
    'set FIELD VALUE' (a field of the settings screen o, then Apply)."""
    if action == "predict":
        await predict_right(pilot)
    elif action.startswith("set "):
        _, field, value = action.split()
        await change_setting(pilot, field, value)
    elif action.startswith("train "):
        app = pilot.app
        app.stepper.run(int(action.split()[1]) - app.stepper.step)
        app.timeline.record()
        app.redraw()
    else:
        await pilot.press(action)
    await pilot.pause()


# For each lesson, the actions of each step (the final `n` of every step is implied).
SCRIPTS = {
    "forward": [["x"], ["predict"], ["predict"], []],
    "error": [["f", "f", "x"], ["predict"], [],
              ["set loss cross_entropy", "f", "f", "predict"], []],
    "backward": [["e", "x"], ["predict"], ["right", "predict"], ["g"], ["right", "predict"]],
    "update": [["train 10000"], ["set learning_rate 0.1", "R", "train 1000"],
               ["R", "+", "+", "+", "+", "+", "l", "train 1000"], ["R", "-", "-", "-", "-", "-", "train 1000"]],
    "xor": [["d"], ["train 500"], ["set layers 2,2,1", "train 1500", "right"], ["left", "down"]],
    "vanishing": [["e", "b", "b", "b", "b", "b"], ["train 2000"],
                  ["set hidden_activation tanh", "train 3000"],
                  ["R", "e", "b", "b", "b", "b", "b"]],
    "overfitting": [["d", "right", "right"], ["train 1000"], ["set l2 0.03", "R", "train 1000"], []],
    "initialization": [["down", "predict"], ["s", "s", "s", "s", "s"], ["train 1000"],
                       ["set init xavier", "train 500"], ["R"]],
}


@pytest.mark.parametrize("name", bundled_lessons())
async def test_every_bundled_lesson_can_be_finished(name):
    assert name in SCRIPTS, f"lesson {name} has no scripted solution in tests/test_lessons.py"
    lesson = load_lesson(name)
    script = SCRIPTS[name]
    assert len(script) == len(lesson.steps)
    app = BptuiApp(preset=lesson.preset, lesson=lesson)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        for number, actions in enumerate(script, start=1):
            assert app.lesson.index == number - 1
            await pilot.pause()
            room = app.query_one("#lesson-scroll").size.height
            assert app.query_one("#lesson-text").outer_size.height <= room, \
                f"step {number} of {name}: the text does not fit the lesson pane at 120x40 " \
                "with a line to spare (shorten it: a learner would have to scroll, and the " \
                "arrow keys would scroll the text instead of moving the unit cursor)"
            for action in actions:
                await act(pilot, action)
            await pilot.press("n")
            await pilot.pause()
            assert app.lesson.index == number or app.lesson.finished, \
                f"step {number} of {name}: {app.hint}"
        assert app.lesson.finished and lesson.outcome in app.hint


def test_bundled_lessons_say_what_the_learner_now_knows():
    names = bundled_lessons()
    assert names[:1] == ["forward"]
    for name in names:
        lesson = load_lesson(name)
        assert lesson.outcome and lesson.description and len(lesson.steps) >= 3


async def test_a_step_locks_the_keys_it_does_not_allow():
    lesson = load_lesson("forward")
    app = BptuiApp(preset=lesson.preset, lesson=lesson)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f", "space", "s")  # step 1 allows x and the arrows only
        assert app.stepper.micro_index == 0
        await pilot.press("n")  # the check (the explain pane) does not hold yet
        assert app.lesson.index == 0 and "show the explain pane" in app.hint
        await pilot.press("t")
        assert app.hint.startswith("hint 1/1")


async def test_progress_is_kept_and_offered(tmp_path):
    lesson = load_lesson("forward")
    app = BptuiApp(preset=lesson.preset, lesson=lesson)
    async with app.run_test(size=(120, 40)) as pilot:
        await act(pilot, "x")
        await pilot.press("n")
        await act(pilot, "predict")
    progress = saved.load(lesson.ident, len(lesson.steps))
    assert (progress.step, progress.right, progress.asked) == (1, 1, 1)
    app = BptuiApp(preset=lesson.preset, lesson=lesson, progress=progress)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("enter")  # resume
        await pilot.pause()
        assert app.lesson.index == 1 and app.tally == [1, 1]
    assert main(["learn", "forward", "--restart", "--list"]) == 0  # --list wins, forgets nothing
    assert saved.load(lesson.ident, len(lesson.steps)) is not None


def test_a_corrupt_progress_file_is_ignored(tmp_path):
    folder = saved.data_dir()
    folder.mkdir(parents=True)
    for junk in ("not json", "[1, 2]", '{"forward": {"step": -1, "right": 0, "asked": 0}}',
                 '{"forward": {"step": 99, "right": 0, "asked": 0}}',
                 '{"forward": {"step": 1, "right": 5, "asked": 2}}'):
        (folder / saved.FILE).write_text(junk)
        assert saved.load("forward", 4) is None
