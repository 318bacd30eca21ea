"""The explorer app: three live panes and phase-by-phase keyboard stepping.

The app never computes backprop itself: keys drive the engine's Stepper (through Explorer),
and the panes draw Snapshots of it. Continuous training runs in a thread worker; the worker
publishes a fresh Snapshot whenever the UI has asked for one, and a timer redraws at most
FRAME_RATE times a second.
"""

from __future__ import annotations

import io
import threading
from functools import partial

from rich.text import Text
from textual import events
from textual.app import App, ComposeResult, SystemCommand
from textual.containers import Horizontal, Vertical
from textual.widgets import ContentSwitcher, Footer, Static

from bptui.app import snapshot as snapshots
from bptui.app.bindings import BINDINGS
from bptui.app.keys import KEYS
from bptui.app.lessons import Lessons
from bptui.app.live import FRAME_RATE, LiveTraining
from bptui.app.explorer import Explorer, describe
from bptui.app.snapshot import Phase, Snapshot
from bptui.app.style import fmt
from bptui.app.widgets.boundary import DecisionBoundary, supported
from bptui.app.widgets.diagram import NetworkDiagram
from bptui.app.widgets.losschart import LossChart
from bptui.app.widgets.explainpane import ExplainPane
from bptui.app.widgets.lessonpane import LessonPane
from bptui.app.widgets.matrix import MatrixView
from bptui.app.widgets.readout import Readout
from bptui.engine.numtext import number
from bptui.engine.timeline import Timeline
from bptui.preset import Preset, PresetError, bundled_names, load_preset
from bptui.preset.loader import scaled_learning_rate

TITLE_WIDTH = 40  # cells of the preset's title in a wide status line


