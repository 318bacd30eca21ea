"""The charts' legends are on the bottom pane's border, never on a plot row: plotext drew them
inside the plot, over the curves' top rows ('⢕⢕ batch', '⢕⢕ ∇C·Δθ'), and the message of a chart
with one point ran into them ('⢕one point so far…': learner walk 3)."""

from __future__ import annotations

import pytest

from bptui.app.main import BptuiApp
from bptui.app.widgets.plots import legend_text, rich_colour
from tests.helpers import drawn

PLOTEXT_LEGEND = "⢕⢕"
"""The mark plotext writes before each name of its own legend."""


def screen_rows(app) -> list[str]:
    """The screen as shown, row by row."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def bottom_edge(app) -> str:
    """The bottom pane's lower border row on the screen."""
    pane = app.main_screen.query_one("#bottom").region
    return screen_rows(app)[pane.bottom - 1]


def test_a_legend_keeps_whole_entries_in_the_curves_colours():
    entries = (("batch", "gray"), ("train", "blue"), ("test", "orange"))
    assert legend_text(entries, 40).plain == "━━ batch  ━━ train  ━━ test"
    assert legend_text(entries, 20).plain == "━━ batch  …"  # whole entries, then "…"
    assert legend_text(entries, 2).plain == "…"
    marks = [span.style for span in legend_text(entries, 40).spans if "bold" in str(span.style)]
    assert marks == [f"bold {rich_colour(c)}" for _, c in entries]
    assert rich_colour("orange") == "color(3)"  # plotext's orange is the terminal's yellow


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
async def test_the_loss_charts_legend_is_on_the_panes_border_and_on_no_plot_row(size):
    app = BptuiApp(preset="moons")  # mini-batches and a test set: three named curves
    async with app.run_test(size=size) as pilot:
        app.main_screen.stepper.run(30)
        app.main_screen.refresh_view()
        lines = await drawn(pilot, app.main_screen.query_one("#chart"))
        for line in lines:
            assert PLOTEXT_LEGEND not in line and "batch" not in line and "train" not in line
        assert "─ ━━ batch  ━━ train  ━━ test ─" in bottom_edge(app), bottom_edge(app)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
async def test_the_one_point_message_has_its_row_to_itself(size):
    app = BptuiApp(preset="moons")
    async with app.run_test(size=size) as pilot:
        await pilot.press("f")  # the first point: the cost at step 0
        lines = await drawn(pilot, app.main_screen.query_one("#chart"))
        row = next(line for line in lines if "one point so far" in line)
        assert PLOTEXT_LEGEND not in row and "train" not in row, row
        assert "─ ━━ train  ━━ test ─" in bottom_edge(app), bottom_edge(app)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
async def test_the_update_checks_legend_is_on_the_panes_border(size):
    app = BptuiApp(preset="xor")
    async with app.run_test(size=size) as pilot:
        app.main_screen.stepper.run(20)
        app.main_screen.refresh_view()
        await pilot.press("h", "h")
        lines = await drawn(pilot, app.main_screen.query_one("#check"))
        assert not any(PLOTEXT_LEGEND in line or "∇C·Δθ" in line for line in lines), lines
        assert "─ ━━ predicted ∇C·Δθ  ━━ actual ΔC ─" in bottom_edge(app), bottom_edge(app)
        await pilot.press("h")  # back to the loss chart: its own legend
        await drawn(pilot, app.main_screen.query_one("#chart"))
        assert "─ ━━ train ─" in bottom_edge(app), bottom_edge(app)
