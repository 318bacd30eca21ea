"""Nothing on the diagram and matrix panes is cut mid-word or mid-number.

A cut is defined two ways. By the widgets' own layout: the diagram's plan never gives a node,
a title or a range label more cells than its column has, and the matrix never writes a cell wider
than its budget, at any size (checked over many network shapes and pane sizes). On the screen:
every bundled preset rendered at 80×24 and 120×40 (normal, and with the diagram and the matrix
zoomed) shows none of the known cut patterns: a label cut at a pane's border ('+5 mor', 'hidden
lay', 'h' alone), or a number that lost its end ('-0.', '1e-', '2.5e').
"""

from __future__ import annotations

import re
from importlib import resources

import numpy as np
import pytest

from bptui.app.widgets.diagram_layout import plan, range_label
from bptui.app.widgets.matrix import MatrixView
from bptui.engine.names import short_names
from bptui.engine.numtext import common_power, fit, scaled

SHAPES = [
    (2, 4, 1),
    (2, 16, 16, 3),
    (2, 6, 6, 6, 6, 6, 6, 1),
    (64, 32, 10),
    (1, 32, 32, 1),
    (4, 8, 3),
    (2, 2, 2),
    (2, 1),
    (3, 40, 40, 40, 40, 40, 40, 40, 40, 40, 2),
]
SIZES = [(38, 8), (38, 9), (78, 20), (64, 20), (118, 36), (58, 14), (20, 6), (12, 5)]


