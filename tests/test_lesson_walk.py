"""A learner reads every step: at 80×24 and at 120×40 every word of each step's text and of its
"to go on" line is on screen, or comes on screen with PgDn (which no step locks, and which a
sign below the text offers). Every bundled lesson is finished by its scripted learner
(tests/test_lessons.py), and every step resumes from the network it started from."""

from __future__ import annotations

import re

import pytest

from bptui.app.main import BptuiApp
from bptui.app.widgets.lessonpane import MORE, LessonPane
from bptui.lesson import bundled_lessons, load_lesson
from tests.test_lessons import SCRIPTS, act, asked_keys


@pytest.fixture(autouse=True)
def own_data_dir(tmp_path, monkeypatch):
    """Progress goes to a temporary data directory, never the user's."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))


MARKUP = re.compile(r"[*`]")
EDGES = "()[]{},.;:!?\"'“”"


def words(text: str) -> list[str]:
    """The words of a text as a reader sees them: no Markdown emphasis, no punctuation around."""
    out = []
    for word in MARKUP.sub("", text).split():
        word = word.strip(EDGES)
        if word:
            out.append(word)
    return out


def pane_text(app, widget) -> str:
    """The characters on screen inside `widget`'s region, row by row."""
    region = widget.region
    strips = app.screen._compositor.render_strips()
    return "\n".join(
        strip.text[region.x : region.right] for strip in strips[region.y : region.bottom]
    )


async def read_step(pilot, label: str) -> None:
    """Every word of the step's text and of its status line comes on screen, paging with PgDn
    when the text is longer than the pane; a longer text says so below it."""
    app = pilot.app
    pane = app.query_one(LessonPane)
    scroll = pane.query_one("#lesson-scroll")
    await pilot.pause()
    seen = pane_text(app, pane)
    if scroll.max_scroll_y > 0:
        assert MORE in seen, f"{label}: the text goes on below, and nothing says so"
    for _ in range(30):
        if scroll.scroll_y >= scroll.max_scroll_y:
            break
        await pilot.press("pagedown")
        await pilot.pause()
        seen += "\n" + pane_text(app, pane)
    shown = set(words(seen))
    flat = "".join(seen.split())
    status = pane.query_one("#lesson-status").render().plain
    for source, text in (("text", app.main_screen.lesson.markdown()), ("status", status)):
        missing = [w for w in words(text) if w not in shown and w not in flat]
        assert not missing, f"{label}: words of the step's {source} never on screen: {missing}"
    await pilot.press("pageup", "pageup", "pageup")


def assert_footer_offers(app, where: str) -> None:
    """The footer offers the keys the step's text asks for (tests.test_lessons.asked_keys), but
    those that move a cursor (keys.Key.moves: the text and the panes' titles name them); one it
    leaves out had no room, after the others the text asks for (learner walk 4: h, l, 1, 2)."""
    from textual.widgets._footer import FooterKey

    from bptui.keys import BY_NAME

    shown = [key.key for key in app.screen.query(FooterKey)]
    asked = [BY_NAME[name].key for name in asked_keys(app.main_screen.lesson.step.text)]
    left_out = [key for key in asked if key not in shown and not BY_NAME[key].moves]
    others = [key for key in shown if key not in asked and key not in ("n", "t", "ctrl+p")]
    assert not (left_out and others), f"{where}: the footer offers {others}, not {left_out}"


def assert_fits(app, where: str) -> None:
    """At 120×40 a step's text fits the lesson pane with a line to spare."""
    room = app.query_one("#lesson-scroll").size.height
    assert app.query_one("#lesson-text").outer_size.height <= room, (
        f"{where}: the text does not fit the lesson pane at 120x40 with a line to spare "
        "(shorten it: a learner would have to scroll, and the arrow keys would scroll the "
        "text instead of moving the unit cursor)"
    )


async def take_step(pilot, number: int, actions: list[str], where: str) -> None:
    """The step's scripted actions, then n: the lesson goes on to the next step (or ends)."""
    for action in actions:
        await act(pilot, action)
    await pilot.press("n")
    await pilot.pause()
    explorer = pilot.app.main_screen
    assert explorer.lesson.index == number or explorer.lesson.finished, f"{where}: {explorer.hint}"


