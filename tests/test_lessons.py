"""Lessons: every bundled lesson is finished by a scripted learner through Pilot, lesson files
are validated like presets, and progress is kept per lesson."""

from __future__ import annotations

import os

import pytest
from textual.widgets import Button, Input, Select

import bptui.app
from bptui.app.main import BptuiApp
from bptui.commands.cli import main
from bptui.lesson import bundled_lessons, load_lesson
from bptui.lesson import progress as saved
from tests.test_bad_input import assert_one_error, run_main


@pytest.fixture(autouse=True)
def own_data_dir(tmp_path, monkeypatch):
    """Progress goes to a temporary data directory, never the user's."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))


async def predict_right(pilot) -> None:
    """P, then the engine's own value, as a learner who did the arithmetic would type it."""
    app = pilot.app
    await pilot.press("P")
    await pilot.pause()
    app.screen.query_one("#guess", Input).value = f"{app.screen.question.value:.6g}"
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
        app.main_screen.stepper.run(int(action.split()[1]) - app.main_screen.stepper.step)
        app.main_screen.timeline.record()
        app.main_screen.refresh_view()
    else:
        await pilot.press(action)
    await pilot.pause()


BOLD = __import__("re").compile(r"\*\*(.+?)\*\*")
ARROWS = {"←": "left", "→": "right", "↑": "up", "↓": "down"}


def asked_keys(text: str) -> list[str]:
    """The explorer's keys a step's text asks for in bold (**h**, **f f**, **<** **>**), as
    bptui.keys writes them. What is typed into the settings screen, from **o** up to its
    **enter** (**0.1**, **2**, **space** that opens a list), is not an explorer key."""
    from bptui.keys import BY_NAME

    out = []
    settings = False
    for bold in BOLD.findall(" ".join(text.split())):
        names = [ARROWS.get(name, name) for name in bold.split()]
        if names == ["enter"]:
            settings = False
        if settings or not all(name in BY_NAME for name in names):
            continue
        out += [
            key for key in dict.fromkeys(BY_NAME[name].name for name in names) if key not in out
        ]
        settings = names == ["o"]
    return out


@pytest.mark.parametrize("name", bundled_lessons())
def test_every_key_a_step_asks_for_is_allowed(name):
    """A key the text asks for in bold works in that step (the footer offers it too, unless it
    moves a cursor: tests/test_lesson_walk.py)."""
    from bptui.keys import BY_NAME, keys_allow

    for number, step in enumerate(load_lesson(name).steps, start=1):
        locked = [
            key
            for key in asked_keys(step.text)
            if not keys_allow(step.keys, BY_NAME[key].action.split("(")[0])
        ]
        assert not locked, f"{name} step {number}: the text asks for {locked}, the keys lock them"


