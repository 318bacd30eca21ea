"""Saving and loading a whole session: the preset, weights, optimizer state, phase, step counter
and loss history, so that a loaded session continues bit for bit as if never interrupted.

A session file is a NumPy .npz archive (read with allow_pickle=False) holding the arrays and one
JSON document `meta` with the preset (as TOML text) and the scalars. It is written atomically:
an interrupted save never destroys the previous file.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import numpy as np

from bptui.engine.history import History
from bptui.engine.spec import NetworkSpec, TrainingSpec
from bptui.engine.stepper import Stepper, StepperState
from bptui.export import write_atomically
from bptui.preset import Preset, PresetError, preset_from_text
from bptui.preset.loader import network_doc, training_doc
from bptui.preset.tomlwrite import dumps

FORMAT = "bptui-session"
VERSION = 1


def session_doc(preset: Preset, stepper: Stepper) -> dict:
    """The preset document with the current network and training settings written in."""
    doc = dict(preset.doc)
    doc["network"] = network_doc(stepper.spec)
    doc["training"] = training_doc(stepper.training)
    if stepper.pinned is None:
        doc.pop("weights", None)
    return doc


def save_session(path: str | Path, preset: Preset, stepper: Stepper) -> Path:
    """Write the session to `path` (atomically)."""
    path = Path(path)
    state = stepper.state()
    meta = {
        "format": FORMAT, "version": VERSION, "name": preset.name, "source": preset.source,
        "base": str(preset.base.resolve()), "preset": dumps(session_doc(preset, stepper)),
        "position": state.position, "step": state.step, "batch_start": state.batch_start,
        "learning_rate": state.learning_rate, "diverged": state.diverged,
        "last_cost": state.last_cost if np.isfinite(state.last_cost) else None,
        "depth": stepper.depth, "opt_t": state.opt_t,
    }
    history = state.history
    arrays = {"params": state.params, "before": state.before, "grads": state.grads,
              "applied": state.applied, "opt_state": state.opt_state,
              "opt_before": state.opt_before, "eval_steps": history.eval_steps.values,
              "loss_history": history.loss.values, "test_loss_history": history.test_loss.values,
              "batch_loss_history": history.batch_loss.values,
              "meta": np.array(json.dumps(meta))}
    if state.batch_rows is not None:
        arrays["batch_rows"] = state.batch_rows
    for layer in range(stepper.depth):
        arrays[f"z{layer}"] = state.z[layer]
        arrays[f"a{layer}"] = state.a[layer]
        arrays[f"delta{layer}"] = state.delta[layer]
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    try:
        write_atomically(path, lambda f: f.write(buffer.getvalue()))
    except OSError as exc:
        raise PresetError(str(path), None, f"cannot write ({exc.strerror})") from None
    return path


def load_session(path: str | Path) -> tuple[Preset, Stepper]:
    """Read a session file; raises PresetError (one line) for anything wrong with it."""
    path = Path(path)
    source = str(path)
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {key: archive[key] for key in archive.files}
    except FileNotFoundError:
        raise PresetError(source, None, "no such file") from None
    except IsADirectoryError:
        raise PresetError(source, None, "is a directory, not a session file") from None
    except (OSError, ValueError, zipfile.BadZipFile) as exc:
        raise PresetError(source, None, f"not a bptui session file ({exc})") from None
    try:
        meta = json.loads(str(arrays["meta"]))
        if meta.get("format") != FORMAT:
            raise PresetError(source, "meta.format", f"expected {FORMAT!r}")
        if meta.get("version") != VERSION:
            raise PresetError(source, "meta.version",
                              f"{meta.get('version')!r} is not supported (allowed: {VERSION})")
        preset = preset_from_text(meta["preset"], f"{source} (preset)", meta["name"],
                                  Path(meta["base"]))
        stepper = preset.stepper()
        depth = stepper.depth
        last_cost = meta["last_cost"]
        rows = arrays.get("batch_rows")
        state = StepperState(
            arrays["params"], arrays["before"], arrays["grads"], arrays["applied"],
            arrays["opt_state"], arrays["opt_before"], int(meta["opt_t"]),
            tuple(arrays[f"z{l}"] for l in range(depth)),
            tuple(arrays[f"a{l}"] for l in range(depth)),
            tuple(arrays[f"delta{l}"] for l in range(depth)),
            int(meta["position"]), int(meta["step"]), int(meta["batch_start"]),
            None if rows is None else rows.astype(np.int64),
            History(arrays["eval_steps"], arrays["loss_history"], arrays["test_loss_history"],
                    arrays["batch_loss_history"]),
            float(meta["learning_rate"]), bool(meta["diverged"]),
            float("nan") if last_cost is None else float(last_cost))
        check_shapes(source, stepper, state)
        stepper.restore(state)
    except PresetError:
        raise
    except (KeyError, TypeError, ValueError, json.JSONDecodeError) as exc:
        raise PresetError(source, None, f"damaged session file ({type(exc).__name__}: {exc})") from None
    return preset, stepper


def check_shapes(source: str, stepper: Stepper, state: StepperState) -> None:
    """The arrays must fit the network the session's preset describes."""
    size = stepper.params.flat.size
    for name in ("params", "before", "grads", "applied"):
        if getattr(state, name).shape != (size,):
            raise PresetError(source, name, f"has shape {getattr(state, name).shape}, expected ({size},)")
    for name in ("opt_state", "opt_before"):
        if getattr(state, name).shape != stepper.opt_state.shape:
            raise PresetError(source, name, f"has shape {getattr(state, name).shape}, "
                                            f"expected {stepper.opt_state.shape}")
    per = stepper.steps_per_training_step
    if not 0 <= state.position <= per or state.step < 0:
        raise PresetError(source, "meta.position", f"{state.position} is out of range (0..{per})")


__all__ = ["NetworkSpec", "TrainingSpec", "load_session", "save_session"]