@pytest.mark.parametrize("name", bundled_lessons())
async def test_every_step_reads_whole_resumes_and_finishes(name, tmp_path, monkeypatch):
    """A scripted learner walks the lesson once at 80×24, the tightest screen: each step is read
    whole before its keys are pressed, and the data folder is kept as it is at the start of each
    step. Then every step once more at 120×40, entered as a returning learner enters it (step 1
    fresh, each later one resumed from its kept folder): it starts from the network it started
    from, its text fits the pane, it is read whole and its keys finish it. Every step is thus
    read at both sizes and finished at both; one walk from the start serves all of it (a walk
    per check, at 80×24, at 120×40, to finish and to resume, made these tests the suite's
    slowest)."""
    import shutil

    from bptui.lesson import progress as saved

    assert name in SCRIPTS, f"lesson {name} has no scripted solution in tests/test_lessons.py"
    lesson = load_lesson(name)
    script = SCRIPTS[name]
    assert len(script) == len(lesson.steps)
    kept = {}
    app = BptuiApp(preset=lesson.preset, lesson=lesson)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        explorer = app.main_screen
        for number, actions in enumerate(script, start=1):
            where = f"{name} step {number} at 80x24"
            assert explorer.lesson.index == number - 1, where
            await read_step(pilot, where)
            assert_footer_offers(app, where)
            await take_step(pilot, number, actions, where)
            if number < len(script):
                copy = tmp_path / f"step{number + 1}"
                shutil.copytree(tmp_path / "data", copy)
                stepper = explorer.stepper
                kept[number + 1] = (copy, stepper.step, stepper.last.describe(stepper.depth))
        assert explorer.lesson.finished and lesson.outcome in explorer.hint
        await read_step(pilot, f"{name} finished at 80x24")

    for number, actions in enumerate(script, start=1):
        where = f"{name} step {number} at 120x40"
        progress = None
        if number == 1:
            monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "fresh"))
        else:
            folder, step, micro = kept[number]
            monkeypatch.setenv("XDG_DATA_HOME", str(folder))
            progress = saved.load(lesson.ident, len(lesson.steps))
            assert progress is not None and progress.step == number - 1, where
            where += ", resumed"
        app = BptuiApp(preset=lesson.preset, lesson=lesson, progress=progress)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            explorer = app.main_screen
            if progress is not None:
                await pilot.press("enter")  # resume
                await pilot.pause()
                assert explorer.lesson.index == number - 1, f"{where}: {explorer.hint}"
                assert explorer.hint.startswith(f"resumed at lesson step {number}"), explorer.hint
                stepper = explorer.stepper
                assert (stepper.step, stepper.last.describe(stepper.depth)) == (step, micro), where
            assert explorer.lesson.index == number - 1, where
            await pilot.pause()  # the pane fits its text after a refresh
            assert_fits(app, where)
            await read_step(pilot, where)
            await take_step(pilot, number, actions, where)
            if number == len(script):
                assert explorer.lesson.finished and lesson.outcome in explorer.hint, where
                await read_step(pilot, f"{name} finished at 120x40")


async def test_a_hint_wraps_and_is_scrolled_into_view():
    lesson = load_lesson("vanishing")
    app = BptuiApp(preset=lesson.preset, lesson=lesson)
    async with app.run_test(size=(80, 24)) as pilot:
        app.main_screen.lesson.index = 2
        app.main_screen.lessons.draw(full=True)
        await pilot.press("t", "t")
        await pilot.pause()
        pane = app.query_one(LessonPane)
        seen = pane_text(app, pane)
        last = lesson.steps[2].hints[1]
        assert set(words(last)) <= set(words(seen)), seen


async def test_the_mouse_wheel_scrolls_a_long_text():
    from textual import events

    lesson = load_lesson("vanishing")
    app = BptuiApp(preset=lesson.preset, lesson=lesson)
    async with app.run_test(size=(80, 24)) as pilot:
        app.main_screen.lesson.index = 1
        app.main_screen.lessons.draw(full=True)
        await pilot.pause()
        scroll = app.query_one("#lesson-scroll")
        assert scroll.max_scroll_y > 0
        region = scroll.region
        for _ in range(3):
            await pilot._post_mouse_events([events.MouseScrollDown], widget=scroll, offset=(2, 1))
        await pilot.pause()
        assert scroll.scroll_y > 0, region


async def test_a_lost_state_starts_the_lesson_over_and_says_so(tmp_path):
    from bptui.lesson import progress as saved

    lesson = load_lesson("backward")
    saved.save(lesson.ident, saved.Progress(2, 1, 1))
    app = BptuiApp(
        preset=lesson.preset, lesson=lesson, progress=saved.load(lesson.ident, len(lesson.steps))
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert app.main_screen.lesson.index == 0 and app.main_screen.tally == (1, 1)
        assert "was not kept: back to lesson step 1" in app.main_screen.hint
