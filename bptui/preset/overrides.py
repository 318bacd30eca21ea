"""Overrides of preset keys for one run: `--set KEY=VALUE`, `--vary KEY=V1,V2`, and tables of
them in files (a goal's `fix`, a lesson's `set`).

An override is a dotted key (`training.learning_rate`) and a TOML value. It is applied to the
parsed preset document (tables are created as needed; it never reaches inside an array of
tables, and never replaces a table with a value), and then the whole document is validated
exactly like a file. A bad key or value is one `PresetError` that names where the override came
from (`--set`, or the file) and its key.

As in the settings screen, choosing another optimizer, schedule or init drops the file's
settings of the old one that the new one does not take (`training.optimizer=adam` on a preset
with `momentum = 0.9`), and changing the init drops pinned [[weights]]; changing the layer sizes
of a preset with pinned [[weights]] is refused (unless the weights are given too): they would
no longer fit. Settings given as overrides themselves are always kept (and validated).

On the command line a VALUE is read as a TOML value (`0.1`, `true`, `[2, 8, 1]`, `"text"`); a
bare word that is not TOML (`relu`, `adam`) is taken as a string.
"""

from __future__ import annotations

import copy
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from bptui.engine import initializers, optimizers, schedules
from bptui.preset.errors import PresetError
from bptui.preset.keys import INIT_KEYS, OPTIMIZER_KEYS, SCHEDULE_KEYS
from bptui.preset.table import describe, type_name

KEY = re.compile(r"[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*")
BARE_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_.+-]*")
MAX_TEXT = 100_000  # characters of one command-line override


@dataclass(frozen=True)
class Override:
    """Set `key` (dotted) to `value`. `source` and `label` say where it came from for errors:
    ('--set', 'training.l2') or ('overfit.toml', 'goal.fix.training.l2')."""

    key: str
    value: Any
    source: str = "--set"
    label: str = ""

    @property
    def where(self) -> str:
        """The key as the user wrote it."""
        return self.label or self.key

    def error(self, message: str) -> PresetError:
        """A PresetError at this override."""
        return PresetError(self.source, self.where, message)


def parse_value(text: str, source: str, key: str) -> Any:
    """A command-line VALUE as TOML (`x = VALUE`); a bare word that is not TOML is a string."""
    if not text.strip():
        raise PresetError(source, key, "missing value (e.g. 0.1, true, relu, [2, 8, 1])")
    if len(text) > MAX_TEXT:
        raise PresetError(
            source,
            key,
            f"value of {len(text):,} characters is too long (allowed: up to {MAX_TEXT:,})",
        )
    try:
        doc = tomllib.loads(f"x = {text}")
    except tomllib.TOMLDecodeError:
        if BARE_WORD.fullmatch(text):
            return text
        raise PresetError(
            source,
            key,
            f"{text!r} is not a TOML value (e.g. 0.1, true, relu, "
            f"[2, 8, 1], or text with spaces in quotes: "
            f"'\"my run\"')",
        ) from None
    except RecursionError:
        raise PresetError(source, key, "value nested too deeply") from None
    if set(doc) != {"x"}:  # e.g. `1\ny = 2`: more than one value
        raise PresetError(source, key, f"{text!r} is more than one TOML value")
    return doc["x"]


def parse_key(text: str, source: str, where: str | None = None) -> str:
    """A dotted key of bare TOML keys, e.g. training.learning_rate."""
    if not text:
        raise PresetError(source, where, "missing KEY before '=' (e.g. training.learning_rate)")
    if not KEY.fullmatch(text):
        raise PresetError(
            source, where, f"{text!r} is not a dotted key (e.g. training.learning_rate)"
        )
    return text


def split_assignment(text: str, source: str, example: str) -> tuple[str, str]:
    """'KEY=VALUE' → (key, value text); a missing '=' or key is an error naming `source`."""
    key, sep, value = text.partition("=")
    if not sep:
        raise PresetError(source, None, f"{text!r} is not KEY=VALUE (e.g. {example})")
    return parse_key(key.strip(), source), value.strip()


def parse_set(text: str, source: str = "--set") -> Override:
    """One `--set KEY=VALUE`."""
    key, value = split_assignment(text, source, "training.learning_rate=0.1")
    return Override(key, parse_value(value, source, key), source)


def from_table(table: dict, source: str, prefix: str) -> list[Override]:
    """A TOML table of overrides (a goal's `fix`, a lesson's `set`) at dotted key `prefix` of
    file `source`. Keys may be dotted (`training.l2 = 0.1`, the nested table
    {training: {l2: 0.1}}) or quoted (`"training.l2" = 0.1`). One override per leaf key."""
    return [
        leaf
        for name, value in table.items()
        for leaf in leaves(Override(name, value, source, f"{prefix}.{name}"))
    ]


