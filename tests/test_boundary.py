"""The decision boundary: the picture's pure functions (boundarymap, palette), a trained xor's
regions, and the widget mounted in an app."""

from __future__ import annotations

import numpy as np
import pytest
from textual.app import App, ComposeResult
from textual.color import Color

from bptui.app.boundarymap import (
    TEST_MARK,
    TRAIN_MARK,
    NetworkCopy,
    activation_scale,
    boundary_lines,
    fit_bounds,
    grid_inputs,
    pixel_of,
    plane_bounds,
    span,
)
from bptui.app.palette import DEFAULT, NEGATIVE, POSITIVE, class_colours, value_colours
from bptui.app.snapshot import take
from bptui.app.widgets.boundary import DecisionBoundary
from bptui.engine.activations import activate
from bptui.preset import load_preset

NEUTRAL = DEFAULT.neutral
HUES = DEFAULT.hues


def cells(strip) -> list[tuple[str, object]]:
    """(character, rich Style) of every cell of a Strip (or a line of Segments)."""
    return [(ch, seg.style) for seg in strip for ch in seg.text]


def rgb(color) -> tuple[int, int, int]:
    t = color.get_truecolor()
    return t.red, t.green, t.blue


def side(colour) -> int:
    """0 if a colour is nearer orange (class 0), 1 if nearer blue (class 1)."""
    c = np.asarray(colour, dtype=float)
    return int(np.linalg.norm(c - POSITIVE) < np.linalg.norm(c - NEGATIVE))


@pytest.fixture(scope="module")
def trained_xor():
    preset = load_preset("xor")
    stepper = preset.stepper()
    stepper.run(3000)
    return preset, stepper


# ----- geometry ------------------------------------------------------------------------------


def test_grid_inputs_are_pixel_centres_row_by_row_from_the_top():
    grid = grid_inputs((0.0, 1.0, 0.0, 2.0), 4, 8)
    assert grid.shape == (32, 2)
    assert np.allclose(grid[:4, 0], [0.125, 0.375, 0.625, 0.875])
    assert np.allclose(grid[:4, 1], 2.0 - 0.125)  # first row: the top
    assert np.allclose(grid[-1], [0.875, 0.125])
    assert grid[:, 0].min() > 0 and grid[:, 0].max() < 1
    assert grid[:, 1].min() > 0 and grid[:, 1].max() < 2
    assert grid_inputs((0.0, 1.0, 0.0, 2.0), 4, 8) is grid  # cached per size
    assert not grid.flags.writeable


def test_bounds_come_from_train_and_test_with_a_margin():
    assert np.allclose(plane_bounds(load_preset("xor").data), (-0.1, 1.1, -0.1, 1.1))
    data = load_preset("circle").data
    x = np.concatenate([data.x_train, data.x_test])
    x0, x1, y0, y1 = plane_bounds(data)
    assert x0 < x[:, 0].min() < x[:, 0].max() < x1
    assert np.isclose(x1 - x0, 1.2 * np.ptp(x[:, 0])) and np.isclose(y1 - y0, 1.2 * np.ptp(x[:, 1]))
    assert span(np.array([0.05])) == (-0.45, 0.55)  # one point (mazur): still a range
    assert span(np.array([])) == (-1.0, 1.0)


def test_fit_bounds_makes_square_pixels_and_keeps_the_data_inside():
    b = fit_bounds((-1.0, 1.0, -1.0, 1.0), 60, 38)
    assert np.isclose((b[1] - b[0]) / 60, (b[3] - b[2]) / 38)
    assert b[0] <= -1 and b[1] >= 1 and np.isclose(b[2], -1) and np.isclose(b[3], 1)


def test_pixel_of_finds_the_pixel_holding_a_point():
    row, col = pixel_of(
        (0.0, 1.0, 0.0, 1.0), 10, 10, np.array([0.05, 0.95]), np.array([0.95, 0.05])
    )
    assert row.tolist() == [0, 9] and col.tolist() == [0, 9]


