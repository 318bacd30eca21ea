"""What a lesson step asks the learner to read is on screen at 80×24: the view a step brings up in
the pane below the text (the unit graph, each sample's pull, the updated weights, a wrong answer's
arithmetic) takes the rows the text leaves it, or folds the text to its "to go on" line and a
sign; the text and the step's number change in the same frame; PgDn pages the text without
blank first rows, to its end."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from bptui.app.main import BptuiApp
from bptui.app.widgets.lessonpane import BACK, FOLDED, MORE, LessonPane
from bptui.lesson import load_lesson
from tests.test_lessons import SCRIPTS, act

SMALL = (80, 24)


@pytest.fixture(autouse=True)
def own_data_dir(tmp_path, monkeypatch):
    """Progress goes to a temporary data directory, never the user's."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))


def screen_text(app, widget=None) -> str:
    """The characters on screen (inside `widget`'s region, if given), row by row."""
    strips = app.screen._compositor.render_strips()
    region = widget.region if widget is not None else app.screen.region
    return "\n".join(
        strip.text[region.x : region.right] for strip in strips[region.y : region.bottom]
    )


async def reach(pilot, name: str, step: int, solve: bool = True) -> None:
    """Walk lesson `name` with its scripted solution to step `step` (1-based), and do that
    step's scripted keys too when `solve`."""
    for number, actions in enumerate(SCRIPTS[name][:step], start=1):
        if number < step or solve:
            for action in actions:
                await act(pilot, action)
        if number < step:
            await pilot.press("n")
            await pilot.pause()
    await pilot.pause()


async def answer_wrong(pilot, guess: str = "0.5") -> None:
    await pilot.press("P")
    await pilot.pause()
    pilot.app.screen.query_one("#guess", Input).value = guess
    await pilot.press("enter")
    await pilot.pause()


# The steps of the learner's report, after their scripted keys: what the view must show.
VIEWS = {
    ("slope", 2): ["a = sigmoid(z)", "└─ z", "w1  data 0.15", "x2  data 0.1", "b1₁  data 0.35"],
    ("batch", 5): ["#1", "#2", "#3", "#4", "-0.2081", "0.125", "mean", "-0.03557288"],
    ("backward", 5): ["new W = W + ΔW", "0.3589"],
}


@pytest.mark.parametrize("where", list(VIEWS), ids=lambda w: f"{w[0]}-{w[1]}")
async def test_the_view_a_step_brings_up_is_on_screen_at_80x24(where):
    name, step = where
    lesson = load_lesson(name)
    app = BptuiApp(preset=lesson.preset, lesson=lesson)
    async with app.run_test(size=SMALL) as pilot:
        await reach(pilot, name, step)
        pane = app.query_one(LessonPane)
        shown = screen_text(app, app.query_one("#matrix-pane"))
        missing = [figure for figure in VIEWS[where] if figure not in shown]
        assert not missing, f"{name} step {step}: {missing} not on screen:\n{shown}"
        if not pane.folded:  # the text gave up rows, and says it goes on
            assert f"step {step} of" in shown and (MORE in shown or not pane.scrolls()), shown
            return
        assert FOLDED in shown, shown
        await pilot.press("pageup")  # the step's text comes back
        await pilot.pause()
        shown = screen_text(app, pane)
        assert not pane.folded and f"step {step} of" in shown, shown


async def test_a_wrong_answers_arithmetic_is_on_screen_at_80x24():
    lesson = load_lesson("forward")
    app = BptuiApp(preset=lesson.preset, lesson=lesson)
    async with app.run_test(size=SMALL) as pilot:
        await reach(pilot, "forward", 2, solve=False)
        await answer_wrong(pilot)
        await pilot.press("t")
        await pilot.pause()
        assert "arithmetic in the explain pane" in app.main_screen.hint
        shown = screen_text(app, app.query_one("#matrix-pane"))
        assert "σ(0.3775) = 0.5933" in shown, shown
        assert FOLDED in shown or MORE in shown, "the step's text is not all there: say so"