def leaves(override: Override) -> list[Override]:
    """An override as one override per leaf key: a non-empty table value is split up."""
    parse_key(override.key, override.source, override.where)
    if not isinstance(override.value, dict) or not override.value:
        return [override]
    return [
        leaf
        for name, value in override.value.items()
        for leaf in leaves(
            Override(f"{override.key}.{name}", value, override.source, f"{override.where}.{name}")
        )
    ]


def apply(doc: dict, overrides: Iterable[Override]) -> dict:
    """A deep copy of the document with the overrides applied, in order (a later one wins)."""
    doc = copy.deepcopy(doc)
    flat = [leaf for o in overrides for leaf in leaves(o)]
    pinned_for = layers_of(doc) if "weights" in doc else None
    for override in flat:
        parts = override.key.split(".")
        table = doc
        for depth, part in enumerate(parts[:-1]):
            inner = table.setdefault(part, {})
            if isinstance(inner, list) and any(isinstance(item, dict) for item in inner):
                raise override.error(
                    f"{'.'.join(parts[: depth + 1])} is an array of tables; "
                    f"an override cannot reach inside it (set the whole array)"
                )
            if not isinstance(inner, dict):
                raise override.error(
                    f"{'.'.join(parts[: depth + 1])} is {type_name(inner)}, not a table"
                )
            table = inner
        last = parts[-1]
        if isinstance(table.get(last), dict) and not isinstance(override.value, dict):
            raise override.error(
                f"is a table; set one of its keys instead (e.g. {override.where}.KEY=VALUE)"
            )
        if isinstance(override.value, dict):
            table.setdefault(last, {})
        else:
            table[last] = override.value
    if pinned_for is not None:
        keep_pinned_weights(doc, flat, pinned_for)
    drop_stale(doc, {o.key for o in flat})
    return doc


def layers_of(doc: dict):
    """The document's network.layers as written (None if absent)."""
    network = doc.get("network")
    return network.get("layers") if isinstance(network, dict) else None


def keep_pinned_weights(doc: dict, flat: list[Override], pinned_for) -> None:
    """Overrides that change network.layers of a document with pinned [[weights]] (and do not
    set the weights too) are refused: the weights would no longer fit, and dropping them
    silently would make every number quoted about them (a lesson's hints) wrong."""
    if any(o.key == "weights" for o in flat) or layers_of(doc) == pinned_for:
        return
    culprit = next((o for o in reversed(flat) if o.key == "network.layers"), flat[-1])
    raise culprit.error(
        f"this preset pins [[weights]] for layers = {describe(pinned_for)}; "
        f"other layers would drop them (keep the layers, give the weights as "
        f"well, or use a preset without pinned weights)"
    )


def families():
    """(table, choice key, registry, every setting key of the family) for the optimizer, the
    schedule and the init: the choices whose own settings come and go with them."""
    return (
        ("training", "optimizer", optimizers.OPTIMIZERS, OPTIMIZER_KEYS),
        ("training", "schedule", schedules.SCHEDULES, SCHEDULE_KEYS),
        ("network", "init", initializers.INITIALIZERS, INIT_KEYS),
    )


def drop_stale(doc: dict, given: set[str]) -> None:
    """After overrides of the keys `given`: drop the settings of a replaced optimizer, schedule
    or init that the new choice does not take, pinned weights when the init changes (other layer
    sizes were refused before: `keep_pinned_weights`), and the weights' names with new layers."""
    for table, choice, registry, keys in families():
        section = doc.get(table)
        if f"{table}.{choice}" not in given or not isinstance(section, dict):
            continue
        chosen = registry.get(section.get(choice))
        if chosen is None:
            continue  # validation names the bad choice
        taken = {h.key for h in chosen.hypers}
        for key in keys:
            if key not in taken and f"{table}.{key}" not in given:
                section.pop(key, None)
    _, _, _, init_keys = families()[2]
    reinitialized = {"network.init", *(f"network.{k}" for k in init_keys)}
    if "weights" not in given and given & reinitialized:
        doc.pop("weights", None)
    if (
        not any(key == "names" or key.startswith("names.") for key in given)
        and "network.layers" in given
    ):
        doc.pop("names", None)  # the weights' own names are for the old layer sizes


def relocate(exc: PresetError, overrides: list[Override]) -> PresetError:
    """A validation error of an overridden document, told against the override it concerns
    (its source and key), or, if it concerns none of them, the file's error with the overrides
    named (the override may still be why, e.g. network.layers no longer fitting the data)."""
    flat = [leaf for o in overrides for leaf in leaves(o)]
    key = exc.key or ""
    for override in reversed(flat):
        if key and (key == override.key or override.key.startswith(key + ".")):
            return PresetError(override.source, override.where, exc.message)
        if key.startswith((override.key + ".", override.key + "[")):
            return PresetError(
                override.source, override.where + key[len(override.key) :], exc.message
            )
    if not flat:
        return exc
    named = ", ".join(dict.fromkeys(f"{o.source} {o.where}" for o in flat))
    return PresetError(exc.source, exc.key, f"{exc.message} (with {named})")
