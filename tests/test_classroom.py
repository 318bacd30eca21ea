"""A class run with `bptui learn --web`: the progress store and `bptui class`, what shared URLs
open (checked on the page, again in the app), a served folder of lessons, a preset's [lock],
and the app keeping a student's progress and network on the class server (Pilot, `is_web`
forced: the browser itself is driven in test_web.py)."""

from __future__ import annotations

import json
import os

import pytest

from bptui.app.main import BptuiApp
from bptui.commands.cli import main
from bptui.commands.opening import (
    BadOpening,
    Opening,
    WebSeat,
    check,
    from_environment,
    from_query,
    from_token,
    token,
)
from bptui.lesson import classroom, load_lesson
from bptui.lesson.catalog import Catalog
from bptui.lesson.classroom import ClassStore, LessonEntry
from bptui.lesson.lock import locked_keys
from bptui.preset import PresetError, load_preset
from tests.test_bad_input import assert_one_error, run_main
from tests.test_lessons import act


def one_line(capsys, argv: list[str], says: str) -> None:
    """`bptui ARGV` ends with one error line saying `says`, exit 2."""
    code = run_main(argv)
    captured = capsys.readouterr()
    assert_one_error(code, captured.out, captured.err, says=says)


STUDENT = "student-0001"
OTHER = "student-0002"


