"""Lesson files and lesson progress as untrusted input: a progress file that cannot be read is
set aside (never replaced), lesson and preset files have size caps, and checks that no learner
could pass are refused when the lesson is loaded."""

from __future__ import annotations

import json
import tracemalloc

import pytest

from bptui.lesson import progress as saved
from tests.test_bad_input import assert_one_error, preset, run_main, train_bad
from tests.test_lessons import lesson_text


def no_ui(*args, **kwargs):
    pytest.fail("the UI was opened for a bad lesson")


@pytest.fixture(autouse=True)
def own_data_dir(tmp_path, monkeypatch):
    """Progress goes to a temporary data directory, never the user's."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    saved.take_notices()


# --------------------------------------------------------------------------------------------
# The progress file


def progress_file(text: str | bytes):
    folder = saved.data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / saved.FILE
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "text, why",
    [
        pytest.param("[" * 200_000 + "]" * 200_000, "nested too deeply", id="deeply-nested"),
        pytest.param('{"forward": ', "not JSON", id="truncated"),
        pytest.param("[1, 2]", "not a JSON object", id="an-array"),
        pytest.param(b"\xff\xfe{}", "not UTF-8", id="not-utf8"),
        pytest.param('{"x": "' + "a" * saved.MAX_BYTES + '"}', "larger than", id="too-large"),
    ],
)
def test_an_unreadable_progress_file_is_set_aside_not_replaced(text, why):
    path = progress_file(text)
    before = path.read_bytes()
    assert saved.load("forward", 4) is None  # no RecursionError, no other error
    kept = path.with_name("lessons.json.bad")
    assert kept.read_bytes() == before and not path.exists()
    [notice] = saved.take_notices()
    assert why in notice and "lessons.json.bad" in notice
    saved.save("forward", saved.Progress(2, 1, 1))  # a new file; the old one is still kept
    assert json.loads(path.read_text()) == {"forward": {"step": 2, "right": 1, "asked": 1}}
    assert kept.read_bytes() == before


def test_an_older_set_aside_file_is_never_overwritten():
    path = progress_file("not json 1")
    (path.parent / "lessons.json.bad").write_text("older")
    (path.parent / "lessons.json.bad.1").write_text("older still")
    saved.save("forward", saved.Progress(1, 0, 0))
    assert (path.parent / "lessons.json.bad").read_text() == "older"
    assert (path.parent / "lessons.json.bad.1").read_text() == "older still"
    assert (path.parent / "lessons.json.bad.2").read_text() == "not json 1"
    assert saved.load("forward", 4) == saved.Progress(1, 0, 0)


def test_other_lessons_progress_survives_a_bad_entry():
    path = progress_file(
        json.dumps({"forward": {"step": 1, "right": 0, "asked": 0}, "error": "junk"})
    )
    saved.save("error", saved.Progress(2, 0, 0))
    assert json.loads(path.read_text())["forward"] == {"step": 1, "right": 0, "asked": 0}
    assert not path.with_name("lessons.json.bad").exists()


def test_a_progress_file_that_cannot_be_set_aside_is_not_written_over(monkeypatch):
    path = progress_file("[" * 200_000)
    monkeypatch.setattr(saved, "set_aside", lambda path: None)
    saved.save("forward", saved.Progress(1, 0, 0))
    assert path.read_text() == "[" * 200_000
    assert "not saved" in saved.take_notices()[0]


async def test_the_explorer_says_the_progress_file_was_set_aside():
    from bptui.app.main import BptuiApp
    from bptui.lesson import load_lesson

    progress_file("[" * 200_000 + "]" * 200_000)
    lesson = load_lesson("forward")
    progress = saved.load(lesson.ident, len(lesson.steps))
    app = BptuiApp(preset=lesson.preset, lesson=lesson, progress=progress)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app.main_screen.lesson is not None and app.main_screen.lesson.index == 0
        assert any("lessons.json.bad" in n.message for n in app._notifications)


# --------------------------------------------------------------------------------------------
# Size caps


def huge_sparse_file(path, size: int = 400 * 2**20):
    """A file of `size` bytes that takes no disk space: only its start is TOML."""
    with open(path, "wb") as file:
        file.write(b'title = "T"\n# ')
        file.truncate(size)
    return path


@pytest.mark.parametrize("command", [["train", "{}", "--steps", "1"], ["learn", "{}"]])
def test_a_huge_preset_or_lesson_file_is_refused_unread(tmp_path, capsys, monkeypatch, command):
    import bptui.app
    from bptui.preset.loader import MAX_FILE_BYTES

    monkeypatch.setattr(bptui.app, "run_app", no_ui)
    path = huge_sparse_file(tmp_path / "huge.toml")
    tracemalloc.start()
    rc = run_main([part.replace("{}", str(path)) for part in command])
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    captured = capsys.readouterr()
    assert_one_error(rc, captured.out, captured.err, file=str(path), says="larger than 4 MB")
    assert peak < 3 * MAX_FILE_BYTES  # read at most the cap and a byte, never the 400 MB


def test_a_file_at_the_size_cap_is_still_read(tmp_path, capsys):
    from bptui.preset.loader import MAX_FILE_BYTES

    text = preset() + "# "
    path = tmp_path / "big.toml"
    path.write_text(text + "x" * (MAX_FILE_BYTES - len(text) - 1) + "\n")
    assert path.stat().st_size == MAX_FILE_BYTES
    assert run_main(["train", str(path), "--steps", "1"]) == 0


def test_too_many_goal_fixes_are_one_line(tmp_path, capsys):
    from bptui.preset.goal import MAX_FIXES

    fixes = ", ".join(["{ training.l2 = 0.1 }"] * (MAX_FIXES + 1))
    path, rc, out, err = train_bad(
        tmp_path, capsys, preset(tail=f"[goal]\nsteps = 5\nloss_above = 0.1\nfix = [{fixes}]")
    )
    assert_one_error(
        rc, out, err, file=path, key="goal.fix", says=f"{MAX_FIXES + 1} fixes is too many"
    )


# --------------------------------------------------------------------------------------------
# Lesson files: checks that could never hold, texts the pane cannot draw quickly


def table_text(columns: int, rows: int = 1) -> str:
    """A Markdown table of `columns` one-letter columns."""
    row = "|" + "|".join("a" * columns) + "|\n"
    return row + "|" + "|".join("-" * columns) + "|\n" + row * rows


def step_with(
    text: str = "Read this.", keys: str | None = None, check: str | None = None, extra: str = ""
) -> str:
    """A [[step]] with a text, maybe keys, maybe a check."""
    parts = ["[[step]]", f"text = {json.dumps(text)}"] + ([f"keys = {keys}"] if keys else [])
    parts += [extra] if extra else []
    parts += ["[step.check]", check] if check is not None else []
    return "\n".join(parts)


def on(preset_name: str, top: str = "") -> str:
    return f'title = "T"\npreset = "{preset_name}"\n{top}'


IMPOSSIBLE = [
    # checks the preset can never satisfy
    pytest.param(
        lesson_text(check="test_loss_below = 0.1"),
        "step[1].check.test_loss_below",
        "no held-out set",
        id="test-loss-without-held-out-set",
    ),
    pytest.param(
        lesson_text(check="test_loss_above = 0.1"),
        "step[1].check.test_loss_above",
        "no held-out set",
        id="test-loss-above-without-held-out-set",
    ),
    pytest.param(
        lesson_text(on("sine"), check="accuracy_at_least = 0.9"),
        "step[1].check.accuracy_at_least",
        "regression",
        id="accuracy-on-regression",
    ),
    pytest.param(
        lesson_text(check='setting = "training.optimizer"\nat_least = 1'),
        "step[1].check.at_least",
        "training.optimizer is not a number",
        id="at-least-on-a-name-setting",
    ),
    pytest.param(
        lesson_text(check='setting = "network.layers"\nat_most = 3'),
        "step[1].check.at_most",
        "not a number",
        id="at-most-on-layers",
    ),
    pytest.param(
        lesson_text(check='setting = "training.l2"\nat_least = 0.2\nat_most = 0.1'),
        "step[1].check.at_most",
        "below at_least",
        id="at-most-below-at-least",
    ),
    pytest.param(
        lesson_text(check='setting = "training.l2"'),
        "step[1].check.setting",
        "goes with equals",
        id="setting-alone",
    ),
    pytest.param(
        lesson_text(check='setting = "network.layers"\nequals = "2,3,2"'),
        "step[1].check.equals",
        "write equals = [2, 3, 2], not '2,3,2'",
        id="layers-as-text",
    ),
    pytest.param(
        lesson_text(check='setting = "network.layers"\nequals = "wide"'),
        "step[1].check.equals",
        "write equals = [2, 8, 2]",
        id="layers-as-a-word",
    ),
    pytest.param(
        lesson_text(check='setting = "network.layers"\nequals = [3, 3, 2]'),
        "step[1].check.equals",
        "the data fix 2 inputs and 2 outputs",
        id="layers-that-do-not-fit-the-data",
    ),
    pytest.param(
        lesson_text(check='setting = "network.layers"\nequals = [2, 0, 2]'),
        "step[1].check.equals",
        "array of 2..12 unit counts",
        id="layers-with-zero",
    ),
    pytest.param(
        lesson_text(check='setting = "training.optimizer"\nequals = "adamm"'),
        "step[1].check.equals",
        "did you mean 'adam'",
        id="optimizer-typo",
    ),
    pytest.param(
        lesson_text(check='setting = "training.optimizer"\nequals = 1'),
        "step[1].check.equals",
        "expected a string",
        id="optimizer-number",
    ),
    pytest.param(
        lesson_text(check='setting = "training.shuffle"\nequals = 1'),
        "step[1].check.equals",
        "true or false",
        id="shuffle-number",
    ),
    pytest.param(
        lesson_text(check='setting = "training.shuffle"\nequals = true'),
        "step[1].check.setting",
        "no key changes training.shuffle",
        id="shuffle-no-key-changes",
    ),
    # checks that need a key the step does not allow
    pytest.param(
        lesson_text(step=step_with(keys='["x"]', check="predicted = 1")),
        "step[1].check.predicted",
        'needs "P"',
        id="predicted-without-P",
    ),
    pytest.param(
        lesson_text(step=step_with(keys='["x"]', check='showing = "boundary"')),
        "step[1].check.showing",
        'needs "d"',
        id="boundary-without-d",
    ),
    pytest.param(
        lesson_text(step=step_with(keys='["d"]', check='showing = "explain"')),
        "step[1].check.showing",
        'needs "x"',
        id="explain-without-x",
    ),
    pytest.param(
        lesson_text(step=step_with(keys='["x"]', check="loss_below = 0.1")),
        "step[1].check.loss_below",
        'needs "r" or "s" or "u" or "space"',
        id="loss-without-training-keys",
    ),
    pytest.param(
        lesson_text(step=step_with(keys='["x"]', check="accuracy_at_least = 0.5"), top=on("xor")),
        "step[1].check.accuracy_at_least",
        'needs "r"',
        id="accuracy-without-training-keys",
    ),
    pytest.param(
        lesson_text(step=step_with(keys='["x"]', check="steps_at_least = 5")),
        "step[1].check.steps_at_least",
        "needs",
        id="steps-without-training-keys",
    ),
    pytest.param(
        lesson_text(step=step_with(keys='["e"]', check="steps_at_most = 0")),
        "step[1].check.steps_at_most",
        'needs "R"',
        id="initial-weights-without-reset",
    ),
    pytest.param(
        lesson_text(step=step_with(keys='["d"]', check="diverged = true")),
        "step[1].check.diverged",
        "needs",
        id="diverge-without-training-keys",
    ),
    pytest.param(
        lesson_text(step=step_with(keys='["x"]', check='setting = "training.l2"\nat_least = 0.1')),
        "step[1].check.setting",
        'needs "o"',
        id="setting-without-o",
    ),
    pytest.param(
        lesson_text(step=step_with(keys='["x"]', check='at = "forward 1"')),
        "step[1].check.at",
        '"f"',
        id="at-without-a-stepping-key",
    ),
    # a step's training speed
    pytest.param(
        lesson_text(step=step_with(extra="speed = 50")),
        "step[1].speed",
        "50 is not a training speed (did you mean 100?",
        id="step-speed-between-paces",
    ),
    pytest.param(
        lesson_text(step=step_with(extra='speed = "slow"')),
        "step[1].speed",
        "'slow' is not a training speed",
        id="step-speed-word",
    ),
    # texts
    pytest.param(
        lesson_text(step=step_with(table_text(3000))),
        "step[1].text",
        "a table of 3,000 columns is too wide",
        id="table-3000-columns",
    ),
    pytest.param(
        lesson_text(step=step_with(table_text(4, rows=100))),
        "step[1].text",
        "blocks",
        id="table-100-rows",
    ),
    pytest.param(
        lesson_text(step=step_with("- a\n" * 100)), "step[1].text", "blocks", id="list-of-100"
    ),
    pytest.param(
        lesson_text(step=step_with("a\n" * 500)),
        "step[1].text",
        "501 lines of Markdown is too many",
        id="500-lines",
    ),
    pytest.param(
        lesson_text(step=step_with("x" * 20_001)),
        "step[1].text",
        "20,001 characters of Markdown is too long",
        id="text-too-long",
    ),
    pytest.param(
        lesson_text(on("mazur", f"outcome = {json.dumps(table_text(40))}")),
        "outcome",
        "too wide",
        id="outcome-wide-table",
    ),
    pytest.param(
        lesson_text('title = "' + "T" * 201 + '"\npreset = "mazur"'),
        "title",
        "too long",
        id="title-too-long",
    ),
    pytest.param(
        lesson_text(step=step_with(extra="hints = " + json.dumps(["h"] * 21))),
        "step[1].hints",
        "up to 20 hints",
        id="21-hints",
    ),
    # overrides that would drop pinned weights
    pytest.param(
        lesson_text(on("mazur", "[set]\nnetwork.layers = [2, 3, 2]")),
        "set.network.layers",
        "pins [[weights]]",
        id="set-layers-of-pinned-weights",
    ),
]


@pytest.mark.parametrize("command", [["learn", "{}"], ["learn", "{}", "--check"]])
@pytest.mark.parametrize("text, key, says", IMPOSSIBLE)
def test_a_lesson_no_learner_could_pass_is_one_line(
    tmp_path, capsys, monkeypatch, command, text, key, says
):
    import bptui.app

    monkeypatch.setattr(bptui.app, "run_app", no_ui)
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    rc = run_main([part.replace("{}", str(path)) for part in command])
    captured = capsys.readouterr()
    assert_one_error(rc, captured.out, captured.err, file=str(path), key=key, says=says)


def load_text(tmp_path, text: str):
    from bptui.lesson import load_lesson

    path = tmp_path / "lesson.toml"
    path.write_text(text, encoding="utf-8")
    return load_lesson(str(path))


def test_layers_are_checked_as_an_array(tmp_path):
    from bptui.lesson.checks import Context
    from bptui.preset.loader import with_sets

    lesson = load_text(
        tmp_path,
        lesson_text(
            on("xor"),
            step=step_with(keys='["o"]', check='setting = "network.layers"\nequals = [2, 3, 1]'),
        ),
    )
    check = lesson.steps[0].check
    assert check.equals == (2, 3, 1)
    assert check.missing(Context(lesson.preset.stepper())) == [
        "set “layers (input first)” to 2,3,1 in the settings (o) (now: 2,2,1)"
    ]
    wider = with_sets(lesson.preset, ["network.layers=[2,3,1]"])
    assert check.missing(Context(wider.stepper())) == []


def test_booleans_and_names_are_checkable(tmp_path):
    from bptui.lesson.checks import Context
    from bptui.preset.loader import with_sets

    lesson = load_text(
        tmp_path,
        lesson_text(
            on("xor", "[set]\ntraining.shuffle = true"),
            step=step_with(keys='["o"]', check='setting = "training.shuffle"\nequals = true'),
        ),
    )
    assert lesson.steps[0].check.missing(Context(lesson.preset.stepper())) == []
    lesson = load_text(
        tmp_path,
        lesson_text(
            on("xor"),
            step=step_with(keys='["o"]', check='setting = "training.optimizer"\nequals = "adam"'),
        ),
    )
    check = lesson.steps[0].check
    assert check.missing(Context(lesson.preset.stepper()))[0].startswith(
        "set “optimizer” to adam in the settings (o) (now: sgd)"
    )
    adam = with_sets(lesson.preset, ["training.optimizer=adam"])
    assert check.missing(Context(adam.stepper())) == []


def test_a_setting_that_holds_at_the_start_needs_no_key(tmp_path):
    """A guard: keep η as small as it is while the learner trains (no o in the keys)."""
    lesson = load_text(
        tmp_path,
        lesson_text(
            on("xor"),
            step=step_with(keys='["r"]', check='setting = "training.learning_rate"\nat_most = 2.0'),
        ),
    )
    assert lesson.steps[0].check.at_most == 2.0


def test_check_actions_and_fixed_settings_match_the_explorer():
    """Every action a check may need is a key's; FIXED_SETTINGS are exactly the settings the
    settings screen has no field for (checked on the screen itself below)."""
    from bptui.keys import KEYS
    from bptui.lesson.checks import MOVES, PANE_TOGGLES, TRAINS

    actions = {k.action.split("(")[0] for k in KEYS}
    assert (
        set(MOVES) | set(TRAINS) | {a.split("(")[0] for a in PANE_TOGGLES.values()} | {"settings"}
        <= actions
    )


async def test_fixed_settings_are_the_ones_the_settings_screen_lacks():
    from textual.css.query import NoMatches

    from bptui.app.main import BptuiApp
    from bptui.lesson.checks import FIXED_SETTINGS
    from bptui.preset.loader import NETWORK_KEYS, TRAINING_KEYS

    app = BptuiApp(preset="xor")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("o")
        await pilot.pause()
        for dotted in [f"training.{k}" for k in TRAINING_KEYS] + [
            f"network.{k}" for k in NETWORK_KEYS
        ]:
            try:
                app.screen.query_one(f"#{dotted.split('.')[1]}")
                has_field = True
            except NoMatches:
                has_field = False
            assert has_field == (dotted not in FIXED_SETTINGS), dotted


# --------------------------------------------------------------------------------------------
# bptui learn --check and --template


@pytest.mark.parametrize("name", __import__("bptui.lesson").lesson.bundled_lessons())
def test_every_bundled_lesson_passes_check(capsys, monkeypatch, name):
    import bptui.app
    from bptui.lesson import load_lesson

    monkeypatch.setattr(bptui.app, "run_app", no_ui)
    assert run_main(["learn", name, "--check"]) == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    steps = len(load_lesson(name).steps)
    assert captured.err == "" and len(lines) == steps + 1
    assert lines[0].startswith(f"lessons/{name}.toml: ok: ")
    assert [line.split(":")[0] for line in lines[1:]] == [
        f"step {i}/{steps}" for i in range(1, steps + 1)
    ]
    assert not saved.data_dir().exists()  # --check reads and writes no progress


def test_the_template_passes_check_and_names_every_key(tmp_path, capsys):
    from bptui.lesson.loader import CHECK_KEYS, STEP_KEYS, TOP_KEYS

    assert run_main(["learn", "--template"]) == 0
    template = capsys.readouterr().out
    path = tmp_path / "mine.toml"
    path.write_text(template, encoding="utf-8")
    assert run_main(["learn", str(path), "--check"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f'{path}: ok: "XOR needs a hidden layer" on preset xor, 4 steps\n')
    for key in TOP_KEYS + STEP_KEYS + CHECK_KEYS:
        assert (
            f"\n{key} = " in template
            or f"# {key} = " in template
            or f"[{key}]" in template
            or f"[step.{key}]" in template
        ), key


def test_check_output_is_printable(tmp_path, capsys):
    path = tmp_path / "evil.toml"
    path.write_text(
        lesson_text(
            'title = "T\\u001b]0;PWN\\u0007"\npreset = "mazur"', step=step_with("\u001b[2J clear")
        ),
        encoding="utf-8",
    )
    assert run_main(["learn", str(path), "--check"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and len(out.splitlines()) == 2


@pytest.mark.parametrize(
    "argv, says",
    [
        pytest.param(["learn", "--check"], "--check needs a lesson", id="check-without-lesson"),
        pytest.param(
            ["learn", "forward", "--check", "--web"],
            "--web does not go with --check",
            id="check-with-web",
        ),
        pytest.param(
            ["learn", "forward", "--template"],
            "--template takes no lesson",
            id="template-with-lesson",
        ),
        pytest.param(["learn", "nosuch", "--check"], "unknown lesson", id="check-unknown-lesson"),
    ],
)
def test_bad_check_arguments_are_one_line(capsys, monkeypatch, argv, says):
    import bptui.app

    monkeypatch.setattr(bptui.app, "run_app", no_ui)
    rc = run_main(argv)
    captured = capsys.readouterr()
    assert says in assert_one_error(rc, captured.out, captured.err)


async def test_the_template_lesson_can_be_finished(tmp_path):
    from bptui.app.main import BptuiApp
    from bptui.lesson.template import template
    from tests.test_lessons import act

    lesson = load_text(tmp_path, template())
    script = [["d"], ["train 500"], ["set layers 2,2,1"], ["train 1500"]]
    app = BptuiApp(preset=lesson.preset, lesson=lesson)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        for number, actions in enumerate(script, start=1):
            for action in actions:
                await act(pilot, action)
            await pilot.press("n")
            await pilot.pause()
            explorer = app.main_screen
            assert explorer.lesson.index == number or explorer.lesson.finished, explorer.hint
        assert app.main_screen.lesson.finished


def test_texts_at_the_markdown_caps_are_accepted_and_one_more_is_not():
    from bptui.lesson import markdown

    blocks, item = markdown.MAX_BLOCKS, markdown.LIST_ITEM
    assert markdown.problem("a\n\n" * blocks) is None
    assert "too many" in markdown.problem("a\n\n" * (blocks + 1))
    items = (blocks - 1) // item  # the list itself counts 1
    assert markdown.problem("- a\n" * items) is None
    assert "too many" in markdown.problem("- a\n" * (items + 1))
    assert markdown.problem(table_text(markdown.MAX_COLUMNS)) is None
    assert "too wide" in markdown.problem(table_text(markdown.MAX_COLUMNS + 1))
    assert markdown.problem("x" * markdown.MAX_CHARS) is None
    assert markdown.problem("a\n" * (markdown.MAX_LINES - 1)) is None
