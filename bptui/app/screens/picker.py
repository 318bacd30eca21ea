"""The preset picker: the served presets (a preset file the command line gave, a served folder's
presets), then the bundled ones, with descriptions; or a .toml file by path.

Served to a browser (`bptui --web`, `App.is_web`) it offers names only, never a path field: a
path would name a file on the server.

A preset that fails to load shows its one-line error here and the current session stays.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from bptui.app.guards import DismissOnce
from bptui.preset import Preset, PresetError, bundled_names, load_preset
from bptui.text import printable


def option_text(name: str, load=load_preset) -> Text:
    """Title in bold, then the description, for one option."""
    try:
        preset = load(name)
    except PresetError as exc:
        return Text(f"{printable(name)}: cannot load ({exc})", style="red")
    text = Text(preset.title, style="bold")
    text.append(f"  ({preset.name})", style="dim")
    text.append("\n" + preset.description, style="dim")
    return text


class PresetPicker(DismissOnce, ModalScreen[Preset | None]):
    """Choose a served or bundled preset, or type a path (not in a browser); dismisses with the
    Preset. `catalog` (bptui.lesson.catalog.Catalog) names the served ones."""

    BINDINGS = [Binding("escape", "dismiss_none", "Cancel")]

    def __init__(self, catalog=None):
        super().__init__()
        self.catalog = catalog

    def load(self, name: str) -> Preset:
        """A listed preset by name (served first)."""
        if self.catalog is not None and self.catalog.has_preset(name):
            return self.catalog.preset(name)
        return load_preset(name)

    def names(self) -> list[str]:
        return self.catalog.preset_names() if self.catalog is not None else bundled_names()

    def compose(self) -> ComposeResult:
        with Vertical(id="picker"):
            yield Static("Open a preset", classes="title")
            yield OptionList(
                *[Option(option_text(n, self.load), id=n) for n in self.names()], id="preset-list"
            )
            if not self.app.is_web:  # in a browser: no paths on the server's disk
                yield Input(
                    placeholder="or tab here, type a path to a .toml file, then enter",
                    id="preset-path",
                )
            yield Static("", id="picker-error")

    def action_dismiss_none(self) -> None:
        """Close without changing the session."""
        self.dismiss(None)

    def try_load(self, name: str, load=load_preset) -> None:
        """Load and dismiss, or show the one-line error in place."""
        from bptui.lesson.lock import locked_keys

        try:
            preset = load(name)
            locked_keys(preset)
        except PresetError as exc:
            self.query_one("#picker-error", Static).update(Text(f"error: {exc}", style="bold red"))
            return
        self.dismiss(preset)

    @on(OptionList.OptionSelected, "#preset-list")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        """A listed preset was picked."""
        self.try_load(event.option.id, self.load)

    @on(Input.Submitted, "#preset-path")
    def typed(self, event: Input.Submitted) -> None:
        """A path was entered."""
        if event.value.strip():
            self.try_load(event.value.strip())
