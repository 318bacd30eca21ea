"""Exporting weights: JSON (the `layers` of `bptui train --json`), .npz, and a preset .toml
with the weights pinned, so a trained network can be shared as a preset.

Files are written atomically: a temporary file in the same folder, then a rename; a set of
files (the explorer's export) all or nothing.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
from pathlib import Path
from typing import BinaryIO, Callable

import numpy as np

from bptui.engine.jsonable import layers_to_json
from bptui.engine.stepper import Stepper
from bptui.preset import Preset, PresetError
from bptui.preset.loader import current_doc
from bptui.preset.tomlwrite import dumps
from bptui.text import safe_stem

FORMATS = (".json", ".npz", ".toml")


def write_atomically(path: Path, write) -> None:
    """Call write(file object) on a temporary file next to `path`, then rename it over `path`."""
    write_all_atomically({Path(path): write})


def write_all_atomically(writers: dict[Path, Callable[[BinaryIO], object]]) -> None:
    """All or nothing: every file is written to a temporary file next to it and synced; only
    when all are written are they renamed into place. If anything fails (a full disk, an
    interrupt), the temporary files are removed, and so are targets this call already renamed:
    no part of the set is left behind. Raises the OSError with `filename` the target that failed.
    """
    temps: list[tuple[str, Path]] = []
    placed: list[Path] = []
    target = None
    try:
        for target, write in writers.items():
            folder = target.parent if str(target.parent) else Path(".")
            fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
            temps.append((temp, target))
            with os.fdopen(fd, "wb") as handle:
                write(handle)
                handle.flush()
                os.fsync(handle.fileno())
        for temp, target in temps:
            os.replace(temp, target)
            placed.append(target)
    except BaseException as exc:
        for path in [temp for temp, _ in temps] + placed:
            try:
                os.unlink(path)
            except OSError:
                pass
        if isinstance(exc, OSError) and target is not None:
            raise OSError(exc.errno, exc.strerror, str(target)) from None
        raise


def check_destination(path: str | Path, option: str = "--save-weights") -> Path:
    """A weights file that can be written: not empty, a known suffix, in an existing, writable
    folder, not a folder itself. Checked before any work is done for it."""
    if not str(path).strip():
        raise PresetError(option, None, f"is empty (allowed: a file name ending in "
                                        f"{', '.join(FORMATS)})")
    path = Path(path)
    check_format(path)
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise PresetError(str(path), None, "is a directory (allowed: a file name)")
    if not folder.exists():
        raise PresetError(str(path), None, f"folder {str(folder)!r} does not exist")
    if not folder.is_dir():
        raise PresetError(str(path), None, f"{str(folder)!r} is not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise PresetError(str(path), None, f"folder {str(folder)!r} is not writable")
    return path


def weights_json(stepper: Stepper) -> list[dict]:
    """The `layers` list: W, b, dW, db per weight layer (non-finite numbers as null)."""
    return layers_to_json(stepper)


def weights_preset(preset: Preset, stepper: Stepper, data_file: str | None = None) -> str:
    """The preset's TOML with the current settings and weights pinned as [[weights]]; a CSV
    data source is named `data_file` (a copy beside the preset: see preset_files)."""
    doc = current_doc(preset, stepper)
    doc["training"]["learning_rate"] = stepper.learning_rate
    doc["title"] = f"{preset.title} (trained, step {stepper.step})"
    data = dict(doc.get("data", {}))
    if "csv" in data and data_file is not None:
        data["csv"] = data_file
    doc["data"] = data
    doc["weights"] = [{"W": w.tolist(), "b": b.tolist()}
                      for w, b in zip(stepper.weights, stepper.biases)]
    return dumps(doc)


def preset_files(path: str | Path, preset: Preset, stepper: Stepper) -> dict[str, bytes]:
    """The weights as a preset at `path` (.toml): with a CSV data source, the data travel with
    it as a copy beside it (a preset may only name files in its own folder)."""
    path = Path(path)
    data = preset.doc.get("data", {})
    if "csv" not in data:
        return {str(path): weights_preset(preset, stepper).encode("utf-8")}
    source = preset.base / data["csv"]
    try:
        contents = source.read_bytes()
    except OSError as exc:
        raise PresetError(str(source), None, f"cannot read the data to copy ({exc.strerror})") from None
    copy = path.with_suffix(".csv")
    return {str(path): weights_preset(preset, stepper, copy.name).encode("utf-8"),
            str(copy): contents}


def check_format(path: str | Path) -> str:
    """The file's suffix if it is a weights format, else a PresetError."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise PresetError(str(path), None, f"unknown weights format {suffix or '(none)'!r} "
                                           f"(allowed: {', '.join(FORMATS)})")
    return suffix


def weights_bytes(suffix: str, preset: Preset, stepper: Stepper) -> bytes:
    """The weights as JSON or .npz (W0, b0, W1, ...); a preset is `preset_files`."""
    if suffix == ".json":
        text = json.dumps({"preset": preset.name, "step": stepper.step,
                           "layers": weights_json(stepper)}, allow_nan=False)
        return text.encode("utf-8")
    if suffix == ".npz":
        arrays = {}
        for layer, (w, b) in enumerate(zip(stepper.weights, stepper.biases)):
            arrays[f"W{layer}"] = w
            arrays[f"b{layer}"] = b
        buffer = io.BytesIO()
        np.savez(buffer, **arrays)
        return buffer.getvalue()
    raise ValueError(f"not a weights array format: {suffix}")


def export_stem(preset: Preset, stepper: Stepper) -> str:
    """NAME-stepN-weights, the explorer's export file names without suffix (NAME made safe)."""
    return f"{safe_stem(preset.name)}-step{stepper.step}-weights"


def weights_files(path: str | Path, preset: Preset, stepper: Stepper) -> dict[str, bytes]:
    """{file: contents} of the weights in the format `path` asks for (a preset may bring its
    data along)."""
    suffix = check_format(path)
    if suffix == ".toml":
        return preset_files(path, preset, stepper)
    return {str(path): weights_bytes(suffix, preset, stepper)}


def export_files(preset: Preset, stepper: Stepper) -> dict[str, bytes]:
    """The explorer's export (ctrl+e): STEM.json, STEM.npz, STEM.toml (and STEM.csv, a copy of
    CSV data), by file name."""
    stem = export_stem(preset, stepper)
    files: dict[str, bytes] = {}
    for suffix in FORMATS:
        files.update(weights_files(f"{stem}{suffix}", preset, stepper))
    return files


def write_files(files: dict[str, bytes]) -> list[Path]:
    """Write {path: contents} all or nothing (write_all_atomically); PresetError if it fails."""
    writers = {Path(name): (lambda f, data=data: f.write(data)) for name, data in files.items()}
    try:
        write_all_atomically(writers)
    except OSError as exc:
        raise PresetError(exc.filename or ", ".join(files), None,
                          f"cannot write ({exc.strerror or exc})") from None
    return list(writers)


def save_weights(path: str | Path, preset: Preset, stepper: Stepper) -> Path:
    """Write the weights in the format the file name asks for (.json, .npz or .toml, which
    brings a copy of CSV data along); all files or none."""
    return write_files(weights_files(path, preset, stepper))[0]
