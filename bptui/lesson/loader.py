"""Reading and validating lesson files (TOML), before the app starts.

A lesson names a preset (a bundled name, a file beside the lesson, or an inline [preset] table),
optional overrides of its keys (a [set] table, e.g. `training.learning_rate = 0.1`), and
ordered [[step]] tables with Markdown `text`, optional `keys` (the only keys allowed; a
teacher can lock the rest), an optional [step.check] (see `checks`), `hints` revealed one
at a time, and an optional `speed` (the training speed the step starts, e.g. 10: each step
drawn). `outcome` says in a sentence or two what the learner now knows.
Every key is validated like a preset's: one line naming the file and key, exit 2. So is what
no learner could do: a check that can never hold on the lesson's preset (a test loss without a
held-out set, accuracy on a regression, `at_least` on a name), or that needs a key the step
does not allow (`Check.needs`); and texts larger than the lesson pane draws quickly
(`bptui.lesson.markdown`).
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, fields
from pathlib import Path

from bptui.engine.predict import Target
from bptui.keys import BY_NAME, KEYS
from bptui.lesson import markdown
from bptui.lesson.checks import (
    FIXED_SETTINGS,
    PANES,
    PHASES,
    Check,
    setting_choices,
    setting_kind,
    spec_setting,
)
from bptui.preset import loader as presets
from bptui.preset.errors import PresetError
from bptui.preset.loader import with_overrides
from bptui.preset.overrides import from_table
from bptui.preset.speed import read_speed
from bptui.preset.table import Table, describe, type_name
from bptui.text import multiline, paragraph, printable, to_int

TOP_KEYS = ("title", "description", "preset", "set", "outcome", "step")
STEP_KEYS = ("text", "keys", "check", "hints", "predict", "speed")
PREDICT_KEYS = ("layer", "unit", "quantity", "weight")
PREDICT_QUANTITIES = {
    "a": "a",
    "z": "z",
    "delta": "δ",
    "δ": "δ",
    "dC/dw": "∂C/∂w",
    "∂C/∂w": "∂C/∂w",
    "new_w": "new w",
    "new w": "new w",
}
"""What a step's `predict` may name (ASCII or as the screen writes it) → predict.QUANTITIES."""
CHECK_KEYS = tuple(f.name for f in fields(Check))
"""A step's [step.check] keys: the fields of checks.Check, in their order."""
ORDER = (
    "forward",
    "error",
    "backward",
    "slope",
    "batch",
    "update",
    "learning-rate",
    "xor",
    "vanishing",
    "dead-units",
    "overfitting",
    "initialization",
)
MAX_STEPS = 100
MAX_TEXT = markdown.MAX_CHARS
MAX_TITLE = 200
MAX_HINTS = 20
MAX_HINT = 2_000


@dataclass(frozen=True)
class Step:
    """One step: Markdown text, allowed keys (Textual names; None: all), check, hints, what
    P asks (None: what the next micro-step computes for the selected unit), and the training
    speed it starts (when `sets_pace`: steps/s, None for max; else the speed stays as it is)."""

    text: str
    keys: tuple[str, ...] | None
    check: Check | None
    hints: tuple[str, ...]
    predict: Target | None = None
    pace: float | None = None
    sets_pace: bool = False


@dataclass(frozen=True, eq=False)
class Lesson:
    """A validated lesson. `ident` keys the learner's progress (the bundled name, or the
    lesson file's resolved path)."""

    name: str
    source: str
    ident: str
    title: str
    description: str
    outcome: str
    preset: presets.Preset
    steps: tuple[Step, ...]


def lessons_dir() -> Path:
    """Folder of the bundled lessons."""
    return presets.presets_dir() / "lessons"


def bundled_lessons() -> list[str]:
    """Names of the bundled lessons, in teaching order."""
    names = sorted(p.stem for p in lessons_dir().glob("*.toml"))
    return [n for n in ORDER if n in names] + [n for n in names if n not in ORDER]


def resolve_lesson(name_or_path: str) -> tuple[Path, bool]:
    """(file, bundled) for a bundled lesson name or a path to a lesson file."""
    if not (name_or_path.endswith(".toml") or "/" in name_or_path or "\\" in name_or_path):
        bundled = lessons_dir() / f"{name_or_path}.toml"
        if bundled.is_file():
            return bundled, True
        raise PresetError(
            name_or_path,
            None,
            f"unknown lesson (known: {', '.join(bundled_lessons())}; or a path to a .toml file)",
        )
    return Path(name_or_path), False