# ----- colours -------------------------------------------------------------------------------


def test_class_colours_for_one_sigmoid_output():
    colours = class_colours(np.array([[0.0], [0.5], [1.0], [0.9], [np.nan]]))
    assert colours.dtype == np.uint8 and colours.shape == (5, 3)
    assert tuple(colours[1]) == NEUTRAL and tuple(colours[4]) == NEUTRAL
    assert side(colours[0]) == 0 and side(colours[2]) == 1 and side(colours[3]) == 1
    assert colours[0][0] > colours[0][2] and colours[2][2] > colours[2][0]  # orange, blue
    # surer is further from the neutral colour
    distance = np.abs(colours.astype(int) - NEUTRAL).sum(axis=1)
    assert distance[2] > distance[3]


def test_class_colours_for_softmax_mix_hues_and_pale_when_unsure():
    probs = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1 / 3, 1 / 3, 1 / 3], [0.5, 0.5, 0]])
    colours = class_colours(probs).astype(int)
    for k in range(3):
        toward = np.asarray(HUES[k]) - np.asarray(NEUTRAL)
        moved = colours[k] - np.asarray(NEUTRAL)
        assert np.dot(moved, toward) / (np.linalg.norm(moved) * np.linalg.norm(toward)) > 0.99
    assert tuple(colours[3]) == NEUTRAL  # no idea: neutral
    assert np.abs(colours[4] - NEUTRAL).sum() < np.abs(colours[0] - NEUTRAL).sum()  # unsure: pale


def test_value_colours_and_activation_scales():
    assert activation_scale("tanh", np.zeros(3)) == (0.0, 1.0)
    assert activation_scale("sigmoid", np.zeros(3)) == (0.5, 0.5)
    assert activation_scale("relu", np.array([0.0, 2.0, 4.0])) == (0.0, 4.0)
    assert activation_scale("relu", np.zeros(3)) == (0.0, 1.0)
    colours = value_colours(np.array([0.5, 1.0, 0.0]), 0.5, 0.5)
    assert tuple(colours[0]) == NEUTRAL and side(colours[1]) == 1 and side(colours[2]) == 0


# ----- the network copy ----------------------------------------------------------------------


def test_forward_matches_predict_and_a_manual_hidden_pass():
    preset = load_preset("spiral")
    stepper = preset.stepper()
    stepper.run(20)
    net = NetworkCopy.of(stepper)
    x = np.concatenate([preset.data.x_train, preset.data.x_test])
    assert np.allclose(net.forward(x), stepper.predict(x))
    z = x @ stepper.weights[0].T + stepper.biases[0]
    hidden = activate(stepper.spec.activation(0), z, np.empty_like(z))
    assert np.allclose(net.forward(x, upto=0), hidden)
    snap = take(stepper, "spiral")
    assert np.allclose(NetworkCopy.of(snap).forward(x), stepper.predict(x))
    stepper.run(1)  # the copy does not follow the stepper
    assert not np.allclose(net.forward(x), stepper.predict(x))


# ----- a trained xor -------------------------------------------------------------------------

CORNERS = {(0.0, 0.0): 0, (1.0, 1.0): 0, (0.0, 1.0): 1, (1.0, 0.0): 1}


def test_trained_xor_colours_the_corners_as_their_classes(trained_xor):
    preset, stepper = trained_xor
    bounds = plane_bounds(preset.data)
    width, height = 60, 40
    colours = class_colours(stepper.predict(grid_inputs(bounds, width, height)))
    image = colours.reshape(height, width, 3)
    for (x, y), label in CORNERS.items():
        row, col = pixel_of(bounds, width, height, x, y)
        assert side(image[row, col]) == label, (x, y)


