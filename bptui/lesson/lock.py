"""A preset's `[lock]`: the only keys that work outside lessons (`keys = ["space", "r", "d"]`),
for a teacher who wants students on one thing. Panes are locked with the keys that show them
(d: decision boundary, x: explain, h: gradient health, 1 2 3: zoom).

Written like a lesson step's `keys` and checked the same way (bptui.lesson.loader.read_keys); n,
t, ?, q and ctrl+p always work. The preset loader only lets the table through (it sits below the
keys' registry); this module checks it wherever a preset is opened: the command line, a served
folder, the picker, a shared URL.
"""

from __future__ import annotations

from bptui.lesson.loader import read_keys
from bptui.preset.errors import PresetError
from bptui.preset.table import Table

LOCK_KEYS = ("keys",)


def locked_keys(preset) -> tuple[str, ...] | None:
    """The keys a preset's [lock] allows (Textual key names), or None (no [lock]); a PresetError
    naming the file and key for a [lock] that is not one."""
    if "lock" not in preset.doc:
        return None
    value = preset.doc["lock"]
    if not isinstance(value, dict):
        raise PresetError(
            preset.source,
            "lock",
            'expected a table: [lock] keys = ["space", "r"] (the only keys that work)',
        )
    table = Table(preset.source, "lock", value)
    table.check_keys(LOCK_KEYS)
    if not table.has("keys"):
        raise table.error("keys", 'missing: the keys that work, e.g. keys = ["space", "r"]')
    return read_keys(table, "keys")
