"""Exporting weights: JSON (the `layers` of `bptui train --json`), .npz, and a preset .toml
with the weights pinned, so a trained network can be shared as a preset.

Files are written atomically: a temporary file in the same folder, then a rename; a set of
files (the explorer's export, a preset with its data) all or nothing, every target keeping its
previous content and mode if any file of the set fails. New files get the user's umask, replaced
ones keep their mode. A file the user did not name (the data copy beside a weights preset) never
replaces another file.
"""

from __future__ import annotations

import errno
import io
import json
import os
import secrets
import shutil
import stat
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import numpy as np

from bptui.engine.jsonable import layers_to_json
from bptui.engine.stepper import Stepper
from bptui.preset import Preset, PresetError
from bptui.preset.csvfile import MAX_BYTES
from bptui.preset.embedded import read_file
from bptui.preset.loader import current_doc
from bptui.preset.tomlwrite import dumps
from bptui.text import safe_stem

FORMATS = (".json", ".npz", ".toml")


def write_atomically(path: Path, write) -> None:
    """Call write(file object) on a temporary file next to `path`, then rename it over `path`."""
    write_all_atomically({Path(path): write})


def create_temp(target: Path, mode: int | None) -> tuple[int, Path]:
    """A new, empty file next to `target` (a hidden name of its own), open for writing: with
    `mode` (a replaced file's), else the permissions the user's umask gives a new file."""
    folder = target.parent if str(target.parent) else Path(".")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    for _ in range(100):
        temp = folder / f".{target.name}.{secrets.token_hex(4)}.tmp"
        try:
            fd = os.open(temp, flags, 0o666)  # the kernel applies the umask
        except FileExistsError:
            continue
        if mode is not None:
            try:
                os.fchmod(fd, mode)
            except OSError:
                os.close(fd)
                os.unlink(temp)
                raise
        return fd, temp
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(folder))


def mode_of(target: Path) -> int | None:
    """The permission bits of the regular file `target` (None if there is none); a target that
    exists but is not a regular file (a folder, a link, a FIFO) is an OSError: it is never
    replaced."""
    try:
        info = os.lstat(target)
    except FileNotFoundError:
        return None
    if stat.S_ISREG(info.st_mode):
        return stat.S_IMODE(info.st_mode)
    if stat.S_ISDIR(info.st_mode):
        raise IsADirectoryError(errno.EISDIR, "a directory is in the way", str(target))
    what = "a symbolic link" if stat.S_ISLNK(info.st_mode) else "not a regular file"
    raise FileExistsError(errno.EEXIST, f"{what} is in the way", str(target))


def backup(target: Path) -> Path:
    """A second name for the file `target` (a hard link, or a copy where the file system has no
    links), to put it back with if the set cannot be completed."""
    for _ in range(100):
        kept = target.parent / f".{target.name}.{secrets.token_hex(4)}.old"
        try:
            os.link(target, kept, follow_symlinks=False)
            return kept
        except FileExistsError:
            continue
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
                raise
        shutil.copy2(target, kept, follow_symlinks=False)
        return kept
    raise FileExistsError(errno.EEXIST, "no free backup name", str(target))