class BptuiApp(LiveTraining, Lessons, App):
    """bptui: explore backpropagation one step at a time."""

    CSS_PATH = "app.tcss"
    TITLE = "bptui"

    BINDINGS = BINDINGS

    def __init__(self, preset: Preset | str = "xor", autostart: bool = False, stepper=None,
                 lesson=None, progress=None):
        super().__init__()
        self.opening_lesson = (lesson, progress)
        self.preset = load_preset(preset) if isinstance(preset, str) else preset
        self.explorer = Explorer(stepper if stepper is not None else self.preset.stepper())
        self.timeline = Timeline(self.stepper)
        self.autostart = autostart
        self.layer = 0
        self.sample: int | None = 0
        self.running = False
        self.hint = ""
        self._snapshot: Snapshot | None = None
        self._readouts = snapshots.ReadoutCache()
        self._want_snapshot = threading.Event()
        self._trainer_idle = threading.Event()
        self._trainer_idle.set()
        self._frame = 0
        self.steps_per_second = 0.0
        self.question = None      # the open or last wrong prediction (engine.predict.Question)
        self.reveal = False       # the explain pane shows the question's arithmetic
        self.tally = [0, 0]       # predictions right, asked

    # ----- layout ------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(id="status")
        with Horizontal(id="panes"):
            with ContentSwitcher(id="diagram-pane", initial="diagram"):
                yield NetworkDiagram(id="diagram")
                yield DecisionBoundary(id="boundary")
            with Vertical(id="matrix-pane"):
                yield LessonPane(id="lesson")
                with ContentSwitcher(id="right", initial="matrix"):
                    yield MatrixView(id="matrix")
                    yield ExplainPane(id="explain")
        with Horizontal(id="bottom"):
            yield LossChart(id="chart")
            yield Readout(id="readout")
        yield Static(id="hint")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#diagram-pane").border_title = "Network"
        self.query_one("#bottom").border_title = "Loss"
        self.hint = f"{self.preset.title}: press space (or f) to start the forward pass; ? for help"
        self.redraw()
        self.set_interval(1 / FRAME_RATE, self.tick)
        if self.autostart:
            self.action_run()
        lesson, progress = self.opening_lesson
        if self.is_web:  # one server account for every learner: no saved progress
            progress = None
        if lesson == "pick":
            self.action_pick_lesson()
        elif lesson is not None and progress is not None:
            from bptui.app.screens.lessonpick import ResumeScreen

            self.push_screen(ResumeScreen(lesson, progress),
                             lambda resume: self.start_lesson(lesson, progress if resume else None))
        elif lesson is not None:
            self.start_lesson(lesson)

    def on_resize(self) -> None:
        self.screen.set_class(self.size.height < 30, "short")
        self.screen.set_class(self.size.width < 100, "narrow")

    # ----- drawing -----------------------------------------------------------------------------

    @property
    def stepper(self):
        """The engine's stepper of the current session."""
        return self.explorer.stepper

    def take_snapshot(self) -> Snapshot:
        """A snapshot of the stepper now (called on the thread that owns the stepper)."""
        return snapshots.take(self.stepper, self.preset.title, self.sample, self._readouts,
                              fresh=not self.running)

    def redraw(self, chart: bool = True) -> None:
        """Take a snapshot (when paused) and draw every pane from it."""
        if not self.running:
            self._snapshot = self.take_snapshot()
        snap = self._snapshot
        if snap is None:
            return
        with self.batch_update():
            self.draw_status(snap)
            diagram = self.query_one(NetworkDiagram)
            diagram.snapshot = snap
            diagram.sample = self.sample
            if self.query_one(ContentSwitcher).current == "boundary":
                self.draw_boundary(snap)
            else:
                diagram.redraw()
            matrix = self.query_one(MatrixView)
            if self.query_one("#right", ContentSwitcher).current == "explain":
                self.draw_explanation()
            else:
                matrix.snapshot, matrix.weight_layer, matrix.sample = snap, self.layer, self.sample
                matrix.redraw()
                self.query_one("#matrix-pane").border_title = (
                    f"Layer {self.layer + 1}/{snap.depth} · [ ] to change")
            if chart:
                self.query_one(LossChart).show(snap)
                readout = self.query_one(Readout)
                key = (snap.step, id(self.stepper), snap.diverged)
                if readout.shown != key:
                    readout.show(snap)
                    readout.shown = key
            self.query_one("#hint", Static).update(Text(self.hint), layout=False)
            if self.lesson is not None:
                self.draw_lesson()

    def draw_explanation(self) -> None:
        """The selected unit's arithmetic (computed by the engine's explain module)."""
        from bptui.engine.explain import Line, explain

        column, unit = self.query_one(NetworkDiagram).cursor
        if self.reveal and self.question is not None:
            lines = [Line("note", f"{self.question.step_text} computes (P tries again, "
                                  "space runs it):"), *self.question.reveal]
        elif column == 0:
            lines = [Line("head", f"input x{unit + 1}"),
                     Line("note", "inputs are data, not computed: move right (→) to a unit")]
        elif self.running:
            lines = [Line("note", "training is running: pause (r) to read the arithmetic")]
        else:
            lines = explain(self.stepper, column - 1, unit, self.sample or 0)
        self.query_one(ExplainPane).show(lines)
        self.query_one("#matrix-pane").border_title = "Explain · arrows select a unit · x: matrix"

    def action_toggle_explain(self) -> None:
        """x: the explain pane instead of the matrix pane (and back)."""
        switcher = self.query_one("#right", ContentSwitcher)
        switcher.current = "matrix" if switcher.current == "explain" else "explain"
        self.hint = ("explain: the selected unit's formulas with the numbers of this step"
                     if switcher.current == "explain" else "matrix pane")
        self.redraw(chart=False)

    def draw_boundary(self, snap: Snapshot) -> None:
        """The output (or the selected hidden unit's activation) over the input plane."""
        column, unit = self.query_one(NetworkDiagram).cursor
        selected = None if column in (0, snap.depth) else (column - 1, unit)
        self.query_one(DecisionBoundary).show(snap, self.stepper.data, selected)
        which = "output" if selected is None else f"hidden {column}, unit {unit + 1}"
        self.query_one("#diagram-pane").border_title = f"Decision boundary · {which} · d: diagram"

    def action_toggle_boundary(self) -> None:
        """d: switch the left pane between the network diagram and the decision boundary."""
        switcher = self.query_one(ContentSwitcher)
        if switcher.current == "diagram":
            if not supported(self.stepper.spec.layers[0]):
                self.hint = "the decision boundary needs 1 or 2 inputs " \
                            f"(this network has {self.stepper.spec.layers[0]})"
                self.redraw(chart=False)
                return
            switcher.current = "boundary"
            self.hint = "decision boundary: arrows select a hidden unit to see its activation map"
        else:
            switcher.current = "diagram"
            self.query_one("#diagram-pane").border_title = "Network"
            self.hint = "network diagram"
        self.redraw(chart=False)

    def draw_status(self, snap: Snapshot) -> None:
        """The status line: preset, step, epoch, phase, loss, accuracy, η (compact when narrow)."""
        wide = self.size.width >= 100
        text = Text(no_wrap=True, overflow="ellipsis")
        title = Text(self.lesson.lesson.title if self.lesson is not None else snap.title)
        title.truncate(TITLE_WIDTH if wide else 18, overflow="ellipsis")
        text.append(f" {title.plain} ", "bold reverse")
        text.append(f"  step {snap.step}  epoch {snap.epoch:.4g}  " if wide else f" step {snap.step} ")
        phase = snap.last
        arrow = {Phase.FORWARD: " →", Phase.BACKWARD: " ←"}.get(phase.phase, "")
        text.append(f"{describe(phase, snap.depth)}{arrow}", "bold cyan")
        text.append(f"  loss {fmt(snap.loss, 9).strip()}" if wide else f" L {fmt(snap.loss, 7).strip()}")
        if snap.test_loss is not None:
            text.append(f"  test {fmt(snap.test_loss, 9).strip()}" if wide
                        else f" T {fmt(snap.test_loss, 7).strip()}")
        if snap.accuracy is not None:
            text.append(f"  acc {snap.accuracy:.1%}" if wide else f" {snap.accuracy:.0%}")
        if snap.readout.get("test_r2", snap.readout.get("train_r2")) is not None:
            r2 = snap.readout.get("test_r2", snap.readout.get("train_r2"))
            shown = "—" if r2 != r2 else (f"{r2:.3f}" if wide else f"{r2:.2f}")  # nan: undefined
            text.append(f"  R² {shown}" if wide else f" R² {shown}")
        if snap.optimizer != "sgd":
            text.append(f"  {snap.optimizer.split(' ')[0]}" if wide else "")
        text.append(f"  η {snap.rate:.4g}" if wide else f" η {snap.rate:.3g}")
        if snap.batch_size > 1 and wide and not self.running:
            text.append(f"  batch {snap.batch_size}")
        if self.tally[1]:
            text.append(f"  P {self.tally[0]}/{self.tally[1]}" if wide else
                        f" P{self.tally[0]}/{self.tally[1]}", "bold magenta")
        if snap.diverged:
            text.append("  DIVERGED (R resets)", "bold white on red")
        elif self.running:
            text.append(f"  ▶ {self.steps_per_second:,.0f} steps/s" if wide else " ▶",
                        "bold green")
        self.query_one("#status", Static).update(text, layout=False)

    # ----- phase keys --------------------------------------------------------------------------

    def _act(self, action) -> None:
        self.pause()
        self.reveal = False
        self.query_one(MatrixView).gradcheck = None
        self.hint = action()
        self.timeline.record()
        last = self.stepper.last
        if last.layer is not None and last.phase != Phase.UPDATE:
            self.layer = last.layer
        self.redraw()

    def action_forward(self) -> None:
        """f: compute the next layer."""
        self._act(self.explorer.forward)

    def action_error(self) -> None:
        """e: the loss and the output layer's δ."""
        self._act(self.explorer.error)

    def action_backward(self) -> None:
        """b: propagate δ one layer back."""
        self._act(self.explorer.backward)

    def action_update(self) -> None:
        """u: apply the updates."""
        self._act(self.explorer.update)

    def action_micro(self) -> None:
        """space: the next micro-step."""
        self._act(self.explorer.micro)

    def action_finish_step(self) -> None:
        """s: finish the current training step."""
        self._act(self.explorer.finish_step)

    def action_predict(self) -> None:
        """P: ask for the value the next micro-step computes for the selected unit."""
        from bptui.app.screens.predict import PredictScreen
        from bptui.engine.predict import ask

        self.pause()
        diagram = self.query_one(NetworkDiagram)
        column, unit = diagram.cursor
        question = ask(self.stepper, column - 1, unit, self.sample or 0)
        if question is None:
            self.hint = self.explorer.next_hint()
            self.redraw(chart=False)
            return
        self.question = question
        diagram.cursor = (question.layer + 1, question.unit)
        self.layer = question.layer
        self.redraw(chart=False)
        prompt = question.prompt(self.stepper.depth, self.stepper.ws.m)
        self.push_screen(PredictScreen(question, prompt[0].upper() + prompt[1:] + "."),
                         self.predicted)

    def predicted(self, guess: float | None) -> None:
        """Grade a prediction: right runs the micro-step; wrong shows the arithmetic instead."""
        question = self.question
        if guess is None or question is None:
            return
        right = question.grade(guess)
        self.tally = [self.tally[0] + right, self.tally[1] + 1]
        self.remember()
        value = number(question.value)
        if right:
            self._act(self.explorer.micro)
            self.hint = f"right: {question.quantity} = {value} (you said {guess:g}) — " + self.hint
            self.redraw(chart=False)
            return
        self.reveal = True
        self.query_one("#right", ContentSwitcher).current = "explain"
        self.hint = (f"not quite: you said {guess:g}, {question.quantity} = {value} (arithmetic "
                     "in the explain pane) — P: again, space: run the step")
        self.redraw(chart=False)

    def action_reset(self) -> None:
        """R: back to the preset's initial weights."""
        self.pause()
        self.stepper.reset()
        self.timeline.clear()
        self.hint = "reset to the initial weights (same seed) — " + self.explorer.next_hint()
        self.redraw()

    def action_undo(self) -> None:
        """z: back one micro-step, exactly."""
        self.pause()
        if self.timeline.undo():
            self.hint = f"undone: back to {describe(self.stepper.last, self.stepper.depth)} " \
                        f"of step {self.stepper.last.step + 1} — Z redoes"
        else:
            self.hint = "nothing to undo: this is the start of the session"
        self.redraw()

    def action_redo(self) -> None:
        """Z: replay the next undone micro-step, bit for bit."""
        self.pause()
        if self.timeline.redo():
            self.hint = f"redone: {describe(self.stepper.last, self.stepper.depth)} — " \
                        + self.explorer.next_hint()
        else:
            self.hint = "nothing to redo"
        self.redraw()

    # ----- navigation and settings -------------------------------------------------------------

    def action_layer(self, delta: int) -> None:
        """[ and ]: previous / next weight layer in the matrix pane."""
        self.layer = (self.layer + delta) % self.stepper.depth
        diagram = self.query_one(NetworkDiagram)
        column, unit = diagram.cursor
        diagram.cursor = (self.layer + 1, min(unit, self.stepper.spec.layers[self.layer + 1] - 1))
        self.redraw(chart=False)

    def action_cursor(self, dx: int, dy: int) -> None:
        """Arrow keys: move the unit cursor; the matrix pane follows its layer."""
        diagram = self.query_one(NetworkDiagram)
        layers = self.stepper.spec.layers
        column, unit = diagram.cursor
        column = max(0, min(len(layers) - 1, column + dx))
        unit = max(0, min(layers[column] - 1, unit + dy))
        diagram.cursor = (column, unit)
        if column > 0:
            self.layer = column - 1
        self.redraw(chart=False)

    def action_sample(self, delta: int) -> None:
        """, and .: previous / next sample of the batch."""
        m = self.stepper.ws.m
        self.sample = ((self.sample or 0) + delta) % m
        self.redraw(chart=False)

    def action_mean(self) -> None:
        """m: toggle the batch mean."""
        self.sample = 0 if self.sample is None else None
        self.hint = "showing the batch mean" if self.sample is None else "showing one sample"
        self.redraw(chart=False)

    def action_learning_rate(self, factor: float) -> None:
        """+ and -: double / halve the learning rate, saturating at the ends of its range."""
        was_running = self.running
        self.pause()
        self.stepper.learning_rate, hint = scaled_learning_rate(self.stepper.learning_rate, factor)
        self.timeline.pin()
        if was_running:
            self.action_run()
        self.hint = hint
        if not self.running:
            self.redraw(chart=False)

    def action_gradient_check(self) -> None:
        """g: central differences against backprop, per layer, on the current batch."""
        self.pause()
        checks = self.stepper.gradient_check()
        self.query_one(MatrixView).gradcheck = checks
        worst = max(c.relative_error for c in checks)
        verdict = "backprop agrees" if worst < 1e-5 else "MISMATCH"
        self.hint = f"gradient check: largest relative error {worst:.1e} ({verdict}); " \
                    "details in the matrix pane"
        self.redraw(chart=False)

    def hand_over(self, files: dict[str, bytes]) -> str:
        """Write {file name: contents} in the current folder, all or nothing; served on the web
        (textual-serve), send them to the browser as downloads instead. Says where they went."""
        if not self.is_web:
            from bptui.export import write_files

            write_files(files)
            return "saved to"
        for name, data in files.items():
            self.deliver_binary(io.BytesIO(data), save_filename=name)
        return "sent to your browser as"

    def action_save_session(self) -> None:
        """ctrl+s: save the whole session (atomically) in the current folder; on the web, as a
        download."""
        from bptui.session import session_bytes, session_file_name

        self.pause()
        name = session_file_name(self.preset)
        try:
            where = self.hand_over({name: session_bytes(self.preset, self.stepper)})
            self.hint = f"session {where} {name} — resume with: bptui --session {name}"
        except PresetError as exc:
            self.hint = f"could not save: {exc}"
        self.redraw(chart=False)

    def action_export_weights(self) -> None:
        """ctrl+e: the weights as JSON, .npz and a preset with them pinned (all three or none)."""
        from bptui.export import export_files, export_stem

        self.pause()
        stem = export_stem(self.preset, self.stepper)
        try:
            files = export_files(self.preset, self.stepper)
            where = self.hand_over(files)
            data = ", its data in .csv" if f"{stem}.csv" in files else ""
            self.hint = (f"weights {where} {stem}.json, .npz and .toml{data} "
                         f"(a preset: bptui {stem}.toml)")
        except PresetError as exc:
            self.hint = f"could not export: {exc}"
        self.redraw(chart=False)

    def action_log_scale(self) -> None:
        """l: log10 of the loss on the chart."""
        chart = self.query_one(LossChart)
        chart.log_scale = not chart.log_scale
        self.hint = "loss chart: log10 scale" if chart.log_scale else "loss chart: linear scale"
        self.redraw()

    def action_help(self) -> None:
        """?: keys and formulas."""
        from bptui.app.screens.help import HelpScreen

        self.push_screen(HelpScreen(self.stepper))

    def action_pick(self) -> None:
        """p: the preset picker."""
        from bptui.app.screens.picker import PresetPicker

        self.pause()
        self.push_screen(PresetPicker(), self.switch_preset)

    def action_settings(self) -> None:
        """o: the settings screen."""
        from bptui.app.screens.settings import SettingsScreen

        self.pause()
        self.push_screen(SettingsScreen(self.preset, self.stepper), self.apply_settings)

    def apply_settings(self, result) -> None:
        """A new configuration: keep the weights where the layer sizes and init are unchanged."""
        if result is None:
            return
        preset, keep = result
        stepper = preset.stepper()
        if keep:
            kept_state = stepper.adopt(self.stepper)
            self.hint = "settings applied, weights kept"
            if not kept_state and stepper.optimizer.buffers:
                names = ", ".join(name for name, _ in stepper.optimizer.buffers)
                self.hint += f"; {stepper.optimizer.title} starts with its state ({names}) at zero"
            self.hint += "; the current step restarts — "
        else:
            self.hint = "layer sizes or init changed: weights re-initialized from the seed — "
        self.start_session(preset, stepper)
        self.hint += self.explorer.next_hint()
        self.redraw()

    def action_edit_weight(self) -> None:
        """w: type a new value for one incoming weight (or the bias) of the selected unit."""
        from bptui.app.screens.weight import WeightEditor

        self.pause()
        column, unit = self.query_one(NetworkDiagram).cursor
        if column == 0:
            self.hint = "select a unit of a layer (→) to edit its incoming weights"
            self.redraw(chart=False)
            return
        self.push_screen(WeightEditor(self.stepper, column - 1, unit), self.weight_edited)

    def weight_edited(self, message: str | None) -> None:
        """After the weight editor: the current step restarts with the new weight."""
        if message is None:
            return
        self.stepper.restart_step()
        self.timeline.pin()
        self.hint = f"{message}; the current step restarts from its forward pass — " \
                    + self.explorer.next_hint()
        self.redraw()

    def switch_preset(self, preset: Preset | None) -> None:
        """Start a new session on `preset` (None keeps the current one); a lesson ends."""
        if preset is None:
            return
        self.end_lesson()
        self.start_session(preset, preset.stepper())
        self.hint = f"opened {preset.title} — " + self.explorer.next_hint()
        self.redraw()

    def start_session(self, preset: Preset, stepper) -> None:
        """Explore `stepper` (of `preset`) from now on, with a fresh undo history."""
        self.pause()
        self.preset = preset
        self.explorer = Explorer(stepper)
        self.timeline = Timeline(stepper)
        self.layer = 0
        self.sample = 0
        self.query_one(NetworkDiagram).cursor = (1, 0)
        if not supported(preset.network.layers[0]):
            self.query_one(ContentSwitcher).current = "diagram"
            self.query_one("#diagram-pane").border_title = "Network"

    def get_system_commands(self, screen):
        """The command palette: presets and the main actions."""
        yield from super().get_system_commands(screen)
        for name in bundled_names():
            yield SystemCommand(f"Open preset: {name}", "start a new session on this preset",
                                lambda name=name: self.switch_preset(load_preset(name)))
        for key in KEYS:
            if key.palette:
                yield SystemCommand(key.label, f"{key.help} ({key.name})",
                                    partial(self.run_action, key.action))

    async def on_event(self, event: events.Event) -> None:
        """Keys still queued when the last screen has gone (the app is closing) are dropped:
        Textual 8.2.8 would raise ScreenStackError for them (see bptui.app.guards)."""
        if isinstance(event, events.Key) and not self.screen_stack:
            return
        await super().on_event(event)

    def action_command_palette(self) -> None:
        """ctrl+p: the command palette (a guarded one: see bptui.app.guards)."""
        from bptui.app.guards import GuardedCommandPalette

        if self.use_command_palette and not GuardedCommandPalette.is_open(self):
            self.push_screen(GuardedCommandPalette())

    async def action_quit(self) -> None:
        """q: stop training and quit."""
        self.pause()
        self.exit()