# For each lesson, the actions of each step (the final `n` of every step is implied). The walk
# in tests/test_lesson_walk.py finishes every bundled lesson with them, at 80×24 and at 120×40.
SCRIPTS = {
    "forward": [["x"], ["predict"], ["predict"], []],
    "error": [
        ["f", "f", "x"],
        ["predict"],
        [],
        ["set loss cross_entropy", "f", "f", "predict"],
        [],
    ],
    "backward": [["e", "x"], ["predict"], ["right", "predict"], ["g"], ["right", "predict"]],
    "update": [
        ["train 10000"],
        ["set learning_rate 0.1", "R", "train 1000"],
        ["R", "+", "+", "+", "+", "+", "l", "train 1000"],
        ["R", "-", "-", "-", "train 1000"],
    ],
    "xor": [["d"], ["train 500"], ["set layers 2,2,1", "train 1500", "right"], ["left", "down"]],
    "vanishing": [
        ["e", "b", "b", "b", "b", "b"],
        ["train 2000"],
        ["set hidden_activation tanh", "train 3000"],
        ["R", "e", "b", "b", "b", "b", "b"],
    ],
    "overfitting": [
        ["d", "right", "right"],
        ["train 1000"],
        ["set l2 0.03", "R", "train 1000"],
        [],
    ],
    "initialization": [
        ["down", "predict"],
        ["s", "s", "s", "s", "s"],
        ["train 1000"],
        ["set init xavier", "train 500"],
        ["R"],
    ],
    "slope": [
        ["v", "escape"],
        ["G"],
        ["right", "k", "escape"],
        ["+", "+", "+", "+", "+", "+", "k", "escape"],
    ],
    "dead-units": [["j"], ["G"], ["set learning_rate 0.5", "R", "train 300"]],
    "learning-rate": [
        ["train 1000"],
        ["R", "+", "+", "+", "+", "train 1000"],
        ["R", "+", "train 300", "h", "h"],
        ["+", "train 1000"],
        ["R", "-", "train 8648"],
        ["R", "-", "train 828"],
    ],
    "batch": [
        ["e", "predict"],
        ["s", "s", "s", "s"],
        ["set batch_size 0", "R", "e", "."],
        ["predict"],
        ["y"],
        ["set batch_size 2", "train 200"],
    ],
}


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
        assert app.main_screen.stepper.micro_index == 0
        assert app.main_screen.hint.startswith("this step of the lesson does not use s (it uses: x")
        await pilot.press("n")  # the check (the explain pane) does not hold yet
        assert app.main_screen.lesson.index == 0 and "show the explain pane" in app.main_screen.hint
        await pilot.press("t")
        assert app.main_screen.hint.startswith("hint 1/1")


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
        assert app.main_screen.lesson.index == 1 and app.main_screen.tally == (1, 1)
    assert main(["learn", "forward", "--restart", "--list"]) == 0  # --list wins, forgets nothing
    assert saved.load(lesson.ident, len(lesson.steps)) is not None


def test_a_corrupt_progress_file_is_ignored(tmp_path):
    folder = saved.data_dir()
    folder.mkdir(parents=True)
    for junk in (
        "not json",
        "[1, 2]",
        '{"forward": {"step": -1, "right": 0, "asked": 0}}',
        '{"forward": {"step": 99, "right": 0, "asked": 0}}',
        '{"forward": {"step": 1, "right": 5, "asked": 2}}',
    ):
        (folder / saved.FILE).write_text(junk)
        assert saved.load("forward", 4) is None


def test_what_is_missing_names_the_key_to_press():
    from bptui.lesson.checks import Check, Context

    stepper = load_lesson("forward").preset.stepper()
    ctx = Context(stepper)
    assert Check(at=("forward", 1), predicted=1).missing(ctx) == [
        "press P and predict what forward layer 1 computes (a right answer runs it; now: ready)"
    ]
    assert Check(at=("forward", 2), predicted=1).missing(ctx)[0].startswith("get to forward")
    assert Check(showing="explain").missing(ctx) == ["show the explain pane (x)"]
    assert Check(steps_at_least=5).missing(ctx) == ["train to step 5 with r or N (run to) (now: 0)"]
    assert Check(setting="training.l2", at_least=0.02).missing(ctx) == [
        "set “L2 λ” to at least 0.02 in the settings (o) (now: 0.0)"
    ]
    assert Check(loss_below=0.1).missing(ctx) == [
        "train until the loss is below 0.1 with r or N (run to) (now: 0.2984)"
    ]
    stepper.micro_step()
    assert Check(at=("forward", 1), predicted=1).missing(Context(stepper, predicted=1)) == []
    stepper.run(4)
    assert Check(at=("error", None), steps_at_most=0).missing(Context(stepper)) == [
        "press R: back to the initial weights, step 0 (now: step 4)",  # R first: it moves to
        "get to error (now: update)",  # ready, so the step's micro-steps come after it
    ]
    assert Check(steps_at_most=3).missing(Context(stepper)) == [
        "press R: back to the initial weights; this step asks for at most 3 training "
        "steps from them (now: step 4)"
    ]
    assert Check(steps_at_most=4).missing(Context(stepper)) == []
    # at the last step allowed, a loss still to reach needs R first: training on would pass it
    # (learning-rate step 2 began at step 1,000 of a run at another η: learner walk 4)
    assert (
        Check(steps_at_most=4, loss_below=0.01)
        .missing(Context(stepper))[0]
        .startswith("press R: back to the initial weights; this step asks for at most 4")
    )
    # a setting comes before the training it is for (update step 2 said only "train until")
    assert [
        line.split(" ", 2)[:2]
        for line in Check(setting="training.l2", at_least=0.02, loss_below=0.01).missing(ctx)
    ] == [["set", "“L2"], ["train", "until"]]


