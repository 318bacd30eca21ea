"""The bptui app: start-up, its screens and the global keys.

Everything about exploring a network (its session, the view state, the panes and their keys) is
the ExplorerScreen (bptui.app.explorer_screen), the app's first screen: `main_screen`. The app
keeps what belongs to the whole program: the theme, the command palette (presets and the
explorer's keys) and the theme search, quitting (in a browser, after asking), keeping a served
student's place when the app exits, and dropping events once it is closing.
"""

from __future__ import annotations

import gc
from functools import partial

from textual import events
from textual.app import App, SystemCommand

from bptui.app.explorer_screen import ExplorerScreen
from bptui.app.guards import GuardedCommandPalette, HeldKeys, TypeAhead
from bptui.app.screens.confirm import QuitScreen
from bptui.keys import ASKING, KEYS
from bptui.preset import Preset, bundled_names, load_preset


class BptuiApp(App):
    """bptui: explore backpropagation one step at a time."""

    CSS_PATH = "app.tcss"
    TITLE = "bptui"

    def __init__(
        self,
        preset: Preset | str = "xor",
        autostart: bool = False,
        stepper=None,
        lesson=None,
        progress=None,
        catalog=None,
        theme: str | None = None,
        opening=None,
        seat=None,
    ):
        super().__init__()
        self.theme_asked = theme
        self.main_screen = ExplorerScreen(
            preset,
            autostart=autostart,
            stepper=stepper,
            lesson=lesson,
            progress=progress,
            catalog=catalog,
            opening=opening,
            seat=seat,
        )
        """The explorer (the first screen, under any modal one): a key reaching an action
        through the command palette, and the tests, find the session and its panes here."""
        self.held_keys = HeldKeys(self, self.opens_or_closes_a_question)

    def opens_or_closes_a_question(self, event: events.Key) -> bool:
        """Whether the keys typed behind this one wait (bptui.app.guards.HeldKeys): it opens a
        question the explorer allows now, or it answers or closes the question on top."""
        if isinstance(self.screen, TypeAhead):
            return event.key in ("enter", "escape")
        action = ASKING.get(event.key)
        return (
            action is not None
            and self.screen is self.main_screen
            and bool(self.main_screen.check_action(action, ()))
        )

    def get_default_screen(self) -> ExplorerScreen:
        return self.main_screen

    async def on_mount(self) -> None:
        """The theme asked for; then wait until the explorer has composed its panes and run its
        own start-up (its on_mount), as when the panes were the app's: the app is ready (keys,
        tests, a snapshot's first frame) only with the explorer on screen. Textual (8.2.8,
        pinned) composes a default screen in the screen's own task, after the app's Mount;
        AwaitMount, which `mount()` returns, waits on the same event."""
        if self.theme_asked:
            self.theme = self.theme_asked
        await self.main_screen._mounted_event.wait()
        # what start-up built (modules, widgets, styles) lives as long as the app: moved out of
        # the collector's reach after the first frame, a full collection (35-50 ms, about once
        # every 40 key presses) no longer walks it
        self.call_after_refresh(gc.freeze)

    def get_theme_variable_defaults(self) -> dict[str, str]:
        """$bptui-neutral, the palette's neutral colour (app.tcss, widgets/paletted.py): the
        theme's background where the theme names one, else a grey of its darkness; a theme may
        set its own in its variables."""
        theme = self.current_theme
        return {"bptui-neutral": theme.background or ("#1e1e24" if theme.dark else "#ffffff")}

    def get_system_commands(self, screen):
        """The command palette: presets and the actions of the keys (keys.KEYS)."""
        yield from super().get_system_commands(screen)
        explorer = self.main_screen
        # a lesson keeps its preset (p ends it, on purpose), so does a lock
        if explorer.lesson is None and explorer.allowed("pick"):
            for name in bundled_names():
                yield SystemCommand(
                    f"Open preset: {name}",
                    "start a new session on this preset",
                    lambda name=name: explorer.sessions.switch_preset(load_preset(name)),
                )
        for key in KEYS:
            if key.palette and explorer.check_action(key.action.split("(")[0], ()):
                yield SystemCommand(
                    key.label, f"{key.help} ({key.name})", partial(explorer.run_action, key.action)
                )

    async def on_event(self, event: events.Event) -> None:
        """Keys and callbacks still queued when the app is closing are dropped: with the last
        screen gone Textual 8.2.8 would raise ScreenStackError for a key, and an action the
        command palette queued would look for panes already removed (see bptui.app.guards;
        Textual drops its timers' callbacks the same way). A key that comes up from the
        explorer after a screen opened on top of it goes to that screen."""
        if isinstance(event, (events.Key, events.Callback)) and not (
            self.is_running and self.screen_stack
        ):
            return
        if (
            isinstance(event, events.Key)
            and not event.is_forwarded  # as typed, not bubbling back up from a widget
            and self.held_keys.take(event)
        ):
            return  # behind a key that opens or closes a question (bptui.app.guards.HeldKeys)
        if getattr(event, "explorer_key", False) and self.screen is not self.main_screen:
            # typed right after a key that opened a screen (P, N, o in one burst, or pasted),
            # it was queued at the explorer before that screen came: it goes to that screen
            # (into its field: guards.TypeAhead), not to the explorer's bindings
            (self.focused or self.screen)._forward_event(events.Key(event.key, event.character))
            return
        await super().on_event(event)

    def on_exit_app(self) -> None:
        """The browser left or the student quit: keep where they are."""
        self.main_screen.lessons.keep_served()

    def search_themes(self) -> None:
        """The theme search, bptui's themes before the ANSI ones (bptui.app.themes)."""
        from bptui.app.themes import ThemePalette

        if not ThemePalette.is_open(self):
            self.push_screen(ThemePalette())

    def action_command_palette(self) -> None:
        """ctrl+p: the command palette (a guarded one: see bptui.app.guards)."""
        if self.use_command_palette and not GuardedCommandPalette.is_open(self):
            self.push_screen(GuardedCommandPalette())

    async def action_quit(self) -> None:
        """q: stop training and quit (the training thread ends by itself within one chunk); in
        a browser, after asking (a stray q would end the student's session)."""
        if self.is_web and not isinstance(self.screen, QuitScreen):
            explorer = self.main_screen
            kept = explorer.seat is not None and explorer.lesson is not None
            self.push_screen(QuitScreen(kept), lambda quit: quit and self.quit_now())
            return
        self.quit_now()

    def quit_now(self) -> None:
        """Stop training and quit."""
        self.main_screen.trainer.stop()
        self.exit()