def sync_folder(folder: Path) -> None:
    """Make renames in `folder` durable (where the system allows it)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_all_atomically(writers: dict[Path, Callable[[BinaryIO], object]]) -> None:
    """All or nothing: when any file of the set cannot be written, every target keeps what it
    held before (content and mode), and a target that did not exist still does not.

    1. Every file is written to a temporary file next to its target (with the mode of the file
       it replaces, or the umask's) and synced; nothing is renamed until all are written.
    2. Each existing target gets a second name (a hard link), then the temporary file is
       renamed over it. If a rename fails, the targets already replaced are put back from their
       second names and the new ones removed. Only then are the second names removed.

    A target that is a folder or other non-regular file is never replaced. Raises the OSError
    with `filename` the target that failed; no temporary or backup file is left behind.
    """
    targets = [Path(target) for target in writers]
    temps: dict[Path, Path] = {}
    kept: dict[Path, Path | None] = {}
    placed: list[Path] = []
    target = None
    try:
        for target, write in zip(targets, writers.values()):
            fd, temps[target] = create_temp(target, mode_of(target))
            with os.fdopen(fd, "wb") as handle:
                write(handle)
                handle.flush()
                os.fsync(handle.fileno())
        for target in targets:
            kept[target] = backup(target) if mode_of(target) is not None else None
            os.replace(temps[target], target)
            del temps[target]
            placed.append(target)
    except BaseException as exc:
        for done in reversed(placed):
            try:
                if kept[done] is None:
                    os.unlink(done)
                else:  # (if this fails, the old file stays under its second name)
                    os.replace(kept.pop(done), done)
            except OSError:
                pass
        for path in [*temps.values(), *(p for p in kept.values() if p is not None)]:
            try:
                os.unlink(path)
            except OSError:
                pass
        if isinstance(exc, OSError) and target is not None:
            raise OSError(exc.errno, exc.strerror, str(target)) from None
        raise
    for old in kept.values():
        if old is not None:
            try:
                os.unlink(old)
            except OSError:
                pass
    for folder in {target.parent if str(target.parent) else Path(".") for target in targets}:
        sync_folder(folder)


def check_folder(folder: Path, shown: str) -> None:
    """`folder` is a real directory that a file can be created in (a temporary one is made and
    removed: /proc, /sys and read-only mounts fail here, not after the work). PresetError
    naming `shown` otherwise."""
    if not folder.exists():
        raise PresetError(shown, None, f"folder {str(folder)!r} does not exist")
    if not folder.is_dir():
        raise PresetError(shown, None, f"{str(folder)!r} is not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise PresetError(shown, None, f"folder {str(folder)!r} is not writable")
    try:
        fd, temp = create_temp(folder / "bptui-check", None)
    except OSError as exc:
        raise PresetError(
            shown, None, f"folder {str(folder)!r} is not writable ({exc.strerror or exc})"
        ) from None
    os.close(fd)
    try:
        os.unlink(temp)
    except OSError:
        pass


def check_destination(
    path: str | Path, option: str = "--save-weights", preset: Preset | None = None
) -> Path:
    """A weights file that can be written: not empty, a known suffix, in an existing folder that
    a file can be created in, not a folder or other non-regular file itself; with `preset`, a
    data copy that replaces no other file (check_data_copy). Checked before any work is done
    for it."""
    if not str(path).strip():
        raise PresetError(
            option, None, f"is empty (allowed: a file name ending in {', '.join(FORMATS)})"
        )
    path = Path(path)
    check_format(path)
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise PresetError(str(path), None, "is a directory (allowed: a file name)")
    check_folder(folder, str(path))
    try:
        mode_of(path)
    except OSError as exc:
        raise PresetError(
            str(path),
            None,
            f"is not a regular file: {exc.strerror} (allowed: a new file or one to replace)",
        ) from None
    if preset is not None:
        check_data_copy(path, preset)
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
    doc["weights"] = [
        {"W": w.tolist(), "b": b.tolist()} for w, b in zip(stepper.weights, stepper.biases)
    ]
    return dumps(doc)


def data_copy(path: str | Path, preset: Preset) -> tuple[Path, bytes] | None:
    """(X.csv, the data) when the weights preset X.toml of a preset with CSV data brings a copy
    of them along (a preset may only name files in its own folder); None otherwise."""
    data = preset.doc.get("data", {})
    if Path(path).suffix.lower() != ".toml" or "csv" not in data:
        return None
    try:
        contents = read_file(preset.base, data["csv"], MAX_BYTES)
    except OSError as exc:
        raise PresetError(
            str(exc.filename or data["csv"]), None, f"cannot read the data to copy ({exc.strerror})"
        ) from None
    return Path(path).with_suffix(".csv"), contents


def check_data_copy(path: str | Path, preset: Preset) -> None:
    """A file the user did not name is never replaced: the data copy X.csv beside a weights
    preset X.toml may only be new, or already hold exactly these data (a repeated export).
    PresetError (one line, before any work) otherwise."""
    copy = data_copy(path, preset)
    if copy is None:
        return
    target, contents = copy
    try:
        info = os.lstat(target)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise PresetError(str(target), None, f"cannot check it ({exc.strerror})") from None
    same = False
    if stat.S_ISREG(info.st_mode) and info.st_size == len(contents):
        try:
            same = target.read_bytes() == contents
        except OSError:
            same = False
    if not same:
        raise PresetError(
            str(target),
            None,
            f"already exists and bptui would replace it with the data that "
            f"{Path(path).name} brings along (bptui replaces only files you name: "
            f"choose another name, or move it)",
        )


def preset_files(path: str | Path, preset: Preset, stepper: Stepper) -> dict[str, bytes]:
    """The weights as a preset at `path` (.toml): with a CSV data source, the data travel with
    it as a copy beside it (a preset may only name files in its own folder)."""
    copy = data_copy(path, preset)
    if copy is None:
        return {str(path): weights_preset(preset, stepper).encode("utf-8")}
    target, contents = copy
    return {
        str(path): weights_preset(preset, stepper, target.name).encode("utf-8"),
        str(target): contents,
    }


def check_format(path: str | Path) -> str:
    """The file's suffix if it is a weights format, else a PresetError."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise PresetError(
            str(path),
            None,
            f"unknown weights format {suffix or '(none)'!r} (allowed: {', '.join(FORMATS)})",
        )
    return suffix


def weights_bytes(suffix: str, preset: Preset, stepper: Stepper) -> bytes:
    """The weights as JSON or .npz (W0, b0, W1, ...); a preset is `preset_files`."""
    if suffix == ".json":
        text = json.dumps(
            {"preset": preset.name, "step": stepper.step, "layers": weights_json(stepper)},
            allow_nan=False,
        )
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
        raise PresetError(
            exc.filename or ", ".join(files), None, f"cannot write ({exc.strerror or exc})"
        ) from None
    return list(writers)


def save_weights(path: str | Path, preset: Preset, stepper: Stepper) -> list[Path]:
    """Write the weights in the format the file name asks for (.json, .npz or .toml, which
    brings a copy of CSV data along, never over a different file); all files or none. Returns
    the files written."""
    check_data_copy(path, preset)
    return write_files(weights_files(path, preset, stepper))


def zip_bytes(files: dict[str, bytes]) -> bytes:
    """{file name: contents} as one .zip (deflated; every entry dated 1980-01-01 and mode 0600,
    so the same files always make the same archive). A browser gets one download, never several
    (a popup blocker lets only the first of several through)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            entry = zipfile.ZipInfo(Path(name).name, date_time=(1980, 1, 1, 0, 0, 0))
            entry.external_attr = 0o100600 << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, data)
    return buffer.getvalue()
