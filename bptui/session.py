"""Saving and loading a whole session: the preset, weights, optimizer state, phase, step counter
and loss history, so that a loaded session continues bit for bit as if never interrupted.

A session file is a NumPy .npz archive holding the arrays and one JSON document `meta` with
the preset (as TOML text) and the scalars, and, for a preset with CSV data, a copy of that data
(member `data`): a session is resolved from itself alone, never from a folder on disk that it
names, so it cannot make bptui read the user's other files, it reveals no folder of the machine
that saved it, and it resumes wherever it is moved. It is written atomically: an interrupted
save never destroys the previous file. It is read as untrusted input: `session_layout` says what
it may hold, and bptui.archive checks it against that before reading anything large.
"""

from __future__ import annotations

import io
import json
import math
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from bptui.archive import Archive, Layout, Member, finite, indices
from bptui.engine.history import History
from bptui.engine.spec import NetworkSpec, TrainingSpec
from bptui.engine.stepper import Stepper, StepperState
from bptui.export import write_files
from bptui.preset import Preset, PresetError
from bptui.preset.csvfile import MAX_BYTES as MAX_DATA_BYTES
from bptui.preset.embedded import EmbeddedFolder, read_file
from bptui.preset.loader import (
    bundled_names,
    current_doc,
    parse_toml,
    preset_from_dict,
    presets_dir,
    read_learning_rate,
)
from bptui.preset.table import Table, describe, type_name
from bptui.preset.tomlwrite import dumps
from bptui.text import safe_stem

FORMAT = "bptui-session"
VERSION = 1


def carried_data(preset: Preset) -> np.ndarray | None:
    """The bytes of the preset's CSV data (None if it has none), for the session to carry."""
    table = preset.doc.get("data", {})
    if "csv" not in table:
        return None
    try:
        contents = read_file(preset.base, table["csv"], MAX_DATA_BYTES)
    except OSError as exc:
        raise PresetError(
            str(exc.filename or table["csv"]),
            None,
            f"cannot read the data to save with the session ({exc.strerror})",
        ) from None
    return np.frombuffer(contents, dtype=np.uint8)


def session_bytes(preset: Preset, stepper: Stepper) -> bytes:
    """The session file's contents: a .npz archive of the arrays, `meta` and the preset's data.

    `meta` holds no path: `source` is the preset's file name only, and `base` (where sessions
    of earlier versions named the preset's folder) is empty.
    """
    state = stepper.state()
    meta = {
        "format": FORMAT,
        "version": VERSION,
        "name": preset.name,
        "source": Path(preset.source).name,
        "base": "",
        "preset": dumps(current_doc(preset, stepper)),
        "position": state.position,
        "step": state.step,
        "batch_start": state.batch_start,
        "learning_rate": state.learning_rate,
        "diverged": state.diverged,
        "last_cost": state.last_cost if np.isfinite(state.last_cost) else None,
        "depth": stepper.depth,
        "opt_t": state.opt_t,
    }
    history = state.history
    arrays = {
        "params": state.params,
        "before": state.before,
        "grads": state.grads,
        "applied": state.applied,
        "opt_state": state.opt_state,
        "opt_before": state.opt_before,
        "eval_steps": history.eval_steps.values,
        "loss_history": history.loss.values,
        "test_loss_history": history.test_loss.values,
        "batch_loss_history": history.batch_loss.values,
        "meta": np.array(json.dumps(meta)),
    }
    if state.batch_rows is not None:
        arrays["batch_rows"] = state.batch_rows
    data = carried_data(preset)
    if data is not None:
        arrays["data"] = data
    for layer in range(stepper.depth):
        arrays[f"z{layer}"] = state.z[layer]
        arrays[f"a{layer}"] = state.a[layer]
        arrays[f"delta{layer}"] = state.delta[layer]
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def session_file_name(preset: Preset) -> str:
    """Where ctrl+s saves: bptui-session-NAME.npz in the current folder (NAME made safe)."""
    return f"bptui-session-{safe_stem(preset.name)}.npz"


def save_session(path: str | Path, preset: Preset, stepper: Stepper) -> Path:
    """Write the session to `path` (atomically)."""
    return write_files({str(path): session_bytes(preset, stepper)})[0]


MAX_STEP = 10**12  # a sanity bound; the loss history must hold step values anyway
MAX_META_CHARS = 64 << 20  # the preset's TOML (pinned weights included) and the scalars
META_KEYS = (
    "format",
    "version",
    "name",
    "source",
    "base",
    "preset",
    "position",
    "step",
    "batch_start",
    "learning_rate",
    "diverged",
    "last_cost",
    "depth",
    "opt_t",
)
META = Member("U", (), max_chars=MAX_META_CHARS)  # the JSON document, read first
DATA = Member("u", ("c",), required=False)  # the preset's CSV data, read second
DATA_SIZES = range(1, MAX_DATA_BYTES + 1)


