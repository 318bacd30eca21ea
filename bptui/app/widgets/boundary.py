"""The decision boundary: what the network computes over its input space, as a picture.

Two inputs: a colour map of the input plane. Every terminal cell holds two square-ish pixels,
drawn as "▀" with the upper pixel's colour as foreground and the lower pixel's as background.
Classification colours a pixel by the class probabilities: one sigmoid output blends orange
(class 0) through a pale neutral (p = 0.5) to blue (class 1); a softmax output mixes one hue per
class (blue, orange, green, purple, …) by probability, pale where the network is unsure.
Training points "●" and held-out points "◆" are drawn on top in their class's colour.
Regression with two inputs shows the first output on a diverging scale.

One input: the prediction as a curve over x (half-block pixels), with the data as pixels.

A unit (weight layer l, unit j; l = 0 is the first hidden layer) shows that unit's activation
instead of the output, on a diverging scale centred on the activation's middle (tanh 0,
sigmoid 0.5, relu from 0): blue above, orange below.

Everything but the widget is a pure function of copied parameters (no Textual app needed);
the widget copies the weights in `show()` and draws lazily, once per change or resize.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from rich.cells import cell_len
from rich.color import Color, ColorType
from rich.color_triplet import ColorTriplet
from rich.segment import Segment
from rich.style import Style
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from bptui.app.style import NEGATIVE, POSITIVE
from bptui.engine.activations import ACTIVATIONS
from bptui.engine.kernels import forward_in_blocks

Bounds = tuple[float, float, float, float]
"""(x_lo, x_hi, y_lo, y_hi) of the plane shown."""
RGB = tuple[int, int, int]

NEUTRAL: RGB = (236, 236, 232)
"""Colour of p = 0.5 (or an activation at its centre)."""
HUES: tuple[RGB, ...] = (
    POSITIVE, NEGATIVE, (60, 180, 90), (150, 90, 210), (220, 60, 80),
    (40, 185, 190), (225, 195, 50), (230, 110, 190), (150, 105, 60), (128, 128, 128))
"""Class colours of a softmax output, in class order."""
REGION = 0.78
"""How far a sure region goes from NEUTRAL toward its class colour (points go all the way)."""
POINT_SHADE = 0.18
"""Markers are their class colour darkened this much, to stand out on their own region."""
TRAIN_MARK = "●"
TEST_MARK = "◆"
CURVE: RGB = POSITIVE
TRAIN_PIXEL: RGB = NEGATIVE
TEST_PIXEL: RGB = (200, 200, 200)
AXIS: RGB = (80, 80, 92)
QUANT = 0xFC
"""Colour channels are rounded to multiples of 4 before styles are made (fewer distinct styles)."""


TITLE = Style(bold=True)
DIM = Style(dim=True)
PLAIN = Style()


# ----- parameters ----------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class NetworkCopy:
    """Weights W_l (n_out, n_in), biases b_l (n_out,) and activation names of every layer."""

    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...]
    activations: tuple[str, ...]

    @classmethod
    def of(cls, source) -> NetworkCopy:
        """Copy the parameters of a Stepper, or take them from a Snapshot (already copies)."""
        if isinstance(source, NetworkCopy):
            return source
        views = getattr(source, "views", None)
        if views is not None:
            return cls(tuple(v.w for v in views), tuple(v.b for v in views),
                       tuple(v.activation for v in views))
        spec = source.spec
        return cls(tuple(np.array(w, dtype=float) for w in source.weights),
                   tuple(np.array(b, dtype=float) for b in source.biases),
                   tuple(spec.activation(layer) for layer in range(spec.depth)))

    @property
    def depth(self) -> int:
        """Weight layers."""
        return len(self.weights)

    @property
    def n_in(self) -> int:
        """Inputs."""
        return self.weights[0].shape[1]

    def units(self, layer: int) -> int:
        """Units out of weight layer `layer`."""
        return self.weights[layer].shape[0]

    def forward(self, x: np.ndarray, upto: int | None = None) -> np.ndarray:
        """Activations (n, units) of weight layer `upto` (default the output) for x (n, n_in)."""
        return forward_in_blocks(self.weights, self.biases, self.activations, x, upto)


def unit_label(network: NetworkCopy, unit: tuple[int, int]) -> str:
    """'hidden layer 1, unit 3' or 'output layer, unit 2' (engine.names: P and the diagram
    use the same words)."""
    from bptui.engine.names import unit_name

    return unit_name(unit[0], unit[1], network.depth)


def valid_unit(network: NetworkCopy, unit: tuple[int, int] | None) -> bool:
    """Whether `unit` is None or names an existing (weight layer, unit)."""
    if unit is None:
        return True
    layer, j = unit
    return 0 <= layer < network.depth and 0 <= j < network.units(layer)


# ----- geometry ------------------------------------------------------------------------------

def span(values: np.ndarray, margin: float = 0.1) -> tuple[float, float]:
    """(lo, hi) of the finite values widened by `margin` of the range on each side.

    A single value gets a range of max(1, |value|) around it; no values give (−1, 1).
    """
    values = np.asarray(values, dtype=float).ravel()
    values = values[np.isfinite(values)]
    if values.size == 0:
        return -1.0, 1.0
    lo, hi = float(values.min()), float(values.max())
    width = hi - lo
    if width <= 1e-12 * max(1.0, abs(lo)):
        half = 0.5 * max(1.0, abs(lo))
        return lo - half, hi + half
    return lo - margin * width, hi + margin * width


def plane_bounds(data, margin: float = 0.1) -> Bounds:
    """Bounds of the first two inputs of training and held-out data, with a margin."""
    x = np.concatenate([data.x_train[:, :2], data.x_test[:, :2]])
    return (*span(x[:, 0], margin), *span(x[:, 1], margin))


def curve_bounds(data, margin: float = 0.1) -> Bounds:
    """Bounds of the single input (x) and of every target (y), with a margin."""
    x = np.concatenate([data.x_train[:, 0], data.x_test[:, 0]])
    y = np.concatenate([data.y_train.ravel(), data.y_test.ravel()])
    return (*span(x, margin), *span(y, margin))


def fit_bounds(bounds: Bounds, width: int, height: int) -> Bounds:
    """Widen bounds in one direction so width × height pixels are square in data units."""
    x0, x1, y0, y1 = bounds
    step = max((x1 - x0) / max(1, width), (y1 - y0) / max(1, height))
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    hw, hh = step * width / 2, step * height / 2
    return cx - hw, cx + hw, cy - hh, cy + hh


@lru_cache(maxsize=16)
def grid_inputs(bounds: Bounds, width: int, height: int) -> np.ndarray:
    """Pixel centres (height·width, 2), row by row from the top (highest x2) down; read-only."""
    x0, x1, y0, y1 = bounds
    xs = x0 + (np.arange(width) + 0.5) * ((x1 - x0) / width)
    ys = y1 - (np.arange(height) + 0.5) * ((y1 - y0) / height)
    gx, gy = np.meshgrid(xs, ys)
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    grid.flags.writeable = False
    return grid


def pixel_of(bounds: Bounds, width: int, height: int, x, y) -> tuple[np.ndarray, np.ndarray]:
    """(row, column) pixel indices of points, clipped to the grid (row 0 at the top)."""
    x0, x1, y0, y1 = bounds
    col = np.floor((np.asarray(x, dtype=float) - x0) / (x1 - x0) * width)
    row = np.floor((y1 - np.asarray(y, dtype=float)) / (y1 - y0) * height)
    col = np.clip(np.nan_to_num(col), 0, width - 1).astype(int)
    row = np.clip(np.nan_to_num(row), 0, height - 1).astype(int)
    return row, col


# ----- colours -------------------------------------------------------------------------------

def diverging(t: np.ndarray, strength: float = REGION) -> np.ndarray:
    """uint8 RGB (n, 3) for t in [−1, 1]: orange ← NEUTRAL → blue; nan is neutral."""
    t = np.clip(np.nan_to_num(np.asarray(t, dtype=float).ravel(), nan=0.0), -1.0, 1.0)
    target = np.where((t >= 0)[:, None], np.array(POSITIVE, float), np.array(NEGATIVE, float))
    neutral = np.array(NEUTRAL, float)
    out = neutral + (target - neutral) * (np.abs(t) * strength)[:, None]
    return np.rint(out).astype(np.uint8)


def class_palette(k: int) -> tuple[RGB, ...]:
    """Colour of each class: (orange, blue) for one output, else HUES (cycled) for k outputs."""
    if k == 1:
        return NEGATIVE, POSITIVE
    return tuple(HUES[i % len(HUES)] for i in range(k))


def class_colours(outputs: np.ndarray, strength: float = REGION) -> np.ndarray:
    """uint8 RGB (n, 3) for class probabilities (n, K).

    K = 1: p blends orange (0) ↔ NEUTRAL (0.5) ↔ blue (1). K > 1: the probability-weighted
    mix of the class hues, moved toward NEUTRAL the less sure the network is
    ((max p − 1/K) / (1 − 1/K) is the share of the hue).
    """
    p = np.asarray(outputs, dtype=float)
    if p.ndim == 1:
        p = p[:, None]
    k = p.shape[1]
    if k == 1:
        return diverging(2.0 * np.nan_to_num(p[:, 0], nan=0.5) - 1.0, strength)
    p = np.clip(np.nan_to_num(p, nan=0.0), 0.0, None)
    total = p.sum(axis=1, keepdims=True)
    p = np.where(total > 0, p / np.where(total > 0, total, 1.0), 1.0 / k)
    mix = p @ np.array(class_palette(k), dtype=float)
    sure = np.clip((p.max(axis=1) - 1.0 / k) / (1.0 - 1.0 / k), 0.0, 1.0) * strength
    neutral = np.array(NEUTRAL, float)
    return np.rint(neutral + (mix - neutral) * sure[:, None]).astype(np.uint8)


def activation_scale(name: str, values: np.ndarray) -> tuple[float, float]:
    """(centre, half-range) of the diverging scale for values of an activation: its record's
    range when bounded on both sides, else 0 ± the largest |value|."""
    record = ACTIVATIONS[name]
    if record.low is not None and record.high is not None:
        return (record.low + record.high) / 2, (record.high - record.low) / 2
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    top = float(np.abs(finite).max()) if finite.size else 0.0
    return 0.0, top if top > 0 else 1.0


def never_negative(name: str) -> bool:
    """Whether an activation's values are never negative (its record's low bound ≥ 0)."""
    low = ACTIVATIONS[name].low
    return low is not None and low >= 0


def value_colours(values: np.ndarray, centre: float, scale: float,
                  strength: float = REGION) -> np.ndarray:
    """uint8 RGB (n, 3) of values on a diverging scale: centre neutral, centre ± scale full."""
    return diverging((np.asarray(values, dtype=float) - centre) / (scale or 1.0), strength)


def shade_rows(rgb: np.ndarray, amount: float = POINT_SHADE) -> np.ndarray:
    """uint8 RGB rows (n, 3) darkened by `amount`."""
    return np.rint(np.asarray(rgb, dtype=float) * (1.0 - amount)).astype(np.uint8)


def pack_rows(rgb: np.ndarray) -> list[int]:
    """uint8 RGB rows (n, 3) as quantised 0xRRGGBB ints."""
    p = np.asarray(rgb).astype(np.int64) & QUANT
    return ((p[..., 0] << 16) | (p[..., 1] << 8) | p[..., 2]).ravel().tolist()


def _pack(rgb) -> int:
    r, g, b = (int(c) & QUANT for c in rgb)
    return (r << 16) | (g << 8) | b


@lru_cache(maxsize=16384)
def _color(packed: int) -> Color:
    # Color.from_rgb costs ~10 µs (it formats the name); this is ~1 µs, and cached
    return Color(f"#{packed:06x}", ColorType.TRUECOLOR,
                 triplet=ColorTriplet((packed >> 16) & 255, (packed >> 8) & 255, packed & 255))


@lru_cache(maxsize=32768)
def half_block(upper: int, lower: int) -> tuple[str, Style]:
    """Character and style of a cell from two packed 0xRRGGBB pixels (−1: nothing there)."""
    if upper < 0 and lower < 0:
        return " ", PLAIN
    if lower < 0:
        return "▀", Style.from_color(_color(upper))
    if upper < 0:
        return "▄", Style.from_color(_color(lower))
    return "▀", Style.from_color(_color(upper), _color(lower))


BOLD = Style(bold=True)


@lru_cache(maxsize=8192)
def _mark_style(fg: int, bg: int) -> Style:
    return Style.from_color(_color(fg), _color(bg) if bg >= 0 else None) + BOLD


def _mean(a: int, b: int) -> int:
    """The mean of two packed colours (−1: absent)."""
    if a < 0:
        return b
    if b < 0:
        return a
    return _pack((((a >> 16) + (b >> 16)) // 2, ((a >> 8 & 255) + (b >> 8 & 255)) // 2,
                  ((a & 255) + (b & 255)) // 2))


# ----- drawing -------------------------------------------------------------------------------

Mark = tuple[str, int]
"""A character drawn over a cell in a packed 0xRRGGBB colour (on the cell's mean colour)."""


def pixel_strips(pixels: np.ndarray, mask: np.ndarray | None = None,
                 marks: dict[tuple[int, int], Mark] | None = None) -> list[Strip]:
    """Strips of half-block cells for pixels (2·rows, width, 3) uint8.

    mask (2·rows, width) says which pixels are drawn (None: all); marks maps (cell row, column)
    to a character drawn there instead, in its packed colour (see pack_rows) on the mean of
    the cell's two pixels.
    """
    h, width = pixels.shape[:2]
    if h % 2:
        pixels = np.concatenate([pixels, np.zeros((1, width, 3), np.uint8)])
        pad = np.zeros((1, width), bool)
        mask = np.concatenate([np.ones((h, width), bool) if mask is None else mask, pad])
        h += 1
    p = pixels.astype(np.int64) & QUANT
    packed = (p[..., 0] << 16) | (p[..., 1] << 8) | p[..., 2]
    if mask is not None:
        packed = np.where(mask, packed, -1)
    marks = marks or {}
    strips = []
    for row in range(h // 2):
        upper, lower = packed[2 * row].tolist(), packed[2 * row + 1].tolist()
        segments: list[Segment] = []
        run_text: list[str] = []
        run_style: Style | None = None
        for col in range(width):
            mark = marks.get((row, col))
            if mark is None:
                ch, style = half_block(upper[col], lower[col])
            else:
                ch = mark[0]
                style = _mark_style(mark[1], _mean(upper[col], lower[col]))
            if style is not run_style:
                if run_text:
                    segments.append(Segment("".join(run_text), run_style))
                run_text, run_style = [], style
            run_text.append(ch)
        if run_text:
            segments.append(Segment("".join(run_text), run_style))
        strips.append(Strip(segments, width))
    return strips


def text_strip(parts: list[tuple[str, Style]], width: int) -> Strip:
    """One line of styled text, cropped or padded to width."""
    strip = Strip([Segment(text, style) for text, style in parts if text])
    return strip.crop(0, width).extend_cell_length(width)


def _swatch(colour) -> tuple[str, Style]:
    return "■", Style(color=_color(_pack(colour)))


def scale_legend(centre: float, scale: float, nonnegative: bool = False) -> list[tuple[str, Style]]:
    """'lo ■■■■■ hi' in the diverging colours (from the centre up for values ≥ it)."""
    ts = np.linspace(0.0 if nonnegative else -1.0, 1.0, 4 if nonnegative else 5)
    colours = diverging(ts)
    lo = f"{centre:.3g}" if nonnegative else f"{centre - scale:.3g}"
    hi = f"{centre + scale:.3g}"
    parts = [(f"{lo} ", DIM)]
    parts += [_swatch(c) for c in colours]
    parts.append((f" {hi}", DIM))
    return parts


def class_names(data, k: int) -> list[str]:
    """Names of the classes (k = 1 means two classes), 'class i' where the data has none."""
    n = 2 if k == 1 else k
    names = list(getattr(data, "class_names", ()) or ())
    return names if len(names) == n else [f"class {i}" for i in range(n)]


def _short(value: float) -> str:
    return f"{value:.2g}"


def _range_text(bounds: Bounds, names: tuple[str, str]) -> str:
    x0, x1, y0, y1 = bounds
    return f"{names[0]} {_short(x0)}…{_short(x1)}  {names[1]} {_short(y0)}…{_short(y1)}"


def _title(parts: list[tuple[str, Style]], extra: str, width: int) -> Strip:
    used = sum(cell_len(text) for text, _ in parts)
    if extra and used + 2 + cell_len(extra) <= width:
        parts = parts + [(" " * (width - used - cell_len(extra)), PLAIN), (extra, DIM)]
    return text_strip(parts, width)


def message_strips(text: str, width: int, height: int) -> list[Strip]:
    """A dim message on the first line, blank lines after."""
    return [text_strip([(text, DIM)], width)] + [Strip.blank(width)] * (height - 1)


def plane_strips(network: NetworkCopy, data, width: int, height: int,
                 unit: tuple[int, int] | None = None, keep_aspect: bool = True) -> list[Strip]:
    """Title line and (height − 1) rows of the input-plane colour map for a 2-input network."""
    rows = height - 1
    px_h = 2 * rows
    bounds = plane_bounds(data)
    if keep_aspect:
        bounds = fit_bounds(bounds, width, px_h)
    bounds = tuple(float(v) for v in bounds)
    grid = grid_inputs(bounds, width, px_h)
    classify = data.task == "classification"
    k = network.units(network.depth - 1)
    parts: list[tuple[str, Style]]
    if unit is not None:
        layer, j = unit
        values = network.forward(grid, upto=layer)[:, j]
        name = network.activations[layer]
        centre, scale = activation_scale(name, values)
        colours = value_colours(values, centre, scale)
        parts = [(f"{unit_label(network, unit)}: {name} activation  ", TITLE)]
        parts += scale_legend(centre, scale, nonnegative=never_negative(name))
    elif classify:
        colours = class_colours(network.forward(grid))
        parts = [("output: class regions  ", TITLE)]
        for name, colour in zip(class_names(data, k), class_palette(k)):
            parts += [_swatch(colour), (f" {name} ", DIM)]
    else:  # regression: the first output, and the targets on the same scale
        values = network.forward(grid)[:, 0]
        targets = np.concatenate([data.y_train[:, 0], data.y_test[:, 0]])
        centre, scale = activation_scale(network.activations[-1], np.concatenate([values, targets]))
        colours = value_colours(values, centre, scale)
        parts = [("output 1: value  ", TITLE)]
        parts += scale_legend(centre, scale, nonnegative=never_negative(network.activations[-1]))

    # points: held-out first, training on top
    marks: dict[tuple[int, int], Mark] = {}
    for x, y, mark in ((data.x_test, data.y_test, TEST_MARK),
                       (data.x_train, data.y_train, TRAIN_MARK)):
        if len(x) == 0:
            continue
        if classify:
            palette = class_palette(k)
            index = (y[:, 0] >= 0.5).astype(int) if k == 1 else y.argmax(axis=1)
            point_colours = np.array(palette, dtype=np.uint8)[index]
        else:
            point_colours = value_colours(y[:, 0], centre, scale, 1.0)
        prow, pcol = pixel_of(bounds, width, px_h, x[:, 0], x[:, 1])
        packed = pack_rows(shade_rows(point_colours))
        for r, c, colour in zip((prow // 2).tolist(), pcol.tolist(), packed):
            marks[(r, c)] = (mark, colour)
    parts += [(f" {TRAIN_MARK} train", DIM)]
    if len(data.x_test):
        parts += [(f" {TEST_MARK} test", DIM)]

    names = tuple(getattr(data, "feature_names", ())[:2]) or ("x1", "x2")
    title = _title(parts, _range_text(bounds, names if len(names) == 2 else ("x1", "x2")), width)
    pixels = colours.reshape(px_h, width, 3)
    return [title] + pixel_strips(pixels, None, marks)


def curve_strips(network: NetworkCopy, data, width: int, height: int,
                 unit: tuple[int, int] | None = None) -> list[Strip]:
    """Title line and (height − 1) rows: prediction (or a unit) over the single input x."""
    rows = height - 1
    px_h = 2 * rows
    x0, x1, y0, y1 = curve_bounds(data)
    xs = x0 + (np.arange(width) + 0.5) * ((x1 - x0) / width)
    if unit is not None:
        layer, j = unit
        name = network.activations[layer]
        curves = network.forward(xs[:, None], upto=layer)[:, j:j + 1]
        centre, scale = activation_scale(name, curves)
        lo, hi = span([centre - scale, centre + scale, y0, y1], 0.05)
        y0, y1 = min(y0, lo), max(y1, hi)
        parts = [(f"{unit_label(network, unit)}: {name} over x  ", TITLE), _swatch(CURVE),
                 (" activation ", DIM)]
        colours = [CURVE]
    else:
        curves = network.forward(xs[:, None])
        parts = [("output: prediction over x  ", TITLE)]
        colours = [CURVE] if curves.shape[1] == 1 else list(class_palette(curves.shape[1]))
        for k, colour in enumerate(colours):
            label = " prediction " if len(colours) == 1 else f" output {k + 1} "
            parts += [_swatch(colour), (label, DIM)]
    bounds = (x0, x1, y0, y1)
    pixels = np.zeros((px_h, width, 3), np.uint8)
    mask = np.zeros((px_h, width), bool)

    def rows_of(y) -> np.ndarray:
        return (y1 - np.asarray(y, dtype=float)) / (y1 - y0) * px_h - 0.5

    if y0 < 0.0 < y1:
        r = int(round(float(rows_of(0.0))))
        if 0 <= r < px_h:
            pixels[r, :] = AXIS
            mask[r, :] = True
    for x, y, colour in ((data.x_test, data.y_test, TEST_PIXEL),
                         (data.x_train, data.y_train, TRAIN_PIXEL)):
        if len(x) == 0:
            continue
        for k in range(y.shape[1]):
            prow, pcol = pixel_of(bounds, width, px_h, x[:, 0], y[:, k])
            pixels[prow, pcol] = colour
            mask[prow, pcol] = True
    if len(data.x_train):
        parts += [_swatch(TRAIN_PIXEL), (" train ", DIM)]
    if len(data.x_test):
        parts += [_swatch(TEST_PIXEL), (" test", DIM)]

    for k, colour in enumerate(colours):
        r = rows_of(curves[:, k])
        left = np.concatenate([r[:1], r[:-1]])
        right = np.concatenate([r[1:], r[-1:]])
        lo = np.fmin(r, np.fmin((r + left) / 2, (r + right) / 2))
        hi = np.fmax(r, np.fmax((r + left) / 2, (r + right) / 2))
        for col in range(width):
            if not (np.isfinite(r[col])):
                continue
            top, bottom = int(round(lo[col])), int(round(hi[col]))
            if bottom < 0 or top >= px_h:
                continue
            top, bottom = max(0, top), min(px_h - 1, bottom)
            pixels[top:bottom + 1, col] = colour
            mask[top:bottom + 1, col] = True

    feature = (tuple(getattr(data, "feature_names", ())) or ("x",))[0]
    title = _title(parts, _range_text(bounds, (feature, "y")), width)
    return [title] + pixel_strips(pixels, mask)


def boundary_strips(network: NetworkCopy, data, width: int, height: int,
                    unit: tuple[int, int] | None = None, keep_aspect: bool = True) -> list[Strip]:
    """All `height` lines of the picture at width × height cells."""
    if width < 4 or height < 2:
        return [Strip.blank(width)] * max(0, height)
    if not valid_unit(network, unit):
        return message_strips(f"no unit {unit} in this network", width, height)
    if network.n_in == 1:
        strips = curve_strips(network, data, width, height, unit)
    elif network.n_in == 2:
        strips = plane_strips(network, data, width, height, unit, keep_aspect)
    else:
        return message_strips(f"decision boundary: needs 1 or 2 inputs; this network has "
                              f"{network.n_in}", width, height)
    return strips[:height] + [Strip.blank(width)] * (height - len(strips))


def supported(n_in: int) -> bool:
    """Whether a network with n_in inputs can be drawn (1: curve, 2: plane)."""
    return n_in in (1, 2)


# ----- the widget ----------------------------------------------------------------------------

class DecisionBoundary(Widget):
    """The network's output (or one unit) over its input space, bound to the app's view state
    (or drawn with `show()`); pictures are computed only when visible."""

    DEFAULT_CSS = """
    DecisionBoundary { width: 1fr; height: 1fr; }
    """

    snapshot = reactive(None, init=False, repaint=False)
    """The weights (and data) to draw."""
    cursor: reactive[tuple[int, int]] = reactive((1, 0), init=False, repaint=False)
    """The diagram's selected unit: a hidden unit shows its own activation map."""

    def _bound(self) -> None:
        snap = self.snapshot
        if snap is None or not supported(snap.layers[0]):
            return
        if not self.display:  # drawn when shown (ContentSwitcher)
            self._stale = True
            return
        self._stale = False
        self.show(snap, snap.data, self.selected())

    watch_snapshot = watch_cursor = _bound
    _stale = False

    def on_show(self) -> None:
        if self._stale:
            self._bound()

    def selected(self) -> tuple[int, int] | None:
        """The unit shown (weight layer, unit), or None for the output."""
        snap = self.snapshot
        column, unit = self.cursor
        return None if snap is None or column in (0, snap.depth) else (column - 1, unit)

    def title(self) -> str:
        """What the pane shows, for its border."""
        unit = self.selected()
        if unit is None:
            return "Decision boundary · output · d: diagram"
        return f"Decision boundary · {unit_label(NetworkCopy.of(self.snapshot), unit)} · d: diagram"

    def __init__(self, *, keep_aspect: bool = True, name: str | None = None,
                 id: str | None = None, classes: str | None = None, disabled: bool = False):
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self.keep_aspect = keep_aspect
        self.network: NetworkCopy | None = None
        self.data = None
        self.unit: tuple[int, int] | None = None
        self._version = 0
        self._drawn: tuple | None = None
        self._strips: list[Strip] = []

    def show(self, source, data, unit: tuple[int, int] | None = None) -> None:
        """Draw `source` (a Stepper, a Snapshot or a NetworkCopy) over `data` (a Dataset).

        unit: None for the output, or (weight layer l, unit j), both 0-based; l = 0 is the
        first hidden layer (the diagram's column l + 1). Call from the UI thread. Only copies
        the parameters (µs for a Stepper, nothing for a Snapshot, which is already a copy
        taken under the training lock: prefer it while training runs); the picture is computed
        when next drawn, once per show() and size.
        """
        self.network = NetworkCopy.of(source)
        self.data = data
        self.unit = None if unit is None else (int(unit[0]), int(unit[1]))
        self._version += 1
        self.refresh()

    def clear(self) -> None:
        """Draw nothing."""
        self.network = None
        self.data = None
        self._version += 1
        self.refresh()

    def strips(self) -> list[Strip]:
        """The lines at the current size (computed once per show() and size)."""
        width, height = self.size.width, self.size.height
        base = self.rich_style
        key = (self._version, width, height, base)
        if key != self._drawn:
            if self.network is None or self.data is None:
                strips = [Strip.blank(width)] * height
            else:
                strips = boundary_strips(self.network, self.data, width, height, self.unit,
                                         self.keep_aspect)
            # under every cell the theme's colours: a blank row or a title's gap would else
            # keep the terminal's default background (black in a browser, on a light theme)
            self._strips = [strip.apply_style(base) for strip in strips]
            self._drawn = key
        return self._strips

    def render_line(self, y: int) -> Strip:
        strips = self.strips()
        if 0 <= y < len(strips):
            return strips[y]
        return Strip.blank(self.size.width, self.rich_style)