@pytest.mark.parametrize(
    "name, number, micro, says",
    [
        ("learning-rate", 1, 0, "train to step 1000 with r or N (run to) (now: 0)"),
        ("slope", 4, 0, "set “learning rate η” to at least 32 (+ doubles, - halves) (now: 3.2)"),
        (
            "update",
            4,
            0,
            "set “learning rate η” to 0.4 (+ doubles, - halves, or o: the settings) (now: 3.2)",
        ),
        (
            "backward",
            2,
            3,
            "press P and predict δ of hidden layer 1, unit 1 (a right answer runs "
            "backward layer 2; now: error)",
        ),
        (
            "initialization",
            5,
            6,
            "press R (back to the initial weights) so the top line says ready (now: update)",
        ),
    ],
)
def test_what_is_missing_names_what_the_steps_text_names(name, number, micro, says):
    """The text says N (run to), + / -, R or what P asks: the line under it says so too, not
    only r, o, a micro-step or a phase name."""
    from bptui.lesson.run import LessonRun

    lesson = load_lesson(name)
    run = LessonRun(lesson)
    run.index = number - 1
    stepper = lesson.preset.stepper()
    stepper.learning_rate = 3.2  # update's step 4 comes after η was doubled to 3.2
    for _ in range(micro):
        stepper.micro_step()
    lines = run.missing(run.context(stepper, 0, frozenset()))
    assert any(line.startswith(says) for line in lines), lines


async def test_locked_keys_leave_tab_to_the_settings_screen():
    """A step's keys lock the explorer's keys only: Tab still moves between settings fields."""
    lesson = load_lesson("error")
    app = BptuiApp(preset=lesson.preset, lesson=lesson)
    async with app.run_test(size=(120, 40)) as pilot:
        app.main_screen.lesson.index = 3  # allows o, not the rest
        await pilot.press("o")
        await pilot.pause()
        assert app.screen.focused is app.screen.query_one("#loss", Select)  # the step's field
        await pilot.press("tab", "tab")
        assert app.screen.focused is app.screen.query_one("#seed", Input)


# --------------------------------------------------------------------------------------------
# Bad lesson files: one line naming the file and the key, exit 2, before any UI

STEP = '[[step]]\ntext = "Read this."\n'


def lesson_text(
    top: str = 'title = "T"\npreset = "mazur"', step: str = STEP, check: str | None = None
) -> str:
    """A lesson's TOML text: a valid one-step lesson on mazur unless a part is replaced."""
    parts = [top, step] + ([f"[step.check]\n{check}"] if check is not None else [])
    return "\n".join(parts) + "\n"