async def test_the_text_stays_when_the_view_fits_beside_it():
    lesson = load_lesson("forward")
    app = BptuiApp(preset=lesson.preset, lesson=lesson)
    async with app.run_test(size=(120, 40)) as pilot:
        await reach(pilot, "forward", 2, solve=False)
        await answer_wrong(pilot)
        await pilot.press("t")
        await pilot.pause()
        shown = screen_text(app, app.query_one("#matrix-pane"))
        assert not app.query_one(LessonPane).folded
        assert "step 2 of 4" in shown and "σ(0.3775) = 0.5933" in shown, shown


async def test_zoomed_the_view_takes_the_column():
    lesson = load_lesson("slope")
    app = BptuiApp(preset=lesson.preset, lesson=lesson)
    async with app.run_test(size=SMALL) as pilot:
        await reach(pilot, "slope", 2)
        await pilot.press("2")
        await pilot.pause()
        shown = screen_text(app)
        assert "x2  data 0.1" in shown and "b1₁  data 0.35" in shown and "get δ" in shown, shown


async def test_the_view_scrolls_with_pgdn_when_folded():
    """In the explain pane, a view longer than the column: PgDn goes down it, and PgUp back up
    it before it unfolds the text."""
    lesson = load_lesson("slope")
    app = BptuiApp(preset=lesson.preset, lesson=lesson)
    async with app.run_test(size=SMALL) as pilot:
        await reach(pilot, "slope", 2)
        pane, explain = app.query_one(LessonPane), app.query_one("#explain")
        if explain.max_scroll_y == 0:
            pytest.skip("the graph fits the column at this size")
        assert "PgDn" in screen_text(app, pane)
        await pilot.press("pagedown")
        await pilot.pause()
        assert explain.scroll_y > 0 and pane.folded
        await pilot.press("pageup", "pageup")
        await pilot.pause()
        assert not pane.folded


@pytest.mark.parametrize("name", ["batch", "backward"])
async def test_the_text_changes_in_the_frame_the_step_does(name):
    """Every frame after n that shows the new hint shows the new step's number and text."""
    lesson = load_lesson(name)
    app = BptuiApp(preset=lesson.preset, lesson=lesson)
    async with app.run_test(size=SMALL) as pilot:
        frames = []
        display = app._display

        def record(screen, update):
            display(screen, update)
            if screen is app.main_screen:
                pane = " ".join(screen_text(app, app.query_one(LessonPane)).split())
                frames.append((app.main_screen.hint, pane))

        app._display = record
        total = len(lesson.steps)
        for number, actions in enumerate(SCRIPTS[name], start=1):
            for action in actions:
                await act(pilot, action)
            await pilot.pause()
            frames.clear()
            hint_before = app.main_screen.hint
            await pilot.press("n")
            await pilot.pause()
            header = f"step {number + 1} of {total}" if number < total else "· done"
            after = [pane for hint, pane in frames if hint != hint_before]
            assert after, f"{name}: no frame after n at step {number}"
            stale = [pane for pane in after if header not in pane]
            assert not stale, f"{name} step {number}: {len(stale)} frame(s) showed the old text"


async def test_pgdn_pages_the_text_to_its_end_without_blank_first_rows():
    lesson = load_lesson("learning-rate")
    app = BptuiApp(preset=lesson.preset, lesson=lesson)
    async with app.run_test(size=SMALL) as pilot:
        await reach(pilot, "learning-rate", 3, solve=False)
        pane = app.query_one(LessonPane)
        scroll = pane.query_one("#lesson-scroll")
        assert scroll.max_scroll_y > 0, "this step's text fits at 80x24: pick a longer one"
        blank = pane.blank_rows()
        for _ in range(10):
            if scroll.scroll_y >= scroll.max_scroll_y:
                break
            await pilot.press("pagedown")
            await pilot.pause()
            first = screen_text(app, scroll).splitlines()[0]
            assert first.strip(), "a page starts with a blank row"
            assert round(scroll.scroll_y) not in blank or scroll.scroll_y == scroll.max_scroll_y
        assert scroll.scroll_y == scroll.max_scroll_y
        assert BACK in screen_text(app, pane)
        last_words = lesson.steps[2].text.split()[-3:]
        assert " ".join(last_words).strip("*") in " ".join(screen_text(app, pane).split())
        await pilot.press("pagedown")
        await pilot.pause()
        assert app.main_screen.hint.startswith("the end of the step's text")