def session_layout(stepper: Stepper, meta: dict) -> Layout:
    """Every member a session of `stepper` may hold, with dtype, shape and value check.

    `meta` holds the checked scalars (read_scalars). This table is the one place that says what
    a session file contains: a new member is one entry. The optimizer's state is one (B, P)
    array however many buffers B its registry entry declares. Named dimensions: "k" the number
    of whole-set evaluations (at most step + 1, at increasing steps 0..step); "b" the batch
    costs, one per step taken, plus the current step's once its error is computed; "m" the batch
    of the buffers z, a, δ, which is exact once the step has started and at position 0 is a batch
    size of this stepper (the whole batch, or an epoch's last, shorter batch). A diverged session
    may hold inf and NaN; otherwise every number must be finite, except the held-out loss,
    which can overflow without the training diverging, and the batch buffers of micro-steps
    not yet taken.
    """
    size = stepper.params.flat.size
    numbers = None if meta["diverged"] else finite
    step, position = meta["step"], meta["position"]
    buffers = stepper.opt_state.shape[0]
    members = {
        "meta": META,
        "params": Member("f", (size,), numbers),
        "before": Member("f", (size,), numbers),
        "grads": Member("f", (size,), numbers),
        "applied": Member("f", (size,), numbers),
        "opt_state": Member("f", (buffers, size), numbers),
        "opt_before": Member("f", (buffers, size), numbers),
        "eval_steps": Member("i", ("k",), evaluation_steps(step)),
        "loss_history": Member("f", ("k",), numbers),
        "test_loss_history": Member("f", ("k",) if stepper.data.has_test else (0,)),
        "batch_loss_history": Member("f", ("b",), numbers),
        "data": DATA,
    }
    if stepper.training.shuffle and not stepper.full_batch:
        members["batch_rows"] = Member("i", ("m",), indices(stepper.m_train), required=position > 0)
    # z, a, δ are checked where the current step has computed them (the engine's own predicates,
    # asked at the session's position): the others hold stale values, even NaN from fresh memory,
    # and are recomputed before they are used.
    at = SimpleNamespace(position=position, depth=stepper.depth)
    for layer, units in enumerate(stepper.spec.layers[1:]):
        forward = numbers if Stepper.forward_done(at, layer) else None
        members[f"z{layer}"] = Member("f", ("m", units), forward)
        members[f"a{layer}"] = Member("f", ("m", units), forward)
        members[f"delta{layer}"] = Member(
            "f", ("m", units), numbers if Stepper.delta_done(at, layer) else None
        )
    error_done = stepper.depth < position < stepper.steps_per_training_step
    return Layout(
        members,
        {
            "k": range(step + 2),
            "c": DATA_SIZES,
            "b": (step + error_done,),
            "m": batch_sizes(stepper, step, position),
        },
    )


def evaluation_steps(step: int):
    """The check of `eval_steps`: strictly increasing steps within 0..step."""

    def check(array: np.ndarray) -> str | None:
        if array.size and (array[0] < 0 or array[-1] > step or (np.diff(array) <= 0).any()):
            return f"must be increasing steps within 0..{step}"
        return None

    return check


def started_batch(stepper: Stepper, step: int, position: int) -> tuple[int, int]:
    """(start, stop) of the training rows of the step under way at (step, position > 0): the
    step counter moves on at the update, which is the last position."""
    return stepper.batch_bounds(step - (position == stepper.steps_per_training_step))


def batch_sizes(stepper: Stepper, step: int, position: int) -> tuple[int, ...]:
    """The sizes the batch buffers can have at (step, position)."""
    if position:
        start, stop = started_batch(stepper, step, position)
        return (stop - start,)
    last = stepper.m_train - (stepper.batches_per_epoch - 1) * stepper.batch_size
    return tuple(sorted({stepper.batch_size, last}))


def read_meta(source: str, text: str) -> Table:
    """The JSON document `meta`: an object with exactly META_KEYS."""
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise PresetError(source, "meta", f"is not valid JSON ({type(exc).__name__})") from None
    if not isinstance(doc, dict):
        raise PresetError(source, "meta", f"expected a JSON object, got {type_name(doc)}")
    meta = Table(source, "meta", doc)
    meta.check_keys(META_KEYS)
    if meta.raw("format") != FORMAT:
        raise meta.error("format", f"expected {FORMAT!r}")
    if meta.raw("version") != VERSION:
        raise meta.error(
            "version", f"{describe(meta.raw('version'))} is not supported (allowed: {VERSION})"
        )
    for key in ("name", "source", "base", "preset"):
        meta.string(key)
    return meta


