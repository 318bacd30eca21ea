"""The explorer's key bindings, made from `keys.KEYS` (exact: the tests and the README drive
these keys). They belong to the explorer screen; the actions of APP_ACTIONS are the app's."""

from textual.binding import Binding

from bptui.keys import KEYS

APP_ACTIONS = frozenset({"quit"})
"""Actions of the whole app (bptui.app.main), not of the explorer screen."""

BINDINGS = [
    Binding(
        k.key,
        f"app.{k.action}" if k.action in APP_ACTIONS else k.action,
        k.label,
        show=k.footer,
        id=k.id,
        tooltip=k.help,
    )
    for k in KEYS
]
