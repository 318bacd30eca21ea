"""The [data] table: inline rows, a generator or a CSV file, turned into a Dataset."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from bptui.engine.spec import Dataset, NetworkSpec
from bptui.preset import csvdata, csvfile, generators
from bptui.preset.csvfile import shorten
from bptui.preset.embedded import EmbeddedFile, EmbeddedFolder, Folder
from bptui.preset.errors import PresetError
from bptui.preset.features import expand, read_features
from bptui.preset.keys import MAX_UNITS
from bptui.preset.table import Table, describe, read_matrix, type_name

SOURCES = ("inputs", "generator", "csv")
COMMON_KEYS = ("image",)
INLINE_KEYS = ("inputs", "targets") + COMMON_KEYS
GENERATOR_KEYS = generators.KEYS + COMMON_KEYS
CSV_KEYS = (
    "csv",
    "target",
    "normalize",
    "test_fraction",
    "delimiter",
    "decimal",
    "missing",
    "ignore",
) + COMMON_KEYS
MAX_IMAGE_SIDE = 64
MAX_SAMPLES = 100_000


def data_rng(seed: int) -> np.random.Generator:
    """The generator for making and splitting data (independent of weight initialization)."""
    return np.random.default_rng(np.random.SeedSequence(seed).spawn(2)[0])


def read_data(table: Table, network: NetworkSpec, seed: int, base: Folder) -> Dataset:
    """Exactly one of: inline rows, generator, csv."""
    present = [key for key in SOURCES if table.has(key)]
    if len(present) != 1:
        found = f"found {', '.join(present)}" if present else "found none"
        raise table.error(
            None,
            f"needs exactly one data source ({found}; allowed: inputs + targets, "
            f"generator, or csv)",
        )
    if present[0] == "inputs":
        data = read_inline(table, network)
    elif present[0] == "generator":
        data = read_generator(table, network, seed)
    else:
        data = read_csv_source(table, network, seed, base)
    if table.has("image"):
        data = dataclasses.replace(data, image=read_image(table, network.layers[0]))
    return data


def read_image(table: Table, inputs: int) -> tuple[int, int]:
    """`image = [rows, cols]`: the inputs are a picture of rows × cols pixels, row by row."""
    value = table.raw("image")
    if (
        not isinstance(value, list)
        or len(value) != 2
        or any(isinstance(v, bool) or not isinstance(v, int) for v in value)
    ):
        raise table.error("image", f"expected [rows, cols], two integers, got {describe(value)}")
    rows, cols = value
    if not (1 <= rows <= MAX_IMAGE_SIDE and 1 <= cols <= MAX_IMAGE_SIDE):
        raise table.error("image", f"{value} is out of range (allowed: 1..{MAX_IMAGE_SIDE} each)")
    if rows * cols != inputs:
        raise table.error(
            "image",
            f"{rows} × {cols} = {rows * cols} pixels, but the network has "
            f"{inputs} inputs (they must match)",
        )
    return rows, cols


def classify(targets: np.ndarray) -> str:
    """'classification' when targets are 0/1 and (one column or one-hot rows), else regression."""
    binary = np.isin(targets, (0.0, 1.0)).all()
    if binary and (targets.shape[1] == 1 or (targets.sum(axis=1) == 1).all()):
        return "classification"
    return "regression"


def check_targets(table: Table, key: str, network: NetworkSpec, y: np.ndarray) -> None:
    """Targets must suit the output: in [0, 1] for sigmoid cross-entropy; rows of a softmax sum
    to 1."""
    if network.loss == "cross_entropy" and not ((y >= 0) & (y <= 1)).all():
        raise table.error(key, "cross_entropy needs targets between 0 and 1")
    if network.output_activation == "softmax" and network.loss == "cross_entropy":
        if not np.allclose(y.sum(axis=1), 1.0, rtol=0, atol=1e-9):
            raise table.error(
                key,
                "softmax cross_entropy needs each target row to sum to 1 (one-hot class labels)",
            )


def read_inline(table: Table, network: NetworkSpec) -> Dataset:
    """inputs (m, n_in) and targets (m, K) written in the preset."""

    table.check_keys(INLINE_KEYS)
    x = read_matrix(table, "inputs", None, None)
    if x.shape[1] != network.layers[0]:
        raise table.error(
            "inputs",
            f"rows have {x.shape[1]} values but network.layers starts with "
            f"{network.layers[0]} inputs (they must match)",
        )
    if x.shape[0] > MAX_SAMPLES:
        raise table.error("inputs", f"{x.shape[0]} rows is too many (allowed: up to {MAX_SAMPLES})")
    y = read_matrix(table, "targets", None, None)
    if y.shape[0] != x.shape[0]:
        raise table.error("targets", f"{y.shape[0]} rows for {x.shape[0]} input rows (must match)")
    if y.shape[1] != network.layers[-1]:
        raise table.error(
            "targets",
            f"rows have {y.shape[1]} values but network.layers ends with "
            f"{network.layers[-1]} outputs (they must match)",
        )
    check_targets(table, "targets", network, y)
    empty = np.empty((0, x.shape[1])), np.empty((0, y.shape[1]))
    return Dataset(
        x, y, *empty, task=classify(y), feature_names=tuple(f"x{i + 1}" for i in range(x.shape[1]))
    )


def encode(
    table: Table, key: str, labels: np.ndarray, classes: int, network: NetworkSpec
) -> np.ndarray:
    """Integer labels (n,) to targets: a 0/1 column for 2 classes and 1 output, else one-hot."""
    outputs = network.layers[-1]
    if outputs == 1 and classes == 2:
        return labels.astype(np.float64)[:, None]
    if outputs == classes:
        return np.eye(classes)[labels]
    raise PresetError(
        table.source,
        "network.layers",
        f"output layer has {outputs} units but {key} gives {classes} classes "
        f"(allowed: {classes} outputs, or 1 output for 2 classes)",
    )


def split(rng: np.random.Generator, x: np.ndarray, y: np.ndarray, fraction: float):
    """Shuffle rows, then hold out round(fraction·n) of them: (x_train, y_train, x_test, y_test)."""
    order = rng.permutation(x.shape[0])
    x, y = x[order], y[order]
    held = int(round(fraction * x.shape[0]))
    cut = x.shape[0] - held
    return x[:cut], y[:cut], x[cut:], y[cut:]


def read_fraction(table: Table, n: int) -> float:
    """test_fraction in [0, 0.9], leaving at least one training sample."""
    fraction = table.number("test_fraction", 0.0, 0.0, 0.9)
    if n - int(round(fraction * n)) < 1:
        raise table.error("test_fraction", "leaves no training samples")
    return fraction


def read_generator(table: Table, network: NetworkSpec, seed: int) -> Dataset:
    """generator = name, samples, noise, test_fraction, classes, features (see its record)."""
    table.check_keys(GENERATOR_KEYS)
    name = table.string("generator", choices=tuple(generators.GENERATORS))
    gen = generators.GENERATORS[name]
    samples = table.integer("samples", 200, 4, MAX_SAMPLES)
    noise = table.number("noise", gen.noise, 0.0, 10.0)
    classes = table.integer("classes", gen.classes, 2, generators.MAX_CLASSES)
    for key in ("classes", "features"):
        if table.has(key) and key not in gen.keys:
            takers = ", ".join(g.name for g in generators.GENERATORS.values() if key in g.keys)
            has = (
                f"{name} has {gen.classes}"
                if key == "classes"
                else f"{name} makes {gen.inputs} input"
            )
            raise table.error(key, f"only {takers} take {key} ({has})")
    features = read_features(table) if table.has("features") else ()
    fraction = read_fraction(table, samples)
    width = len(features) or gen.inputs
    if network.layers[0] != width:
        made = (
            f"data.features gives {width} inputs ({', '.join(features)})"
            if features
            else f"the {name} generator makes {width} input(s)"
        )
        raise PresetError(
            table.source,
            "network.layers",
            f"{made} but the network has {network.layers[0]} (they must match)",
        )
    rng = data_rng(seed)
    x, labels = generators.generate(name, rng, samples, noise, classes)
    if features:
        x = expand(features, x)
    if gen.regression:
        if network.layers[-1] != 1:
            raise PresetError(
                table.source,
                "network.layers",
                f"the {name} generator makes 1 target but the network has "
                f"{network.layers[-1]} outputs (must be 1)",
            )
        y, task, names = labels[:, None], "regression", ()
    else:
        y = encode(table, "generator", labels, classes, network)
        task, names = "classification", tuple(str(k) for k in range(classes))
    check_targets(table, "generator", network, y)
    x_train, y_train, x_test, y_test = split(rng, x, y, fraction)
    return Dataset(
        x_train,
        y_train,
        x_test,
        y_test,
        task=task,
        feature_names=features or tuple(f"x{i + 1}" for i in range(width)),
        class_names=names,
    )


def csv_path(table: Table, base: Folder) -> Path | EmbeddedFile:
    """The data file: `csv` relative to the preset's folder and inside it (never an absolute
    path or one leading out: a preset cannot make bptui read the user's other files); for a
    preset from a session, the copy the session carries (never a file on disk)."""
    if isinstance(base, EmbeddedFolder):
        name = table.string("csv")
        found = base.file(name)
        if found is None:
            raise table.error(
                "csv",
                f"{shorten(name)} is not in the session (a session carries "
                f"its preset's data: was it saved by bptui?)",
            )
        return found
    return table.contained_path("csv", base, "the preset's", "for other files use bptui --csv FILE")


def quoted(choices: tuple[str, ...]) -> str:
    """Choices as TOML strings for an error message: "," ";" "\\t"."""
    return ", ".join(repr(c).replace("'", '"') for c in choices)


def csv_options(table: Table) -> csvdata.CsvOptions:
    """target, delimiter, decimal, missing and ignore of a [data] table with a csv source."""
    target = table.string("target")
    chosen = {}
    for name, choices in (("delimiter", csvfile.DELIMITERS), ("decimal", csvfile.DECIMALS)):
        if table.has(name):
            value = table.string(name)
            if value not in choices:
                hint = 'did you mean "\\t"? ' if value.strip().lower() == "tab" else ""
                raise table.error(
                    name, f"{value!r} is not supported ({hint}allowed: {quoted(choices)})"
                )
            chosen[name] = value
    if table.has("missing"):
        chosen["missing"] = table.string("missing", choices=csvdata.MISSING_CHOICES)
    if chosen.get("decimal") == "," and chosen.get("delimiter") == ",":
        raise table.error(
            "decimal", 'a decimal comma needs delimiter ";" or "\\t" (a comma cannot be both)'
        )
    ignore = table.raw("ignore", [])
    if not isinstance(ignore, list) or not all(isinstance(n, str) and n for n in ignore):
        raise table.error(
            "ignore",
            f"expected an array of column names, got {type_name(ignore)} {describe(ignore)}",
        )
    return csvdata.CsvOptions(target, ignore=tuple(ignore), **chosen)


def read_csv_source(table: Table, network: NetworkSpec, seed: int, base: Folder) -> Dataset:
    """csv = file (in the preset's folder), target = column, normalize (default true),
    test_fraction, delimiter, decimal, missing, ignore."""
    table.check_keys(CSV_KEYS)
    path = csv_path(table, base)
    options = csv_options(table)
    normalize = table.boolean("normalize", True)
    data = csvdata.read_csv(path, options)
    x, labels, target = data.x, data.labels, options.target
    fraction = read_fraction(table, x.shape[0])
    if x.shape[1] != network.layers[0]:
        raise PresetError(
            table.source,
            "network.layers",
            f"{path.name} has {x.shape[1]} feature columns but the network has "
            f"{network.layers[0]} inputs (they must match)",
        )
    numeric = csvdata.numeric_targets(labels)
    outputs = network.layers[-1]
    if (
        numeric is not None
        and outputs == 1
        and network.output_activation != "softmax"
        and len(set(labels)) > 2
    ):
        y, task, names = numeric[:, None], "regression", ()
    else:
        order = csvdata.class_order(labels)
        csvdata.check_classes(str(path), target, len(order), MAX_UNITS)
        index = {label: k for k, label in enumerate(order)}
        codes = np.array([index[label] for label in labels], dtype=np.int64)
        y = encode(table, f"column {target!r}", codes, len(order), network)
        task, names = "classification", tuple(order)
    check_targets(table, "target", network, y)
    x_train, y_train, x_test, y_test = split(data_rng(seed), x, y, fraction)
    csvdata.fill_means(x_train, x_test, data.features, str(path))
    notes: dict = {"notices": data.notices}
    if normalize:
        x_train, x_test, mean, std = csvdata.standardize(x_train, x_test, data.features, str(path))
        notes.update(mean=mean, std=std)
    return Dataset(
        np.ascontiguousarray(x_train),
        np.ascontiguousarray(y_train),
        np.ascontiguousarray(x_test),
        np.ascontiguousarray(y_test),
        task=task,
        feature_names=tuple(data.features),
        class_names=names,
        notes=notes,
    )