BAD_LESSONS = [
    # the top level
    pytest.param(
        lesson_text('titel = "T"\npreset = "mazur"'),
        "titel",
        "did you mean title",
        id="top-typo-titel",
    ),
    pytest.param(
        lesson_text(step='[[steps]]\ntext = "x"\n'),
        "steps",
        "did you mean step",
        id="top-typo-steps",
    ),
    pytest.param(
        lesson_text('title = 5\npreset = "mazur"'), "title", "expected a string", id="title-int"
    ),
    pytest.param(lesson_text('title = " "\npreset = "mazur"'), "title", "empty", id="title-blank"),
    pytest.param(lesson_text('preset = "mazur"'), "title", "missing", id="title-missing"),
    pytest.param(
        lesson_text('title = "T"\ndescription = 1\npreset = "mazur"'),
        "description",
        "expected a string",
        id="description-int",
    ),
    pytest.param(
        lesson_text('title = "T"\npreset = "mazur"\noutcome = ["x"]'),
        "outcome",
        "expected a string",
        id="outcome-array",
    ),
    pytest.param(lesson_text('title = "T"'), "preset", "missing", id="preset-missing"),
    pytest.param(
        lesson_text('title = "T"\npreset = 5'),
        "preset",
        "expected a bundled preset",
        id="preset-int",
    ),
    pytest.param(
        lesson_text('title = "T"\npreset = "xorr"'),
        "preset",
        "neither a bundled preset nor a file",
        id="preset-unknown-name",
    ),
    pytest.param(
        lesson_text('title = "T"\npreset = "../outside.toml"'),
        "preset",
        "outside the lesson's folder",
        id="preset-path-leads-outside",
    ),
    pytest.param(
        lesson_text('title = "T"\npreset = "/etc/hosts"'),
        "preset",
        "absolute path",
        id="preset-absolute-path",
    ),
    pytest.param(
        lesson_text(
            'title = "T"\n[preset]\ntitle = "P"\n[preset.network]\n'
            "layrs = [2, 1]\n[preset.data]\ninputs = [[0, 0]]\n"
            "targets = [[0]]"
        ),
        "preset.network.layrs",
        "did you mean layers",
        id="inline-preset-typo",
    ),
    pytest.param(
        lesson_text('title = "T"\n[preset]\ntitle = "P"\n[preset.network]\nlayers = [2, 1]'),
        "preset.data",
        "missing",
        id="inline-preset-without-data",
    ),
    pytest.param(
        lesson_text('title = "T"\npreset = "mazur"\nset = 5'),
        "set",
        "expected a table",
        id="set-int",
    ),
    pytest.param(
        lesson_text('title = "T"\npreset = "mazur"\n[set]\nnetwork.layrs = [2, 2]'),
        "set.network.layrs",
        "did you mean layers",
        id="set-typo",
    ),
    pytest.param(
        lesson_text('title = "T"\npreset = "mazur"\n[set]\ntraining.learning_rate = -1'),
        "set.training.learning_rate",
        "out of range",
        id="set-out-of-range",
    ),
    pytest.param(lesson_text(step=""), "step", "missing", id="step-missing"),
    pytest.param(lesson_text(step="step = 5"), "step", "[[step]] tables", id="step-int"),
    pytest.param(lesson_text(step="step = []"), "step", "[[step]] tables", id="step-empty"),
    pytest.param(lesson_text(step=STEP * 101), "step", "too many", id="step-too-many"),
    # a step
    pytest.param(
        lesson_text(step='[[step]]\nkeys = ["f"]'), "step[1].text", "missing", id="text-missing"
    ),
    pytest.param(
        lesson_text(step="[[step]]\ntext = 3"), "step[1].text", "expected a string", id="text-int"
    ),
    pytest.param(
        lesson_text(step='[[step]]\ntext = " "'), "step[1].text", "1..20000", id="text-blank"
    ),
    pytest.param(
        lesson_text(step=STEP + "hint = ['a']"),
        "step[1].hint",
        "did you mean hints",
        id="step-typo-hint",
    ),
    pytest.param(
        lesson_text(step=STEP + 'keys = "f"'),
        "step[1].keys",
        "array of key names",
        id="keys-string",
    ),
    pytest.param(
        lesson_text(step=STEP + 'keys = ["f", "jump"]'),
        "step[1].keys",
        "'jump' is not a key",
        id="keys-unknown-name",
    ),
    pytest.param(
        lesson_text(step=STEP + 'keys = ["Space"]'),
        "step[1].keys",
        "did you mean 'space'",
        id="keys-case",
    ),
    pytest.param(
        lesson_text(step=STEP + "hints = ['a', '']"),
        "step[1].hints",
        "non-empty strings",
        id="hints-empty-string",
    ),
    pytest.param(
        lesson_text(step=STEP + "hints = 'a'"),
        "step[1].hints",
        "non-empty strings",
        id="hints-string",
    ),
    pytest.param(
        lesson_text(step=STEP + 'check = "yes"'),
        "step[1].check",
        "expected a table",
        id="check-string",
    ),
    # a check
    pytest.param(lesson_text(check=""), "step[1].check", "an empty check", id="check-empty"),
    pytest.param(
        lesson_text(check="loss_bellow = 0.1"),
        "step[1].check.loss_bellow",
        "did you mean loss_below",
        id="check-typo",
    ),
    pytest.param(
        lesson_text(check='at = "forward 3"'),
        "step[1].check.at",
        "layer 1..2",
        id="at-impossible-layer",
    ),
    pytest.param(
        lesson_text(check='at = "backward 0"'), "step[1].check.at", "layer 1..2", id="at-layer-zero"
    ),
    pytest.param(
        lesson_text(check='at = "error 1"'),
        "step[1].check.at",
        "goes with forward or backward",
        id="at-layer-of-error",
    ),
    pytest.param(
        lesson_text(check='at = "sideways"'),
        "step[1].check.at",
        "not a micro-step",
        id="at-unknown-phase",
    ),
    pytest.param(lesson_text(check="at = 2"), "step[1].check.at", "expected a string", id="at-int"),
    pytest.param(
        lesson_text(check="steps_at_least = -1"),
        "step[1].check.steps_at_least",
        "out of range",
        id="steps-negative",
    ),
    pytest.param(
        lesson_text(check='steps_at_least = "10"'),
        "step[1].check.steps_at_least",
        "expected an integer",
        id="steps-string",
    ),
    pytest.param(
        lesson_text(check="steps_at_most = -1"),
        "step[1].check.steps_at_most",
        "out of range",
        id="steps-at-most-negative",
    ),
    pytest.param(
        lesson_text(check="steps_at_most = 1e400"),
        "step[1].check.steps_at_most",
        "expected an integer",
        id="steps-at-most-inf",
    ),
    pytest.param(
        lesson_text(check="steps_at_least = 10\nsteps_at_most = 5"),
        "step[1].check.steps_at_most",
        "cannot hold: below steps_at_least = 10",
        id="steps-at-most-below-at-least",
    ),
    pytest.param(
        lesson_text(check="predicted = 0"),
        "step[1].check.predicted",
        "out of range",
        id="predicted-zero",
    ),
    pytest.param(
        lesson_text(check="predicted = true"),
        "step[1].check.predicted",
        "expected an integer",
        id="predicted-bool",
    ),
    pytest.param(
        lesson_text(check="loss_below = 0"),
        "step[1].check.loss_below",
        "out of range",
        id="loss-below-zero",
    ),
    pytest.param(
        lesson_text(check="loss_above = -1"),
        "step[1].check.loss_above",
        "out of range",
        id="loss-above-negative",
    ),
    pytest.param(
        lesson_text(check='test_loss_above = "high"'),
        "step[1].check.test_loss_above",
        "expected a number",
        id="test-loss-string",
    ),
    pytest.param(
        lesson_text(check="test_loss_below = nan"),
        "step[1].check.test_loss_below",
        "not a finite number",
        id="test-loss-nan",
    ),
    pytest.param(
        lesson_text(check="accuracy_at_least = 1.5"),
        "step[1].check.accuracy_at_least",
        "out of range",
        id="accuracy-above-one",
    ),
    pytest.param(
        lesson_text(check='diverged = "yes"'),
        "step[1].check.diverged",
        "true or false",
        id="diverged-string",
    ),
    pytest.param(
        lesson_text(check='showing = "chart"'),
        "step[1].check.showing",
        "not supported",
        id="showing-unknown-pane",
    ),
    pytest.param(
        lesson_text(check='setting = "training.lr"'),
        "step[1].check.setting",
        "did you mean 'training.l2'",
        id="setting-unknown",
    ),
    pytest.param(
        lesson_text(check="setting = 3"),
        "step[1].check.setting",
        "expected a string",
        id="setting-int",
    ),
    pytest.param(
        lesson_text(check="equals = 3"),
        "step[1].check.equals",
        "goes with setting",
        id="equals-without-setting",
    ),
    pytest.param(
        lesson_text(check="at_most = 3"),
        "step[1].check.at_most",
        "goes with setting",
        id="at-most-without-setting",
    ),
    pytest.param(
        lesson_text(check='setting = "training.l2"\nequals = true'),
        "step[1].check.equals",
        "expected a number",
        id="equals-bool",
    ),
    pytest.param(
        lesson_text(check='setting = "training.l2"\nequals = [1]'),
        "step[1].check.equals",
        "expected a number",
        id="equals-array",
    ),
    pytest.param(
        lesson_text(check='setting = "training.l2"\nat_least = "big"'),
        "step[1].check.at_least",
        "expected a number",
        id="at-least-string",
    ),
    # the file
    pytest.param("title = \n", None, "not valid TOML", id="not-toml"),
    pytest.param(b"\xff\xfe\x00\x01", None, "not UTF-8", id="not-utf8"),
]


