"""Finding, reading and validating preset files (TOML via the standard library's tomllib)."""

from __future__ import annotations

import sys
import tomllib
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path

import numpy as np

from bptui.engine import activations, hyper, initializers, losses, optimizers, schedules
from bptui.engine.hyper import LEARNING_RATE, Hyper
from bptui.engine.names import Names
from bptui.engine.spec import Dataset, NetworkSpec, TrainingSpec
from bptui.engine.stepper import Stepper
from bptui.preset import datasource
from bptui.preset.embedded import Folder
from bptui.preset.errors import PresetError, file_error
from bptui.preset.goal import Goal, read_goal
from bptui.preset.keys import (
    INIT_KEYS,
    MAX_LAYERS,
    MAX_UNITS,
    NETWORK_KEYS,
    OPTIMIZER_KEYS,
    SCHEDULE_KEYS,
    TRAINING_KEYS,
    TRAINING_VIEW_KEYS,
)
from bptui.preset.overrides import Override, apply, parse_set, relocate
from bptui.preset.speed import read_speed
from bptui.preset.table import Table, check_number, check_range, describe, read_matrix, type_name
from bptui.text import paragraph, printable

MAX_WEIGHTS = 1_000_000
MAX_FILE_BYTES = 4 * 2**20  # a preset or lesson file; larger ones are refused before parsing
MEMORY_BUDGET = 1 << 30  # bytes of arrays a preset may need (see memory_estimate)
MAP_PIXELS = 200 * 100  # the largest decision map counted: a 200 × 50-cell pane, 2 px a cell
PARAMETER_COPIES = 12  # vectors of P floats a stepper holds (Adam's two buffers included)
MAX_LEARNING_RATE = (
    LEARNING_RATE.high
)  # 0 < η ≤ this, whatever sets η: a preset, +/-, settings, a session
TOP_KEYS = (
    "title",
    "description",
    "seed",
    "network",
    "training",
    "data",
    "weights",
    "goal",
    "names",
    "lock",
)  # [lock]: checked against the explorer's keys by bptui.lesson.lock
MAX_NAME = 8
"""Characters of a weight's or bias's name in [names] (they share the matrix pane's cells)."""


@dataclass(frozen=True, eq=False)
class Preset:
    """A validated preset: everything needed to build a Stepper.

    name, source, title, description and the data's feature and class names come from outside
    and are stored printable (bptui.text: control characters escaped; the description as one
    paragraph), so they can be shown anywhere as they are. `doc` keeps the file's own values.
    """

    name: str
    source: str
    title: str
    description: str
    seed: int
    network: NetworkSpec
    training: TrainingSpec
    data: Dataset
    weights: list[tuple[np.ndarray, np.ndarray]] | None
    goal: Goal | None
    doc: dict = field(default_factory=dict)
    base: Folder = Path(".")  # where its data files are: a folder, or a session's copies
    names: Names | None = None
    """The weights' and biases' own names ([names]), e.g. Mazur's w1 … w8."""
    pace: float | None = None
    """The explorer's training speed at the start ([training] speed; None: as fast as it goes)."""

    def stepper(self, trace: bool = False) -> Stepper:
        """A fresh stepper at the preset's initial weights (recording gradient health if
        `trace`)."""
        return Stepper(self.network, self.training, self.data, self.seed, self.weights, trace)


def presets_dir() -> Path:
    """Folder of the bundled presets (installed package data, or the source checkout's)."""
    try:
        path = Path(str(resources.files("bptui.presets")))
        if path.is_dir():
            return path
    except ModuleNotFoundError:
        pass
    return Path(__file__).resolve().parents[2] / "presets"


def bundled_names() -> list[str]:
    """Names of the bundled presets, in the order the picker lists them."""
    names = sorted(p.stem for p in presets_dir().glob("*.toml"))
    first = [
        "xor",
        "mazur",
        "circle",
        "gaussian",
        "moons",
        "spiral",
        "sine",
        "iris",
        "digits",
        "vanishing",
        "dead-relu",
        "symmetry",
        "overfit",
        "optimizers",
    ]
    return [n for n in first if n in names] + [n for n in names if n not in first]


