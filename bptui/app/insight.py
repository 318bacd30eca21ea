"""The explorer's insight views: the weight cursor, nudge (v), slices (k, K), each sample's pull
(y), the unit graph (G), the update check (after u, and h's third view) and events (j, J).

Every number is the engine's, computed on a copied probe point (`engine.probe.Point.current`:
the current weights on the current step's batch, where the next update starts), so a view never
disturbs the stepper. Events are found in the run's history (`engine.events`) and reached by
exact replay of the undo timeline.
"""

from __future__ import annotations

import time

import numpy as np

from bptui.engine.address import WeightAddress
from bptui.engine.events import Event, find_events, next_event, previous_event
from bptui.engine.explain import Line

PATH_STEPS = 200
"""Steps of the two weights' path drawn in the two-weight slice."""
REPLAY_SECONDS = 0.5
"""The two-weight slice replays the last steps for its path (after a run) for at most this long."""
SEARCH_SECONDS = 2.0
"""`j` at the end of the run trains on for at most this long looking for the next event."""
SEARCH_CHUNK = 25


class InsightViews:
    """The insight views of one explorer screen. They read its session (`stepper`, `timeline`,
    `explorer`) and view state (`cursor`, `weight_layer`, `sample`, the panes in front, `source`,
    `probe`, `events`), say what they show in its `hint`, and move it with `explain_soon()`,
    `refresh_view()` and `follow_step()`; lesson checks ask `showing()`."""

    def __init__(self, screen) -> None:
        self.screen = screen
        """The explorer screen (bptui.app.explorer_screen.ExplorerScreen)."""
        self._seen_at: object = "never"
        """The lesson step (index) whose shown views `_seen` holds."""
        self._seen: set[str] = set()
        """The views shown during that lesson step."""
        self._pull_width: int | None = None
        """The explain pane's width the pull view was last fitted to."""

    # ----- the weight cursor ------------------------------------------------------------------

    def weight_address(self) -> WeightAddress | None:
        """The weight under the weight cursor: the selected unit's input `source` (its bias
        when `source` is the number of inputs); None with an input selected."""
        column, unit = self.screen.cursor
        if column == 0:
            return None
        n_in = self.screen.stepper.spec.layers[column - 1]
        source = min(self.screen.source or 0, n_in)
        return WeightAddress(column - 1, unit, None if source == n_in else source)

    def clamp_source(self) -> None:
        """Keep the weight cursor within the selected unit's inputs (and bias)."""
        column = self.screen.cursor[0]
        if column > 0 and self.screen.source is not None:
            n_in = self.screen.stepper.spec.layers[column - 1]
            if self.screen.source > n_in:
                self.screen.source = n_in

    def move_source(self, delta: int) -> None:
        """{ and }: the previous / next input of the selected unit (after the last: its bias)."""
        column, unit = self.screen.cursor
        if column == 0:
            self.screen.hint = (
                "an input is selected: → selects a unit, whose incoming weights { } walk"
            )
            return
        n_in = self.screen.stepper.spec.layers[column - 1]
        if self.screen.source is None:  # the first press shows the cursor on the first input
            self.screen.source = 0
        else:
            self.screen.source = (min(self.screen.source, n_in) + delta) % (n_in + 1)
        address = self.weight_address()
        self.screen.hint = (
            f"weight {address}: {address.describe()} — v nudges it, k its loss curve, "
            "y each sample's pull"
        )

    def _address_or_say(self) -> WeightAddress | None:
        address = self.weight_address()
        if address is None:
            self.screen.hint = (
                "select a unit first (→): the weight cursor walks its incoming weights"
            )
        elif self.screen.source is None:
            self.screen.source = 0  # the weight cursor shows which weight the view is about
        return address

    def probe_point(self):
        """The probe point of the views (a copy; see the module)."""
        from bptui.engine.probe import Point

        return Point.current(self.screen.stepper)

    def seen(self, view: str) -> None:
        """A view was shown (lesson checks ask with `showing`)."""
        index = None if self.screen.lesson is None else self.screen.lesson.index
        if self._seen_at != index:
            self._seen_at, self._seen = index, set()
        self._seen.add(view)
        self.screen.lessons.draw()  # the step's check may have asked for it

    def showing(self) -> frozenset:
        """The panes on screen, the gradient check's result (in the matrix pane, from g until
        the next move), and the views shown during this lesson step."""
        index = None if self.screen.lesson is None else self.screen.lesson.index
        seen = self._seen if self._seen_at == index else set()
        screen = self.screen
        checked = {"gradcheck"} if screen.right == "matrix" and screen.gradcheck else set()
        return frozenset({screen.left, screen.right, screen.bottom, *checked, *seen})

    # ----- v, k, K: modal views -----------------------------------------------------------------

    def nudge(self) -> None:
        """v: nudge the selected weight by ±ε."""
        from bptui.app.screens.nudge import NudgeScreen

        address = self._address_or_say()
        if address is None:
            return
        self.seen("nudge")
        self.screen.app.push_screen(NudgeScreen(self.probe_point(), address))
        self.screen.hint = f"nudge of w {address}: + and - scale ε, escape closes"

    def slice(self, count: int) -> None:
        """k (one weight) and K (it and the next input of the same unit): the loss around them."""
        from bptui.app.screens.slice import SliceScreen

        address = self._address_or_say()
        if address is None:
            return
        addresses = (address,)
        path = None
        if count == 2:
            n_in = self.screen.stepper.spec.layers[address.layer]
            if n_in == 0:
                return
            current = n_in if address.source is None else address.source
            following = (current + 1) % (n_in + 1)
            second = WeightAddress(
                address.layer, address.unit, None if following == n_in else following
            )
            addresses = (address, second)
            path = self.weight_path(addresses)
        self.seen("slice" if count == 1 else "slice2")
        self.screen.app.push_screen(
            SliceScreen(
                self.probe_point(),
                addresses,
                path,
                path_steps=min(PATH_STEPS, self.screen.stepper.step),
            )
        )
        self.screen.hint = (
            "the loss around "
            + " and ".join(f"w {a}" for a in addresses)
            + ": + - span, r resolution, escape closes"
        )

    def weight_path(self, addresses) -> np.ndarray:
        """(k, 2): the weights' values at the step boundaries of the last PATH_STEPS steps up to
        now (oldest first), ending at their current values. Stepped by hand, every boundary is
        in the undo timeline; a run (r, N) keeps only its chunks' ends, so the steps between are
        replayed exactly (the timeline's own replay, as undo does) and the stepper is put back
        where it was, bit for bit. A replay that would take over REPLAY_SECONDS stops, and the
        path is the states the timeline keeps."""
        timeline, stepper = self.screen.timeline, self.screen.stepper
        per, now = timeline.per_step, timeline.t
        shapes = stepper.spec.weight_shapes()
        indices = [a.flat_index(shapes) for a in addresses]
        first = max(0, now // per - PATH_STEPS) * per
        states = {**timeline.checkpoints, **timeline.recent, **timeline.pins}
        kept = {
            k: [float(states[k].params[i]) for i in indices] for k in states if first <= k <= now
        }
        boundaries = range(first, now + 1, per)
        if any(k not in kept for k in boundaries):
            kept.update(self._replayed(indices, boundaries))
        rows = [kept[k] for k in sorted(kept)]
        rows.append([float(stepper.params.flat[i]) for i in indices])
        return np.array(rows)

    def _replayed(self, indices, boundaries) -> dict[int, list[float]]:
        """The weights at `boundaries` by exact replay (see weight_path); the stepper ends where
        it was."""
        timeline, stepper = self.screen.timeline, self.screen.stepper
        now, found = timeline.t, {}
        deadline = time.monotonic() + REPLAY_SECONDS
        try:
            timeline.go_to(boundaries[0])
            for k in boundaries:
                if k > boundaries[0]:
                    stepper.run(1)
                found[k] = [float(stepper.params.flat[i]) for i in indices]
                if time.monotonic() > deadline:
                    break
        finally:
            timeline.go_to(now)
        return found

    # ----- y, G: views in the explain pane ------------------------------------------------------

    def pull(self) -> None:
        """y: each sample's pull on the selected weight, in the explain pane (y again: back)."""
        self._explain_view(
            "pull",
            "each sample's pull on the selected weight: , and . select a "
            "sample, { } another weight, 2 full size, y again: back",
        )

    def unit_graph(self) -> None:
        """G: the selected unit as a computational graph, in the explain pane (G again: back)."""
        self._explain_view(
            "graph",
            "the selected unit as a graph (data and grad per node): , "
            "and . another sample, 2 full size, G again: back",
        )

    def _explain_view(self, view: str, hint: str) -> None:
        if self.screen.probe == view and self.screen.right == "explain":
            self.screen.probe = ""
            self.screen.hint = "explain pane: the selected unit's arithmetic"
        else:
            if view == "pull" and self._address_or_say() is None:
                return
            self.screen.probe = view
            self.screen.right = "explain"
            self.seen(view)
            self.screen.hint = hint
        self.screen.explain_soon()

    def fits_width_changed(self) -> bool:
        """Whether the explain pane's width is not the one the pull view was fitted to."""
        return self.explain_width() != self._pull_width

    def explain_width(self) -> int | None:
        """The explain pane's columns of text (its switcher's, less the scroll bar and the
        lines' indent), or None before the layout."""
        width = self.screen.query_one("#right").content_region.width - 3
        return width if width > 0 else None

    def probe_lines(self) -> list[Line]:
        """The explain pane's lines for the `probe` view ("pull" or "graph")."""
        from bptui.app.insight_text import graph_lines, pull_lines

        stepper = self.screen.stepper
        point = self.probe_point()
        sample = self.screen.sample
        if self.screen.probe == "pull":
            from bptui.engine.nudge import nudge

            address = self.weight_address()
            if address is None:
                return [Line("note", "an input is selected: → selects a unit, { } its weights")]
            self._pull_width = self.explain_width()
            return pull_lines(nudge(point, address), stepper.data, sample, self._pull_width)
        from bptui.engine.unitgraph import unit_graph

        column, unit = self.screen.cursor
        if column == 0:
            return [Line("note", "an input is selected: → selects a unit")]
        graph = unit_graph(point, column - 1, unit, sample or 0, names=self.screen.weight_names)
        return graph_lines(graph, stepper.data, stepper.depth, stepper.spec.activation(column - 1))

    # ----- j, J: events ----------------------------------------------------------------------

    def run_history(self):
        """The longest history of this branch: the stepper's, or the one the timeline kept
        while the stepper is back in the past."""
        mine, kept = self.screen.stepper.history, self.screen.timeline.history
        return kept if len(kept.batch_loss) > len(mine.batch_loss) else mine

    def known_events(self) -> tuple[Event, ...]:
        """Every event of the run so far (this branch)."""
        return tuple(find_events(self.run_history(), self.screen.stepper.m_train))

    def event(self, direction: int) -> None:
        """j / J: the next / previous event, reached by exact replay."""
        events = self.known_events()
        step = self.screen.stepper.step
        found = (
            next_event(list(events), step) if direction > 0 else previous_event(list(events), step)
        )
        if found is None and direction > 0 and self.screen.timeline.t >= self.screen.timeline.end:
            found, events = self.search_event(step)
        self.screen.events = events
        if found is None:
            self.screen.hint = (
                "no later event (loss rose >10%, a unit died, a gradient jumped 100×, inf/nan)"
                if direction > 0
                else "no earlier event"
            ) + f" — {len(events)} event{'s' if len(events) != 1 else ''} in this run"
            self.screen.refresh_view()
            return
        self.land_on(found, events)
        self.seen("event")

    def search_event(self, step: int) -> tuple[Event | None, tuple[Event, ...]]:
        """At the end of the run: train on (recording for undo) until an event after `step`
        appears, for at most SEARCH_SECONDS."""
        stepper, timeline = self.screen.stepper, self.screen.timeline
        began = time.monotonic()
        events: tuple[Event, ...] = ()
        while time.monotonic() - began < SEARCH_SECONDS and not stepper.diverged:
            if stepper.run(SEARCH_CHUNK) == 0:
                break
            timeline.record()
            events = tuple(find_events(stepper.history, stepper.m_train))
            found = next_event(list(events), step)
            if found is not None:
                return found, events
        if stepper.diverged:  # the non-finite value is an event
            events = tuple(find_events(stepper.history, stepper.m_train))
            return next_event(list(events), step), events
        return None, events

    def land_on(self, event: Event, events: tuple[Event, ...] = ()) -> None:
        """Replay to step `event.step` after its backward pass (before its update: its forward
        pass, δ and gradients are on screen), select what it is about (the first unit that died
        there), and say what happened at that step."""
        timeline = self.screen.timeline
        per = timeline.per_step
        target = min(event.step * per + per - 1, timeline.end)
        timeline.go_to(target)
        self.screen.follow_step()
        depth = self.screen.stepper.depth
        here = [e for e in events if e.step == event.step] or [event]
        here.sort(key=lambda e: e.kind != "died")  # a unit that died first: it is selected
        died = next((e for e in here if e.kind == "died" and e.unit is not None), None)
        jumped = next((e for e in here if e.kind == "gradient_jump"), None)
        if died is not None:
            self.screen.cursor = (died.layer, died.unit - 1)
        elif jumped is not None and jumped.layer is not None:
            self.screen.weight_layer = min(jumped.layer - 1, depth - 1)
        first = died or here[0]
        others = [e.summary for e in here if e is not first]  # the first one says why
        shown = "; ".join([first.detail, *others[:2]]) + (
            f" (+{len(others) - 2} more)" if len(others) > 2 else ""
        )
        self.screen.hint = f"step {event.step}: {shown} (j next, J previous event)"
        self.screen.refresh_view()