@pytest.mark.parametrize("layers", SHAPES, ids=lambda s: "-".join(map(str, s)))
def test_the_diagram_plan_keeps_every_node_inside_its_column(layers):
    for width, height in SIZES:
        for cursor in [
            (1, 0),
            (len(layers) - 1, layers[-1] - 1),
            (1, layers[1] - 1),
            (len(layers) // 2, layers[len(layers) // 2] // 2),
        ]:
            image = 8 if layers[0] == 64 else None
            layout = plan(layers, width, height, cursor, image_width=image)
            if layout is None:
                continue
            columns = layout.columns
            assert columns, (layers, width, height)
            assert layout.value_width >= 5
            for left, right in zip(columns, columns[1:]):
                assert left.x + left.width < right.x, (layers, width, height)
            assert columns[-1].x + columns[-1].width <= width - (1 if layout.hidden_right else 0)
            assert columns[0].x >= (1 if layout.hidden_left else 0)
            for column in columns:
                if column.index == 0 and image:
                    continue
                last = column.row(column.first + column.shown - 1)
                assert (
                    layout.body_top <= column.top and last + (0 if layout.one_row else 1) < height
                )
                if column.windowed:
                    assert column.range_row < height
                if layout.one_row:
                    assert 2 * layout.value_width + 1 <= column.width
            shown = layout.column(cursor[0])
            assert shown is not None, "the cursor's layer is always shown"
            if not (cursor[0] == 0 and image):
                assert shown.row(cursor[1]) is not None, "the selected unit is always shown"


def test_the_zoomed_80x24_diagram_shows_every_unit_of_a_16_unit_layer():
    layout = plan((2, 16, 16, 3), 78, 20)
    assert layout.one_row
    assert [c.shown for c in layout.columns] == [2, 16, 16, 3]


def test_a_layer_taller_than_the_pane_shows_a_window_that_follows_the_cursor():
    first = plan((2, 16, 16, 3), 38, 8, (1, 0))
    column = first.column(1)
    assert (column.first, column.shown, column.total) == (0, 2, 16)
    assert range_label(column.first, column.shown, column.total, 20) == "units 1-2 of 16"
    later = plan((2, 16, 16, 3), 38, 8, (1, 9), previous=first)
    assert later.column(1).first == 8 and later.column(1).row(9) is not None
    back = plan((2, 16, 16, 3), 38, 8, (1, 8), previous=later)
    assert back.column(1).first == 8, "the window moves only when the cursor leaves it"


def test_a_network_wider_than_the_pane_shows_a_window_of_layers():
    layers = (2, 6, 6, 6, 6, 6, 6, 1)
    start = plan(layers, 38, 8, (1, 0))
    assert start.first_column == 0 and start.hidden_right and not start.hidden_left
    end = plan(layers, 38, 8, (7, 0), previous=start)
    assert end.column(7) is not None and end.hidden_left and not end.hidden_right


def test_range_labels_shorten_but_never_cut():
    assert range_label(6, 6, 16, 30) == "units 7-12 of 16"
    assert range_label(6, 6, 16, 10) == "7-12 of 16"
    assert range_label(6, 6, 16, 7) == "7-12/16"
    assert range_label(6, 6, 16, 4) == "6/16"


@pytest.mark.parametrize("width", [4, 5, 6, 7, 8])
def test_a_fitted_number_never_takes_more_than_its_width(width):
    rng = np.random.default_rng(0)
    values = np.concatenate(
        [
            rng.normal(size=200) * 10.0 ** rng.integers(-12, 12, 200),
            [0.0, -0.0, 1e-300, -1e-300, 1e300, -1e300, 99999, -99999],
        ]
    )
    for value in values:
        text = fit(float(value), width)
        assert len(text) <= width, (value, text)
        if value != 0:
            assert text.strip("-") not in ("0", "0.0", "0.00"), (value, text)


def test_scaled_cells_take_three_characters_and_never_write_a_small_value_as_0():
    values = np.array([0.4242, -0.4242, 0.00247, -0.00273, 0.0, 0.996, -0.996])
    power = common_power(float(np.abs(values).max()))
    cells = [scaled(float(v), power) for v in values]
    assert cells == ["42", "-42", "·", "-·", "0", "100", "-100"] or power == 1
    for value in values:
        assert len(scaled(float(value), power)) <= 3
    assert scaled(0.00247, 2) == "·" and scaled(-0.00273, 2) == "-·" and scaled(0.0, 2) == "0"


@pytest.mark.parametrize("width", [20, 38, 52, 78, 118])
@pytest.mark.parametrize("cols", [1, 2, 4, 16, 32, 64])
def test_matrix_cells_fit_their_budget(width, cols):
    labels = [f" unit {r}" for r in range(1, 13)] + ["▶#1797"]
    for side in (True, False):
        cell, label_width, visible, compact = MatrixView.cells(width, cols, side, labels)
        assert label_width > max(len(label) for label in labels)
        if visible == cols:
            assert label_width + cols * (cell + 1) + (cell + 2 if side else 0) <= max(width, 20)
        assert cell >= (3 if compact else 5)


def test_the_80x24_zoomed_matrix_shows_all_16_columns_of_a_16_unit_layer():
    labels = [f" unit {r}" for r in range(1, 13)]
    cell, _, visible, compact = MatrixView.cells(78, 16, True, labels)
    assert visible == 16 and compact and cell == 3
    cell, _, visible, compact = MatrixView.cells(118, 16, True, labels)
    assert visible == 16 and not compact and cell >= 5


def test_short_names_stay_distinct_and_mark_cuts():
    iris = ("sepal_length", "sepal_width", "petal_length", "petal_width")
    assert short_names(iris, 4, 12) == list(iris)
    assert short_names(iris, 4, 7) == ["sep_len", "sep_wid", "pet_len", "pet_wid"]
    assert short_names(("weight", "sweetness"), 2, 6) == ["weight", "sweet…"]
    assert short_names(("class_0", "class_1"), 2, 3) == ["0", "1"]
    assert short_names((), 3, 4) == ["x1", "x2", "x3"]
    for width in range(2, 14):
        names = short_names(iris, 4, width)
        assert len(set(names)) == 4 and all(len(n) <= width for n in names)


# --- the screens -------------------------------------------------------------------------

LABELS = (
    "input",
    "hidden",
    "layer",
    "output",
    "units",
    "more",
    "dead",
    "label",
    "predicted",
    "each",
    "unit",
    "below",
    "under",
    "first",
    "rows",
    "samples",
    "computed",
)
NUMBER_CUT = re.compile(r"(?<![\w.])-?\d+(\.|e|e-)$")


def cuts(line: str) -> list[str]:
    """Tokens of a pane's line that end at its right border ('│', '›') cut short: prefixes
    of a label it uses, or numbers without their end; and '+N mor' anywhere."""
    found = re.findall(r"\+\d+ mor?\b", line)
    for match in re.finditer(r"(\S+)(?=[│›])", line):
        token = match.group(1).lstrip("│")
        if not token or token.endswith("…"):
            continue
        if NUMBER_CUT.search(token):
            found.append(token)
        elif (
            token.isalpha()
            and token not in LABELS
            and any(label.startswith(token) for label in LABELS)
        ):
            found.append(token)
    return found


def test_the_cut_scan_finds_the_cuts_it_is_for():
    assert cuts("│x1   ⠈⣎ -1e-5⡨⢇ 5e-5   -0.│") == ["-0."]
    assert cuts("│-0.83  +5 mor +5 mor +5 mor +5 mor +5 │") == ["+5 mor"] * 4
    assert cuts("│input  h1 (6) h2 (6) h3 (6) hidden lay│") == ["lay"]
    assert cuts("│input  hidden 1  output│") == []
    assert cuts("│ a 0.349│") == []


def screen_lines(app) -> list[str]:
    """The diagram's and the matrix pane's rows as shown, each between its borders."""
    out = []
    for selector in ("#diagram-pane", "#matrix-pane"):
        pane = app.query_one(selector)
        if not pane.display or pane.region.width == 0:
            continue
        region = pane.region
        strips = app.screen._compositor.render_strips()
        for y in range(region.y, region.y + region.height):
            out.append(strips[y].text[region.x : region.x + region.width])
    return out


PRESETS = sorted(
    p.stem for p in resources.files("bptui.presets").iterdir() if p.name.endswith(".toml")
)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
@pytest.mark.parametrize("preset", PRESETS)
async def test_no_bundled_preset_shows_a_cut_label_or_number(preset, size):
    from bptui.app.main import BptuiApp

    app = BptuiApp(preset=preset)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        found = []
        for keys in ([], ["s"], ["f", "e", "b"], ["1"], ["1", "2"], ["2", "right_square_bracket"]):
            for key in keys:
                await pilot.press(key)
            await pilot.pause()
            for line in screen_lines(app):
                found += [(keys, cut, line) for cut in cuts(line)]
        assert not found, found[:5]


def test_a_narrow_status_line_cuts_the_title_after_a_whole_word():
    from bptui.app.widgets.statusline import title_text

    assert title_text("Vanishing gradients", 18) == "Vanishing…"  # was 'Vanishing gradien…'
    assert title_text("The forward pass, by hand", 18) == "The forward pass…"
    assert title_text("Spiral (3 classes)", 18) == "Spiral (3 classes)"
    assert title_text("Supercalifragilisticexpialidocious", 18) == "Supercalifragilis…"
