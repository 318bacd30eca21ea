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
"""

from __future__ import annotations

from textual import events, on
from textual.await_complete import AwaitComplete
from textual.command import CommandList, CommandPalette
from textual.message import Message
from textual.widgets import Button, Input, OptionList


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
    bubbles up from it to the same end)."""

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