def resolve(name_or_path: str) -> Path:
    """A bundled name ('xor') or a path to a .toml file."""
    candidate = Path(name_or_path)
    looks_like_path = (
        name_or_path.endswith(".toml")
        or "/" in name_or_path
        or "\\" in name_or_path
        or candidate.exists()
    )
    if looks_like_path:
        return candidate
    bundled = presets_dir() / f"{name_or_path}.toml"
    if bundled.is_file():
        return bundled
    raise PresetError(
        name_or_path,
        None,
        f"unknown preset (known: {', '.join(bundled_names())}; or give a path to a .toml file)",
    )


def read_text(path: Path) -> str:
    """The file's text (a preset or lesson file: at most MAX_FILE_BYTES, of which no more than
    that plus one byte is read), or a PresetError saying why not."""
    source = str(path)
    try:
        with open(path, "rb") as file:
            raw = file.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise file_error(source, exc, "preset file") from None
    if len(raw) > MAX_FILE_BYTES:
        raise PresetError(
            source,
            None,
            f"is larger than {MAX_FILE_BYTES // 2**20} MB: too large for a preset or lesson file",
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PresetError(
            source, None, f"not UTF-8 text (bad byte at offset {exc.start})"
        ) from None


def load_preset(name_or_path: str) -> Preset:
    """Find, read, parse and validate a preset; raises PresetError on any bad input."""
    try:
        path = resolve(name_or_path)
        if path.is_dir():
            raise PresetError(str(path), None, "is a directory, not a preset file")
        if path.exists() and not path.is_file():
            raise PresetError(str(path), None, "is not a regular file")
    except OSError as exc:
        raise PresetError(name_or_path, None, f"cannot open ({exc.strerror})") from None
    text = read_text(path)
    bundled = path.parent.resolve() == presets_dir().resolve()
    name = path.stem
    source = f"{name}.toml" if bundled else str(path)
    return preset_from_text(text, source, name, path.parent)


def parse_toml(text: str, source: str) -> dict:
    """The TOML document in `text` (of the file `source`), or a PresetError saying why not."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PresetError(source, None, f"not valid TOML: {exc}") from None
    except RecursionError:
        raise PresetError(
            source, None, "not valid TOML: arrays or tables nested too deeply"
        ) from None


def preset_from_text(text: str, source: str, name: str, base: Folder) -> Preset:
    """Parse and validate preset TOML; relative CSV paths are taken from `base`."""
    return preset_from_dict(parse_toml(text, source), source, name, base)


def preset_from_dict(doc: dict, source: str, name: str, base: Folder) -> Preset:
    """Validate a parsed preset document."""
    top = Table(source, "", doc)
    top.check_keys(TOP_KEYS)
    title = top.string("title")
    if not title.strip():
        raise top.error("title", "must not be empty")
    description = top.string("description", "")
    seed = top.integer("seed", 0, 0, 2**63 - 1)
    network = read_network(top.table("network"))
    training_table = top.table("training", required=False) or Table(source, "training", {})
    training = read_training(training_table)
    pace = read_speed(training_table) if training_table.has("speed") else None
    data = datasource.read_data(top.table("data"), network, seed, base)
    if training.batch_size > data.x_train.shape[0]:
        raise PresetError(
            source,
            "training.batch_size",
            f"{training.batch_size} is more than the {data.x_train.shape[0]} training "
            f"samples (allowed: 0 = full batch, or 1..{data.x_train.shape[0]})",
        )
    check_memory(source, network, training, data)
    weights = read_weights(top, network) if top.has("weights") else None
    goal = read_goal(top.table("goal", required=False))
    names = read_names(top.table("names"), network) if top.has("names") else None
    data = replace(
        data,
        feature_names=tuple(printable(str(n)) for n in data.feature_names),
        class_names=tuple(printable(str(n)) for n in data.class_names),
    )
    preset = Preset(
        printable(name),
        printable(source),
        printable(title),
        paragraph(description),
        seed,
        network,
        training,
        data,
        weights,
        goal,
        doc,
        base,
        names,
        pace,
    )
    validate_fixes(preset)
    return preset


def validate_fixes(preset) -> None:
    """Each fix must make a valid preset (bad keys or values: a PresetError naming them)."""
    if preset.goal is not None:
        for fix in preset.goal.fix:
            with_overrides(preset, list(fix), keep_goal=False)


def with_sets(preset, texts: list[str] | None, source: str = "--set"):
    """The preset with command-line `KEY=VALUE` overrides applied (none: the preset itself)."""
    return with_overrides(preset, [parse_set(text, source) for text in texts or ()])


def with_overrides(preset, overrides: list[Override], keep_goal: bool = True):
    """The preset with the overrides applied to its document and validated again like a file;
    `keep_goal=False` drops its [goal] (for running a goal's own `fix`)."""
    if not overrides and keep_goal:
        return preset
    doc = apply(preset.doc, overrides)
    if not keep_goal:
        doc.pop("goal", None)
    try:
        return preset_from_dict(doc, preset.source, preset.name, preset.base)
    except PresetError as exc:
        raise relocate(exc, overrides) from None


def read_network(table: Table) -> NetworkSpec:
    """The [network] table."""
    table.check_keys(NETWORK_KEYS)
    layers = table.raw("layers")
    if (
        not isinstance(layers, list)
        or len(layers) < 2
        or any(isinstance(n, bool) or not isinstance(n, int) for n in layers)
    ):
        raise table.error(
            "layers",
            f"expected an array of at least 2 integers (units per layer, "
            f"input first), got {describe(layers)}",
        )
    if len(layers) > MAX_LAYERS:
        raise table.error("layers", f"{len(layers)} layers is too deep (allowed: 2..{MAX_LAYERS})")
    for units in layers:
        if not 1 <= units <= MAX_UNITS:
            raise table.error(
                "layers", f"{units} units is out of range (allowed: 1..{MAX_UNITS} per layer)"
            )
    hidden = read_hidden_activation(table, len(layers) - 2)
    output = table.string("output_activation", "sigmoid", activations.OUTPUT_ACTIVATIONS)
    loss = table.string("loss", "quadratic", losses.LOSSES)
    if not losses.is_valid_pair(loss, output):
        raise table.error(
            "loss",
            f"cross_entropy needs a sigmoid or softmax output, not {output} "
            f"(allowed with {output}: quadratic, mse)",
        )
    if output == "softmax" and layers[-1] < 2:
        raise table.error(
            "output_activation",
            "softmax needs at least 2 output units (use sigmoid for a single output)",
        )
    init = table.string("init", "xavier", initializers.INITS)
    values = read_settings(
        table, initializers.INITIALIZERS[init].hypers, INIT_KEYS, f"init {init!r}"
    )
    defaults = {h.key: h.default for h in (initializers.EPSILON, initializers.SCALE)}
    values = {**defaults, **values}
    spec = NetworkSpec(
        tuple(layers), hidden, output, loss, init, values["init_epsilon"], values["init_scale"]
    )
    count = sum(r * c for r, c in spec.weight_shapes())
    if count > MAX_WEIGHTS:
        raise table.error(
            "layers",
            f"{count:,} weights is too large for a terminal explorer "
            f"(allowed: up to {MAX_WEIGHTS:,})",
        )
    return spec


def read_hidden_activation(table: Table, hidden_layers: int) -> str | tuple[str, ...]:
    """`hidden_activation`: one name for every hidden layer, or an array of names, one per
    hidden layer (a tuple)."""
    key = "hidden_activation"
    value = table.raw(key, "sigmoid")
    if not isinstance(value, list):
        return table.string(key, "sigmoid", activations.HIDDEN_ACTIVATIONS)
    if len(value) != hidden_layers:
        names = f"{len(value)} name{'s' * (len(value) != 1)}"
        raise table.error(
            key,
            f"has {names} for {hidden_layers} "
            f"hidden layer{'s' * (hidden_layers != 1)} "
            f"(allowed: one name, or an array of {hidden_layers}, one per "
            f"hidden layer)",
        )
    items = Table(table.source, table.path, {f"{key}[{i}]": v for i, v in enumerate(value)})
    return tuple(items.string(name, choices=activations.HIDDEN_ACTIVATIONS) for name in items.data)


def read_hyper(table: Table, h: Hyper) -> float | int:
    """One setting, validated against its record."""
    if h.integer:
        return table.integer(h.key, None, h.low, h.high)
    return table.number(h.key, None, h.low, h.high, h.low_open, h.high_open)


def read_settings(
    table: Table, hypers: tuple[Hyper, ...], family: tuple[str, ...], owner: str
) -> dict[str, float]:
    """The settings `hypers` present in the table; a key of the same family (another
    optimizer's, say) that this owner does not take is an error naming what it does take."""
    values = {h.key: read_hyper(table, h) for h in hypers if table.has(h.key)}
    taken = {h.key for h in hypers}
    for key in family:
        if table.has(key) and key not in taken:
            own = ", ".join(sorted(taken)) or "none"
            raise table.error(key, f"is not a setting of {owner} (its settings: {own})")
    return values


def memory_estimate(layers: tuple[int, ...], m_train: int, m_test: int, batch: int) -> int:
    """Bytes of float64 arrays the explorer holds for a network on a data set (today's engine).

    With U = Σ units of the non-input layers, n = layers[0], K = layers[-1], P parameters,
    b = batch rows (m_train for the full batch) and a workspace of m rows
    W(m) = 8·m·(n + K + 2 + 4·U)  (x, y, ones, lse, and z, a, δ, scratch of every layer):

        data            8·(m_train + m_test)·(n + K)
      + workspaces      W(b) + W(m_train) + W(m_test)   (batch; whole-set evaluation of the
                                                        training and held-out sets, kept apart)
      + a full state    8·3·b·U                         (z, a, δ copied for undo and sessions)
      + parameters      8·PARAMETER_COPIES·P            (θ, before, gradients, update, preview,
                                                        optimizer state now and before)
      + decision map    8·MAP_PIXELS·max over layers of (units in + 2·units out), 2 inputs only

    The one place that knows what the engine allocates: when evaluation runs in blocks of rows,
    W(m_train) and W(m_test) become W(min(m, block)).
    """
    n, k, units = layers[0], layers[-1], sum(layers[1:])
    params = sum(o * i + o for i, o in zip(layers[:-1], layers[1:]))

    def workspace(m: int) -> int:
        return 8 * m * (n + k + 2 + 4 * units) if m > 0 else 0

    total = 8 * (m_train + m_test) * (n + k)
    total += workspace(batch) + workspace(m_train) + workspace(m_test)
    total += 8 * 3 * batch * units + 8 * PARAMETER_COPIES * params
    if n == 2:
        total += 8 * MAP_PIXELS * max(i + 2 * o for i, o in zip(layers[:-1], layers[1:]))
    return total


def check_memory(source: str, network: NetworkSpec, training: TrainingSpec, data: Dataset) -> None:
    """A PresetError naming the numbers when memory_estimate exceeds MEMORY_BUDGET."""
    m_train, m_test = data.x_train.shape[0], data.x_test.shape[0]
    batch = m_train if training.batch_size <= 0 else min(training.batch_size, m_train)
    need = memory_estimate(network.layers, m_train, m_test, batch)
    if need > MEMORY_BUDGET:
        units = sum(network.layers[1:])
        raise PresetError(
            source,
            "network.layers",
            f"{list(network.layers)} on {m_train:,} training + {m_test:,} held-out "
            f"samples needs about {need / 2**30:.1f} GB ({units:,} units × "
            f"{m_train + m_test:,} samples for z, a and δ; allowed: up to "
            f"{MEMORY_BUDGET / 2**30:g} GB; use fewer samples or smaller layers)",
        )


def read_training(table: Table) -> TrainingSpec:
    """The [training] table: every key optional; the optimizer's and the schedule's own settings
    are validated against their registry records."""
    table.check_keys(TRAINING_KEYS + TRAINING_VIEW_KEYS)
    if table.has("optimizer"):
        name = table.string("optimizer", choices=optimizers.NAMES)
        options = read_settings(
            table, optimizers.OPTIMIZERS[name].hypers, OPTIMIZER_KEYS, f"optimizer {name!r}"
        )
    else:  # a preset without `optimizer`: momentum if μ > 0, else plain SGD (as always)
        mu = table.number("momentum", 0.0, 0.0, 1.0, high_open=True)
        name = optimizers.default_name(mu)
        options = read_settings(
            table,
            optimizers.OPTIMIZERS[name].hypers,
            tuple(k for k in OPTIMIZER_KEYS if k != "momentum"),
            f"optimizer {name!r}",
        )
        if name == "momentum":
            options["momentum"] = mu
    schedule = table.string("schedule", "constant", schedules.NAMES)
    options.update(
        read_settings(
            table, schedules.SCHEDULES[schedule].hypers, SCHEDULE_KEYS, f"schedule {schedule!r}"
        )
    )
    base = {
        h.key: read_hyper(table, h) if table.has(h.key) else h.default
        for h in hyper.TRAINING
        if h is not LEARNING_RATE
    }
    return TrainingSpec(
        learning_rate=read_learning_rate(table, optimizers.OPTIMIZERS[name].default_learning_rate),
        batch_size=base["batch_size"],
        l2=float(base["l2"]),
        l1=float(base["l1"]),
        shuffle=table.boolean("shuffle", False),
        optimizer=name,
        schedule=schedule,
        options=tuple(options.items()),
        eval_every=table.integer("eval_every", 0, 0, 10_000_000),
    )


def network_doc(spec: NetworkSpec) -> dict:
    """The [network] table that describes `spec` exactly (the inverse of read_network)."""
    hidden = spec.hidden_activation
    doc = {
        "layers": list(spec.layers),
        "hidden_activation": hidden if isinstance(hidden, str) else list(hidden),
        "output_activation": spec.output_activation,
        "loss": spec.loss,
        "init": spec.init,
    }
    values = {"init_epsilon": spec.init_epsilon, "init_scale": spec.init_scale}
    doc.update({h.key: values[h.key] for h in initializers.INITIALIZERS[spec.init].hypers})
    return doc


def training_doc(training: TrainingSpec) -> dict:
    """The [training] table that describes `training` exactly (the inverse of read_training)."""
    doc = {
        "learning_rate": training.learning_rate,
        "batch_size": training.batch_size,
        "l2": training.l2,
        "shuffle": training.shuffle,
        "optimizer": training.optimizer,
        "schedule": training.schedule,
        **training.settings,
    }
    if training.l1:
        doc["l1"] = training.l1
    if training.eval_every:
        doc["eval_every"] = training.eval_every
    return doc


def current_doc(preset: Preset, stepper: Stepper) -> dict:
    """The preset's document with the stepper's network and training settings written in (they
    differ after the settings screen): what a session saves and an export shares."""
    doc = dict(preset.doc)
    doc["network"] = network_doc(stepper.spec)
    kept = {k: v for k, v in preset.doc.get("training", {}).items() if k in TRAINING_VIEW_KEYS}
    doc["training"] = training_doc(stepper.training) | kept
    if stepper.pinned is None:
        doc.pop("weights", None)
    return doc


def read_learning_rate(table: Table, default: float | None = None) -> float:
    """η in its one range, 0 < η ≤ MAX_LEARNING_RATE (presets and sessions read it here)."""
    rate = LEARNING_RATE
    bounds = dict(low=rate.low, high=rate.high, low_open=rate.low_open, high_open=rate.high_open)
    if default is None:  # required (a session's η)
        return table.number(rate.key, **bounds)
    return table.number(rate.key, default, **bounds)


def scaled_learning_rate(current: float, factor: float) -> tuple[float, str]:
    """η × factor, saturated at the ends of its range; and the line that tells the user.

    The top is MAX_LEARNING_RATE; the bottom, as the range is open at 0, the smallest normal
    float (halving further would reach 0 through subnormals).
    """
    wanted = current * factor
    if wanted >= MAX_LEARNING_RATE:
        return MAX_LEARNING_RATE, f"η is at its maximum {MAX_LEARNING_RATE:g}"
    if not wanted >= sys.float_info.min:
        return current, f"η is at its minimum {current:g}"
    return wanted, f"learning rate η = {wanted:g}"


def read_vector(table: Table, name: str, length: int) -> np.ndarray:
    """A list of `length` finite numbers."""
    value = table.raw(name)
    if not isinstance(value, list) or any(isinstance(v, (list, dict)) for v in value):
        raise table.error(
            name, f"expected an array of numbers, got {type_name(value)} {describe(value)}"
        )
    for cell in value:
        check_number(table, name, cell)
    if len(value) != length:
        raise table.error(name, f"has {len(value)} entries, expected {length}")
    return np.array(value, dtype=np.float64)


def read_weights(top: Table, network: NetworkSpec) -> list[tuple[np.ndarray, np.ndarray]]:
    """The [[weights]] array of tables: one per weight layer, W (n_out, n_in) and b (n_out,)."""
    value = top.raw("weights")
    if not isinstance(value, list) or not all(isinstance(t, dict) for t in value):
        raise top.error("weights", "expected [[weights]] tables, one per weight layer")
    shapes = network.weight_shapes()
    if len(value) != len(shapes):
        raise top.error(
            "weights",
            f"{len(value)} [[weights]] tables for {len(shapes)} weight layers "
            f"(allowed: exactly {len(shapes)}, from layers = {list(network.layers)})",
        )
    params = []
    for i, ((n_out, n_in), doc) in enumerate(zip(shapes, value)):
        table = Table(top.source, f"weights[{i}]", doc)
        table.check_keys(("W", "b"))
        w = read_matrix(table, "W", n_out, n_in)
        b = read_vector(table, "b", n_out) if table.has("b") else np.zeros(n_out)
        params.append((w, b))
    return params


def read_names(table: Table, network: NetworkSpec) -> Names:
    """[names]: `weights`, per weight layer an array of rows of names shaped like its W
    (n_out rows of n_in), and optionally `biases`, per weight layer n_out names. A name is 1 to
    MAX_NAME characters, no spaces (e.g. Mazur's w1 … w8, and b1₁ b1₂ b2₁ b2₂ for his b1, b2)."""
    table.check_keys(("weights", "biases"))
    shapes = network.weight_shapes()
    layers = list(network.layers)

    def name(value, where: str) -> str:
        if (
            not isinstance(value, str)
            or not 1 <= len(value) <= MAX_NAME
            or any(c.isspace() for c in value)
            or printable(value) != value
        ):
            raise table.error(
                where,
                f"{describe(value)} is not a name (1..{MAX_NAME} characters, "
                "no spaces or control characters)",
            )
        return value

    def rows_of(key: str):
        value = table.raw(key)
        if not isinstance(value, list) or len(value) != len(shapes):
            raise table.error(
                key,
                f"expected {len(shapes)} arrays, one per weight layer "
                f"(layers = {layers}), got {describe(value)}",
            )
        return value

    weights = []
    for k, ((n_out, n_in), rows) in enumerate(zip(shapes, rows_of("weights"))):
        if (
            not isinstance(rows, list)
            or len(rows) != n_out
            or not all(isinstance(r, list) and len(r) == n_in for r in rows)
        ):
            raise table.error(
                "weights",
                f"layer {k + 1}: expected {n_out} rows of {n_in} names "
                f"(shaped like its W), got {describe(rows)}",
            )
        weights.append(tuple(tuple(name(v, "weights") for v in r) for r in rows))
    biases = None
    if table.has("biases"):
        biases = []
        for k, ((n_out, _), row) in enumerate(zip(shapes, rows_of("biases"))):
            if not isinstance(row, list) or len(row) != n_out:
                raise table.error(
                    "biases", f"layer {k + 1}: expected {n_out} names, got {describe(row)}"
                )
            biases.append(tuple(name(v, "biases") for v in row))
        biases = tuple(biases)
    return Names(tuple(weights), biases)


__all__ = [
    "MAX_LEARNING_RATE",
    "Goal",
    "Preset",
    "bundled_names",
    "check_range",
    "load_preset",
    "preset_from_text",
    "read_learning_rate",
    "scaled_learning_rate",
]
