"""Screens that survive keys typed faster than they close (works around Textual 8.2.8 races).

Keys reach a screen through queues: typed quickly, a second `enter` (or `escape`) is already
queued at a modal screen when the first one dismisses it. Textual then lets the closing screen
handle it: `Screen.dismiss` pops whatever screen is on top, so a second dismiss pops the app's
main screen (ScreenStackError) or sets the result twice (InvalidStateError). The command palette
is hit hardest: `ctrl+p enter ctrl+p enter` kills a bare Textual app, and its search worker can
outlive its widgets (NoMatches for CommandList); a palette reopened while the old one is still
being removed collides with its fixed id (DuplicateIds).

Keys still queued when the app closes reach it after its last screen is gone (ScreenStackError:
"No screens on stack"), and an action the palette queued can run while the screens are being
removed (NoMatches for a pane); the app drops both once it is closing (BptuiApp.on_event).

`DismissOnce` makes dismiss() of a screen that is no longer on top do nothing (a screen can
only ever be dismissed while on top); `GuardedCommandPalette` also ignores what reaches it
while it closes, stops its search worker when it closes, and has no fixed id.

Keys typed right after the key that opens a screen (`P0.59⏎` in one burst, or pasted) reach
that screen before its field has focus: Textual gives them to the screen, whose bindings drop
them. `TypeAhead` types them into the field instead, and submits it on enter.

Keys are routed as they arrive, each to whatever has focus then, and every widget has its own
queue: in `P0.59⏎P0.5933⏎` the keys after the first enter went straight to the field, ahead of
the enter still on its way, and the question got "0.59P0.5933". `HeldKeys` keeps one order:
the keys behind one that opens a question (`keys.ASKING`) or answers or closes it (enter,
escape) wait until the question's field has focus, or until the question has gone or refused
the answer, and then go on in the order they were typed.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import events, on
from textual.await_complete import AwaitComplete
from textual.command import CommandList, CommandPalette
from textual.message import Message
from textual.widgets import Button, Input, OptionList, Static


class DismissOnce:
    """Mixin for a Screen: dismiss() does nothing unless the screen is the active one."""

    def dismiss(self, result=None) -> AwaitComplete:
        """Textual's dismiss, once, from the top of the stack."""
        if not self.is_active:
            return AwaitComplete()
        return super().dismiss(result)


class GuardedCommandPalette(DismissOnce, CommandPalette):
    """Textual's command palette, inert once it is closing (see the module's docstring)."""

    def __init__(self) -> None:
        super().__init__()  # no fixed id: a closing palette may still be in the DOM

    @on(OptionList.OptionSelected)
    @on(Input.Changed)
    @on(Input.Submitted)
    @on(Button.Pressed)
    def _ignore_when_closing(self, event: Message) -> None:
        """Runs before the palette's own handlers (subclass first) and, when closing, stops them."""
        if not self.is_active:
            event.stop()
            event.prevent_default()

    def _action_command_list(self, action: str) -> None:
        """PgUp or PgDn typed in the same burst as ctrl+p reaches the list before it is laid
        out, and Textual 8.2.8's OptionList then fails (KeyError in `_move_page`): paging waits
        until the list has rows."""
        if action.startswith("page_"):
            lists = self.query(CommandList)
            if not lists or lists.first().scrollable_content_region.height == 0:
                return
        super()._action_command_list(action)

    def dismiss(self, result=None) -> AwaitComplete:
        """Stop the search worker first: it must not look for widgets that are going away."""
        if self.is_active:
            self.workers.cancel_node(self)
        return super().dismiss(result)


class TypeAhead:
    """Mixin for a Screen with one field to type in: what is typed before the field has focus
    goes into it, and enter submits it (see the module). A key that reaches the screen itself
    was given to it before the field had focus (the field keeps printable keys, and enter
    bubbles up from it to the same end). The app's held keys go on once the field has focus,
    once the screen is dismissed, and when it refuses an answer (`refuse`)."""

    def on_mount(self) -> None:
        """Runs after the screen's own on_mount, whose focus() queues the field's focus at the
        app: the keys released now reach the app after it."""
        release_held_keys(self)

    def dismiss(self, result=None) -> AwaitComplete:
        """Dismissed, the screen has left the stack at once (its removal follows): the keys
        behind the answer go on to what is under it, after the answer (the result callback
        runs first in the requester's queue)."""
        active = self.is_active
        done = super().dismiss(result)
        if active:
            release_held_keys(self)
        return done

    def refuse(self, where: str, text: str) -> None:
        """Say why the answer was refused (in the Static `where`), and let typing go on."""
        self.query_one(where, Static).update(Text(text, style="bold red"))
        release_held_keys(self)

    async def on_key(self, event: events.Key) -> None:
        field = next(self.query(Input).results(Input), None)
        if field is None:
            return
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            field.focus()
            await field.action_submit()
        elif event.is_printable and event.character:
            event.stop()
            event.prevent_default()
            field.focus()
            field.insert_text_at_cursor(event.character)


HOLD_LIMIT = 0.5  # seconds keys wait at most (a question that never opened: P while locked)


class HeldKeys:
    """The app's keys that wait for a question to open or close (see the module).

    `needs_hold(key)` says whether the keys behind this one wait. The question's screen
    releases them (`TypeAhead`), or HOLD_LIMIT does; released keys are posted to the app
    again, as they came and in their order, so a key among them that opens the next question
    holds the rest again.
    """

    def __init__(self, app, needs_hold: Callable[[events.Key], bool]):
        self.app = app
        self.needs_hold = needs_hold
        self.keys: list[events.Key] | None = None
        self._timer = None

    def take(self, event: events.Key) -> bool:
        """True if `event` waits (it is held); else it goes on, and holds those behind it when
        it opens or closes a question."""
        if self.keys is not None:
            self.keys.append(event)
            return True
        if self.needs_hold(event):
            self.keys = []
            self._timer = self.app.set_timer(HOLD_LIMIT, self.release, name="held keys")
        return False

    def release(self) -> None:
        """The held keys go on (posted to the app again, in order)."""
        keys, self.keys = self.keys, None
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        for event in keys or ():  # the same events: their sender is the app, where they stop
            self.app.post_message(event)  # bubbling up (a new one made by a screen stops there)


def release_held_keys(screen) -> None:
    """The keys held for `screen`'s question go on (an app without HeldKeys has none)."""
    held = getattr(screen.app, "held_keys", None)
    if held is not None:
        held.release()
