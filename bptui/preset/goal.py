"""A preset's [goal]: what a run of `steps` steps shows, as facts a program can check.

The vocabulary (every key but `steps` optional; each one a fact about the run):

| key | the fact, after `steps` steps from the preset's initial weights |
|---|---|
| `loss = x` | training loss < x |
| `accuracy = x` | accuracy ≥ x (held-out if there is a held-out set) |
| `loss_above = x` | training loss still > x (a run that crawls) |
| `grad_ratio_below = r` | at step 0, ‖∂C/∂W‖ of the first weight layer < r × the last layer's |
| `dead_at_least = s` | ≥ s of the hidden ReLU units are dead: output 0 on every training sample |
| `test_loss_rise = k` | test loss ≥ k × its minimum over the run, and training loss below its value at that minimum (overfitting) |
| `identical_units = true` | every hidden layer's units still have identical incoming weights and biases (`false`: they do not) |
| `fix = {KEY = VALUE, ...}` | with these overrides (as `--set`), none of the facts `loss_above` … `identical_units` holds; an array of such tables: each of them does that |

`loss_above` … `identical_units` are *phenomena*: what the preset is there to show. A `fix`
proves the cure the description names. A fact that does not apply to the network (dead units
without ReLUs, a rising test loss without a held-out set, a gradient ratio without a hidden
layer) does not hold; it is not an error, so `--set` can switch a preset to its cure. `check`
evaluates the facts of one finished run (`fixes.check_fixes` runs each fix); `bptui train`'s
summary and the tests use it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bptui.engine import kernels
from bptui.engine.health import flat_units, unit_kind
from bptui.engine.stepper import Stepper
from bptui.preset.overrides import Override, from_table
from bptui.preset.table import Table, describe, type_name

PHENOMENA = ("loss_above", "grad_ratio_below", "dead_at_least", "test_loss_rise", "identical_units")
GOAL_KEYS = ("steps", "loss", "accuracy", *PHENOMENA, "fix")
MAX_FIXES = 64
IDENTICAL = 1e-9
"""Units are identical when their incoming weights and biases differ by at most this, relative
to the layer's largest weight (plus 1): exact arithmetic keeps them equal, rounding may not."""


@dataclass(frozen=True)
class Goal:
    """What a preset promises after `steps` steps (see the module's table); None: not stated."""

    steps: int
    loss: float | None = None
    accuracy: float | None = None
    loss_above: float | None = None
    grad_ratio_below: float | None = None
    dead_at_least: float | None = None
    test_loss_rise: float | None = None
    identical_units: bool | None = None
    fix: tuple[tuple[Override, ...], ...] = ()

    @property
    def phenomena(self) -> tuple[str, ...]:
        """The phenomenon keys this goal states."""
        return tuple(key for key in PHENOMENA if getattr(self, key) is not None)

    def phrases(self) -> dict[str, str]:
        """Each stated fact in words, by key."""
        words = {
            "grad_ratio_below": lambda v: (
                f"first layer's gradient < {v:g}× the last layer's (at step 0)"
            ),
            "dead_at_least": lambda v: f"≥ {v:.0%} of the ReLU units dead",
            "test_loss_rise": lambda v: (
                f"test loss back up to ≥ {v:g}× its minimum while the training loss falls"
            ),
            "identical_units": lambda v: (
                "each hidden layer's units still identical"
                if v
                else "the hidden units no longer identical"
            ),
            "loss_above": lambda v: f"loss still > {v:g}",
            "loss": lambda v: f"loss < {v:g}",
            "accuracy": lambda v: f"accuracy ≥ {v:.0%}",
        }
        return {
            key: say(getattr(self, key))
            for key, say in words.items()
            if getattr(self, key) is not None
        }

    def describe(self) -> str:
        """E.g. 'loss < 0.01 and accuracy ≥ 100% within 3000 steps', or for a phenomenon
        'after 1000 steps: each hidden layer's units still identical, loss still > 0.6'."""
        phrases = list(self.phrases().values())
        if self.phenomena:
            return f"after {self.steps} steps: {', '.join(phrases)}"
        return f"{' and '.join(phrases) or 'train'} within {self.steps} steps"

    @property
    def target(self) -> tuple[float | None, float | None]:
        """(loss bound, accuracy bound) a run reaches when it learns: `loss` (else the
        `loss_above` a crawling run stays over) and `accuracy`; for 'steps to the goal'."""
        return (self.loss if self.loss is not None else self.loss_above), self.accuracy


