"""The status line (top, one line) and the hint line (bottom, one or two), from the view state."""

from __future__ import annotations

import math
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal

from rich.cells import cell_len
from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from bptui.app.snapshot import Phase, Snapshot
from bptui.engine.numtext import number
from bptui.preset.speed import pace_text

TITLE_WIDTH = 40  # cells of the title in a wide status line (18 when narrow)


def count_text(value: float) -> str:
    """A count as people write it: 30,888; 0.04348 (a fraction of an epoch); never 3.089e+04."""
    if value == int(value):
        return f"{int(value):,}"
    if value >= 1000:
        return f"{value:,.0f}"
    decimals = min(12, max(0, 3 - math.floor(math.log10(abs(value)))))  # 4 significant digits
    return f"{value:,.{decimals}f}".rstrip("0").rstrip(".")


def loss_text(value: float, width: int) -> str:
    """A loss in at most `width` characters, 4 significant figures (fewer to fit), rounded as
    everywhere (0.2983711 is 0.2984, as the lessons quote it), except where rounding would write
    a rounder number than the value (0.014996 to 0.015, beside a goal of 0.015): then cut toward
    zero (0.01499), so L never crosses a goal the screen shows."""
    if not math.isfinite(value) or value == 0:
        return number(value, width)
    exact = Decimal(repr(value))
    for digits in (4, 3, 2, 1):
        unit = Decimal(1).scaleb(exact.adjusted() - digits + 1)
        rounded = exact.quantize(unit, rounding=ROUND_HALF_EVEN)
        if rounded != exact and rounded.normalize().as_tuple().exponent > unit.as_tuple().exponent:
            rounded = exact.quantize(unit, rounding=ROUND_DOWN)  # it would lose a figure: cut
        text = number(float(rounded))  # it has at most 4 significant figures: written as it is
        if len(text) <= width:
            return text
    return number(value, width)


def title_text(title: str, cells: int) -> str:
    """The title in at most `cells` cells, cut after a whole word ('Vanishing…', not
    'Vanishing gradien…'); mid-word only when its first word alone is longer."""
    if cell_len(title) <= cells:
        return title
    kept = title
    while kept and cell_len(kept) > cells - 1:
        kept = kept[:-1]
    if not title[len(kept)].isspace():  # the cut is inside a word: drop that word
        kept = kept[: kept.rfind(" ")] if " " in kept else ""
    kept = kept.rstrip(" ,;:(-")
    if not kept:  # one long first word
        name = Text(title)
        name.truncate(cells, overflow="ellipsis")
        return name.plain
    return kept + "…"


SEGMENT = " · "
"""What separates a pane title's parts: what the pane shows, then its keys, most useful first."""


def border_title_text(title: str, cells: int) -> str:
    """A pane's border title in at most `cells` cells: its last parts (keys) are dropped whole
    while it is too long, then what is left is cut after a whole word (title_text)."""
    parts = title.split(SEGMENT)
    while len(parts) > 1 and cell_len(SEGMENT.join(parts)) > cells:
        parts.pop()
    return title_text(SEGMENT.join(parts), cells)


def status_text(
    snap: Snapshot,
    title: str,
    wide: bool,
    running: bool,
    speed: float,
    tally: tuple[int, int],
    pace: float | None = None,
    width: int | None = None,
) -> Text:
    """Title, step, epoch, phase, loss, accuracy or R², optimizer, η_t, batch, P's tally; in
    `width` cells, fields are dropped by priority (η, batch and the optimizer first; the step,
    the phase and the loss stay) rather than cut. Every number is named, narrow too ('loss',
    'test', 'acc', 'R²'); accuracy and R² say 'test' where they are the test set's."""
    fields: list[tuple[int, str, str]] = []  # (priority: 0 stays longest, text, style)

    def add(priority: int, text: str, style: str = "") -> None:
        fields.append((priority, text, style))

    add(5, f" {title_text(title, TITLE_WIDTH if wide else 18)} ", "bold reverse")
    add(0, f"  step {snap.step:,}" if wide else f" step {snap.step:,}")
    if wide:
        add(4, f"  epoch {count_text(snap.epoch)}")
    phase = snap.last
    arrow = {Phase.FORWARD: " →", Phase.BACKWARD: " ←"}.get(phase.phase, "")
    add(
        0,
        f"  {phase.describe(snap.depth)}{arrow}"
        if wide
        else f" {phase.describe(snap.depth)}{arrow}",
        "bold cyan",
    )
    gap = "  " if wide else " "
    add(0, f"{gap}loss {loss_text(snap.loss, 9 if wide else 7)}")
    if snap.test_loss is not None:
        add(2, f"{gap}test {loss_text(snap.test_loss, 9 if wide else 7)}")
    of = "test " if snap.test_loss is not None else ""  # accuracy and R² are the test set's
    named = 3 if wide else 5  # narrow: after η, before the title (the readout pane has them)
    if snap.accuracy is not None:
        add(named, f"{gap}{of}acc {snap.accuracy:.1%}" if wide else f" {of}acc {snap.accuracy:.0%}")
    r2 = snap.readout.get("test_r2", snap.readout.get("train_r2"))
    if r2 is not None:
        of = "test " if "test_r2" in snap.readout else ""
        shown = (  # nan: undefined; a diverging run's R² (-2.4e15) as a number, not 19 digits
            "—"
            if r2 != r2
            else (f"{r2:.3f}" if wide else f"{r2:.2f}")
            if -10 < r2 <= 1
            else number(r2)
        )
        add(named, f"{gap}{of}R² {shown}")
    if snap.optimizer != "sgd" and wide:
        add(6, f"  {snap.optimizer.split(' ')[0]}")
    add(6, f"  η {snap.rate:.4g}" if wide else f" η {snap.rate:.3g}")
    if snap.batch_size > 1 and wide and not running:
        add(7, f"  batch {snap.batch_size}")
    if tally[1]:
        add(1, f"  P {tally[0]}/{tally[1]}" if wide else f" P{tally[0]}/{tally[1]}", "bold magenta")
    if snap.diverged:
        add(0, "  DIVERGED (R resets)", "bold white on red")
    elif running:
        shown = pace_text(pace) if pace is not None else f"{speed:,.0f} steps/s"
        add(0, f"  ▶ {shown}" if wide else f" ▶{pace:g}/s" if pace else " ▶", "bold green")
    elif pace is not None:
        add(1, f"  {pace_text(pace)}" if wide else f" {pace:g}/s", "green")
    if width is not None:
        while sum(len(t) for _, t, _ in fields) > width and any(p for p, _, _ in fields):
            worst = max(p for p, _, _ in fields)
            index = max(i for i, (p, _, _) in enumerate(fields) if p == worst)
            del fields[index]
    text = Text(no_wrap=True, overflow="ellipsis")
    for _, part, style in fields:
        text.append(part, style)
    return text


