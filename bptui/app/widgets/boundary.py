"""The decision-boundary pane: the picture of bptui.app.boundarymap, in the theme's palette.

Bound to the app's view state (the snapshot and the diagram's cursor), or drawn with `show()`.
The picture is computed only when the pane is shown, once per change, size or theme.
"""

from __future__ import annotations

from textual.reactive import reactive
from textual.strip import Strip

from bptui.app.boundarymap import NetworkCopy, boundary_lines, selected_unit, supported
from bptui.app.widgets.paletted import Paletted


class DecisionBoundary(Paletted):
    """The network's output (or one unit) over its input space."""

    DEFAULT_CSS = """
    DecisionBoundary { width: 1fr; height: 1fr; }
    """

    snapshot = reactive(None, init=False, repaint=False)
    """The weights (and data) to draw."""
    cursor: reactive[tuple[int, int]] = reactive((1, 0), init=False, repaint=False)
    """The diagram's selected unit: a hidden unit shows its own activation map."""

    def __init__(
        self,
        *,
        keep_aspect: bool = True,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ):
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self.keep_aspect = keep_aspect
        self.network: NetworkCopy | None = None
        self.data = None
        self.unit: tuple[int, int] | None = None
        self._version = 0
        self._drawn: tuple | None = None
        self._strips: list[Strip] = []
        self._stale = False

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

    def on_show(self) -> None:
        if self._stale:
            self._bound()

    def selected(self) -> tuple[int, int] | None:
        """The unit shown (weight layer, unit), or None for the output."""
        snap = self.snapshot
        return None if snap is None else selected_unit(snap.depth, self.cursor)

    def show(self, source, data, unit: tuple[int, int] | None = None) -> None:
        """Draw `source` (a Stepper, a Snapshot or a NetworkCopy) over `data` (a Dataset).

        unit: None for the output, or (weight layer l, unit j), both 0-based; l = 0 is the
        first hidden layer (the diagram's column l + 1). Call from the UI thread. Only copies
        the parameters (µs for a Stepper, nothing for a Snapshot, which is already a copy);
        the picture is computed when next drawn.
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
        """The lines at the current size (computed once per show(), size and palette)."""
        width, height = self.size.width, self.size.height
        base = self.rich_style
        key = (self._version, width, height, self.palette, base)
        if key != self._drawn:
            if self.network is None or self.data is None:
                strips = [Strip.blank(width)] * height
            else:
                lines = boundary_lines(
                    self.network,
                    self.data,
                    width,
                    height,
                    self.unit,
                    self.keep_aspect,
                    self.palette,
                )
                strips = [Strip(line, width) for line in lines]
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
