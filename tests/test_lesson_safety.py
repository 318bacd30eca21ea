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


@pytest.mark.parametrize("text, why", [
    pytest.param("[" * 200_000 + "]" * 200_000, "nested too deeply", id="deeply-nested"),
    pytest.param('{"forward": ', "not JSON", id="truncated"),
    pytest.param("[1, 2]", "not a JSON object", id="an-array"),
    pytest.param(b"\xff\xfe{}", "not UTF-8", id="not-utf8"),
    pytest.param('{"x": "' + "a" * saved.MAX_BYTES + '"}', "larger than", id="too-large"),
])
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
    path = progress_file(json.dumps({"forward": {"step": 1, "right": 0, "asked": 0},
                                     "error": "junk"}))
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
        assert app.lesson is not None and app.lesson.index == 0
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
    path, rc, out, err = train_bad(tmp_path, capsys, preset(
        tail=f"[goal]\nsteps = 5\nloss_above = 0.1\nfix = [{fixes}]"))
    assert_one_error(rc, out, err, file=path, key="goal.fix",
                     says=f"{MAX_FIXES + 1} fixes is too many")


# --------------------------------------------------------------------------------------------
# Lesson files: checks that could never hold, texts the pane cannot draw quickly

def table_text(columns: int, rows: int = 1) -> str:
    """A Markdown table of `columns` one-letter columns."""
    row = "|" + "|".join("a" * columns) + "|\n"
    return row + "|" + "|".join("-" * columns) + "|\n" + row * rows


def step_with(text: str = "Read this.", keys: str | None = None, check: str | None = None,
              extra: str = "") -> str:
    """A [[step]] with a text, maybe keys, maybe a check."""
    parts = ["[[step]]", f"text = {json.dumps(text)}"] + ([f"keys = {keys}"] if keys else [])
    parts += [extra] if extra else []
    parts += ["[step.check]", check] if check is not None else []
    return "\n".join(parts)


def on(preset_name: str, top: str = "") -> str:
    return f'title = "T"\npreset = "{preset_name}"\n{top}'


