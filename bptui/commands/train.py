"""`bptui train`: headless training with a progress bar, a summary, or one JSON object."""

from __future__ import annotations

import dataclasses
import json
import math
import sys
import time

import numpy as np

from bptui.engine.jsonable import floats_to_json, layers_to_json, matrix_to_json
from bptui.engine.stepper import Stepper
from bptui.preset import Preset
from bptui.preset import goal as goals
from bptui.text import printable

DEFAULT_STEPS = 1000
PROGRESS_AFTER = 0.5  # seconds before the progress bar appears
HISTORY_POINTS = 20_000  # values kept per loss series (and trace rows) of a headless run


def headless_stepper(
    preset: Preset, trace: bool = False, bounded: bool = True, points: int | None = None
) -> Stepper:
    """The preset's stepper for `bptui train` and `bptui compare`: `bounded`, its history keeps
    at most about `points` (default HISTORY_POINTS) values per series, so memory and the JSON
    stay bounded at any `--steps` (nothing is thinned up to `points` - 1 steps)."""
    stepper = preset.stepper(trace=trace)
    if bounded:
        stepper.bound_history(HISTORY_POINTS if points is None else points)
    return stepper


def result(preset: Preset, stepper: Stepper, steps: int) -> dict:
    """The JSON contract of `bptui train --json`.

    `loss` and `test_loss` are the whole-set costs at the evaluation steps `eval_steps`
    (0, every `eval_every` steps, and the last); `batch_loss` has the cost of every
    `batch_loss_every`-th step's batch (steps 0, k, 2k, ...; k = 1 unless the run is longer
    than the history keeps, see `headless_stepper`); with a trace, `trace` has the gradient
    health of the same steps (`trace_to_json`), and so has `first_order` with the update
    check. In a thinned run the evaluations are thinned
    alike: `eval_steps` names the step of each entry, always with the first and the last.
    """
    stepper.record_loss()
    data = stepper.data
    history = stepper.history
    evaluated = int(np.searchsorted(history.eval_steps.values, steps, side="right"))
    out = {"preset": preset.name, "steps": steps, "loss": floats_to_json(history.loss[:evaluated])}
    if data.has_test:
        out["test_loss"] = floats_to_json(history.test_loss[:evaluated])
    out["eval_steps"] = history.eval_steps[:evaluated].tolist()
    every = history.batch_loss.stride
    out["batch_loss"] = floats_to_json(history.batch_loss[: -(-steps // every)])
    out["batch_loss_every"] = every
    if data.task == "classification":
        out["accuracy"] = stepper.accuracy(*data.scored)
        out["train_accuracy"] = stepper.accuracy(data.x_train, data.y_train)
    out["diverged"] = stepper.diverged
    out["layers"] = layers_to_json(stepper)
    if stepper.trace is not None:
        out["trace"] = trace_to_json(stepper.trace, steps)
    if history.first_order is not None:  # a row per step, like batch_loss
        checks = history.first_order
        out["first_order"] = first_order_to_json(checks.values[: -(-steps // checks.stride)])
    return out


def first_order_to_json(checks: np.ndarray) -> dict:
    """{"predicted": [∇C·Δθ per step], "actual": [C(θ + Δθ) − C(θ) per step]} (null where not
    finite) from the update check (steps, 2)."""
    return {"predicted": floats_to_json(checks[:, 0]), "actual": floats_to_json(checks[:, 1])}


def first_order_summary(checks: np.ndarray) -> str:
    """The update check in one line: the last step's numbers and the median ratio."""
    if not len(checks):
        return "update check: no steps"
    predicted, actual = (float(v) for v in checks[-1])
    with np.errstate(all="ignore"):
        ratios = checks[:, 1] / checks[:, 0]
    ratios = ratios[np.isfinite(ratios)]
    median = f", median actual/predicted {np.median(ratios):.3g}" if ratios.size else ""
    return (
        f"update check, last step: predicted ∇C·Δθ {predicted:.4g}, actual ΔC {actual:.4g}{median}"
    )


def events_summary(events) -> str:
    """How many events, and the first few."""
    if not events:
        return "events: none"
    shown = "; ".join(e.describe() for e in events[:5])
    more = f"; … ({len(events) - 5} more, see --json)" if len(events) > 5 else ""
    return f"events ({len(events)}): {shown}{more}"


def trace_to_json(trace, steps: int) -> dict:
    """{"grad_norm": [[per weight layer] per step], "update_ratio": ..., "saturated":
    [[per hidden layer] per step], "dead": ...} for the first `steps` steps (every
    `trace.rows.stride`-th of them); null where a value is not finite (a layer without such
    units, W = 0)."""
    kept = -(-steps // trace.rows.stride)
    return {
        name: matrix_to_json(getattr(trace, name)[:kept])
        for name in ("grad_norm", "update_ratio", "saturated", "dead")
    }


class ProgressBar:
    """A one-line bar on stderr, shown only for runs longer than PROGRESS_AFTER on a terminal."""

    def __init__(self, total: int, enabled: bool):
        self.total = total
        self.enabled = enabled and sys.stderr.isatty()
        self.start = time.perf_counter()
        self.shown = False

    def update(self, done: int, loss: float) -> None:
        """Redraw with `done` steps finished."""
        elapsed = time.perf_counter() - self.start
        if not self.enabled or elapsed < PROGRESS_AFTER or self.total == 0:
            return
        width = 30
        filled = int(width * done / self.total)
        rate = done / elapsed if elapsed else 0.0
        sys.stderr.write(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{self.total} steps "
            f"loss {loss:.4g}  {rate:,.0f} steps/s "
        )
        sys.stderr.flush()
        self.shown = True

    def close(self) -> None:
        """End the bar's line."""
        if self.shown:
            sys.stderr.write("\n")


def run_with_progress(stepper: Stepper, steps: int, show: bool) -> int:
    """Train `steps` steps in chunks so a bar can be drawn; returns steps done."""
    bar = ProgressBar(steps, show)
    done = 0
    chunk = max(1, min(1000, steps // 100 or 1))
    try:
        while done < steps and not stepper.diverged:
            done += stepper.run(min(chunk, steps - done))
            bar.update(done, stepper.last_cost)
    finally:
        bar.close()
    return done


def summary(preset: Preset, stepper: Stepper, steps: int, seconds: float) -> str:
    """A few human-readable lines."""
    res = result(preset, stepper, steps)
    rate = f" ({steps / seconds:,.0f} steps/s)" if seconds > 0 and steps else ""
    lines = [f"{preset.title} ({preset.source}): {steps} steps in {seconds:.2f} s{rate}"]
    line = f"loss {stepper.loss_history[0]:.6g} -> {stepper.loss_history[-1]:.6g}"
    if "test_loss" in res and res["test_loss"][-1] is not None:
        line += f"   test loss {res['test_loss'][-1]:.6g}"
    if res.get("accuracy") is not None:
        which = "test" if stepper.data.has_test else "train"
        line += f"   accuracy {res['accuracy']:.1%} ({which})"
    lines.append(line)
    if stepper.diverged:
        lines.append("diverged: the loss became infinite or NaN (try a smaller learning rate)")
    elif preset.goal:
        facts = goals.check(preset, stepper)
        met = all(f.holds for f in facts)
        word = "shown" if preset.goal.phenomena else "reached"  # a phenomenon is not an aim
        measured = "; ".join(f.measured for f in facts)
        lines.append(
            f"goal: {preset.goal.describe()}: {word if met else 'not ' + word} ({measured})"
        )
    if stepper.trace is not None and len(stepper.trace):
        lines.append(trace_summary(stepper.trace))
    if stepper.history.first_order is not None:
        lines.append(first_order_summary(stepper.history.first_order.values))
    return "\n".join(map(printable, lines))


def trace_summary(trace) -> str:
    """The last step's gradient health in one line, layer by layer."""

    def row(values, fmt):
        return " ".join("-" if not math.isfinite(v) else format(v, fmt) for v in values)

    parts = [
        f"|dC/dW| {row(trace.grad_norm[-1], '.2g')}",
        f"|dW|/|W| {row(trace.update_ratio[-1], '.2g')}",
    ]
    for name in ("saturated", "dead"):
        shares = getattr(trace, name)[-1]
        if np.isfinite(shares).any():
            parts.append(f"{name} {row(shares, '.0%')}")
    return "last step, per layer: " + "; ".join(parts)


def train_command(args) -> int:
    """Run `bptui train` with parsed arguments."""
    from bptui.commands.options import preset_of

    preset = preset_of(args)
    if args.eval_every is not None:
        preset = dataclasses.replace(
            preset, training=dataclasses.replace(preset.training, eval_every=args.eval_every)
        )
    if args.save_weights is not None:  # checked before the work, not after it
        from bptui.export import check_destination

        check_destination(args.save_weights, preset=preset)
    steps = args.steps
    if steps is None:
        steps = preset.goal.steps if preset.goal else DEFAULT_STEPS
    events = getattr(args, "events", False)
    # events read every step's gradient health: their history is whole, not thinned
    stepper = headless_stepper(preset, trace=args.trace or events, bounded=not events)
    stepper.checking_updates = getattr(args, "first_order", False)
    start = time.perf_counter()
    try:
        done = run_with_progress(stepper, steps, show=not args.json)
    except KeyboardInterrupt:
        print(f"bptui: interrupted after {stepper.step} steps", file=sys.stderr)
        return 130
    seconds = time.perf_counter() - start
    if args.save_weights is not None:
        from bptui.export import save_weights
        from bptui.text import printable

        written = save_weights(args.save_weights, preset, stepper)
        print(f"bptui: saved {', '.join(printable(str(p)) for p in written)}", file=sys.stderr)
    found = None
    if events:
        from bptui.engine.events import find_events

        found = [e for e in find_events(stepper.history, stepper.m_train) if e.step <= done]
    if args.json:
        out = result(preset, stepper, done)
        if found is not None:
            out["events"] = [e.to_json() for e in found]
            if not args.trace:
                del out["trace"]
        json.dump(out, sys.stdout, allow_nan=False, separators=(",", ":"))
        sys.stdout.write("\n")
    else:
        text = summary(preset, stepper, done, seconds)
        if found is not None:
            text += "\n" + events_summary(found)
        print(text)
    return 0
