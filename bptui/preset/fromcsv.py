"""A preset built on the fly from a CSV file: `bptui --csv FILE --target COLUMN [--layers ...]`.

Classification when the target column is categorical (text labels, or at most 10 distinct
integer labels), regression when it is numeric otherwise. Inputs are normalized and a fifth of
the rows is held out. The result goes through the same validation as a preset file.
"""

from __future__ import annotations

from pathlib import Path

from bptui.preset import csvdata
from bptui.preset.errors import PresetError
from bptui.preset.loader import MAX_UNITS, Preset, preset_from_dict
from bptui.text import to_int

MAX_INTEGER_CLASSES = 10


def parse_list(text: str, option: str, example: str) -> list[str]:
    """'a,b' → ['a', 'b']; an empty value or an empty item is an error naming the option."""
    parts = [part.strip() for part in text.split(",")]
    if not all(parts):
        raise PresetError(
            option,
            None,
            f"{text!r} has an empty item (expected a comma-separated list, e.g. {example})",
        )
    return parts


def parse_layers(text: str) -> list[int]:
    """'4,8,3' → [4, 8, 3]."""
    try:
        layers = [to_int(part) for part in parse_list(text, "--layers", "4,8,3")]
    except ValueError:
        raise PresetError(
            "--layers", None, f"{text!r} is not a comma-separated list of unit counts (e.g. 4,8,3)"
        ) from None
    return layers


def is_categorical(labels: list[str]) -> bool:
    """Text labels, or few distinct integer labels."""
    numbers = csvdata.numeric_targets(labels)
    if numbers is None:
        return True
    distinct = set(numbers.tolist())
    return len(distinct) <= MAX_INTEGER_CLASSES and all(float(v).is_integer() for v in distinct)


def preset_from_csv(
    path: str,
    target: str,
    layers: str | None = None,
    ignore: str | None = None,
    missing: str | None = None,
) -> Preset:
    """Build and validate the preset; `layers` '4,8,3' and `ignore` 'id,name' as typed,
    `missing` one of csvdata.MISSING_CHOICES (default "error")."""
    if not path:
        raise PresetError("--csv", None, "needs a file name")
    sizes = parse_layers(layers) if layers is not None else None
    options = csvdata.CsvOptions(
        target,
        missing=missing or "error",
        ignore=tuple(parse_list(ignore, "--ignore", "id,name")) if ignore is not None else (),
    )
    csv_path = Path(path)
    table = csvdata.read_csv(csv_path, options, keep=True)
    labels = table.labels
    categorical = is_categorical(labels)
    if categorical:
        classes = len(csvdata.class_order(labels))
        csvdata.check_classes(str(csv_path), target, classes, MAX_UNITS)
        if classes < 2:
            raise PresetError(
                str(csv_path),
                f"column {target!r}",
                "has a single class (need at least 2 to classify)",
            )
        outputs = 1 if classes == 2 else classes
        network = {
            "hidden_activation": "tanh",
            "output_activation": "sigmoid" if outputs == 1 else "softmax",
            "loss": "cross_entropy",
        }
    else:
        outputs = 1
        network = {"hidden_activation": "tanh", "output_activation": "linear", "loss": "mse"}
    width = table.x.shape[1]
    network["layers"] = sizes or [width, max(4, min(32, 2 * width)), outputs]
    kind = "classification" if categorical else "regression"
    # The file the user named, as a name in its folder: presets must keep their data beside them.
    real = csv_path.resolve()
    data = {"csv": real.name, "target": target, "normalize": True, "test_fraction": 0.2}
    if options.ignore:
        data["ignore"] = list(options.ignore)
    if missing:
        data["missing"] = missing
    doc = {
        "title": f"{csv_path.stem} ({kind} of {target})",
        "description": f"Built from {csv_path.name}: {len(table.features)} features, target "
        f"{target!r}, {kind}. Inputs normalized, 20% held out.",
        "network": network,
        "training": {"learning_rate": 0.1, "momentum": 0.9},
        "data": data,
    }
    try:
        return preset_from_dict(doc, str(csv_path), csv_path.stem, real.parent)
    except PresetError as exc:
        if exc.key == "network.layers" and sizes:
            raise PresetError(str(csv_path), "--layers", exc.message) from None
        raise
    finally:
        csvdata.forget()
