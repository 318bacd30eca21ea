"""When did it go wrong? Events found in a run's history.

From the loss history and the gradient-health trace (`health.Trace`, needed for the last two):

- `loss_rose`: the training-set cost rose by more than 10 % from one evaluation to the next
  (step: the later evaluation).
- `died`: a ReLU hidden unit had a = 0 (z ≤ 0) on every sample, the first time for that unit
  (at step 0: dead from the start, as some units of a ReLU layer can be after initialization).
  Judged on each step's batch where that batch is the whole training set (full batches: the
  step's forward pass is the evaluation at that step); with mini-batches, on the batch of each
  evaluation step (the detail gives the number of samples).
- `gradient_jump`: a weight layer's gradient norm ‖∂C/∂W‖ grew more than 100× in one step.
- `non_finite`: the first inf or nan (batch cost, training-set cost or a gradient norm).

Steps are training steps t: the event shows in step t's numbers (its forward pass, its gradient,
or the evaluation before it). Layers and units are 1-based, as the screens count them: for
`died` the hidden layer (= the weight layer that computes it), for `gradient_jump` the weight
layer; None where it does not apply.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from bptui.engine.health import flat_threshold, unit_kind

RISE = 1.10
JUMP = 100.0
KINDS = ("non_finite", "loss_rose", "gradient_jump", "died")


@dataclass(frozen=True)
class Event:
    """One event: step, kind (see KINDS), layer and unit (1-based or None), a short summary
    ('hidden 1, unit 3 died') and a detail with the numbers."""

    step: int
    kind: str
    layer: int | None
    unit: int | None
    summary: str
    detail: str

    def describe(self) -> str:
        """For a status line: 'step 212: hidden 1, unit 3 died'."""
        return f"step {self.step}: {self.summary}"

    def to_json(self) -> dict:
        """{"step", "kind", "layer", "unit", "detail"}."""
        return {
            "step": self.step,
            "kind": self.kind,
            "layer": self.layer,
            "unit": self.unit,
            "detail": self.detail,
        }


def find_events(history, m_train: int) -> list[Event]:
    """Every event of the history (a `History`; `m_train` training samples), by step."""
    found = _loss_rises(history)
    trace = history.trace
    if trace is not None and len(trace):
        found += _gradient_jumps(trace)
        found += _deaths(trace, history, m_train)
    first = _first_non_finite(history)
    if first is not None:
        found.append(first)
    order = {kind: i for i, kind in enumerate(KINDS)}
    return sorted(found, key=lambda e: (e.step, order[e.kind], e.layer or 0, e.unit or 0))


def next_event(events: list[Event], step: int) -> Event | None:
    """The first event after `step` (for `j`), None if there is none."""
    return next((e for e in events if e.step > step), None)


def previous_event(events: list[Event], step: int) -> Event | None:
    """The last event before `step` (for `J`), None if there is none."""
    return next((e for e in reversed(events) if e.step < step), None)


def _loss_rises(history) -> list[Event]:
    steps = history.eval_steps.values
    loss = history.loss.values
    out = []
    for i in range(1, len(loss)):
        before, now = float(loss[i - 1]), float(loss[i])
        if math.isfinite(before) and math.isfinite(now) and now > RISE * before:
            rise = f"{now / before - 1:.0%}" if before > 0 else "from 0"
            out.append(
                Event(
                    int(steps[i]),
                    "loss_rose",
                    None,
                    None,
                    f"loss rose {rise}",
                    f"loss rose {rise} ({before:.6g} → {now:.6g}) since step {int(steps[i - 1])}",
                )
            )
    return out


def _gradient_jumps(trace) -> list[Event]:
    norms = trace.grad_norm
    out = []
    with np.errstate(all="ignore"):
        jumped = (norms[1:] > JUMP * norms[:-1]) & (norms[:-1] > 0) & np.isfinite(norms[1:])
    for t, layer in zip(*np.nonzero(jumped)):
        before, now = float(norms[t, layer]), float(norms[t + 1, layer])
        out.append(
            Event(
                int(t) + 1,
                "gradient_jump",
                int(layer) + 1,
                None,
                f"layer {layer + 1} gradient jumped {now / before:.3g}×",
                f"‖∂C/∂W‖ of weight layer {layer + 1} jumped {now / before:.3g}× in one "
                f"step ({before:.3g} → {now:.3g})",
            )
        )
    return out


def _deaths(trace, history, m_train: int) -> list[Event]:
    """The first step each ReLU hidden unit is dead (see the module), from the trace's sums of
    f'(z) over the batch."""
    rows = trace.rows.values
    evaluated = set(history.eval_steps.values.tolist())
    starts = [segment[0] for segment in trace.segments]
    seen: set[tuple[int, int]] = set()
    out = []
    for i, (first, m, layout) in enumerate(trace.segments):
        last = starts[i + 1] if i + 1 < len(starts) else rows.shape[0]
        names = trace.layouts[layout]
        steps = np.arange(first, last)
        if m != m_train:
            steps = np.array([t for t in steps.tolist() if t in evaluated], dtype=np.intp)
        for layer, units in enumerate(trace._unit_slices):
            if unit_kind(names[layer]) != "dead" or steps.size == 0:
                continue
            dead = rows[steps, units] < flat_threshold(names[layer], m)
            for unit in range(dead.shape[1]):
                hits = np.flatnonzero(dead[:, unit])
                if hits.size == 0 or (layer, unit) in seen:
                    continue
                seen.add((layer, unit))
                step = int(steps[hits[0]])
                batch = "all" if m == m_train else "the batch's"
                what = f"hidden {layer + 1}, unit {unit + 1} " + (
                    "dead from the start" if step == 0 else "died"
                )
                out.append(
                    Event(
                        step,
                        "died",
                        layer + 1,
                        unit + 1,
                        what,
                        f"{what}: a = 0 on {batch} {m} samples, so f'(z) = 0 stops its δ",
                    )
                )
    return out


def _first_non_finite(history) -> Event | None:
    candidates = []
    batch = history.batch_loss.values
    bad = np.flatnonzero(~np.isfinite(batch))
    if bad.size:
        t = int(bad[0])
        candidates.append(
            Event(
                t,
                "non_finite",
                None,
                None,
                f"batch cost {batch[t]}",
                f"the batch cost of step {t} is {batch[t]}",
            )
        )
    loss = history.loss.values
    bad = np.flatnonzero(~np.isfinite(loss))
    if bad.size:
        t = int(history.eval_steps.values[bad[0]])
        value = loss[bad[0]]
        candidates.append(
            Event(
                t,
                "non_finite",
                None,
                None,
                f"training cost {value}",
                f"the training-set cost at step {t} is {value}",
            )
        )
    trace = history.trace
    if trace is not None and len(trace):
        norms = trace.grad_norm
        known = ~np.isnan(trace.rows.values[:, 0])  # nan rows: steps before the trace was on
        bad = np.argwhere(~np.isfinite(norms) & known[:, None])
        if bad.size:
            t, layer = (int(v) for v in bad[0])
            candidates.append(
                Event(
                    t,
                    "non_finite",
                    layer + 1,
                    None,
                    f"layer {layer + 1} gradient {norms[t, layer]}",
                    f"‖∂C/∂W‖ of weight layer {layer + 1} at step {t} is {norms[t, layer]}",
                )
            )
    return min(candidates, key=lambda e: e.step) if candidates else None