@pytest.fixture(autouse=True)
def own_data_dir(tmp_path, monkeypatch):
    """Progress goes to a temporary data directory, never the user's."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))


def entry(step: int = 1, ident: str = "forward", updated: float = 1000.0) -> LessonEntry:
    return LessonEntry(ident, ident, "Forward", step, 4, 1, 2, updated)


# --- the store ------------------------------------------------------------------------------


def test_the_store_keeps_each_students_lessons_and_network(tmp_path):
    store = ClassStore(tmp_path / "class")
    assert store.save(STUDENT, entry(1), b"network") is None
    assert store.save(STUDENT, entry(0, "error"), None) is None
    record = store.record(STUDENT)
    assert record.current == "error" and record.latest.ident == "error"
    assert record.lessons["forward"].step == 1 and record.state == ("forward", 1)
    assert store.state_path(STUDENT).read_bytes() == b"network"
    assert store.students() == [STUDENT] and store.record(OTHER) is None
    assert store.reset(STUDENT) and store.records() == [] and not store.reset(STUDENT)


@pytest.mark.parametrize(
    "bad", ["short", "../../etc/passwd", "a" * 65, "with space12", "dots.dots.dots", "", None]
)
def test_a_student_id_is_never_a_path(tmp_path, bad):
    store = ClassStore(tmp_path)
    assert not classroom.valid_id(bad)
    with pytest.raises(ValueError):
        store.state_path(bad)


@pytest.mark.parametrize(
    "junk",
    [
        b"not json",
        b"[1]",
        b'{"format": "bptui-class"}',
        b"\xff\xfe",
        b"[" * 100_000,
        json.dumps(
            {
                "format": "bptui-class",
                "version": 1,
                "current": "f",
                "lessons": {"f": {"step": 9, "steps": 4}},
            }
        ).encode(),
    ],
)
def test_a_record_that_makes_no_sense_is_ignored(tmp_path, junk):
    (tmp_path / f"{STUDENT}.json").write_bytes(junk)
    store = ClassStore(tmp_path)
    record = store.record(STUDENT)
    assert record is None or not record.lessons
    assert store.save(STUDENT, entry(2), None) is None  # and is replaced by a good one
    assert store.record(STUDENT).lessons["forward"].step == 2


def test_values_from_a_record_are_checked_and_printable(tmp_path):
    doc = {
        "format": "bptui-class",
        "version": 1,
        "current": "x",
        "state": ["x", 99],
        "lessons": {
            "x": {
                "name": "x\x1b[2J",
                "title": "T\x07",
                "step": 1,
                "steps": 3,
                "right": 1,
                "asked": 1,
                "updated": 5.0,
            },
            "y": {
                "name": "y",
                "title": "Y",
                "step": 1,
                "steps": 3,
                "right": 2,
                "asked": 1,
                "updated": 5.0,
            },
        },
    }
    (tmp_path / f"{STUDENT}.json").write_text(json.dumps(doc))
    record = ClassStore(tmp_path).record(STUDENT)
    assert list(record.lessons) == ["x"]  # right > asked: dropped
    assert "\x1b" not in record.lessons["x"].name and "\x07" not in record.lessons["x"].title


def test_a_record_behind_a_symlink_or_too_large_is_not_read(tmp_path):
    secret = tmp_path / "secret.json"
    ClassStore(tmp_path).save(STUDENT, entry(), None)
    os.replace(tmp_path / f"{STUDENT}.json", secret)
    os.symlink(secret, tmp_path / f"{STUDENT}.json")
    assert ClassStore(tmp_path).record(STUDENT) is None
    (tmp_path / f"{STUDENT}.json").unlink()
    (tmp_path / f"{STUDENT}.json").write_bytes(b" " * (classroom.MAX_RECORD_BYTES + 1))
    assert ClassStore(tmp_path).record(STUDENT) is None


def test_the_store_is_bounded(tmp_path, monkeypatch):
    monkeypatch.setattr(classroom, "MAX_STUDENTS", 2)
    monkeypatch.setattr(classroom, "MAX_STATE_BYTES", 10)
    monkeypatch.setattr(classroom, "MAX_TOTAL_STATE_BYTES", 15)
    store = ClassStore(tmp_path)
    assert store.save("student-a1", entry(updated=1), b"x" * 8) is None
    assert store.save("student-b1", entry(updated=2), b"y" * 8) is None  # drops a's network
    assert not store.state_path("student-a1").exists()
    assert store.state_path("student-b1").exists()
    assert "holds 2 students" in store.save("student-c1", entry(), None)
    assert store.record("student-c1") is None
    assert "larger than" in store.save("student-b1", entry(), b"z" * 11)
    assert not store.state_path("student-b1").exists()  # an older, smaller one is not kept
    assert store.record("student-b1").state is None


# --- bptui class ----------------------------------------------------------------------------


def test_bptui_class_lists_each_student_and_resets_one(tmp_path, capsys):
    store = ClassStore(tmp_path)
    store.save(STUDENT, entry(1), None)
    store.save(OTHER, LessonEntry("error", "error", "Error", 5, 5, 3, 4, 2000.0), None)
    (tmp_path / "student-bad1.json").write_text("junk")
    assert main(["class", str(tmp_path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["student", "lesson", "step", "P", "right/asked", "last", "activity"]
    assert out[1].split()[:5] == [OTHER, "Error", "(error)", "done", "3/4"]  # latest first
    assert out[2].split()[:5] == [STUDENT, "Forward", "(forward)", "2/4", "1/2"]
    assert "student-bad1" in out[3] and "cannot be read" in out[3]
    assert main(["class", str(tmp_path), "--reset", "student-0002"]) == 0
    assert store.students() == ["student-0001", "student-bad1"]
    assert main(["class", str(tmp_path), "--reset", "student-bad"]) == 0  # a unique prefix
    assert store.students() == [STUDENT]


@pytest.mark.parametrize(
    "argv, says",
    [
        (["class", "{tmp}/nosuch"], "no such class folder"),
        (["class", "{tmp}", "--reset", "../x/../../y"], "not a student id"),
        (["class", "{tmp}", "--reset", "student-9999"], "no such student"),
        (["class", "{tmp}", "--port", "8000"], "DIR or --port"),
    ],
)
def test_bad_class_arguments_are_one_line(tmp_path, capsys, argv, says):
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    one_line(capsys, argv, says)


# --- shared URLs ----------------------------------------------------------------------------


def test_a_url_opens_a_lesson_or_a_preset_with_settings():
    assert from_query([("lesson", "forward"), ("fontsize", "24")]) == Opening("forward")
    opening = from_query(
        [("preset", "iris"), ("set", "training.learning_rate=0.1"), ("set", "seed=3")]
    )
    assert opening.sets == ("training.learning_rate=0.1", "seed=3")
    assert from_token(token(opening)) == opening and token(Opening()) == ""
    check(opening, Catalog.bundled(), None)


@pytest.mark.parametrize(
    "pairs, says",
    [
        ([("lesson", "../../etc/passwd")], "is not a name"),
        ([("preset", "/tmp/x.toml")], "is not a name"),
        ([("lesson", "a"), ("lesson", "b")], "given 2 times"),
        ([("lesson", "forward"), ("preset", "xor")], "goes alone"),
        ([("steal", "1")], "is not a parameter"),
        ([("set", "x=\x1b[2J")], "printable"),
    ],
)
def test_a_bad_url_is_refused_before_loading_anything(pairs, says):
    with pytest.raises(BadOpening, match=says.replace("(", r"\(")):
        from_query(pairs)


@pytest.mark.parametrize(
    "opening, says",
    [
        (Opening(lesson="nosuch"), "no lesson is served as 'nosuch'"),
        (Opening(preset="nosuch"), "no preset is served as 'nosuch'"),
        (
            Opening(preset="xor", sets=("training.learning_rate=abc",)),
            "?set: training.learning_rate",
        ),
        (Opening(preset="xor", sets=("network.nope=1",)), "unknown key"),
    ],
)
def test_what_a_url_names_is_checked_like_the_command_line(opening, says):
    with pytest.raises(PresetError, match=r".*".join(map(__import__("re").escape, [says]))):
        check(opening, Catalog.bundled(), load_preset("xor"))


@pytest.mark.parametrize(
    "text",
    ["", "!!!", "e30", "bnVsbA", "W10", "x" * 5000, token(Opening("forward")).replace("e", "-")],
)
def test_a_forged_token_opens_nothing(text):
    assert not from_token(text)


def test_the_app_reads_its_seat_and_opening_from_its_environment(tmp_path):
    env = {
        "BPTUI_STUDENT": STUDENT,
        "BPTUI_CLASS_DIR": str(tmp_path),
        "BPTUI_OPEN": token(Opening("error")),
    }
    opening, seat = from_environment(env)
    assert opening == Opening("error") and seat == WebSeat(STUDENT, tmp_path)
    assert from_environment({"BPTUI_STUDENT": "../x", "BPTUI_CLASS_DIR": "/tmp"})[1] is None


def test_the_apps_command_carries_only_checked_values(tmp_path):
    pytest.importorskip("aiohttp")
    from bptui.commands.web_class import SESSION, Classroom

    room = Classroom(tmp_path / "my class", Catalog.bundled())
    SESSION.set((STUDENT, token(Opening("forward"))))
    command = room.command("exec python -m bptui learn")
    assert command.startswith("export BPTUI_CLASS_DIR=") and "'" in command  # the space quoted
    assert f"BPTUI_STUDENT={STUDENT} " in command
    assert command.endswith("; exec python -m bptui learn")
    SESSION.set((None, ""))
    assert "BPTUI_STUDENT" not in room.command("x") and "BPTUI_OPEN" not in room.command("x")


# --- a served folder ------------------------------------------------------------------------


def lesson_text(title: str, preset: str = "xor") -> str:
    return (
        f'title = "{title}"\npreset = "{preset}"\n[[step]]\ntext = "one"\n[[step]]\ntext = "two"\n'
    )


def make_folder(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "02-second.toml").write_text(lesson_text("Second", "exam.toml"))
    (folder / "01-first.toml").write_text(lesson_text("First"))
    exam = load_preset("xor").doc | {"title": "Exam"}
    from bptui.preset.tomlwrite import dumps

    (folder / "exam.toml").write_text(dumps(exam))
    return folder


def test_a_served_folder_lists_its_lessons_in_file_order_and_its_presets(tmp_path):
    catalog = Catalog.of_folder(make_folder(tmp_path))
    assert catalog.lesson_names() == ["01-first", "02-second"]
    assert catalog.preset_names()[:2] == ["exam", "xor"]
    first = catalog.lesson("01-first")
    assert catalog.following(first) == "02-second"
    assert catalog.following(catalog.lesson("02-second")) is None
    assert catalog.preset("exam").title == "Exam"
    with pytest.raises(PresetError, match="no preset is served"):
        catalog.preset("../exam")


@pytest.mark.parametrize(
    "name, text, says",
    [
        ("bad name.toml", lesson_text("x"), "must be letters"),
        ("broken.toml", 'title = "x"\npreset = "xor"\n[[step]]\n', "text"),
        (
            "locked.toml",
            'title = "x"\n[network]\nlayers = [2, 1]\n[data]\ngenerator = "xor"\n'
            '[lock]\nkeys = ["spcae"]\n',
            "did you mean 'space'",
        ),
    ],
)
def test_a_bad_file_in_a_served_folder_is_one_line_before_serving(
    tmp_path, capsys, name, text, says
):
    folder = make_folder(tmp_path)
    (folder / name).write_text(text)
    one_line(capsys, ["learn", str(folder), "--web", "--port", "8123"], says)


def test_learn_check_checks_every_lesson_of_a_folder(tmp_path, capsys):
    assert main(["learn", str(make_folder(tmp_path)), "--check"]) == 0
    out = capsys.readouterr().out
    assert "01-first:" in out and "02-second:" in out and out.count("ok:") == 2


def test_web_only_options_need_web(capsys):
    one_line(capsys, ["xor", "--class-dir", "x"], "--class-dir goes with --web")
    one_line(capsys, ["learn", "--font-size", "20"], "--font-size goes with --web")
    one_line(capsys, ["xor", "--theme", "nosuch"], "is not a theme")


# --- [lock] ---------------------------------------------------------------------------------


def test_a_presets_lock_is_checked_like_a_lessons_keys(tmp_path):
    preset = load_preset("xor")
    assert locked_keys(preset) is None
    from dataclasses import replace

    assert locked_keys(replace(preset, doc=preset.doc | {"lock": {"keys": ["space", "<"]}})) == (
        "space",
        "less_than_sign",
    )
    for lock, says in (
        ({"keys": ["sapce"]}, "did you mean 'space'"),
        ({"kyes": []}, "unknown"),
        ("all", "expected a table"),
        ({}, "missing"),
    ):
        with pytest.raises(PresetError, match=says):
            locked_keys(replace(preset, doc=preset.doc | {"lock": lock}))


async def test_a_locked_preset_allows_only_its_keys(tmp_path):
    path = tmp_path / "locked.toml"
    path.write_text(
        'title = "Locked"\n[network]\nlayers = [2, 2, 1]\n[data]\n'
        'generator = "xor"\n[lock]\nkeys = ["space", "x"]\n'
    )
    app = BptuiApp(preset=load_preset(str(path)))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("s", "p", "d")
        await pilot.pause()
        assert app.main_screen.stepper.step == 0 and len(app.screen_stack) == 1
        assert app.main_screen.left == "diagram"
        assert app.main_screen.hint.startswith("this preset locks d (it uses: space, x)")
        await pilot.press("space", "x")
        assert app.main_screen.stepper.micro_index == 1 and app.main_screen.right == "explain"


# --- the app on the class server ------------------------------------------------------------


@pytest.fixture
def web(monkeypatch):
    monkeypatch.setattr(BptuiApp, "is_web", property(lambda self: True))


async def test_a_students_lesson_and_network_survive_a_reload(tmp_path, web):
    seat = WebSeat(STUDENT, tmp_path / "class")
    catalog = Catalog.bundled()
    app = BptuiApp(
        preset="xor", lesson="pick", catalog=catalog, seat=seat, opening=Opening("forward")
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app.main_screen.lesson.lesson.name == "forward"
        await act(pilot, "x")
        await pilot.press("n")
        await act(pilot, "predict")  # step 2: right, and the forward pass moved on
        stepper = app.main_screen.stepper
        micro, params = stepper.micro_index, stepper.params.flat.copy()
        assert micro > 0
        await pilot.press("q", "y")  # quitting keeps the network as it is now
        await pilot.pause()
    record = ClassStore(seat.folder).record(STUDENT)
    assert record.lessons["forward"].step == 1 and record.state == ("forward", 1)
    # A reload: `bptui learn` (the picker) for the same student continues where they were.
    app = BptuiApp(preset="xor", lesson="pick", catalog=catalog, seat=seat)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app.main_screen.lesson.lesson.name == "forward" and app.main_screen.lesson.index == 1
        assert app.main_screen.tally == (1, 1) and len(app.screen_stack) == 1
        assert app.main_screen.stepper.micro_index == micro
        assert (app.main_screen.stepper.params.flat == params).all()
    # Another student starts at the picker; nothing of theirs is on the server's own account.
    app = BptuiApp(preset="xor", lesson="pick", catalog=catalog, seat=WebSeat(OTHER, seat.folder))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app.main_screen.lesson is None and app.screen.__class__.__name__ == "LessonPicker"
    from bptui.lesson import progress as saved

    assert saved.load("forward", 4) is None


async def test_a_kept_network_that_cannot_be_read_resumes_the_step_on_fresh_weights(tmp_path, web):
    seat = WebSeat(STUDENT, tmp_path)
    ClassStore(tmp_path).save(
        STUDENT,
        LessonEntry("forward", "forward", "Forward", 2, 4, 0, 0, 1.0),
        b"PK\x03\x04 not a session",
    )
    app = BptuiApp(
        preset="xor", lesson=load_lesson("forward"), catalog=Catalog.bundled(), seat=seat
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app.main_screen.lesson.index == 2 and app.main_screen.stepper.step == 0


async def test_q_in_a_browser_asks_first(web):
    app = BptuiApp(preset="xor")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("q")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "QuitScreen" and app.is_running
        await pilot.press("n")
        await pilot.pause()
        assert len(app.screen_stack) == 1 and app.is_running
        await pilot.press("q", "y")
        await pilot.pause()
    assert app.return_code == 0


async def test_a_url_with_a_preset_and_settings_opens_them(web):
    opening = Opening(preset="iris", sets=("training.learning_rate=0.25",))
    app = BptuiApp(preset="xor", catalog=Catalog.bundled(), opening=opening)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app.main_screen.preset.name == "iris"
        assert app.main_screen.stepper.learning_rate == 0.25


async def test_a_forged_url_is_a_notification_and_the_app_opens_as_usual(web):
    app = BptuiApp(preset="xor", catalog=Catalog.bundled(), opening=Opening(preset="nosuch"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app.main_screen.preset.name == "xor"
        assert any("no preset is served" in str(n.message) for n in app._notifications)


async def test_the_picker_offers_the_served_presets_first_in_a_browser(tmp_path, web):
    from textual.widgets import OptionList

    catalog = Catalog.of_folder(make_folder(tmp_path))
    app = BptuiApp(preset="xor", catalog=catalog)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("p")
        await pilot.pause()
        options = app.screen.query_one(OptionList)
        assert options.get_option_at_index(0).id == "exam"
        options.focus()
        options.highlighted = 0
        await pilot.press("enter")
        await pilot.pause()
        assert app.main_screen.preset.title == "Exam"


async def test_n_after_a_served_lesson_opens_the_next_of_its_folder(tmp_path, web):
    catalog = Catalog.of_folder(make_folder(tmp_path))
    app = BptuiApp(preset="xor", lesson=catalog.lesson("01-first"), catalog=catalog)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("n", "n")
        assert app.main_screen.lesson.finished
        assert "n: the next lesson (02-second)" in app.main_screen.hint
        await pilot.press("n")
        await pilot.pause()
        assert app.main_screen.lesson.lesson.title == "Second"
        assert app.main_screen.preset.title == "Exam"


def test_a_preset_file_served_by_name_is_offered_in_the_picker(tmp_path, monkeypatch):
    """`bptui --web exam.toml`: the browser's app is `bptui exam.toml`, and `p` offers exam."""
    import bptui.app

    exam = make_folder(tmp_path) / "exam.toml"
    opened = {}
    monkeypatch.setattr(
        bptui.app, "run_app", lambda preset, stepper=None, **options: opened.update(options) or 0
    )
    assert main([str(exam)]) == 0
    catalog = opened["catalog"]
    assert catalog.preset_names()[0] == "exam" and catalog.preset("exam").title == "Exam"
    assert main(["xor"]) == 0 and opened["catalog"].preset_names()[0] == "xor"