def load_lesson(name_or_path: str) -> Lesson:
    """Find, read and validate a lesson and its preset; raises PresetError on bad input."""
    path, bundled = resolve_lesson(name_or_path)
    try:
        if path.exists() and not path.is_file():
            raise PresetError(str(path), None, "is not a regular file")
    except OSError as exc:
        raise PresetError(str(path), None, f"cannot open ({exc.strerror})") from None
    text = presets.read_text(path)
    source = f"lessons/{path.name}" if bundled else str(path)
    ident = path.stem if bundled else str(path.resolve())
    return lesson_from_dict(presets.parse_toml(text, source), source, path.stem, ident, path.parent)


def lesson_from_dict(doc: dict, source: str, name: str, ident: str, base: Path) -> Lesson:
    """Validate a parsed lesson document; `base` is the lesson file's folder."""
    top = Table(source, "", doc)
    top.check_keys(TOP_KEYS)
    title = top.string("title")
    if not title.strip():
        raise top.error("title", "must not be empty")
    if len(title) > MAX_TITLE:
        raise top.error(
            "title", f"{len(title):,} characters is too long (allowed: up to {MAX_TITLE})"
        )
    description = top.string("description", "")
    if len(description) > MAX_TEXT:
        raise top.error("description", f"must be at most {MAX_TEXT:,} characters")
    outcome = markdown_text(top, "outcome", required=False)
    preset = read_preset(top, base)
    steps = top.raw("step")
    if not isinstance(steps, list) or not steps or not all(isinstance(s, dict) for s in steps):
        raise top.error("step", "expected one or more [[step]] tables")
    if len(steps) > MAX_STEPS:
        raise top.error("step", f"{len(steps)} steps is too many (allowed: 1..{MAX_STEPS})")
    return Lesson(
        name,
        source,
        ident,
        printable(title),
        paragraph(description),
        multiline(outcome),
        preset,
        tuple(read_step(Table(source, f"step[{i + 1}]", s), preset) for i, s in enumerate(steps)),
    )


def read_preset(top: Table, base: Path) -> presets.Preset:
    """`preset`: a bundled name, a file beside the lesson, or an inline table; then `set`
    (overrides as `--set` gives them).

    Errors in an inline preset are the lesson file's at `preset.KEY`, errors of an override at
    `set.KEY`; errors in a preset file name that file."""
    value = top.raw("preset")
    bundled = presets.bundled_names()
    if isinstance(value, dict):
        try:
            preset = presets.preset_from_dict(value, top.source, "lesson", base)
        except PresetError as exc:
            if exc.source != top.source:  # a file the preset names (a CSV): its own error
                raise
            raise PresetError(
                top.source, f"preset.{exc.key}" if exc.key else "preset", exc.message
            ) from None
    elif isinstance(value, str):
        if value in bundled:
            preset = presets.load_preset(value)
        else:
            path = top.contained_path(
                "preset", base, "the lesson's", f"or a bundled preset: {', '.join(bundled)}"
            )
            if not path.exists():
                raise top.error(
                    "preset",
                    f"{value!r} is neither a bundled preset nor a file in "
                    f"the lesson's folder (bundled: {', '.join(bundled)})",
                )
            preset = presets.load_preset(str(path))
    else:
        raise top.error(
            "preset",
            f"expected a bundled preset name, a file name or a table, got "
            f"{type_name(value)} {describe(value)}",
        )
    overrides = top.table("set", required=False)
    if overrides is None:
        return preset
    return with_overrides(preset, from_table(overrides.data, top.source, "set"))


def read_step(table: Table, preset: presets.Preset) -> Step:
    """One [[step]] table."""
    table.check_keys(STEP_KEYS)
    text = markdown_text(table, "text")
    keys = read_keys(table, "keys") if table.has("keys") else None
    hints = ()
    if table.has("hints"):
        hints = table.raw("hints")
        if not isinstance(hints, list) or not all(isinstance(h, str) and h.strip() for h in hints):
            raise table.error("hints", "expected an array of non-empty strings")
        if len(hints) > MAX_HINTS or any(len(h) > MAX_HINT for h in hints):
            raise table.error(
                "hints", f"up to {MAX_HINTS} hints of up to {MAX_HINT:,} characters each"
            )
        hints = tuple(hints)
    check = table.table("check", required=False)
    if check is not None:
        check = read_check(check, preset)
        check_passable(table.table("check"), check, keys, preset)
    predict = table.table("predict", required=False)
    return Step(
        multiline(text),
        keys,
        check,
        tuple(multiline(h) for h in hints),
        read_predict(predict, preset) if predict is not None else None,
        read_speed(table) if table.has("speed") else None,
        table.has("speed"),
    )


