"""Pictures of a loss slice (`engine.landscape.Slice`) as Rich Text: no arithmetic of the network.

One weight (k): the curve C(w) in Braille dots, its tangent at the current point (slope ∂C/∂w),
the current point ● and where the optimizer's next update puts the weight ◆, with the loss
there. Two weights (K): a heat map in half-blocks whose colours come in bands (the band edges
are the contour levels), the current point ●, the downhill direction −∇C as an arrow, and the
path the two weights took over the last steps (·).
"""

from __future__ import annotations

import math

import numpy as np
from rich.color import Color
from rich.style import Style
from rich.text import Text

from bptui.app.widgets.braille import BrailleCanvas

CURVE = Style(color="#4287f5")
TANGENT = Style(color="grey62")
POINT = Style(color="bright_white", bold=True)
NEXT = Style(color="#f58230", bold=True)
PATH = Style(color="bright_white")
DIM = Style(dim=True)
BANDS = 8
RAMP = (
    (24, 38, 92),
    (33, 102, 172),
    (67, 147, 195),
    (146, 197, 222),
    (209, 229, 240),
    (253, 219, 199),
    (244, 165, 130),
    (214, 96, 77),
    (178, 24, 43),
)
"""Low loss dark blue … high loss red: the band colours are taken along it."""
ARROWS = "→↗↑↖←↙↓↘"


def number(value: float) -> str:
    """4 significant digits, no −0."""
    return f"{value + 0.0:.4g}"


def band_colours(bands: int = BANDS) -> list[Color]:
    """`bands` colours along RAMP."""
    out = []
    for i in range(bands):
        t = i / max(1, bands - 1) * (len(RAMP) - 1)
        lo = int(math.floor(t))
        hi = min(lo + 1, len(RAMP) - 1)
        f = t - lo
        out.append(
            Color.from_rgb(
                *(round(a + (b - a) * f) for a, b in zip(RAMP[lo], RAMP[hi], strict=True))
            )
        )
    return out


def _grid(width: int, height: int) -> tuple[list[list[str]], list[list[Style | None]]]:
    return [[" "] * width for _ in range(height)], [[None] * width for _ in range(height)]


def _text(chars, styles) -> Text:
    text = Text(no_wrap=True, overflow="crop")
    for y, row in enumerate(chars):
        for x, ch in enumerate(row):
            text.append(ch, styles[y][x])
        if y < len(chars) - 1:
            text.append("\n")
    return text