def no_ui(*args, **kwargs):
    pytest.fail("the UI was opened for a bad lesson")


@pytest.mark.parametrize("text, key, says", BAD_LESSONS)
def test_bad_lesson_file_is_one_line_before_any_ui(tmp_path, capsys, monkeypatch, text, key, says):
    monkeypatch.setattr(bptui.app, "run_app", no_ui)
    (tmp_path / "outside.toml").write_text(
        'title = "Out"\n[network]\nlayers = [2, 1]\n[data]\ninputs = [[0, 0]]\ntargets = [[0]]\n'
    )
    folder = tmp_path / "lessons"
    folder.mkdir()
    path = folder / "bad.toml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    rc = run_main(["learn", str(path)])
    captured = capsys.readouterr()
    assert_one_error(rc, captured.out, captured.err, file=str(path), key=key, says=says)


@pytest.mark.parametrize(
    "argv, says",
    [
        pytest.param(["learn", "nosuch"], "unknown lesson", id="unknown-bundled-name"),
        pytest.param(["learn", "nosuch.toml"], "no such file", id="missing-file"),
        pytest.param(["learn", "folder.toml"], "not a regular file", id="a-folder"),
        pytest.param(["learn", "forward", "--port", "80"], "go with --web", id="port-without-web"),
        pytest.param(["learn", "forward", "extra"], "", id="extra-argument"),
    ],
)
def test_bad_learn_arguments_are_one_line(tmp_path, capsys, monkeypatch, argv, says):
    monkeypatch.setattr(bptui.app, "run_app", no_ui)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "folder.toml").mkdir()
    rc = run_main(argv)
    captured = capsys.readouterr()
    assert says in assert_one_error(rc, captured.out, captured.err)


