"""Wide layers in the diagram: a window of units that says which are shown and follows the
cursor, and between wide layers only the selected unit's edges."""

from __future__ import annotations

from bptui.app.main import BptuiApp
from bptui.app.widgets.diagram import NetworkDiagram
from bptui.app.widgets.diagram_layout import Column


def column(index: int, shown: int, first: int = 0, total: int | None = None) -> Column:
    return Column(index, 0, 9, first, shown, total or shown, 2, 2)


def test_between_wide_layers_only_the_selected_units_edges_are_drawn():
    diagram = NetworkDiagram()
    h1, h2 = column(1, 16), column(2, 16)
    diagram.set_reactive(NetworkDiagram.cursor, (1, 3))
    assert diagram.edge_pairs(h1, h2) == tuple((j, 3) for j in range(16)), "its outgoing edges"
    diagram.set_reactive(NetworkDiagram.cursor, (2, 5))
    assert diagram.edge_pairs(h1, h2) == tuple((5, i) for i in range(16)), "its incoming edges"
    diagram.set_reactive(NetworkDiagram.cursor, (3, 0))
    assert diagram.edge_pairs(h1, h2) == (), "no selected unit here: no band of edges"
    assert diagram.edge_pairs(column(0, 2), column(1, 4)) is None, "a small fan: all of it"
    window = column(1, 6, first=6, total=16)
    diagram.set_reactive(NetworkDiagram.cursor, (1, 8))
    assert diagram.edge_pairs(window, column(2, 6)) == tuple((j, 2) for j in range(6))


async def test_a_tall_layer_says_which_units_it_shows_and_follows_the_cursor():
    app = BptuiApp(preset="spiral")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        diagram = app.query_one(NetworkDiagram)
        text = diagram.build().plain
        assert "1-2 of 16" in text and "more" not in text
        await pilot.press(*["down"] * 9)
        await pilot.pause()
        assert diagram.cursor == (1, 9)
        text = diagram.build().plain
        assert "9-10 of 16" in text or "10-11 of 16" in text
        plan = diagram._plan
        assert plan.column(1).row(9) is not None, "the selected unit is shown"


async def test_a_short_range_label_is_spelled_out_in_the_legend():
    """At 80×24 a 7-layer network's columns say only '1-2/6': the bottom row says what that
    means, for the window the first such column shows."""
    app = BptuiApp(preset="vanishing")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f")
        diagram = app.query_one(NetworkDiagram)
        lines = diagram.build().plain.splitlines()
        assert "1-2/6" in lines[-2]
        assert lines[-1].strip() == "a, δ below · 1-2/6: units 1-2 of 6"
        await pilot.press(*["down"] * 4)
        assert (
            diagram.build().plain.splitlines()[-1].strip() == "a, δ below · 4-5/6: units 4-5 of 6"
        )


def test_a_line_without_styled_parts_keeps_the_widgets_background():
    from rich.style import Style
    from rich.text import Text

    from bptui.app.widgets.lines import text_to_strips

    base = Style(color="white", bgcolor="#121212")
    strips = text_to_strips(Text("plain line\n") + Text("styled", "bold"), 12, 3, base)
    for strip in strips:
        assert all(
            segment.style is not None and segment.style.bgcolor == base.bgcolor for segment in strip
        ), strip


async def test_the_compact_diagram_marks_each_dead_unit():
    """At 80×24 the diagram has no room for labels: a dead unit is still marked ✕ on its own
    row (the dead-units lesson says "the diagram marks dead units ✕"), not only counted."""
    app = BptuiApp(preset="dead-relu")
    async with app.run_test(size=(80, 24)) as pilot:
        app.main_screen.stepper.run(200)
        app.main_screen.refresh_view()
        await pilot.press("f")  # the forward pass of the current batch: flat units are known
        await pilot.pause()
        diagram = app.query_one(NetworkDiagram)
        plan = diagram._plan
        assert not plan.labelled
        marked = 0
        for column in plan.columns[1:-1]:
            flat = app.main_screen.snapshot.views[column.index - 1].flat
            if flat is None:
                continue
            shown = range(column.first, column.first + column.shown)
            marked += sum(bool(flat[unit]) for unit in shown)
            for unit in shown:
                cell = diagram.render_line(column.row(unit)).text[column.x :]
                assert cell.startswith("✕") == bool(flat[unit]), (column.index, unit, cell)
        assert marked, "the run has dead units on screen"


async def test_a_narrow_diagram_writes_the_selected_units_a_and_delta_whole():
    """Learner walk 2, #15: at 80×24 a lesson's diagram has 5-cell nodes and writes hidden δ =
    0.008771 as 0.009, 2.6 % off for ∂C/∂w1. The bottom row gives the selected unit's a and δ to
    4 significant digits; a diagram whose nodes keep 3 digits does not repeat them."""
    from bptui.lesson import load_lesson

    lesson = load_lesson("backward")
    app = BptuiApp(preset=lesson.preset, lesson=lesson)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("e")
        stepper = app.main_screen.stepper
        stepper.micro_step()  # backward layer 2/2: the hidden δ
        app.main_screen.refresh_view()
        await pilot.pause()
        diagram = app.query_one(NetworkDiagram)
        lines = diagram.build().plain.splitlines()
        assert "δ 0.009" in "\n".join(lines), "the node itself rounds"
        assert lines[-1].strip() == "unit 1:1: a 0.5933 δ 0.008771"
        await pilot.press("right", "down")  # output 2: δ₂ = −0.0381, written -0.04 in its node
        await pilot.pause()
        assert diagram.build().plain.splitlines()[-1].strip() == "unit 2:2: a 0.7729 δ -0.0381"
    app = BptuiApp(preset=lesson.preset)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("e", "b")
        await pilot.pause()
        lines = app.query_one(NetworkDiagram).build().plain.splitlines()
        assert "δ 0.00877" in "\n".join(lines) and "unit 1:1" not in lines[-1]