def read_keys(table: Table, name: str) -> tuple[str, ...]:
    """An array of the explorer's key names as help writes them (bptui.keys), as Textual's key
    names; a name that is not a key is one line with the closest one."""
    names = table.raw(name)
    if not isinstance(names, list) or not all(isinstance(k, str) for k in names):
        raise table.error(name, f"expected an array of key names, got {describe(names)}")
    unknown = [k for k in names if k not in BY_NAME]
    if unknown:
        known = sorted({k.name for k in BY_NAME.values()})
        close = difflib.get_close_matches(unknown[0], list(BY_NAME), n=1, cutoff=0.7)
        hint = f"did you mean {BY_NAME[close[0]].name!r}? " if close else ""
        raise table.error(
            name, f"{unknown[0]!r} is not a key of the explorer ({hint}allowed: {', '.join(known)})"
        )
    return tuple(dict.fromkeys(BY_NAME[k].key for k in names))


def markdown_text(table: Table, name: str, required: bool = True) -> str:
    """A text the lesson pane shows as Markdown: not blank (when required), and within what
    it draws quickly (`bptui.lesson.markdown`)."""
    text = table.string(name) if required else table.string(name, "")
    if required and not text.strip():
        raise table.error(name, f"must be 1..{MAX_TEXT} characters of Markdown")
    problem = markdown.problem(text)
    if problem is not None:
        raise table.error(name, problem)
    return text


def check_passable(
    table: Table, check: Check, keys: tuple[str, ...] | None, preset: presets.Preset
) -> None:
    """A condition that only a key can bring about needs one of those keys in the step's
    `keys` (no `keys`: every key is allowed); a `setting` that holds in the lesson's preset
    may be a guard (keep η as it is while training) and needs no key."""
    if keys is None:
        return
    allowed = {BY_NAME[k].action.split("(")[0] for k in keys}
    for condition, actions in check.needs():
        if condition == "setting" and not check.setting_missing(
            spec_setting(preset.network, preset.training, check.setting)
        ):
            continue
        if not allowed & set(actions):
            names = [k.name for a in actions for k in KEYS if k.action.split("(")[0] == a]
            listed = " or ".join(f'"{n}"' for n in names)
            raise table.error(
                condition,
                f"cannot hold: it needs {listed}, which the step's "
                f"keys do not allow (add one to keys)",
            )


def read_predict(table: Table, preset: presets.Preset) -> Target:
    """`predict = { layer = 1, unit = 1, quantity = "a" }`: what P asks in this step. Layers
    are counted from 1 as on the screen (hidden layer 1 is 1, the output layer is the last),
    units from 1; `weight` (the unit's incoming weight, from 1) goes with dC/dw and new_w."""
    table.check_keys(PREDICT_KEYS)
    layers = preset.network.layers
    depth = len(layers) - 1
    layer = table.integer("layer", low=1, high=depth)
    unit = table.integer("unit", low=1, high=layers[layer])
    quantity = PREDICT_QUANTITIES[table.string("quantity", choices=tuple(PREDICT_QUANTITIES))]
    weight = 1
    if table.has("weight"):
        if quantity not in ("∂C/∂w", "new w"):
            raise table.error("weight", 'goes with quantity = "dC/dw" or "new_w"')
        weight = table.integer("weight", low=1, high=layers[layer - 1])
    return Target(quantity, layer - 1, unit - 1, weight - 1)


def read_check(table: Table, preset: presets.Preset) -> Check:
    """A [step.check] table (see `checks` for what each condition means)."""
    table.check_keys(CHECK_KEYS)
    values: dict = {}
    if table.has("at"):
        values["at"] = read_at(table, preset.network.depth)
    for key in ("steps_at_least", "steps_at_most", "predicted"):
        if table.has(key):
            values[key] = table.integer(key, None, 0 if key.startswith("steps") else 1, 10_000_000)
    if values.get("steps_at_least", 0) > values.get("steps_at_most", math.inf):
        raise table.error(
            "steps_at_most", f"cannot hold: below steps_at_least = {values['steps_at_least']}"
        )
    for key in ("loss_below", "loss_above", "test_loss_below", "test_loss_above"):
        if table.has(key):
            values[key] = table.number(key, None, 0.0, None, low_open=key.endswith("below"))
            if key.startswith("test") and not preset.data.has_test:
                raise table.error(
                    key,
                    "cannot hold: the preset has no held-out set (give its "
                    "[data] a test_fraction, or check loss_below)",
                )
    if table.has("accuracy_at_least"):
        values["accuracy_at_least"] = table.number("accuracy_at_least", None, 0.0, 1.0)
        if preset.data.task != "classification":
            raise table.error(
                "accuracy_at_least",
                "cannot hold: the preset is a regression "
                "(accuracy is for classes; check loss_below)",
            )
    if table.has("diverged"):
        values["diverged"] = table.boolean("diverged")
    if table.has("showing"):
        values["showing"] = table.string("showing", choices=PANES)
    if table.has("setting"):
        values.update(read_setting_check(table, preset))
    else:
        for key in ("at_least", "at_most", "equals"):
            if table.has(key):
                raise table.error(key, 'goes with setting = "training.KEY" or "network.KEY"')
    if not values:
        raise table.error(None, f"an empty check (allowed keys: {', '.join(CHECK_KEYS)})")
    return Check(**values)