def test_trained_xor_rendered_cells_at_the_corners(trained_xor):
    """Each corner's marker is its class colour on the region's colour around it."""
    preset, stepper = trained_xor
    strips = boundary_lines(NetworkCopy.of(stepper), preset.data, 60, 20)
    assert len(strips) == 20 and all(len(cells(s)) == 60 for s in strips)
    marked = [
        (r, c, style)
        for r, strip in enumerate(strips[1:], 1)
        for c, (ch, style) in enumerate(cells(strip))
        if ch == TRAIN_MARK
    ]
    assert len(marked) == 4
    for r, c, style in marked:
        top, left = r < 10, c < 30
        label = CORNERS[(0.0 if left else 1.0, 1.0 if top else 0.0)]
        assert side(rgb(style.color)) == label
        assert side(rgb(style.bgcolor)) == label


# ----- rendering -----------------------------------------------------------------------------


class BoundaryApp(App):
    def __init__(self, preset: str, unit=None, steps: int = 0):
        super().__init__()
        self.preset = load_preset(preset)
        self.stepper = self.preset.stepper()
        self.stepper.run(steps)
        self.unit = unit

    def compose(self) -> ComposeResult:
        yield DecisionBoundary()

    def on_mount(self) -> None:
        self.query_one(DecisionBoundary).show(self.stepper, self.preset.data, self.unit)


@pytest.mark.parametrize(
    "preset, unit, title",
    [
        ("xor", None, "output: class regions"),
        ("spiral", None, "output: class regions"),
        ("sine", None, "output: prediction over x"),
        ("spiral", (1, 4), "hidden layer 2, unit 5: tanh  a = -1 ■■■■■ 1"),
        ("sine", (0, 2), "hidden layer 1, unit 3: tanh over x"),
    ],
)
async def test_widget_renders_in_an_app(preset, unit, title):
    app = BoundaryApp(preset, unit, steps=50)
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        widget = app.query_one(DecisionBoundary)
        assert (widget.size.width, widget.size.height) == (60, 20)
        lines = [widget.render_line(y) for y in range(20)]
        assert all(line.cell_length == 60 for line in lines)
        text = "\n".join(line.text for line in lines)
        assert lines[0].text.startswith(title)
        body = "\n".join(line.text for line in lines[1:])
        if preset == "sine":
            assert "▀" in body or "▄" in body
            colours = {
                rgb(style.color)
                for line in lines[1:]
                for _, style in cells(line)
                if style is not None and style.color is not None
            }
            assert any(np.abs(np.subtract(c, POSITIVE)).max() < 8 for c in colours)  # the curve
        else:
            assert body.count("▀") > 60 * 10
            assert TRAIN_MARK in body
            if preset == "spiral":
                assert TEST_MARK in body
        screen = app.export_screenshot()
        assert "▀" in screen or "▄" in screen
        assert text.splitlines()[0].split()[0] in screen


@pytest.mark.parametrize(
    "preset, width, legend, centre, scale",
    [
        ("xor", 60, "hidden layer 1, unit 1: sigmoid  a = 0 ■■■■■ 1 ● train", 0.5, 0.5),
        ("xor", 30, "sigmoid  a = 0 ■■■■■ 1 ● train", 0.5, 0.5),  # a lesson's narrow pane
        ("xor", 24, "a = 0 ■■■■■ 1 ● train", 0.5, 0.5),
        ("circle", 24, "a = -1 ■■■■■ 1 ● train", 0.0, 1.0),
        ("moons", 60, "hidden layer 1, unit 1: relu  a = 0 ■■■■ ", 0.0, None),
    ],
)
async def test_a_units_legend_names_a_and_spans_every_value_drawn(
    preset, width, legend, centre, scale
):
    """A unit's map is coloured by its activation a: the legend says so however narrow the pane,
    and runs from the lowest value drawn (a sigmoid's 0, not the scale's middle 0.5: learner walk
    3 read '0.5 ■■■■ 1' and asked where 0 was) in the colours the map gives those values."""
    app = BoundaryApp(preset, (0, 0))
    async with app.run_test(size=(width, 12)) as pilot:
        await pilot.pause()
        widget = app.query_one(DecisionBoundary)
        first = widget.render_line(0)
        assert first.text.startswith(legend), first.text
        swatches = [rgb(style.color) for ch, style in cells(first) if ch == "■"]
        ends = [centre, None] if scale is None else [centre - scale, centre + scale]
        low = value_colours(np.array(ends[:1]), centre, scale or 1.0, widget.palette)[0]
        assert swatches[0] == tuple(int(c) & 0xFC for c in low)  # quantised as drawn
        assert len(swatches) == (4 if scale is None else 5)  # relu: from 0 up