async def test_a_lesson_starts_on_the_diagram_whatever_the_last_one_left_in_front():
    """xor's decision boundary, log scale and the explain pane do not follow the learner into
    vanishing, whose step 1 says "read δ in the diagram" and locks d (learner walk 2, #51 #52)."""
    from bptui.lesson.catalog import Catalog

    lesson = load_lesson("xor")
    app = BptuiApp(preset=lesson.preset, lesson=lesson)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        explorer = app.main_screen
        await reach(pilot, "xor", 3)  # the boundary is up since step 1; l and x work here
        for key in ("l", "x"):
            await pilot.press(key)
        explorer.log_steps = True
        await pilot.pause()
        assert explorer.left == "boundary" and explorer.log_scale and explorer.right == "explain"
        explorer.lessons.start(Catalog.bundled().lesson("vanishing"))
        await pilot.pause()
        assert explorer.left == "diagram"
        assert not explorer.log_scale and not explorer.log_steps
        assert (explorer.right, explorer.bottom, explorer.probe) == ("matrix", "chart", "")
        assert "Network" in explorer.query_one("#diagram-pane").border_title


async def test_a_step_that_locks_d_finds_the_diagram_in_front():
    """vanishing step 4 locks d and reads δ in the diagram: a boundary the learner brought up in
    step 3 (where d works) makes way for it."""
    lesson = load_lesson("vanishing")
    app = BptuiApp(preset=lesson.preset, lesson=lesson)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        explorer = app.main_screen
        await reach(pilot, "vanishing", 3)
        await pilot.press("d")
        await pilot.pause()
        assert explorer.left == "boundary"
        await pilot.press("n")
        await pilot.pause()
        assert explorer.lesson.index == 3
        assert explorer.left == "diagram"


async def test_a_pane_title_offers_only_keys_the_step_allows():
    """A title that says "d: diagram" while the step locks d sends the learner to a refused key:
    the title leaves such a key out, and keeps the ones that work."""
    lesson = load_lesson("xor")
    app = BptuiApp(preset=lesson.preset, lesson=lesson)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        explorer = app.main_screen
        await reach(pilot, "xor", 1)
        assert "d: diagram" in str(explorer.query_one("#diagram-pane").border_title)
        bottom = str(explorer.query_one("#bottom").border_title)
        assert "h:" not in bottom and "c: pin" not in bottom  # xor step 1 locks h and c
        assert explorer.offered("Explain · x: matrix · arrows: unit") == (
            "Explain · x: matrix · arrows: unit"
        )
        assert explorer.offered("Layer 1/2 · [ ] to change") == "Layer 1/2"


async def test_the_gradient_check_step_is_done_when_g_shows_its_result():
    """backward step 4: g shows the gradient check in the matrix pane; the text no longer asks
    for x, which took the learner away from it, and the step is not done before g (learner
    walk 2, #16): x alone, which brings the matrix pane back, does not do (learner walk 4)."""
    lesson = load_lesson("backward")
    app = BptuiApp(preset=lesson.preset, lesson=lesson)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        explorer = app.main_screen
        await reach(pilot, "backward", 4, solve=False)
        assert explorer.right == "explain"  # from step 1's x
        assert explorer.lessons.run.missing(explorer.lessons.context())
        assert "**x** shows" not in explorer.lesson.step.text
        await pilot.press("x")
        await pilot.pause()
        assert explorer.right == "matrix"
        assert explorer.lessons.run.missing(explorer.lessons.context()) == [
            "run the gradient check (g)"
        ]
        await pilot.press("g")
        await pilot.pause()
        assert explorer.right == "matrix" and explorer.gradcheck
        assert not explorer.lessons.run.missing(explorer.lessons.context())


async def test_the_error_step_says_where_delta_2_has_all_its_digits():
    """error step 3 quotes δ₂ = −0.0381; the diagram shows -0.04: ↓, as the text says, selects
    output 2 and the explain pane shows the quoted digits (learner walk 2, #8)."""
    lesson = load_lesson("error")
    app = BptuiApp(preset=lesson.preset, lesson=lesson)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        explorer = app.main_screen
        await reach(pilot, "error", 3)
        assert "−0.0381" in explorer.lesson.step.text and "**↓**" in explorer.lesson.step.text
        await pilot.press("down")
        await pilot.pause()
        await pilot.pause()
        shown = screen_text(app, explorer.query_one("#right"))
        assert "-0.0381" in shown.replace("−", "-"), shown