STATUS_HELP = (
    "step: training steps (weight updates) so far · loss: the cost of the current weights on "
    "the whole training set, recomputed whenever the weights change (whatever the diagram has "
    "computed of the step in progress) · test: the same on the test set · acc, R²: of the test "
    "set where there is one ('test acc'), else of the training set · η: the learning rate · "
    "P 1/2: predictions (P) right the first time, of those answered"
)
"""What the status line's fields are (its tooltip and the help screen)."""


class StatusLine(Static):
    """The top line; bound to the app's view state."""

    def on_mount(self) -> None:
        self.tooltip = STATUS_HELP

    snapshot: reactive[Snapshot | None] = reactive(None, init=False, repaint=False)
    title: reactive[str] = reactive("", init=False, repaint=False)
    running: reactive[bool] = reactive(False, init=False, repaint=False)
    speed: reactive[float] = reactive(0.0, init=False, repaint=False)
    pace: reactive[float | None] = reactive(None, init=False, repaint=False)
    tally: reactive[tuple[int, int]] = reactive((0, 0), init=False, repaint=False)

    def _changed(self) -> None:
        if self.snapshot is not None:
            self.update(
                status_text(
                    self.snapshot,
                    self.title,
                    self.app.size.width >= 100,
                    self.running,
                    self.speed,
                    self.tally,
                    self.pace,
                    self.size.width or self.app.size.width,
                ),
                layout=False,
            )

    watch_snapshot = watch_title = watch_running = watch_speed = watch_tally = _changed
    watch_pace = _changed

    def on_resize(self) -> None:
        self._changed()


BREAKS = (" — ", "; ", ", ", " ")
"""Where a two-line hint breaks, best first: between its parts, its clauses, its words."""


def cut_line(text: str, width: int) -> str:
    """`text` in one line of `width` cells: whole, or its first whole words and ' …' (a word
    that opens a bracket it does not close goes too: no formula is left half written)."""
    if cell_len(text) <= width:
        return text
    words: list[str] = []
    for word in text.split(" "):
        if cell_len(" ".join([*words, word])) > width - 2:
            break
        words.append(word)
    while len(words) > 1 and " ".join(words).count("(") > " ".join(words).count(")"):
        words.pop()
    kept = " ".join(words).rstrip(" ,;:—")
    return kept + " …" if kept else title_text(text, width)


def hint_lines(hint: str, width: int) -> list[str]:
    """`hint` in at most two lines of `width` cells: one where it fits; else broken where both
    lines fit, between its ' — ' parts first (the key to press keeps its line whole), then
    between clauses, then words; else the first line whole and the second cut after a whole
    word with '…' (never cut mid-formula by the screen's edge)."""
    hint = hint.replace("\n", " ")
    if width <= 0 or cell_len(hint) <= width:
        return [hint]

    def splits(sep: str):
        """(line 1, line 2) at each `sep`, rightmost first, line 1 fitting."""
        at = len(hint)
        while (at := hint.rfind(sep, 0, at)) > 0:
            head = hint[: at + len(sep.rstrip())]
            if cell_len(head) <= width:
                yield head, hint[at + len(sep) :]

    for sep in BREAKS:
        for head, tail in splits(sep):
            if cell_len(tail) <= width:
                return [head, tail]
    for sep in (" — ", " "):
        for head, tail in splits(sep):
            return [head, cut_line(tail, width)]
    return [cut_line(hint, width)]


class HintLine(Static):
    """The bottom line: what just happened and which key comes next."""

    hint: reactive[str] = reactive("", init=False, repaint=False)

    _rows: int | None = None  # the lines the hint shown takes (None: not laid out yet)

    def show(self) -> None:
        """Up to two lines (the pane's CSS), fitted by `hint_lines`. The screen is laid out
        again only when the number of lines changes (a layout repaints every pane)."""
        width = self.size.width
        lines = hint_lines(self.hint, width) if width else [self.hint]
        rows = len(lines) if width else None
        text = Text("\n".join(lines), overflow="ellipsis", no_wrap=bool(width))
        self.update(text, layout=rows is None or rows != self._rows)
        self._rows = rows

    def watch_hint(self, hint: str) -> None:
        self.show()

    def on_resize(self) -> None:
        self.show()
