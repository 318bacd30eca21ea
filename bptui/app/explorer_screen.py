"""The explorer screen: the view state, the panes, and the keys that step and show the network.

It owns one session (the preset, the engine's Stepper driven through Explorer, the undo Timeline
and the Trainer that runs it continuously) and the view state in reactives (the snapshot, the
selected unit, layer and sample, which pane is in front, the hint); every pane is bound to what it
shows with `data_bind` and redraws itself when that changes. The screen never computes backprop
itself: keys drive the Stepper, and the panes draw Snapshots of it. Continuous training runs on
the Trainer's thread, which posts snapshots to this screen as messages (at most FRAME_RATE a
second); nothing runs while nothing changes.

What it is given (the constructor): the preset (and a resumed stepper), what to open first (a
lesson, saved progress) and, for lessons under --web, the catalog, the shared URL's opening and
the student's seat. The app (bptui.app.main) keeps only start-up, the theme and global keys.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.geometry import Region
from textual.reactive import reactive, var
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import ContentSwitcher

from bptui.app import snapshot as snapshots
from bptui.app.bindings import BINDINGS
from bptui.app.boundarymap import pane_title, selected_unit, supported
from bptui.app.explorer import Explorer, describe
from bptui.app.ghosts import MAX_GHOSTS, Ghost, settings_of
from bptui.app.insight import InsightViews
from bptui.app.lessons import LessonController
from bptui.app.live import LiveControl, paused
from bptui.app.predicting import Predictions
from bptui.app.sessions import SessionControl
from bptui.app.snapshot import Phase, Snapshot
from bptui.app.trainer import Trainer
from bptui.app.widgets.boundary import DecisionBoundary
from bptui.app.widgets.checkchart import UpdateCheckChart
from bptui.app.widgets.diagram import NetworkDiagram
from bptui.app.widgets.explainpane import ExplainPane
from bptui.app.widgets.healthchart import HealthChart
from bptui.app.widgets.keyfooter import KeyFooter
from bptui.app.widgets.lessonpane import LessonPane
from bptui.app.widgets.losschart import LossChart
from bptui.app.widgets.matrix import MatrixView
from bptui.app.widgets.plots import SnapshotPlot, legend_text
from bptui.app.widgets.readout import Readout
from bptui.app.widgets.statusline import SEGMENT, HintLine, StatusLine, border_title_text
from bptui.engine.events import Event
from bptui.engine.explain import Line, explain
from bptui.engine.health import Trace
from bptui.engine.timeline import Timeline
from bptui.keys import BY_NAME, KEYS
from bptui.preset import Preset, load_preset
from bptui.text import printable

TRACE_BUDGET = 32 * 1024 * 1024
"""Bytes the gradient-health trace may take (the first steps that fit are recorded)."""
TITLE_FRAME = 6
"""Cells of a pane's top border that are not its title: the corners, an edge cell and a blank on
each side (Textual 8.2.8's border label)."""
NOTICE_SECONDS = 30
"""How long a notice about the data (a column left out, rows dropped) stays on screen."""


def retitle(pane: Widget, title: str) -> None:
    """Set a pane's border title and repaint only its top row: Textual's `border_title` setter
    repaints the whole pane (all its rows, on a key that changes the layer shown). Stores the
    title as that setter does (textual 8.2.8, pinned)."""
    pane._border_title = pane.render_str(title).expand_tabs(4).split()[0]
    inside = pane.content_offset  # refresh() takes regions of the content, inside the border
    pane.refresh(Region(-inside.x, -inside.y, pane.outer_size.width, 1))


def title_room(pane: Widget) -> int | None:
    """The cells a pane's border title may take (None before the pane is laid out)."""
    room = pane.outer_size.width - TITLE_FRAME
    return room if room > 0 else None


def title_keys(part: str) -> tuple[str, ...]:
    """The keys one part of a pane's title offers ("d: diagram" → d, "[ ] to change" → [ and ],
    "arrows: unit" → the arrows); () for a part that offers none."""
    head = part.split(":")[0] if ":" in part else part.removesuffix(" to change")
    if head == part:
        return ()
    names = head.replace("arrows", "up down left right").split()
    return tuple(names) if names and all(n in BY_NAME for n in names) else ()


def pane_key(pane: str) -> str:
    """The key that zooms a pane (keys.KEYS)."""
    return next(k.name for k in KEYS if k.action == f"zoom('{pane}')")


class ExplorerScreen(Screen):
    """The explorer: one session of the network, its panes and its keys."""

    ALLOW_IN_MAXIMIZED_VIEW = "Footer, #status, #hint"

    BINDINGS = BINDINGS

    snapshot: reactive[Snapshot | None] = var(None, init=False)
    """What every pane draws: the stepper at one instant."""
    cursor: reactive[tuple[int, int]] = var((1, 0), init=False)
    """The selected unit (column, unit); column 0 is the input layer."""
    weight_layer: reactive[int] = var(0, init=False)
    """The weight layer in the matrix pane (0-based)."""
    sample: reactive[int | None] = var(0, init=False)
    """The selected sample of the batch (None: the batch mean)."""
    left: reactive[str] = var("diagram", init=False)
    """The left pane in front: "diagram" or "boundary"."""
    right: reactive[str] = var("matrix", init=False)
    """The right pane in front: "matrix" or "explain"."""
    hint: reactive[str] = var("", init=False)
    """The bottom line: what just happened and what comes next."""
    explanation: reactive[tuple[Line, ...]] = var((), init=False)
    """The explain pane's lines (computed by the engine's explain module)."""
    gradcheck: reactive[tuple | None] = var(None, init=False)
    """The last gradient check, shown until the next step."""
    running: reactive[bool] = var(False, init=False)
    """Continuous training runs (the stepper belongs to the training thread)."""
    speed: reactive[float] = var(0.0, init=False)
    """Training steps per second while running (measured)."""
    pace: reactive[float | None] = var(None, init=False)
    """The chosen training speed in steps per second (None: as fast as it goes); < and >."""
    tally: reactive[tuple[int, int]] = var((0, 0), init=False)
    """Predictions with P: right, asked."""
    log_scale: reactive[bool] = var(False, init=False)
    """The loss chart plots log10(loss)."""
    log_steps: reactive[bool] = var(False, init=False)
    """The loss chart's x-axis is log10(step + 1)."""
    bottom: reactive[str] = var("chart", init=False)
    """The bottom pane in front: "chart" (loss), "health" (gradient health) or "check" (the
    update check)."""
    source: reactive[int | None] = var(None, init=False)
    """The weight cursor: the selected unit's input (its number of inputs: the bias); { }.
    None until a weight key or view uses it (then it starts at the first input)."""
    probe: reactive[str] = var("", init=False)
    """What the explain pane shows: "" (the explanation), "pull" (y) or "graph" (G)."""
    events: reactive[tuple[Event, ...]] = var((), init=False)
    """The run's events found by the last j or J (the loss chart marks them)."""
    ghosts: reactive[tuple[Ghost, ...]] = var((), init=False)
    """Pinned runs (key c), shown in the loss chart."""
    settings: reactive[dict] = var(dict, init=False)
    """The current settings, flat (ghosts are labelled by what differs from them)."""
    weight_names: reactive = var(None, init=False)
    """The preset's own names of the weights (engine.names.Names) for the matrix pane."""
    title_shown: reactive[str] = var("", init=False)
    """The status line's title: the preset's, or the lesson's."""

    def __init__(
        self,
        preset: Preset | str = "xor",
        autostart: bool = False,
        stepper=None,
        lesson=None,
        progress=None,
        catalog=None,
        opening=None,
        seat=None,
    ):
        super().__init__()
        self.catalog = catalog
        """What is served by name (bptui.lesson.catalog.Catalog; None: the bundled lessons)."""
        self.seat = seat
        """The student's place in a class (id and class folder), under --web."""
        self.lessons = LessonController(self, catalog=catalog, seat=seat, opening=opening)
        """Lesson mode: the lesson run, its pane and keys, the learner's saved progress."""
        self.preset = load_preset(preset) if isinstance(preset, str) else preset
        self.explorer = Explorer(
            stepper if stepper is not None else self.preset.stepper(), self.allowed
        )
        self.timeline = Timeline(self.stepper)
        self.autostart = autostart
        self.opening_lesson = (lesson, progress)
        self.set_reactive(ExplorerScreen.title_shown, self.preset.title)
        self.set_reactive(ExplorerScreen.weight_names, self.preset.names)
        self.set_reactive(ExplorerScreen.pace, self.preset.pace)  # [training] speed, if it sets one
        self._readouts = snapshots.ReadoutCache()
        self.trainer = Trainer(self, self.take_snapshot)
        self.live = LiveControl(self)
        """Continuous training: r, < >, N and the trainer's messages."""
        self.sessions = SessionControl(self)
        """Keys that change the session: η, presets, settings, weight edits, save, export."""
        self.insight = InsightViews(self)
        """The weight cursor and the views of why: nudge, slices, pulls, graph, events."""
        self.predictions = Predictions(self)
        """P: the open question, its answers, and what the explain pane reveals."""
        self._explain_due = False
        self._legend_shown: tuple | None = None

    # ----- layout ------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        app = ExplorerScreen
        yield StatusLine(id="status").data_bind(
            app.snapshot, app.running, app.speed, app.pace, app.tally, title=app.title_shown
        )
        with Horizontal(id="panes"):
            with ContentSwitcher(id="diagram-pane", initial="diagram").data_bind(current=app.left):
                yield NetworkDiagram(id="diagram").data_bind(
                    app.snapshot, app.cursor, app.sample, app.source
                )
                yield DecisionBoundary(id="boundary").data_bind(app.snapshot, app.cursor)
            with Vertical(id="matrix-pane"):
                yield LessonPane(id="lesson")
                with ContentSwitcher(id="right", initial="matrix").data_bind(current=app.right):
                    yield MatrixView(id="matrix").data_bind(
                        app.snapshot,
                        app.sample,
                        app.gradcheck,
                        app.cursor,
                        app.source,
                        app.weight_layer,
                        names=app.weight_names,
                    )
                    yield ExplainPane(id="explain").data_bind(lines=app.explanation)
        with Horizontal(id="bottom"):
            with ContentSwitcher(id="charts", initial="chart").data_bind(current=app.bottom):
                yield LossChart(id="chart").data_bind(
                    app.snapshot,
                    app.log_scale,
                    app.log_steps,
                    app.running,
                    app.ghosts,
                    app.settings,
                    app.events,
                )
                yield HealthChart(id="health").data_bind(app.snapshot, app.running)
                yield UpdateCheckChart(id="check").data_bind(app.snapshot, app.running)
            yield Readout(id="readout").data_bind(app.snapshot)
        yield HintLine(id="hint").data_bind(app.hint)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.lessons.lock_keys(self.preset)
        self.traced(self.stepper)
        for pane in ("diagram-pane", "matrix-pane", "bottom"):  # zoomable with 1, 2, 3
            self.query_one(f"#{pane}").ALLOW_MAXIMIZE = True
        self.hint = f"{self.preset.title}: press space (or f) to start the forward pass; ? for help"
        self.refresh_view()
        self.titles()
        self.screen_layout_refresh_signal.subscribe(self, lambda _: self.after_layout())
        self.show_notices(self.preset)
        if self.autostart:
            self.live.toggle()
        self.lessons.open(*self.opening_lesson)

    def on_resize(self, event) -> None:
        """Compact layouts for a short or narrow terminal (app.tcss)."""
        self.set_class(event.size.height < 30, "short")
        self.set_class(event.size.width < 100, "narrow")

    # ----- the view follows the state -----------------------------------------------------------

    @property
    def stepper(self):
        """The engine's stepper of the current session."""
        return self.explorer.stepper

    def take_snapshot(self, fresh: bool | None = None) -> Snapshot:
        """A snapshot of the stepper now (called on the thread that owns the stepper); with
        recent rather than `fresh` readouts while training runs (see ReadoutCache)."""
        return snapshots.take(
            self.stepper,
            self.preset.title,
            self.sample,
            self._readouts,
            fresh=not self.running if fresh is None else fresh,
        )

    def refresh_view(self, fresh: bool = True) -> None:
        """The stepper changed (and is ours: training is paused): every pane shows it now."""
        if not self.trainer.busy:
            self.snapshot = self.take_snapshot(fresh)
            self.settings = settings_of(self.stepper, self.stepper.seed)

    def follow_step(self) -> None:
        """Show the layer the last micro-step computed, as the key that computed it would."""
        last = self.stepper.last
        if last.layer is not None and last.phase != Phase.UPDATE:
            self.weight_layer = last.layer

    def watch_snapshot(self) -> None:
        self.explain_soon()
        self.titles()
        self.lessons.draw()

    def watch_sample(self) -> None:
        self.refresh_view()  # the snapshot holds the rows around the selected sample

    def watch_cursor(self, cursor: tuple[int, int]) -> None:
        if cursor[0] > 0:
            self.weight_layer = cursor[0] - 1
        self.insight.clamp_source()
        self.explain_soon()
        self.titles()

    def watch_source(self) -> None:
        self.explain_soon()

    def watch_probe(self) -> None:
        self.explain_soon()  # the pane's lines follow, whoever changed the view (y, G, a lesson)
        self.titles()
        self.lessons.view_shown()

    def watch_weight_layer(self) -> None:
        self.titles()

    def watch_left(self) -> None:
        self.titles()
        self.lessons.draw()  # a lesson step's check may ask for a pane

    def watch_bottom(self) -> None:
        self.titles()
        self.lessons.draw()

    def watch_gradcheck(self) -> None:
        self.lessons.draw()  # a lesson step's check may ask for the gradient check's result

    def watch_right(self) -> None:
        self.explain_soon()
        self.titles()
        self.lessons.draw()
        self.lessons.view_shown()

    def after_layout(self) -> None:
        """Every layout: the titles fit their panes, and the pull view (y) its pane's width
        (zooming with 2 widens it)."""
        self.titles()
        if self.probe == "pull" and self.right == "explain":
            if self.insight.fits_width_changed():
                self.explain_soon()

    def titles(self) -> None:
        """The panes' border titles say what they show and how to change it (set only when
        they change), fitted to the pane (its keys dropped last first, then cut after a whole
        word; called again after every layout, which may change a pane's width). They are
        computed from the app's own state, which the panes follow: a pane's bound copy of it may
        not be updated yet when this runs."""
        snap = self.snapshot
        if snap is None:
            return
        titles = {
            "#diagram-pane": (
                pane_title(
                    snap.depth,
                    selected_unit(snap.depth, self.cursor),
                    title_room(self.query_one("#diagram-pane")),
                )
                if self.left == "boundary"
                else "Network"
            ),
            "#bottom": {
                "health": "Gradient health · h: update check",
                "check": "Update check: predicted ∇C·Δθ vs actual ΔC · h: loss",
            }.get(self.bottom, "Loss · h: gradient health · c: pin this run"),
            "#matrix-pane": (
                {
                    "pull": "Each sample's pull · y: back · { }: weight",
                    "graph": "Unit graph · G: back · arrows: unit",
                }.get(self.probe, "Explain · x: matrix · arrows: unit")
                if self.right == "explain"
                else f"Layer {min(self.weight_layer, snap.depth - 1) + 1}/"
                f"{snap.depth} · [ ] to change"
            ),
        }
        for selector, title in titles.items():
            title = self.offered(title)
            pane = self.query_one(selector)
            room = title_room(pane)
            if room is not None:
                title = border_title_text(title, room)
            if pane.border_title != title:
                retitle(pane, title)
        self.chart_legend()

    @on(SnapshotPlot.LegendChanged)
    def chart_legend(self) -> None:
        """The bottom pane's border subtitle, under the chart: the legend of the chart in front
        (each labelled curve's colour and name), set only when it changes. plotext drew it
        inside the plot, over the curves' top rows."""
        chart = self.query_one(f"#{self.bottom}", SnapshotPlot)
        pane = self.query_one("#bottom")
        room = title_room(pane)
        shown = (chart.legend, room)
        if room is None or shown == self._legend_shown:
            return
        self._legend_shown = shown
        pane.border_subtitle = legend_text(chart.legend, room) if chart.legend else ""

    def offered(self, title: str) -> str:
        """A pane's title without the keys a lesson step (or a preset's [lock]) locks: a title
        that says "d: diagram" where d does nothing would send the learner to a locked key."""

        def works(part: str) -> bool:
            keys = title_keys(part)
            return all(self.allowed(BY_NAME[k].action.split("(")[0]) for k in keys)

        parts = title.split(SEGMENT)
        return SEGMENT.join(parts[:1] + [part for part in parts[1:] if works(part)])

    def explain_soon(self) -> None:
        """Recompute the explain pane's lines once, after the current changes (when shown)."""
        if self.right == "explain" and not self._explain_due:
            self._explain_due = True
            self.call_later(self._explain)

    def _explain(self) -> None:
        self._explain_due = False
        column, unit = self.cursor
        revealed = self.predictions.explanation()
        if revealed is not None:
            lines = revealed
        elif column == 0:
            lines = [
                Line("head", f"input x{unit + 1}"),
                Line("note", "inputs are data, not computed: move right (→) to a unit"),
            ]
        elif self.running:
            lines = [Line("note", "training is running: pause (r) to read the arithmetic")]
        elif self.probe:
            lines = self.insight.probe_lines()
        else:
            lines = explain(self.stepper, column - 1, unit, self.sample or 0, self.names)
            if self.stepper.last.phase == Phase.UPDATE:
                from bptui.app.insight_text import check_lines

                lines = [*lines, *check_lines(self.stepper)]
        self.explanation = tuple(lines)

    @property
    def names(self):
        """The preset's own names of the weights (engine.names.Names), while they fit."""
        from bptui.engine.names import fitting

        return fitting(self.preset.names, self.stepper.spec.layers)

    # ----- phase keys --------------------------------------------------------------------------

    @paused
    def step_with(self, action) -> None:
        """Run `action` (an Explorer move that returns the hint), record it for undo, and show
        the result."""
        self.predictions.forget()
        self.gradcheck = None
        self.hint = action()
        self.timeline.record()
        self.follow_step()
        self.refresh_view()

    def action_forward(self) -> None:
        """f: compute the next layer."""
        self.step_with(self.explorer.forward)

    def action_error(self) -> None:
        """e: the loss and the output layer's δ."""
        self.step_with(self.explorer.error)

    def action_backward(self) -> None:
        """b: propagate δ one layer back."""
        self.step_with(self.explorer.backward)

    def action_update(self) -> None:
        """u: apply the updates."""
        self.step_with(self.explorer.update)

    def action_micro(self) -> None:
        """space: the next micro-step."""
        self.step_with(self.explorer.micro)

    def action_finish_step(self) -> None:
        """s: finish the current training step."""
        self.step_with(self.explorer.finish_step)

    @paused
    def action_predict(self) -> None:
        """P: ask for a value the engine is about to compute (bptui.app.predicting)."""
        self.predictions.ask()

    def allowed(self, action: str) -> bool:
        """Whether the key of `action` works now (a lesson step or a preset's [lock] may lock
        it)."""
        return self.check_action(action, ()) is not False

    @paused
    def action_reset(self) -> None:
        """R: back to the preset's initial weights."""
        self.predictions.forget()
        self.stepper.reset()
        self.timeline.clear()
        self.events = ()
        self.hint = "reset to the initial weights (same seed) — " + self.explorer.next_hint()
        self.refresh_view()

    @paused
    def action_undo(self) -> None:
        """z: back one micro-step, exactly; the panes show that micro-step as it was."""
        self.predictions.forget()
        if self.timeline.undo():
            self.hint = (
                f"undone: back to step {self.stepper.step}, "
                f"{describe(self.stepper.last, self.stepper.depth)} — Z redoes"
            )
            self.follow_step()
        else:
            self.hint = "nothing to undo: this is the start of the session"
        self.refresh_view()

    @paused
    def action_redo(self) -> None:
        """Z: replay the next undone micro-step, bit for bit."""
        self.predictions.forget()
        if self.timeline.redo():
            self.hint = (
                f"redone: {describe(self.stepper.last, self.stepper.depth)} — "
                + self.explorer.next_hint()
            )
            self.follow_step()
        else:
            self.hint = "nothing to redo"
        self.refresh_view()

    # ----- navigation --------------------------------------------------------------------------

    def action_layer(self, delta: int) -> None:
        """[ and ]: previous / next weight layer in the matrix pane (the cursor follows)."""
        layer = (self.weight_layer + delta) % self.stepper.depth
        units = self.stepper.spec.layers[layer + 1]
        self.cursor = (layer + 1, min(self.cursor[1], units - 1))

    def action_cursor(self, dx: int, dy: int) -> None:
        """Arrow keys: move the unit cursor; the matrix pane follows its layer."""
        layers = self.stepper.spec.layers
        column, unit = self.cursor
        column = max(0, min(len(layers) - 1, column + dx))
        self.cursor = (column, max(0, min(layers[column] - 1, unit + dy)))

    def action_sample(self, delta: int) -> None:
        """, and .: previous / next sample of the batch."""
        self.sample = ((self.sample or 0) + delta) % self.stepper.ws.m

    def action_mean(self) -> None:
        """m: toggle the batch mean."""
        self.sample = 0 if self.sample is None else None
        self.hint = "showing the batch mean" if self.sample is None else "showing one sample"

    def action_toggle_explain(self) -> None:
        """x: the explain pane instead of the matrix pane (and back)."""
        self.right = "matrix" if self.right == "explain" else "explain"
        self.probe = ""
        self.hint = (
            "explain: the selected unit's formulas with the numbers of this step"
            if self.right == "explain"
            else "matrix pane"
        )

    def action_toggle_boundary(self) -> None:
        """d: switch the left pane between the network diagram and the decision boundary."""
        if self.left == "diagram":
            if not supported(self.stepper.spec.layers[0]):
                self.hint = (
                    "the decision boundary needs 1 or 2 inputs "
                    f"(this network has {self.stepper.spec.layers[0]})"
                )
                return
            self.left = "boundary"
            self.cursor = (self.stepper.depth, 0)  # the output first
            self.hint = "decision boundary of the output" + (
                ": ← selects a hidden unit to see its map" if self.stepper.depth > 1 else ""
            )  # (a network without a hidden layer has only the output's)
        else:
            self.left = "diagram"
            self.hint = "network diagram"

    def action_log_scale(self) -> None:
        """l: log10 of the loss on the chart."""
        self.log_scale = not self.log_scale
        self.hint = "loss chart: log10 scale" if self.log_scale else "loss chart: linear scale"

    def action_log_steps(self) -> None:
        """L: log10(step + 1) on the loss chart's x-axis."""
        self.log_steps = not self.log_steps
        self.bottom = "chart"
        self.hint = (
            "loss chart: steps on a log scale (0 10 100 1k…)"
            if self.log_steps
            else "loss chart: steps on a linear scale"
        )

    def action_toggle_health(self) -> None:
        """h: the gradient-health view instead of the loss chart (and back)."""
        self.bottom = {"chart": "health", "health": "check"}.get(self.bottom, "chart")
        self.hint = {
            "health": "gradient health: per layer ‖∂C/∂W‖, ‖ΔW‖/‖W‖ (about 1e-3 is "
            "healthy) and saturated/dead units (✕ in the diagram)",
            "check": "update check: did each step lower the cost as much as ∇C·Δθ "
            "promised? ratio ≈ 1 linear, < 0 overshot",
        }.get(self.bottom, "loss chart")

    def action_pin_run(self) -> None:
        """c: keep this run's loss curves in the chart, to compare with the next run."""
        snap = self.snapshot
        if snap is None or not len(snap.loss_history):
            self.hint = "nothing to pin yet: train a few steps first"
            return
        number = max((g.number for g in self.ghosts), default=0) + 1
        self.ghosts = (
            *self.ghosts[-(MAX_GHOSTS - 1) :],
            Ghost.of(snap, self.stepper, self.stepper.seed, number),
        )
        self.bottom = "chart"
        self.hint = (
            "run pinned: now change the settings (o), reset (R) or pick a seed, and "
            "train again — the chart compares them (C clears)"
        )

    def action_clear_pins(self) -> None:
        """C: forget the pinned runs."""
        self.ghosts = ()
        self.hint = "pinned runs cleared"

    def action_zoom(self, pane: str) -> None:
        """1, 2, 3: one pane at full size, and back."""
        widget = self.query_one(f"#{pane}")
        if self.maximized is widget:
            self.minimize()
            self.hint = "all panes"
        else:
            self.maximize(widget, container=False)
            self.hint = (
                f"{self.pane_in_front(pane)} at full size — {pane_key(pane)} again: all panes"
            )

    def pane_in_front(self, pane: str) -> str:
        """What the zoomable `pane` shows now, as its hint names it: 'the explain pane'."""
        shown = {
            "diagram-pane": {"boundary": "the decision boundary"}.get(
                self.left, "the network diagram"
            ),
            "matrix-pane": {"pull": "each sample's pull", "graph": "the unit graph"}.get(
                self.probe, "the explain pane"
            )
            if self.right == "explain"
            else "the matrix pane",
            "bottom": {"health": "gradient health", "check": "the update check"}.get(
                self.bottom, "the loss chart"
            ),
        }
        return shown[pane]

    @paused
    def action_gradient_check(self) -> None:
        """g: central differences against backprop, per layer, on the current batch."""
        checks = self.stepper.gradient_check()
        self.gradcheck = tuple(checks)
        self.right = "matrix"
        worst = max(c.relative_error for c in checks)
        verdict = "backprop agrees" if worst < 1e-5 else "MISMATCH"
        self.hint = (
            f"gradient check: largest relative error {worst:.1e} ({verdict}); "
            "details in the matrix pane"
        )
        self.lessons.view_shown()

    def action_help(self) -> None:
        """?: keys and formulas."""
        from bptui.app.screens.help import HelpScreen

        self.app.push_screen(HelpScreen(self.stepper))

    # ----- continuous training: the keys and messages of bptui.app.live.LiveControl ----------

    def action_run(self) -> None:
        """r: run or pause continuous training."""
        self.live.toggle()

    def action_pace(self, delta: int) -> None:
        """< and >: slower or faster training."""
        self.live.change_pace(delta)

    @paused
    def action_run_to(self) -> None:
        """N: run a given number of steps, to a step, or until the loss is below a value."""
        self.live.run_to()

    def on_trainer_frame(self, message: Trainer.Frame) -> None:
        self.live.frame(message)

    def on_trainer_finished(self, message: Trainer.Finished) -> None:
        self.live.finished(message)

    def on_trainer_failed(self, message: Trainer.Failed) -> None:
        self.app._handle_exception(message.error)

    # ----- lessons: the keys of bptui.app.lessons.LessonController -------------------------------

    @property
    def lesson(self):
        """The lesson being followed (bptui.lesson.run.LessonRun; None: none)."""
        return self.lessons.run

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        """n and t exist only in lessons; a lesson step, or outside lessons a preset's [lock],
        may lock keys (they leave the footer)."""
        if action == "hint" and self.predictions.arithmetic_due:
            return True  # t shows a wrong prediction's arithmetic, in a lesson or not
        return self.lessons.allows(action)

    def on_key(self, event) -> None:
        """A key this lesson step (or the preset's [lock]) locks says so. The key goes on to
        the app's bindings marked as this screen's (see BptuiApp.on_event)."""
        event.explorer_key = True
        if len(self.app.screen_stack) == 1:
            self.lessons.say_locked(event.key)

    @paused
    def action_pick_lesson(self) -> None:
        """The lesson picker."""
        self.lessons.pick()

    @paused
    def action_next_step(self) -> None:
        """n: the next step of the lesson, when the step's check holds."""
        self.lessons.next_step()

    def action_hint(self) -> None:
        """t: after a first wrong prediction, its arithmetic with the numbers; else the step's
        next hint."""
        if self.predictions.arithmetic_due:
            self.predictions.show_arithmetic()
        else:
            self.lessons.hint()

    def action_lesson_page(self, direction: int) -> None:
        """PgDn, PgUp: scroll the step's text."""
        self.lessons.page(direction)

    # ----- the insight views: the keys of bptui.app.insight.InsightViews ------------------------

    def action_source(self, delta: int) -> None:
        """{ and }: the previous / next input of the selected unit (after the last: its bias)."""
        self.insight.move_source(delta)

    @paused
    def action_nudge(self) -> None:
        """v: nudge the selected weight by ±ε."""
        self.insight.nudge()

    @paused
    def action_slice(self, count: int) -> None:
        """k, K: the loss along the selected weight (and the next)."""
        self.insight.slice(count)

    def action_pull(self) -> None:
        """y: each sample's pull on the selected weight."""
        self.insight.pull()

    def action_unit_graph(self) -> None:
        """G: the selected unit as a computational graph."""
        self.insight.unit_graph()

    @paused
    def action_event(self, direction: int) -> None:
        """j, J: the next / previous event of the run."""
        self.insight.event(direction)

    # ----- the session: the keys of bptui.app.sessions.SessionControl ---------------------------

    def action_learning_rate(self, factor: float) -> None:
        """+ and -: double / halve the learning rate (training, if it runs, goes on)."""
        self.sessions.learning_rate(factor)

    @paused
    def action_save_session(self) -> None:
        """ctrl+s: save the whole session."""
        self.sessions.save()

    @paused
    def action_export_weights(self) -> None:
        """ctrl+e: the weights as JSON, .npz and a preset with them pinned."""
        self.sessions.export_weights()

    @paused
    def action_pick(self) -> None:
        """p: the preset picker."""
        self.sessions.pick()

    @paused
    def action_settings(self) -> None:
        """o: the settings screen."""
        self.sessions.settings()

    @paused
    def action_edit_weight(self) -> None:
        """w: type a new value for one incoming weight (or the bias) of the selected unit."""
        self.sessions.edit_weight()

    # ----- sessions ----------------------------------------------------------------------------

    def traced(self, stepper) -> None:
        """Record the stepper's gradient health (for `h`), within TRACE_BUDGET bytes."""
        if stepper.trace is None:
            stepper.trace = Trace.for_stepper(stepper, budget=TRACE_BUDGET)
        stepper.checking_updates = True  # the update check (after u, and h's third view)

    @paused
    def start_session(self, preset: Preset, stepper) -> None:
        """Explore `stepper` (of `preset`) from now on, with a fresh undo history."""
        self.preset = preset
        self.weight_names = preset.names
        self.lessons.lock_keys(preset)
        self.traced(stepper)
        self.explorer = Explorer(stepper, self.allowed)
        self.timeline = Timeline(stepper)
        self.gradcheck = None
        self.predictions.forget(question=True)
        self.sample = 0
        self.cursor = (1, 0)
        self.weight_layer = 0
        self.source = None
        self.probe = ""
        self.events = ()
        if self.lesson is None:
            self.title_shown = preset.title
        if not supported(preset.network.layers[0]):
            self.left = "diagram"
        self.refresh_view()
        self.show_notices(preset)

    def show_notices(self, preset: Preset) -> None:
        """The notices about the preset's data as notifications: stderr, where the command line
        prints them, is hidden behind the app, and under --web nobody sees it."""
        for notice in preset.data.notes.get("notices", ()):
            self.notify(
                printable(notice),
                title="data",
                severity="warning",
                timeout=NOTICE_SECONDS,
                markup=False,
            )