async def test_show_again_redraws_and_bad_input_says_so():
    app = BoundaryApp("xor")
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        widget = app.query_one(DecisionBoundary)
        before = [widget.render_line(y) for y in range(20)]
        app.stepper.run(500)
        widget.show(app.stepper, app.preset.data)
        await pilot.pause()
        after = [widget.render_line(y) for y in range(20)]
        assert [cells(s) for s in before] != [cells(s) for s in after]
        widget.show(app.stepper, app.preset.data, unit=(5, 0))
        await pilot.pause()
        assert widget.render_line(0).text.startswith("no unit")
        iris = load_preset("iris")
        widget.show(iris.stepper(), iris.data)
        await pilot.pause()
        assert "needs 1 or 2 inputs" in widget.render_line(0).text
        widget.clear()
        await pilot.pause()
        assert widget.render_line(0).text.strip() == ""


# ----- in the explorer -----------------------------------------------------------------------


async def test_the_pane_title_names_what_the_picture_shows_after_keys_and_settings():
    """The border title and the picture's own title line name the same unit (or the output)
    after every key that moves the cursor, and after settings that change the layers."""
    from bptui.app.main import BptuiApp
    from tests.test_app_edits import open_settings, submit

    app = BptuiApp(preset="xor")
    async with app.run_test(size=(120, 40)) as pilot:

        async def agree(after: str) -> str:
            await pilot.pause()
            title = app.query_one("#diagram-pane").border_title
            shown = title.split(" · ")[1]
            first = app.query_one(DecisionBoundary).render_line(0).text
            assert first.startswith(f"{shown}:"), (after, shown, first)
            screen = app.export_screenshot().replace("&#160;", " ")
            assert title in screen, (after, title)  # drawn, not only set
            return shown

        await pilot.press("d")
        assert await agree("d") == "output"
        seen = set()
        for key in ["left", "down", "left", "right", "right", "up", "left", "down"]:
            await pilot.press(key)
            seen.add(await agree(key))
        assert seen == {"output", "hidden layer 1, unit 1", "hidden layer 1, unit 2"}
        await pilot.press("right")  # the output, then new layers: the cursor goes to unit 1
        await submit(pilot, await open_settings(pilot), "layers", "2,3,3,1")
        assert await agree("layers 2,3,3,1") == "hidden layer 1, unit 1"
        await pilot.press("right", "down", "down")
        assert await agree("right down down") == "hidden layer 2, unit 3"
        await submit(pilot, await open_settings(pilot), "layers", "2,1")  # no hidden layer
        assert await agree("layers 2,1") == "output"


async def test_the_palette_follows_the_theme():
    """Neutral (p = 0.5, a value of 0) is the theme's background; blue and orange stay."""
    app = BoundaryApp("xor", steps=50)
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        widget = app.query_one(DecisionBoundary)
        dark = widget.palette
        before = [cells(widget.render_line(y)) for y in range(20)]
        app.theme = "textual-light"
        await pilot.pause()
        light = widget.palette
        assert (
            (dark.positive, dark.negative)
            == (light.positive, light.negative)
            == (POSITIVE, NEGATIVE)
        )
        assert sum(light.neutral) > 600 > 100 > sum(dark.neutral)
        assert light.neutral == Color.parse(app.get_css_variables()["background"]).rgb
        assert [cells(widget.render_line(y)) for y in range(20)] != before