def read_setting_check(table: Table, preset: presets.Preset) -> dict:
    """`setting` with `at_least`, `at_most` (numeric settings) or `equals` (a value of the
    setting's kind); a setting no key can change must already hold in the lesson's preset."""
    known = [f"training.{k}" for k in presets.TRAINING_KEYS] + [
        f"network.{k}" for k in presets.NETWORK_KEYS
    ]
    setting = table.string("setting", choices=tuple(known))
    kind = setting_kind(setting)
    values: dict = {"setting": setting}
    for key in ("at_least", "at_most"):
        if table.has(key):
            if kind != "number":
                raise table.error(
                    key, f"cannot hold: {setting} is not a number (check it with equals)"
                )
            values[key] = table.number(key)
    if values.get("at_least", -math.inf) > values.get("at_most", math.inf):
        raise table.error("at_most", f"cannot hold: below at_least = {values['at_least']:g}")
    if table.has("equals"):
        values["equals"] = read_equals(table, setting, kind, preset)
    elif len(values) == 1:
        raise table.error("setting", "goes with equals, at_least or at_most")
    if setting in FIXED_SETTINGS:
        now = spec_setting(preset.network, preset.training, setting)
        if Check(**values).setting_missing(now):
            raise table.error(
                "setting",
                f"cannot hold: no key changes {setting} (the lesson's "
                f"preset has {describe(now)}; set it in [set])",
            )
    return values


def read_equals(table: Table, setting: str, kind: str, preset: presets.Preset):
    """`equals`: a number, a name of the setting's choices, true or false, or the layers as an
    array with the preset's input and output sizes at the ends."""
    value = table.raw("equals")
    if kind == "name":
        return table.string("equals", choices=setting_choices(setting))
    if kind == "boolean":
        return table.boolean("equals")
    if kind == "number":
        return table.number("equals")
    layers = preset.network.layers
    example = f"[{layers[0]}, 8, {layers[-1]}]"
    if isinstance(value, str):
        parts = [part.strip() for part in value.split(",")]
        if all(part.isascii() and part.isdigit() for part in parts):
            example = f"[{', '.join(str(int(part)) for part in parts)}]"
        raise table.error(
            "equals",
            f"network.layers is compared as an array: write equals = "
            f"{example}, not {describe(value)}",
        )
    if (
        not isinstance(value, list)
        or not 2 <= len(value) <= presets.MAX_LAYERS
        or any(
            isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= presets.MAX_UNITS
            for n in value
        )
    ):
        raise table.error(
            "equals",
            f"expected the layers as an array of 2..{presets.MAX_LAYERS} "
            f"unit counts (e.g. {example}), got {describe(value)}",
        )
    if value[0] != layers[0] or value[-1] != layers[-1]:
        raise table.error(
            "equals",
            f"cannot hold: the data fix {layers[0]} inputs and "
            f"{layers[-1]} outputs (e.g. {example})",
        )
    return tuple(value)


def read_at(table: Table, depth: int) -> tuple[str, int | None]:
    """'forward 2' → ('forward', 2): a phase and, for forward and backward, a layer 1..depth."""
    text = table.string("at")
    parts = text.split()
    phase = parts[0] if parts else ""
    if phase not in PHASES or len(parts) > 2:
        raise table.error(
            "at",
            f"{text!r} is not a micro-step (allowed: ready, forward N, error, "
            f"backward N, update; N = 1..{depth})",
        )
    if len(parts) == 1:
        return phase, None
    try:
        layer = to_int(parts[1]) if phase in ("forward", "backward") else None
    except ValueError:
        layer = None
    if layer is None or not 1 <= layer <= depth:
        raise table.error("at", f"{text!r}: a layer 1..{depth} goes with forward or backward")
    return phase, layer