@dataclass(frozen=True)
class Fact:
    """One fact of a goal, checked: its key, its words, whether it holds and what was measured."""

    key: str
    text: str
    holds: bool
    measured: str


def shown(value) -> str:
    """A setting's value as a learner would type it (bare words bare, the rest as TOML)."""
    from bptui.preset.tomlwrite import value as toml_value

    if isinstance(value, str):
        return value
    try:
        return toml_value(value)
    except TypeError:  # tables inside arrays
        return describe(value)


# ----- reading --------------------------------------------------------------------------------


def read_goal(table: Table | None) -> Goal | None:
    """The optional [goal] table."""
    if table is None:
        return None
    table.check_keys(GOAL_KEYS)
    if not table.has("steps"):
        raise table.error("steps", "missing (required in [goal])")
    steps = table.integer("steps", None, 1, 10_000_000)

    def number(key, low=0.0, high=None, low_open=True):
        return table.number(key, None, low, high, low_open) if table.has(key) else None

    values = {
        "loss": number("loss"),
        "accuracy": number("accuracy", high=1.0),
        "loss_above": number("loss_above", low_open=False),
        "grad_ratio_below": number("grad_ratio_below"),
        "dead_at_least": number("dead_at_least", high=1.0),
        "test_loss_rise": number("test_loss_rise", low=1.0, low_open=False),
        "identical_units": (
            table.boolean("identical_units") if table.has("identical_units") else None
        ),
    }
    goal = Goal(steps, **values, fix=read_fixes(table))
    if goal.fix and not goal.phenomena:
        raise table.error(
            "fix", f"needs a phenomenon for the fix to undo (one of {', '.join(PHENOMENA)})"
        )
    return goal


def read_fixes(table: Table) -> tuple[tuple[Override, ...], ...]:
    """`fix`: one table of overrides, or an array of them."""
    if not table.has("fix"):
        return ()
    value = table.raw("fix")
    tables = value if isinstance(value, list) else [value]
    if not tables or not all(isinstance(t, dict) and t for t in tables):
        raise table.error(
            "fix",
            f"expected a table of overrides (e.g. fix = {{ training.l2 = "
            f"0.1 }}) or an array of them, got {type_name(value)} "
            f"{describe(value)}",
        )
    if len(tables) > MAX_FIXES:  # each fix is validated (and checked) as a whole preset
        raise table.error("fix", f"{len(tables):,} fixes is too many (allowed: 1..{MAX_FIXES})")
    key = table.key("fix")
    keys = [f"{key}[{i}]" for i in range(len(tables))] if isinstance(value, list) else [key]
    return tuple(tuple(from_table(t, table.source, k)) for k, t in zip(keys, tables))


# ----- checking -------------------------------------------------------------------------------


def first_gradients(preset) -> list[float]:
    """‖∂C/∂W‖ per weight layer at step 0 (from one step of a fresh stepper)."""
    stepper = preset.stepper()
    stepper.finish_step()
    return [float(np.linalg.norm(w)) for w in stepper.dw]


def dead_share(stepper: Stepper) -> float | None:
    """Share of the hidden ReLU units that output 0 on every training sample (None without
    any)."""
    data = stepper.data
    ws = kernels.Workspace(stepper.spec, data.x_train.shape[0])
    with np.errstate(all="ignore"):
        kernels.forward(stepper.plan, stepper.weights, stepper.biases, data.x_train, ws)
    dead = [
        flat_units(name, ws.z[layer], ws.a[layer])
        for layer, name in enumerate(stepper.plan.names[:-1])
        if unit_kind(name) == "dead"
    ]
    return float(np.concatenate(dead).mean()) if dead else None


def identical_units(stepper: Stepper) -> tuple[bool | None, float]:
    """(whether every hidden layer's units have the same incoming weights and bias, the largest
    relative difference found); None without a hidden layer of 2 or more units."""
    worst = 0.0
    if not any(w.shape[0] >= 2 for w in stepper.weights[:-1]):
        return None, worst
    for w, b in zip(stepper.weights[:-1], stepper.biases[:-1]):
        if w.shape[0] < 2:
            continue
        rows = np.column_stack([w, b])
        scale = 1.0 + float(np.abs(rows).max())
        worst = max(worst, float(np.abs(rows - rows[0]).max()) / scale)
    return worst <= IDENTICAL, worst