@pytest.mark.skipif(os.name != "posix", reason="symbolic links")
def test_a_preset_link_leading_outside_the_lessons_folder_is_refused(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(bptui.app, "run_app", no_ui)
    folder = tmp_path / "lessons"
    folder.mkdir()
    (tmp_path / "secret.toml").write_text("anything")
    (folder / "mine.toml").symlink_to(tmp_path / "secret.toml")
    path = folder / "bad.toml"
    path.write_text(lesson_text('title = "T"\npreset = "mine.toml"'), encoding="utf-8")
    rc = run_main(["learn", str(path)])
    captured = capsys.readouterr()
    assert_one_error(
        rc,
        captured.out,
        captured.err,
        file=str(path),
        key="preset",
        says="outside the lesson's folder",
    )


def test_a_teachers_lesson_with_its_preset_beside_it_opens(tmp_path, monkeypatch):
    """The good case the bad ones are measured against: a file preset, `set`, every check key."""
    opened = {}

    def run_app(preset, lesson=None, progress=None, **options):
        opened["lesson"] = lesson
        return 0

    monkeypatch.setattr(bptui.app, "run_app", run_app)
    (tmp_path / "mine.toml").write_text(
        'title = "Mine"\n[network]\nlayers = [2, 2, 1]\n'
        '[data]\ngenerator = "xor"\nsamples = 20\n'
        "test_fraction = 0.5\n"
    )
    path = tmp_path / "lesson.toml"
    path.write_text(
        lesson_text(
            'title = "T"\npreset = "mine.toml"\n[set]\ntraining.learning_rate = 2.0',
            step=STEP + 'keys = ["f", "space", "[", "P", "x", "o"]\nhints = ["h"]',
            check='at = "forward 2"\nsteps_at_least = 0\nloss_below = 1\n'
            "loss_above = 0\ntest_loss_below = 1\n"
            "test_loss_above = 0\naccuracy_at_least = 0\n"
            'diverged = false\nsetting = "training.learning_rate"\n'
            "at_least = 1\nat_most = 3\npredicted = 1\n"
            'showing = "explain"',
        ),
        encoding="utf-8",
    )
    assert main(["learn", str(path)]) == 0
    lesson = opened["lesson"]
    assert lesson.preset.stepper().learning_rate == 2.0
    assert lesson.steps[0].keys == ("f", "space", "left_square_bracket", "P", "x", "o")


@pytest.mark.parametrize(
    "preset, check, goal_loss, stop",
    [
        ("xor", "steps_at_least = 300", None, 300),
        ("mazur", "loss_below = 0.1", 0.1, 13),  # 13: the first step below 0.1
    ],
    ids=["step", "loss"],
)
async def test_live_training_stops_where_a_lesson_step_asks(
    tmp_path, preset, check, goal_loss, stop
):
    """A step that asks for a step count, or for "the loss below 0.1", stops r there by itself
    (learner walk 2, #22 #47 #54 #60: r ran on past the loss for tens of thousands of steps,
    to be paused by hand)."""
    path = tmp_path / "stop.toml"
    path.write_text(
        f'title = "Stop"\ndescription = "d"\npreset = "{preset}"\noutcome = "o"\n'
        '[[step]]\ntext = "Train with r: it stops by itself."\n'
        f"[step.check]\n{check}\n"
        '[[step]]\ntext = "Done."\n',
        encoding="utf-8",
    )
    lesson = load_lesson(str(path))
    app = BptuiApp(preset=lesson.preset, lesson=lesson)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        explorer = app.main_screen
        assert explorer.lessons.goal().loss == goal_loss
        await pilot.press("r")
        for _ in range(250):
            await pilot.pause(0.02)
            if not explorer.running:
                break
        assert not explorer.running and explorer.stepper.step == stop
        assert f"stopped at step {stop}" in explorer.hint
        await pilot.press("n")
        assert explorer.lesson.index == 1
        assert explorer.lessons.goal().loss is None  # no check: r runs until paused


async def test_a_finished_lesson_offers_the_next_one():
    lesson = load_lesson("forward")
    app = BptuiApp(preset=lesson.preset, lesson=lesson)
    async with app.run_test(size=(120, 40)) as pilot:
        app.main_screen.lesson.index = len(lesson.steps) - 1
        await pilot.press("n")
        assert app.main_screen.lesson.finished
        assert "n: the next lesson (error)" in app.main_screen.hint
        await pilot.press("n")
        await pilot.pause()
        assert app.main_screen.lesson.lesson.name == "error" and app.main_screen.lesson.index == 0


def test_web_mode_serves_lessons_after_loading_them_first(tmp_path):
    """`bptui learn NAME --web` checks the lesson like the app would before any server starts,
    and the browser's app runs `bptui learn NAME` (without --web)."""
    from bptui.commands.web import app_argv, check_loadable
    from bptui.preset import PresetError

    argv = ["learn", "forward", "--web", "--port", "8123"]
    assert app_argv(argv) == ["learn", "forward"]
    check_loadable(app_argv(argv))
    bad = tmp_path / "bad.toml"
    bad.write_text('title = "x"\npreset = "nosuch"\n[[step]]\ntext = "t"\n')
    with pytest.raises(PresetError):
        check_loadable(["learn", str(bad)])


def test_lesson_text_never_reaches_the_terminal_with_control_characters(tmp_path):
    path = tmp_path / "evil.toml"
    path.write_text(
        'title = "T\\u001b]0;PWNED\\u0007"\ndescription = "d\\u001b[2J"\n'
        'preset = "xor"\noutcome = "o\\u001b[2J"\n'
        '[[step]]\ntext = "x\\u001b[2J"\nhints = ["h\\u0007"]\n',
        encoding="utf-8",
    )
    lesson = load_lesson(str(path))
    texts = [
        lesson.title,
        lesson.description,
        lesson.outcome,
        lesson.steps[0].text,
        *lesson.steps[0].hints,
    ]
    assert not any(ch in text for text in texts for ch in "\x1b\x07")


@pytest.mark.parametrize("name", bundled_lessons())
def test_a_step_whose_run_stops_by_itself_says_so(name):
    """Where a step asks for a step count, r stops there by itself (`stop_at`): a text that
    told the learner to pause with r had them press r again and start a second run."""
    for number, step in enumerate(load_lesson(name).steps, start=1):
        check = step.check
        if check is None or check.steps_at_least is None or "**r**" not in step.text:
            continue
        text = " ".join(step.text.split())
        assert "stops" in text, f"{name} step {number}: say that r stops by itself"
        assert "**r** pauses" not in text and "again pauses" not in text, f"{name} {number}"


@pytest.mark.parametrize("name", bundled_lessons())
def test_a_step_that_asks_for_a_loss_stops_there_and_allows_run_to(name):
    """Where a step asks for the loss below a value (and no step count), r stops there by itself
    (`LessonController.goal`): its text says so, never "until the loss is below" alone (which
    had learners pause r by hand, tens of thousands of steps on), and N (run to, `loss X`)
    works there too (learner walk 2, #22 #42 #47 #54 #60)."""
    from bptui.lesson.run import keys_allow

    for number, step in enumerate(load_lesson(name).steps, start=1):
        check = step.check
        if check is None or check.loss_below is None or check.steps_at_least is not None:
            continue
        text = " ".join(step.text.split())
        where = f"{name} step {number}"
        assert "stops by itself once the loss is below" in text or "**N**" in text, where
        assert keys_allow(step.keys, "run_to"), f"{where}: N (run to) is locked"


@pytest.mark.parametrize("name", bundled_lessons())
def test_no_step_shows_the_answer_p_asks_for_before_it_is_given(name):
    """The pull view (y) prints a weight's ∂C/∂w, the batch mean: a step that asks P for a
    ∂C/∂w locks y, and a later step shows it (learner walk 2, #35: batch step 4 asked for y
    and the mean together, and y printed the answer first)."""
    from bptui.lesson.run import keys_allow

    for number, step in enumerate(load_lesson(name).steps, start=1):
        if step.predict is not None and step.predict.quantity == "∂C/∂w":
            assert not keys_allow(step.keys, "pull"), f"{name} step {number} allows y"


@pytest.mark.parametrize("name", bundled_lessons())
def test_an_arrow_key_to_press_is_said_as_an_instruction(name):
    """ "**→** selects output 1: the cursor is on w₅" reads as a fact about the screen, and the
    learner did not press → (learner walk 2, #30): a step says "press **→** to select"."""
    import re

    for number, step in enumerate(load_lesson(name).steps, start=1):
        text = " ".join(step.text.split())
        said = re.findall(r"\*\*[←→↑↓]\*\* selects", text)
        assert not said, f"{name} step {number}: {said} (say: press **→** to select …)"


@pytest.mark.parametrize(
    "view, words",
    [
        ("event", "jump to an event (j)"),
        ("pull", "show each sample's pull (y)"),
        ("slice2", "show the loss over two weights (K)"),
        ("explain", "show the explain pane (x)"),
    ],
)
def test_a_missing_view_is_asked_for_in_the_words_of_its_pane_or_key(view, words):
    """'show the event view (j)' named a view no pane is called (learner walk 3)."""
    from bptui.lesson.checks import Check, Context
    from bptui.preset import load_preset

    stepper = load_preset("xor").stepper()
    assert words in Check(showing=view).missing(Context(stepper))