def read_scalars(meta: Table, stepper: Stepper) -> dict:
    """The scalars of `meta`, each type- and range-checked against the session's stepper."""
    per = stepper.steps_per_training_step
    depth = meta.integer("depth")
    if depth != stepper.depth:
        raise meta.error(
            "depth", f"{depth} does not match the preset's {stepper.depth} weight layers"
        )
    position = meta.integer("position", low=0, high=per)
    step = meta.integer("step", low=0, high=MAX_STEP)
    if position == per and step == 0:
        raise meta.error("position", f"{per} (after an update) with step 0 (allowed: 0..{per - 1})")
    batch_start = meta.integer("batch_start", low=0, high=stepper.m_train - 1)
    if position:
        start, _ = started_batch(stepper, step, position)
        if batch_start != start:
            raise meta.error(
                "batch_start",
                f"{batch_start} is not where step {step}'s batch starts (allowed: {start})",
            )
    elif batch_start % stepper.batch_size:
        raise meta.error(
            "batch_start",
            f"{batch_start} is not the start of a batch (allowed: "
            f"multiples of {stepper.batch_size})",
        )
    last_cost = meta.raw("last_cost")
    opt_t = meta.integer("opt_t", low=0, high=step)
    return {
        "opt_t": opt_t,
        "position": position,
        "step": step,
        "batch_start": batch_start,
        "learning_rate": read_learning_rate(meta),
        "diverged": meta.boolean("diverged"),
        "last_cost": math.nan if last_cost is None else meta.number("last_cost"),
    }


def session_preset(archive: Archive, meta: Table) -> Preset:
    """The session's preset, its CSV data read from the copy the session carries. A session of
    an earlier version carries none: its data are found as its preset's would be, in the folder
    of the bundled presets for one of them, else beside the session file. Never in a folder
    the file names (`meta.base` is ignored)."""
    source = archive.source
    where = f"{source} (preset)"
    doc = parse_toml(meta.raw("preset"), where)
    if "data" in archive.infos:
        head = archive.check_header("data", DATA, {}, {"c": DATA_SIZES})
        contents = archive.read("data", head).tobytes()
        table = doc.get("data")
        name = table.get("csv") if isinstance(table, dict) else None
        if not isinstance(name, str):
            raise archive.error("data", "is CSV data, but the preset reads no CSV file")
        base: Path | EmbeddedFolder = EmbeddedFolder(source, {name: contents})
    elif meta.raw("source") in {f"{name}.toml" for name in bundled_names()}:
        base = presets_dir()
    else:
        base = Path(source).parent
    return preset_from_dict(doc, where, meta.raw("name"), base)


def load_session(path: str | Path) -> tuple[Preset, Stepper]:
    """Read and check a session file; raises PresetError (one line) for anything wrong with it.

    Everything is checked before anything large is read (see bptui.archive): the ZIP structure,
    then `meta`, the preset in it and the scalars, then every member's header against
    session_layout, then the data and their values.
    """
    source = str(path)
    with Archive(path) as archive:
        if "meta" not in archive.infos:
            raise archive.error("meta", "missing (not a bptui session file?)")
        head = archive.check_header("meta", META, {}, {})
        meta = read_meta(source, str(archive.read("meta", head)[()]))
        preset = session_preset(archive, meta)
        stepper = preset.stepper()
        scalars = read_scalars(meta, stepper)
        arrays = archive.load(session_layout(stepper, scalars), skip=("data",))
    depth = stepper.depth
    rows = arrays.get("batch_rows")
    state = StepperState(
        arrays["params"],
        arrays["before"],
        arrays["grads"],
        arrays["applied"],
        arrays["opt_state"],
        arrays["opt_before"],
        scalars["opt_t"],
        tuple(arrays[f"z{l}"] for l in range(depth)),
        tuple(arrays[f"a{l}"] for l in range(depth)),
        tuple(arrays[f"delta{l}"] for l in range(depth)),
        scalars["position"],
        scalars["step"],
        scalars["batch_start"],
        rows,
        History(
            arrays["eval_steps"],
            arrays["loss_history"],
            arrays["test_loss_history"],
            arrays["batch_loss_history"],
        ),
        scalars["learning_rate"],
        scalars["diverged"],
        scalars["last_cost"],
    )
    stepper.restore(state)
    return preset, stepper


__all__ = ["NetworkSpec", "TrainingSpec", "load_session", "save_session", "session_layout"]