def check(preset, stepper: Stepper) -> list[Fact]:
    """The goal's facts (all but `fix`) for the stepper's current weights and history."""
    goal = preset.goal
    if goal is None:
        return []
    facts = []
    phrases = goal.phrases()

    def fact(key, holds, measured):
        facts.append(Fact(key, phrases[key], bool(holds), measured))

    diverged = stepper.diverged
    if goal.loss is not None or goal.loss_above is not None:
        loss = stepper.loss
        if goal.loss is not None:
            fact("loss", not diverged and loss < goal.loss, f"loss {loss:.4g}")
        if goal.loss_above is not None:
            fact("loss_above", not diverged and loss > goal.loss_above, f"loss {loss:.4g}")
    if goal.accuracy is not None:
        accuracy = stepper.accuracy(*stepper.data.scored)
        fact(
            "accuracy",
            not diverged and accuracy is not None and accuracy >= goal.accuracy,
            "accuracy n/a" if accuracy is None else f"accuracy {accuracy:.1%}",
        )
    if goal.grad_ratio_below is not None:
        norms = first_gradients(preset)
        ratio = norms[0] / norms[-1] if norms[-1] > 0 else np.inf
        fact(
            "grad_ratio_below",
            len(norms) > 1 and ratio < goal.grad_ratio_below,
            "no hidden layer"
            if len(norms) < 2
            else f"first layer's gradient {ratio:.2g}× the last layer's",
        )
    if goal.dead_at_least is not None:
        share = dead_share(stepper)
        fact(
            "dead_at_least",
            share is not None and share >= goal.dead_at_least,
            "no ReLU units" if share is None else f"{share:.0%} dead",
        )
    if goal.test_loss_rise is not None:
        fact("test_loss_rise", *overfitting(stepper, goal.test_loss_rise))
    if goal.identical_units is not None:
        same, worst = identical_units(stepper)
        fact(
            "identical_units",
            same is not None and same == goal.identical_units,
            "no hidden layer of 2 units"
            if same is None
            else "identical"
            if same
            else f"units differ by up to {worst:.2g} (relative)",
        )
    order = list(phrases)
    return sorted(facts, key=lambda f: order.index(f.key))


def overfitting(stepper: Stepper, rise: float) -> tuple[bool, str]:
    """Whether the test loss has risen to ≥ `rise` × its minimum while the training loss fell
    below its value at that minimum; and the numbers."""
    stepper.record_loss()
    test = stepper.history.test_loss.values
    train = stepper.history.loss.values
    if not stepper.data.has_test:
        return False, "no held-out set"
    if stepper.diverged or not len(test) or not np.isfinite(test).all():
        return False, "no finite test loss"
    best = int(np.argmin(test))
    factor = test[-1] / test[best] if test[best] > 0 else np.inf
    holds = factor >= rise and train[-1] < train[best]
    at = int(stepper.history.eval_steps[best])
    return holds, (
        f"test loss {factor:.2f}× its minimum (at step {at}), training loss "
        f"{train[-1]:.3g} vs {train[best]:.3g} there"
    )


def reached(preset, stepper: Stepper) -> bool:
    """Whether every fact of the goal (but `fix`) holds; True without a goal."""
    return all(f.holds for f in check(preset, stepper))


def progress(goal: Goal, stepper: Stepper) -> bool | None:
    """Whether the run has reached the goal's `target` now (None if the goal names none); reads
    the whole-set costs without recording them, so the history stays as training left it."""
    loss_bound, accuracy_bound = goal.target
    if loss_bound is None and accuracy_bound is None:
        return None
    if stepper.diverged:
        return False
    data = stepper.data
    if loss_bound is not None and not stepper.evaluate(data.x_train, data.y_train) < loss_bound:
        return False
    if accuracy_bound is not None:
        accuracy = stepper.accuracy(*data.scored)
        return accuracy is not None and accuracy >= accuracy_bound
    return True
