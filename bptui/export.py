"""Exporting weights: JSON (the `layers` of `bptui train --json`), .npz, and a preset .toml
with the weights pinned, so a trained network can be shared as a preset.

Files are written atomically: a temporary file in the same folder, then a rename.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import numpy as np

from bptui.engine.stepper import Stepper
from bptui.preset import Preset, PresetError
from bptui.preset.loader import current_doc
from bptui.preset.tomlwrite import dumps

FORMATS = (".json", ".npz", ".toml")


def write_atomically(path: Path, write) -> None:
    """Call write(file object) on a temporary file next to `path`, then rename it over `path`."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise


def weights_json(stepper: Stepper) -> list[dict]:
    """The `layers` list: W, b, dW, db per weight layer (non-finite numbers as null)."""
    from bptui.train import layers_to_json

    return layers_to_json(stepper)


def weights_preset(preset: Preset, stepper: Stepper) -> str:
    """The preset's TOML with the current settings and weights pinned as [[weights]]."""
    doc = current_doc(preset, stepper)
    doc["training"]["learning_rate"] = stepper.learning_rate
    doc["title"] = f"{preset.title} (trained, step {stepper.step})"
    data = dict(doc.get("data", {}))
    if "csv" in data and not Path(data["csv"]).is_absolute():
        data["csv"] = str((preset.base / data["csv"]).resolve())
    doc["data"] = data
    doc["weights"] = [{"W": w.tolist(), "b": b.tolist()}
                      for w, b in zip(stepper.weights, stepper.biases)]
    return dumps(doc)


def check_format(path: str | Path) -> str:
    """The file's suffix if it is a weights format, else a PresetError."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise PresetError(str(path), None, f"unknown weights format {suffix or '(none)'!r} "
                                           f"(allowed: {', '.join(FORMATS)})")
    return suffix


def save_weights(path: str | Path, preset: Preset, stepper: Stepper) -> Path:
    """Write the weights in the format the file name asks for (.json, .npz or .toml)."""
    path = Path(path)
    suffix = check_format(path)
    try:
        if suffix == ".json":
            text = json.dumps({"preset": preset.name, "step": stepper.step,
                               "layers": weights_json(stepper)}, allow_nan=False)
            write_atomically(path, lambda f: f.write(text.encode("utf-8")))
        elif suffix == ".npz":
            arrays = {}
            for layer, (w, b) in enumerate(zip(stepper.weights, stepper.biases)):
                arrays[f"W{layer}"] = w
                arrays[f"b{layer}"] = b
            write_atomically(path, lambda f: np.savez(f, **arrays))
        else:
            text = weights_preset(preset, stepper)
            write_atomically(path, lambda f: f.write(text.encode("utf-8")))
    except OSError as exc:
        raise PresetError(str(path), None, f"cannot write ({exc.strerror})") from None
    return path