def curve_text(sl, width: int, height: int) -> Text:
    """The one-weight picture, `width` × `height` cells, with a y axis of losses on the left and
    the w range below."""
    values, loss = sl.values[0], sl.loss
    finite = loss[np.isfinite(loss)]
    label = 9
    plot_w, plot_h = max(8, width - label), max(3, height - 1)
    chars, styles = _grid(width, height)
    if not finite.size:
        chars[0][: len("no finite loss on this slice")] = list("no finite loss on this slice")
        return _text(chars, styles)
    lo, hi = float(finite.min()), float(finite.max())
    if hi - lo < 1e-12 * max(1.0, abs(hi)):
        lo, hi = lo - 0.5, hi + 0.5
    w0, w1 = float(values[0]), float(values[-1])
    dots_x, dots_y = 2 * plot_w, 4 * plot_h

    def px(w: float) -> int:
        return round((w - w0) / (w1 - w0) * (dots_x - 1))

    def py(c: float) -> int:
        return round((hi - c) / (hi - lo) * (dots_y - 1))

    canvas = BrailleCanvas(plot_w, plot_h)
    current, slope = sl.current[0], sl.gradient[0]
    if math.isfinite(slope):  # the tangent, drawn first: the curve wins where they meet
        for x in range(dots_x):
            w = w0 + (w1 - w0) * x / (dots_x - 1)
            y = py(sl.loss_current + slope * (w - current))
            if 0 <= y < dots_y and x % 2 == 0:
                canvas.dot(x, y, 1.0, TANGENT)
    previous = None
    for w, c in zip(values, loss, strict=True):
        if not math.isfinite(c):
            previous = None
            continue
        point = (px(float(w)), py(float(c)))
        if previous is not None:
            canvas.line(*previous, *point, 2.0, CURVE)
        else:
            canvas.dot(*point, 2.0, CURVE)
        previous = point
    for cy in range(plot_h):
        for cx in range(plot_w):
            ch, tag = canvas.cell(cx, cy)
            if tag is not None:
                chars[cy][label + cx], styles[cy][label + cx] = ch, tag

    def mark(w: float, c: float, symbol: str, style: Style) -> bool:
        if not (math.isfinite(w) and math.isfinite(c)) or not w0 <= w <= w1:
            return False
        cx, cy = px(w) // 2, min(plot_h - 1, max(0, py(c) // 4))
        chars[cy][label + cx], styles[cy][label + cx] = symbol, style
        return True

    mark(sl.next[0], sl.loss_next, "◆", NEXT)
    mark(current, sl.loss_current, "●", POINT)
    for y, value in ((0, hi), (plot_h - 1, lo)):
        for i, ch in enumerate(number(value).rjust(label - 1)[: label - 1]):
            chars[y][i], styles[y][i] = ch, DIM
    axis = f"w {number(w0)}".ljust(plot_w // 2) + f"{number(w1)}".rjust(plot_w - plot_w // 2)
    for i, ch in enumerate(axis[:plot_w]):
        chars[height - 1][label + i], styles[height - 1][label + i] = ch, DIM
    return _text(chars, styles)


def levels_of(loss: np.ndarray, bands: int = BANDS) -> np.ndarray:
    """The contour levels: the loss values that split the finite grid into `bands` bands of
    about equal area (bands − 1 values, ascending)."""
    finite = loss[np.isfinite(loss)]
    if not finite.size:
        return np.zeros(0)
    return np.unique(np.quantile(finite, np.linspace(0, 1, bands + 1)[1:-1]))


def arrow(dx: float, dy: float) -> str:
    """One of eight arrows for a direction (dx right, dy up)."""
    angle = math.atan2(dy, dx)
    return ARROWS[round(angle / (math.pi / 4)) % 8]


def heat_text(sl, width: int, height: int, path: np.ndarray | None = None) -> Text:
    """The two-weight picture: weight 1 across, weight 2 up; half-block cells of two rows of the
    grid each, coloured by band; ● now, an arrow downhill (−∇C), · the path (k, 2) of the
    weights before now."""
    grid = sl.loss  # grid[i, k] at values[0][i] (across), values[1][k] (up)
    n1, n2 = grid.shape
    label = 9
    cols, rows = max(4, width - label), max(2, height - 1)
    levels = levels_of(grid)
    colours = band_colours(len(levels) + 1)
    chars, styles = _grid(width, height)
    ix = np.clip(np.round(np.arange(cols) / max(1, cols - 1) * (n1 - 1)).astype(int), 0, n1 - 1)
    pixel_rows = 2 * rows
    iy = np.clip(
        np.round(
            (pixel_rows - 1 - np.arange(pixel_rows)) / max(1, pixel_rows - 1) * (n2 - 1)
        ).astype(int),
        0,
        n2 - 1,
    )
    bands = np.searchsorted(levels, grid, side="right")
    bands = np.where(np.isfinite(grid), bands, -1)
    for r in range(rows):
        upper, lower = bands[ix][:, iy[2 * r]], bands[ix][:, iy[2 * r + 1]]
        for c in range(cols):
            fg = colours[upper[c]] if upper[c] >= 0 else None
            bg = colours[lower[c]] if lower[c] >= 0 else None
            chars[r][label + c], styles[r][label + c] = "▀", Style(color=fg, bgcolor=bg)
    (a0, a1), (b0, b1) = (
        (float(sl.values[0][0]), float(sl.values[0][-1])),
        (float(sl.values[1][0]), float(sl.values[1][-1])),
    )

    def cell(w1: float, w2: float) -> tuple[int, int] | None:
        if not (math.isfinite(w1) and math.isfinite(w2)) or not (a0 <= w1 <= a1 and b0 <= w2 <= b1):
            return None
        c = round((w1 - a0) / (a1 - a0) * (cols - 1))
        r = round((b1 - w2) / (b1 - b0) * (rows - 1))
        return label + c, r

    def put(where, symbol: str, style: Style) -> None:
        if where is not None:
            x, y = where
            base = styles[y][x]
            chars[y][x] = symbol
            styles[y][x] = Style(
                color=style.color,
                bold=style.bold,
                bgcolor=base.bgcolor if base is not None else None,
            )

    if path is not None:
        for w1, w2 in path:
            put(cell(float(w1), float(w2)), "·", PATH)
    g1, g2 = sl.gradient
    now = cell(*sl.current)
    if now is not None and math.isfinite(g1) and math.isfinite(g2) and (g1 or g2):
        # −∇C in screen cells (a cell is about twice as tall as wide): a quarter of the map long
        sx, sy = -g1 / (a1 - a0) * (cols - 1), -g2 / (b1 - b0) * (rows - 1) * 2
        norm = math.hypot(sx, sy)
        steps = max(2, min(cols, 2 * rows) // 4)
        symbol = arrow(sx, sy)
        for k in range(1, steps + 1):
            x = now[0] + round(sx / norm * k)
            y = now[1] - round(sy / norm * k / 2)
            if label <= x < width and 0 <= y < rows:
                put((x, y), symbol if k == steps else "∙", POINT)
    put(cell(*sl.next), "◆", NEXT)
    put(now, "●", POINT)
    across, up = (f"w {address}" for address in sl.addresses)
    left = [(0, number(b1)), (rows - 1, number(b0))]
    if rows >= 4 and len(up) < label:  # which weight goes up, under its top value
        left.append((1, up))
    for y, word in left:
        for i, ch in enumerate(word.rjust(label - 1)[: label - 1]):
            chars[y][i], styles[y][i] = ch, DIM
    ends = number(a0), number(a1)
    name = f"{across} →"
    gap = cols - len(ends[0]) - len(ends[1])
    middle = name.center(gap) if gap >= len(name) + 2 else " " * max(0, gap)
    axis = ends[0] + middle + ends[1]
    for i, ch in enumerate(axis[:cols]):
        chars[height - 1][label + i], styles[height - 1][label + i] = ch, DIM
    return _text(chars, styles)


def legend(sl) -> Text:
    """The band colours with the loss levels between them."""
    levels = levels_of(sl.loss)
    colours = band_colours(len(levels) + 1)
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append("C ", DIM)
    for i, colour in enumerate(colours):
        text.append("  ", Style(bgcolor=colour))
        if i < len(levels):
            text.append(f"{number(float(levels[i]))}", DIM)
    return text