IMPOSSIBLE = [
    # checks the preset can never satisfy
    pytest.param(lesson_text(check="test_loss_below = 0.1"), "step[1].check.test_loss_below",
                 "no held-out set", id="test-loss-without-held-out-set"),
    pytest.param(lesson_text(check="test_loss_above = 0.1"), "step[1].check.test_loss_above",
                 "no held-out set", id="test-loss-above-without-held-out-set"),
    pytest.param(lesson_text(on("sine"), check="accuracy_at_least = 0.9"),
                 "step[1].check.accuracy_at_least", "regression", id="accuracy-on-regression"),
    pytest.param(lesson_text(check='setting = "training.optimizer"\nat_least = 1'),
                 "step[1].check.at_least", "training.optimizer is not a number",
                 id="at-least-on-a-name-setting"),
    pytest.param(lesson_text(check='setting = "network.layers"\nat_most = 3'),
                 "step[1].check.at_most", "not a number", id="at-most-on-layers"),
    pytest.param(lesson_text(check='setting = "training.l2"\nat_least = 0.2\nat_most = 0.1'),
                 "step[1].check.at_most", "below at_least", id="at-most-below-at-least"),
    pytest.param(lesson_text(check='setting = "training.l2"'), "step[1].check.setting",
                 "goes with equals", id="setting-alone"),
    pytest.param(lesson_text(check='setting = "network.layers"\nequals = "2,3,2"'),
                 "step[1].check.equals", "write equals = [2, 8, 2]", id="layers-as-text"),
    pytest.param(lesson_text(check='setting = "network.layers"\nequals = [3, 3, 2]'),
                 "step[1].check.equals", "the data fix 2 inputs and 2 outputs",
                 id="layers-that-do-not-fit-the-data"),
    pytest.param(lesson_text(check='setting = "network.layers"\nequals = [2, 0, 2]'),
                 "step[1].check.equals", "array of 2..12 unit counts", id="layers-with-zero"),
    pytest.param(lesson_text(check='setting = "training.optimizer"\nequals = "adamm"'),
                 "step[1].check.equals", "did you mean 'adam'", id="optimizer-typo"),
    pytest.param(lesson_text(check='setting = "training.optimizer"\nequals = 1'),
                 "step[1].check.equals", "expected a string", id="optimizer-number"),
    pytest.param(lesson_text(check='setting = "training.shuffle"\nequals = 1'),
                 "step[1].check.equals", "true or false", id="shuffle-number"),
    pytest.param(lesson_text(check='setting = "training.shuffle"\nequals = true'),
                 "step[1].check.setting", "no key changes training.shuffle",
                 id="shuffle-no-key-changes"),
    # checks that need a key the step does not allow
    pytest.param(lesson_text(step=step_with(keys='["x"]', check="predicted = 1")),
                 "step[1].check.predicted", 'needs "P"', id="predicted-without-P"),
    pytest.param(lesson_text(step=step_with(keys='["x"]', check='showing = "boundary"')),
                 "step[1].check.showing", 'needs "d"', id="boundary-without-d"),
    pytest.param(lesson_text(step=step_with(keys='["d"]', check='showing = "explain"')),
                 "step[1].check.showing", 'needs "x"', id="explain-without-x"),
    pytest.param(lesson_text(step=step_with(keys='["x"]', check="loss_below = 0.1")),
                 "step[1].check.loss_below", 'needs "r" or "s" or "u" or "space"',
                 id="loss-without-training-keys"),
    pytest.param(lesson_text(step=step_with(keys='["x"]', check="accuracy_at_least = 0.5"),
                             top=on("xor")), "step[1].check.accuracy_at_least", 'needs "r"',
                 id="accuracy-without-training-keys"),
    pytest.param(lesson_text(step=step_with(keys='["x"]', check="steps_at_least = 5")),
                 "step[1].check.steps_at_least", "needs", id="steps-without-training-keys"),
    pytest.param(lesson_text(step=step_with(keys='["d"]', check="diverged = true")),
                 "step[1].check.diverged", "needs", id="diverge-without-training-keys"),
    pytest.param(lesson_text(step=step_with(keys='["x"]',
                                            check='setting = "training.l2"\nat_least = 0.1')),
                 "step[1].check.setting", 'needs "o"', id="setting-without-o"),
    pytest.param(lesson_text(step=step_with(keys='["x"]', check='at = "forward 1"')),
                 "step[1].check.at", '"f"', id="at-without-a-stepping-key"),
    # texts
    pytest.param(lesson_text(step=step_with(table_text(3000))), "step[1].text",
                 "a table of 3,000 columns is too wide", id="table-3000-columns"),
    pytest.param(lesson_text(step=step_with(table_text(4, rows=100))), "step[1].text",
                 "blocks", id="table-100-rows"),
    pytest.param(lesson_text(step=step_with("- a\n" * 100)), "step[1].text", "blocks",
                 id="list-of-100"),
    pytest.param(lesson_text(step=step_with("a\n" * 500)), "step[1].text",
                 "501 lines of Markdown is too many", id="500-lines"),
    pytest.param(lesson_text(step=step_with("x" * 20_001)), "step[1].text",
                 "20,001 characters of Markdown is too long", id="text-too-long"),
    pytest.param(lesson_text(on("mazur", f"outcome = {json.dumps(table_text(40))}")),
                 "outcome", "too wide", id="outcome-wide-table"),
    pytest.param(lesson_text('title = "' + "T" * 201 + '"\npreset = "mazur"'), "title",
                 "too long", id="title-too-long"),
    pytest.param(lesson_text(step=step_with(extra="hints = " + json.dumps(["h"] * 21))),
                 "step[1].hints", "up to 20 hints", id="21-hints"),
    # overrides that would drop pinned weights
    pytest.param(lesson_text(on("mazur", "[set]\nnetwork.layers = [2, 3, 2]")),
                 "set.network.layers", "pins [[weights]]", id="set-layers-of-pinned-weights"),
]


@pytest.mark.parametrize("command", [["learn", "{}"], ["learn", "{}", "--check"]])
@pytest.mark.parametrize("text, key, says", IMPOSSIBLE)
def test_a_lesson_no_learner_could_pass_is_one_line(tmp_path, capsys, monkeypatch, command,
                                                     text, key, says):
    import bptui.app

    monkeypatch.setattr(bptui.app, "run_app", no_ui)
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    rc = run_main([part.replace("{}", str(path)) for part in command])
    captured = capsys.readouterr()
    assert_one_error(rc, captured.out, captured.err, file=str(path), key=key, says=says)
