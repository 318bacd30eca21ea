"""The explorer's session keys: η, presets, settings, weight edits, saving and exporting.

`SessionControl` works for one explorer screen: it changes the screen's session (`stepper`,
`timeline`, `preset`, through `start_session()`) and says what it did in the screen's `hint`;
files go out through the app (`deliver_binary` under --web). The screen's key actions call it,
stopping training first where they need the stepper (`paused`).
"""

from __future__ import annotations

import io

from bptui.preset import Preset, PresetError
from bptui.preset.loader import scaled_learning_rate


class SessionControl:
    """Keys that change the session rather than step it."""

    def __init__(self, screen) -> None:
        self.screen = screen
        """The explorer screen (bptui.app.explorer_screen.ExplorerScreen)."""

    def learning_rate(self, factor: float) -> None:
        """+ and -: double / halve the learning rate, saturating at the ends of its range; while
        training runs, it pauses, changes η and goes on toward the same goal."""
        goal = self.screen.trainer.goal if self.screen.trainer.busy else None

        def change() -> None:
            self.screen.stepper.learning_rate, hint = scaled_learning_rate(
                self.screen.stepper.learning_rate, factor
            )
            self.screen.timeline.pin()
            if goal is not None:
                self.screen.live.start(goal)
            self.screen.hint = hint
            self.screen.refresh_view()

        self.screen.trainer.stop(change)

    def hand_over(self, files: dict[str, bytes], bundle: str | None = None) -> str:
        """Write {file name: contents} in the current folder, all or nothing; served on the web
        (textual-serve), send them to the browser instead: one download, so several files go
        as one .zip named `bundle` (a popup blocker lets only the first of several downloads
        through). Says where they went, naming what was really sent."""
        if not self.screen.app.is_web:
            from bptui.export import write_files

            write_files(files)
            return "saved to"
        if len(files) == 1:
            [(name, data)] = files.items()
            self.screen.app.deliver_binary(io.BytesIO(data), save_filename=name)
            return "sent to your browser as"
        from bptui.export import zip_bytes

        name = bundle or "bptui-files.zip"
        self.screen.app.deliver_binary(
            io.BytesIO(zip_bytes(files)), save_filename=name, mime_type="application/zip"
        )
        return f"sent to your browser in {name}:"

    def save(self) -> None:
        """ctrl+s: save the whole session (atomically) in the current folder; on the web, as a
        download."""
        from bptui.session import session_bytes, session_file_name

        name = session_file_name(self.screen.preset)
        try:
            where = self.hand_over({name: session_bytes(self.screen.preset, self.screen.stepper)})
            self.screen.hint = f"session {where} {name} — resume with: bptui --session {name}"
        except PresetError as exc:
            self.screen.hint = f"could not save: {exc}"

    def export_weights(self) -> None:
        """ctrl+e: the weights as JSON, .npz and a preset with them pinned (all or none)."""
        from bptui.export import check_data_copy, export_files, export_stem

        stem = export_stem(self.screen.preset, self.screen.stepper)
        try:
            files = export_files(self.screen.preset, self.screen.stepper)
            if not self.screen.app.is_web:  # the data copy STEM.csv never replaces another file
                check_data_copy(f"{stem}.toml", self.screen.preset)
            where = self.hand_over(files, bundle=f"{stem}.zip")
            data = ", its data in .csv" if f"{stem}.csv" in files else ""
            self.screen.hint = (
                f"weights {where} {stem}.json, .npz and .toml{data} (a preset: bptui {stem}.toml)"
            )
        except PresetError as exc:
            self.screen.hint = f"could not export: {exc}"

    def pick(self) -> None:
        """p: the preset picker."""
        from bptui.app.screens.picker import PresetPicker

        self.screen.app.push_screen(PresetPicker(self.screen.catalog), self.switch_preset)

    def switch_preset(self, preset: Preset | None) -> None:
        """Start a new session on `preset` (None keeps the current one); a lesson ends."""
        if preset is None:
            return
        self.screen.lessons.end()
        self.screen.start_session(preset, preset.stepper())
        self.screen.pace = preset.pace
        self.screen.hint = f"opened {preset.title} — " + self.screen.explorer.next_hint()

    def settings(self) -> None:
        """o: the settings screen."""
        from bptui.app.screens.settings import SettingsScreen

        field = self.screen.lessons.settings_field()  # the one a lesson step asks to change
        self.screen.app.push_screen(
            SettingsScreen(self.screen.preset, self.screen.stepper, field), self.apply_settings
        )

    def apply_settings(self, result) -> None:
        """A new configuration: keep the weights where the layer sizes and init are unchanged."""
        if result is None:
            return
        from bptui.app.screens.settings import changes

        preset, keep = result
        stepper = preset.stepper()
        changed = "; ".join(changes(self.screen.stepper, stepper)) or "nothing changed"
        if keep:
            kept_state = stepper.adopt(self.screen.stepper)
            hint = f"settings applied ({changed}), weights kept"
            if not kept_state and stepper.optimizer.buffers:
                names = ", ".join(name for name, _ in stepper.optimizer.buffers)
                hint += f"; {stepper.optimizer.title} starts with its state ({names}) at zero"
            hint += "; the current step restarts — "
        else:
            hint = f"{changed}: weights re-initialized from the seed — "
        screen = self.screen
        view = (screen.cursor, screen.weight_layer)
        same_layers = list(stepper.spec.layers) == list(screen.stepper.spec.layers)
        screen.start_session(preset, stepper)
        if same_layers:  # the unit and the weight layer looked at stay (the boundary map too)
            screen.cursor, screen.weight_layer = view
        screen.hint = hint + screen.explorer.next_hint()

    def edit_weight(self) -> None:
        """w: type a new value for one incoming weight (or the bias) of the selected unit."""
        from bptui.app.screens.weight import WeightEditor

        column, unit = self.screen.cursor
        if column == 0:
            self.screen.hint = "select a unit of a layer (→) to edit its incoming weights"
            return
        self.screen.app.push_screen(
            WeightEditor(self.screen.stepper, column - 1, unit), self.weight_edited
        )

    def weight_edited(self, message: str | None) -> None:
        """After the weight editor: the current step restarts with the new weight."""
        if message is None:
            return
        self.screen.stepper.restart_step()
        self.screen.timeline.pin()
        self.screen.hint = (
            f"{message}; the current step restarts from its forward pass — "
            + self.screen.explorer.next_hint()
        )
        self.screen.refresh_view()
