"""The explorer's key bindings, made from `keys.KEYS` (exact: the tests and the README drive
these keys)."""

from textual.binding import Binding

from bptui.keys import KEYS

BINDINGS = [Binding(k.key, k.action, k.label, show=k.footer, id=k.id, tooltip=k.help)
            for k in KEYS]
