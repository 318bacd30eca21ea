"""The phase-by-phase stepper: one training step taken apart into micro-steps.

A training step on a batch is, for a network of L weight layers, the micro-steps

    forward layer 0, …, forward layer L−1, error, backward layer L−1, …, backward layer 0, update

(2L + 2 in all). `micro_step()` does the next one; `finish_phase()`, `finish_step()` and
`run(n)` call the very same kernels in the same order, so every path gives bit-identical numbers.

Between micro-steps the stepper exposes, per weight layer l: z, a and δ of the current batch
(m, n_out), the gradients dW (n_out, n_in) and db (n_out,), the pending update, the current
weights W, b and, after an update, the weights before it (`w_before`, `b_before`).

The update is the optimizer's (`optimizers`), with the learning rate η_t of the schedule
(`schedules`) at step t; the optimizer's state buffers (B, P) are double-buffered like the
parameters, so the state before the last update stays readable (`opt_before`).

`history` (see `history.History`) records the cost of every step's batch, from the forward pass
the step does anyway, and the costs of the whole training and held-out sets every
`eval_every` steps: every step with full batches (where the batch is the training set, so it
is free), once per epoch with mini-batches. A step costs what its batch costs.
A non-finite cost sets `diverged`, after which no further micro-step runs until `reset()`.

With `trace` on, each completed step also appends a row of gradient health (`health.Trace`:
gradient norms, update-to-weight ratios, saturated and dead units per layer) to the history.
With `checking_updates` on, each completed step also appends the update check to the history
(`History.first_order`): the first-order prediction ∇C·Δθ of the change of its batch's cost and
the actual change, for one more forward pass of the batch; off, it costs nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum

import numpy as np

from bptui.engine import kernels, metrics
from bptui.engine.health import Trace
from bptui.engine.history import History, Series
from bptui.engine.initializers import initial_parameters
from bptui.engine.kernels import Parameters, Plan, Workspace
from bptui.engine.spec import Dataset, NetworkSpec, TrainingSpec


class Phase(str, Enum):  # noqa: UP042 (StrEnum would change str(phase) in messages)
    """What a micro-step computes. READY means nothing of the current step is computed yet."""

    READY = "ready"
    FORWARD = "forward"
    ERROR = "error"
    BACKWARD = "backward"
    UPDATE = "update"


@dataclass(frozen=True)
class MicroStep:
    """One micro-step: its phase and the weight layer it computed (None for the update)."""

    phase: Phase
    layer: int | None
    step: int

    def describe(self, depth: int | None = None) -> str:
        """E.g. 'forward layer 1', 'error', 'backward layer 2/3' (with the depth), 'update'."""
        if self.phase in (Phase.FORWARD, Phase.BACKWARD):
            of = f"/{depth}" if depth is not None else ""
            return f"{self.phase.value} layer {self.layer + 1}{of}"
        return self.phase.value


@dataclass(frozen=True, eq=False)
class StepperState:
    """A copy of everything that determines the stepper's future and what it shows: for undo
    and sessions. Parameter sets are flat vectors (P,); optimizer states (B, P); z, a, δ per
    layer (m, n_out).

    A light state (for undo) has no z, a, δ and only the lengths of the history series: it is
    restored on the same timeline, at a step boundary, before replaying micro-steps.
    """

    params: np.ndarray
    before: np.ndarray
    grads: np.ndarray
    applied: np.ndarray
    opt_state: np.ndarray
    opt_before: np.ndarray
    opt_t: int
    z: tuple[np.ndarray, ...] | None
    a: tuple[np.ndarray, ...] | None
    delta: tuple[np.ndarray, ...] | None
    position: int
    step: int
    batch_start: int
    batch_rows: np.ndarray | None
    history: History | tuple[int, ...]
    learning_rate: float
    diverged: bool
    last_cost: float

    @property
    def light(self) -> bool:
        """Whether z, a, δ and the histories were left out."""
        return self.z is None


def _copies(arrays) -> tuple[np.ndarray, ...]:
    return tuple(np.array(x, copy=True) for x in arrays)


class Stepper:
    """Trains a network on a dataset one micro-step, phase, step or many steps at a time."""

    def __init__(
        self,
        spec: NetworkSpec,
        training: TrainingSpec,
        data: Dataset,
        seed: int = 0,
        weights: list[tuple[np.ndarray, np.ndarray]] | None = None,
        trace: bool = False,
    ):
        self.spec = spec
        self._tracing = trace
        self._trace_rows: int | None = None
        self._max_points: int | None = None
        self._checking = False
        self._check_workspaces: dict[int, Workspace] = {}
        self.training = training
        self.data = data
        self.seed = seed
        self.pinned = weights
        self.plan = Plan(spec)
        self.learning_rate = float(training.learning_rate)
        self.optimizer = training.make_optimizer()
        self.schedule = training.make_schedule()
        self.m_train = data.x_train.shape[0]
        size = training.batch_size
        self.batch_size = self.m_train if size <= 0 or size >= self.m_train else size
        self.batches_per_epoch = -(-self.m_train // self.batch_size)
        self.eval_every = training.eval_every or (1 if self.full_batch else self.batches_per_epoch)
        self._preview: tuple[Parameters, np.ndarray] | None = None
        self.version = 0
        self._workspaces: dict[int, Workspace] = {}
        self._eval_workspaces: dict[int, Workspace] = {}
        self.reset()

    # ----- set-up ---------------------------------------------------------------------------

    def initial_parameters(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """The preset's pinned weights, or fresh ones from the seeded generator."""
        if self.pinned is not None:
            return [
                (np.array(w, dtype=np.float64), np.array(b, dtype=np.float64))
                for w, b in self.pinned
            ]
        rng = np.random.default_rng(np.random.SeedSequence(self.seed).spawn(2)[1])
        return initial_parameters(self.spec, rng)

    def reset(self) -> None:
        """Back to the initial weights (same seed), step 0, fresh optimizer state, no history."""
        shapes = self.spec.weight_shapes()
        self.params = Parameters(shapes)
        for layer, (w, b) in enumerate(self.initial_parameters()):
            self.params.w[layer][...] = w
            self.params.b[layer][...] = b
        self.before = self.params.copy()
        self.grads = Parameters(shapes)
        self.applied = Parameters(shapes)
        self.reset_optimizer()
        self.position = 0
        self.step = 0
        self.batch_start = 0
        self.batch_rows: np.ndarray | None = None
        self.ws = self._workspace(self.batch_size)
        for arrays in (self.ws.z, self.ws.a, self.ws.delta):
            for x in arrays:
                x.fill(0.0)
        self.history = History(
            trace=self._new_trace() if self._tracing else None,
            first_order=self._new_checks() if self._checking else None,
            max_points=self._max_points,
        )
        self.diverged = False
        self.last_cost = math.nan
        self._perm_epoch = -1
        self._perm: np.ndarray | None = None
        self.version += 1

    def reset_optimizer(self) -> None:
        """The optimizer's state back to zero and its update count t to 0 (weights kept)."""
        size = self.params.flat.size
        self.opt_state = self.optimizer.new_state(size)
        self.opt_before = self.optimizer.new_state(size)
        self.opt_t = 0

    @property
    def trace(self) -> Trace | None:
        """The gradient-health record (`health.Trace`, part of the history), None when off."""
        return self.history.trace

    @trace.setter
    def trace(self, value: Trace | bool | None) -> None:
        """Turn the record on (True or a Trace; steps before now are nan rows) or off; a
        reset keeps the choice."""
        if value is True:
            value = Trace.for_stepper(self)
        elif value is False:
            value = None
        self._tracing = value is not None
        self._trace_rows = None if value is None else value.max_rows
        self.history.trace = value

    def _new_trace(self) -> Trace:
        """An empty trace like the one turned on (with its row limit)."""
        return Trace(
            self.spec.weight_shapes(), max_rows=self._trace_rows, max_points=self._max_points
        )

    def _new_checks(self) -> Series:
        """An empty record of update checks (`History.first_order`), bounded like the history."""
        return Series(np.float64, row=(2,), max_points=self._max_points)

    def bound_history(self, max_points: int) -> None:
        """Keep at most about `max_points` values of each history series and trace rows, at
        any number of steps: every k-th step's (k doubling as needed) and the latest
        (`history.Series`). For long headless runs (`bptui train`, `bptui compare`); the
        explorer's undo and edits need the whole history. Before the first step only."""
        if self.step or len(self.history.batch_loss) or len(self.history.eval_steps):
            raise ValueError("bound_history goes before the first step")
        self._max_points = max_points
        self.history = History(
            trace=self._new_trace() if self._tracing else None,
            first_order=self._new_checks() if self._checking else None,
            max_points=max_points,
        )

    def _record_trace(self) -> None:
        """The trace's row of the step whose update was just applied (a history that came
        without a trace, from a state saved before it was on, gets a fresh one)."""
        if self.history.trace is None:
            self.history.trace = self._new_trace()
        self.history.trace.record(self)

    @property
    def checking_updates(self) -> bool:
        """Whether each update's first-order check is recorded (`History.first_order`)."""
        return self._checking

    @checking_updates.setter
    def checking_updates(self, on: bool) -> None:
        """Turn the update check on (steps before now are nan rows) or off; a reset keeps the
        choice."""
        self._checking = bool(on)
        if not on:
            self.history.first_order = None
        elif self.history.first_order is None:
            self.history.first_order = self._new_checks()

    def _record_first_order(self) -> None:
        """The update check of the step whose update was just applied (params hold θ + Δθ,
        grads ∇C at θ, last_cost C(θ) of the batch): one forward pass of the batch."""
        checks = self.history.first_order
        if checks is None:
            checks = self.history.first_order = self._new_checks()
        if len(checks) > self.step:
            return
        while len(checks) < self.step:
            checks.next_row().fill(np.nan)
        m = self.ws.m
        ws = self._check_workspaces.get(m)
        if ws is None:
            ws = self._check_workspaces[m] = Workspace(self.spec, m)
        kernels.forward(self.plan, self.params.w, self.params.b, self._batch_x, ws)
        after = kernels.cost(self.plan, self.training.l2, self.params.w, self._batch_y, ws)
        row = checks.next_row()
        row[0] = np.dot(self.grads.flat, self.applied.flat)
        row[1] = after - self.last_cost

    @property
    def weights(self) -> list[np.ndarray]:
        """Current W per layer, (n_out, n_in). Views: read them afresh after every micro-step."""
        return self.params.w

    @property
    def biases(self) -> list[np.ndarray]:
        """Current b per layer, (n_out,)."""
        return self.params.b

    @property
    def w_before(self) -> list[np.ndarray]:
        """W before the last update (equal to W before the first one)."""
        return self.before.w

    @property
    def b_before(self) -> list[np.ndarray]:
        """b before the last update."""
        return self.before.b

    @property
    def dw(self) -> list[np.ndarray]:
        """∂C/∂W of the current batch per layer, (n_out, n_in), with the L2 term."""
        return self.grads.w

    @property
    def db(self) -> list[np.ndarray]:
        """∂C/∂b of the current batch per layer, (n_out,)."""
        return self.grads.b

    def buffer(self, name: str, before: bool = False) -> Parameters:
        """The optimizer's state buffer `name` (e.g. Adam's "m") as per-layer views; with
        `before`, its value before the last update."""
        index = [b for b, _ in self.optimizer.buffers].index(name)
        return Parameters(
            self.params.shapes, (self.opt_before if before else self.opt_state)[index]
        )

    def _workspace(self, m: int) -> Workspace:
        ws = self._workspaces.get(m)
        if ws is None:
            ws = self._workspaces[m] = Workspace(self.spec, m)
        return ws

    def _eval_workspace(self, m: int) -> Workspace:
        ws = self._eval_workspaces.get(m)
        if ws is None:
            if len(self._eval_workspaces) > 8:
                self._eval_workspaces.clear()
            ws = self._eval_workspaces[m] = Workspace(self.spec, m)
        return ws

    # ----- where we are ---------------------------------------------------------------------

    @property
    def depth(self) -> int:
        """Number of weight layers L."""
        return self.plan.depth

    @property
    def steps_per_training_step(self) -> int:
        """Micro-steps in one training step: 2L + 2."""
        return 2 * self.depth + 2

    @property
    def epoch(self) -> float:
        """Epochs completed, fractional: steps / batches per epoch."""
        return self.step / self.batches_per_epoch

    @property
    def full_batch(self) -> bool:
        """Whether every step uses the whole training set."""
        return self.batch_size == self.m_train

    def _micro(self, position: int, step: int) -> MicroStep:
        depth = self.depth
        if position == 0:
            return MicroStep(Phase.READY, None, step)
        if position <= depth:
            return MicroStep(Phase.FORWARD, position - 1, step)
        if position == depth + 1:
            return MicroStep(Phase.ERROR, depth - 1, step)
        if position <= 2 * depth + 1:
            return MicroStep(Phase.BACKWARD, 2 * depth + 1 - position, step)
        return MicroStep(Phase.UPDATE, None, step)

    @property
    def last(self) -> MicroStep:
        """The micro-step computed last (phase READY before the first one)."""
        step = self.step - 1 if self.position == self.steps_per_training_step else self.step
        return self._micro(self.position, step)

    @property
    def phase(self) -> Phase:
        """Phase of the last micro-step."""
        return self.last.phase

    @property
    def layer(self) -> int | None:
        """Weight layer the last micro-step computed."""
        return self.last.layer

    @property
    def next(self) -> MicroStep:
        """The micro-step `micro_step()` would do."""
        if self.position == self.steps_per_training_step:
            return self._micro(1, self.step)
        return self._micro(self.position + 1, self.step)

    def forward_done(self, layer: int) -> bool:
        """Whether z, a of `layer` belong to the current step."""
        return self.position > layer and self.position != 0

    def error_done(self) -> bool:
        """Whether the output δ and the batch cost belong to the current step."""
        return self.position > self.depth

    def delta_done(self, layer: int) -> bool:
        """Whether δ of `layer` belongs to the current step (error, or a backward micro-step)."""
        return self.position >= 2 * self.depth - layer

    def gradient_done(self, layer: int) -> bool:
        """Whether dW, db of `layer` belong to the current step."""
        return self.position >= 2 * self.depth + 1 - layer

    @property
    def updated(self) -> bool:
        """Whether the last micro-step was an update (w_before holds the weights before it)."""
        return self.position == self.steps_per_training_step

    # ----- the batch --------------------------------------------------------------------------

    def batch_bounds(self, step: int) -> tuple[int, int]:
        """(start, stop) of the training rows of step `step`'s batch (in epoch order)."""
        start = (step % self.batches_per_epoch) * self.batch_size
        return start, min(start + self.batch_size, self.m_train)

    def _permutation(self, epoch: int) -> np.ndarray:
        """The seeded order of the training rows in epoch `epoch` (a fresh array)."""
        rng = np.random.default_rng(np.random.SeedSequence((self.seed, 0x5EED, epoch)))
        return rng.permutation(self.m_train)

    def _epoch_permutation(self, epoch: int) -> np.ndarray:
        if epoch != self._perm_epoch:
            self._perm = self._permutation(epoch)
            self._perm_epoch = epoch
        return self._perm

    def step_batch(self, step: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(x (m, n_in), y (m, K), training rows (m,)) of step `step`'s batch, as fresh arrays;
        nothing of the stepper changes (for probes that must leave it as it is)."""
        start, stop = self.batch_bounds(step)
        if self.training.shuffle and not self.full_batch:
            epoch = step // self.batches_per_epoch
            order = self._perm if epoch == self._perm_epoch else self._permutation(epoch)
            rows = np.array(order[start:stop])
            return self.data.x_train[rows], self.data.y_train[rows], rows
        return (
            self.data.x_train[start:stop].copy(),
            self.data.y_train[start:stop].copy(),
            np.arange(start, stop),
        )

    def _begin_step(self) -> None:
        """Choose the batch of the current step and its buffers."""
        start, stop = self.batch_bounds(self.step)
        self.batch_start = start
        self.ws = self._workspace(stop - start)
        rows = None
        if self.training.shuffle and not self.full_batch:
            rows = self._epoch_permutation(self.step // self.batches_per_epoch)[start:stop]
        self._load_batch(rows)
        if not self.full_batch and self.step % self.eval_every == 0:
            self.record_loss()

    def _load_batch(self, rows: np.ndarray | None) -> None:
        """Point the batch at training rows batch_start.. (views) or gather shuffled `rows`
        into the workspace's buffers (m, n_in) and (m, K)."""
        ws = self.ws
        self.batch_rows = rows
        if rows is not None:
            np.take(self.data.x_train, rows, axis=0, out=ws.x)
            np.take(self.data.y_train, rows, axis=0, out=ws.y)
            self._batch_x, self._batch_y = ws.x, ws.y
        else:
            stop = self.batch_start + ws.m
            self._batch_x = self.data.x_train[self.batch_start : stop]
            self._batch_y = self.data.y_train[self.batch_start : stop]

    @property
    def batch_x(self) -> np.ndarray:
        """Inputs of the current batch, (m, n_in)."""
        if self.position == 0:
            start, stop = self.batch_bounds(self.step)
            return self.data.x_train[start:stop] if self.batch_rows is None else self._batch_x
        return self._batch_x

    @property
    def batch_y(self) -> np.ndarray:
        """Targets of the current batch, (m, K)."""
        if self.position == 0:
            start, stop = self.batch_bounds(self.step)
            return self.data.y_train[start:stop]
        return self._batch_y

    @property
    def batch_indices(self) -> np.ndarray:
        """Training-set row of each sample in the current batch, (m,)."""
        if self.batch_rows is not None:
            return self.batch_rows
        start = self.batch_start if self.position else self.batch_bounds(self.step)[0]
        return np.arange(start, start + self.ws.m)

    def layer_input(self, layer: int) -> np.ndarray:
        """a_in of `layer` for the current batch: the inputs, or the layer below's a."""
        return self.batch_x if layer == 0 else self.ws.a[layer - 1]

    # ----- micro-steps ------------------------------------------------------------------------

    def _forward(self, layer: int) -> None:
        kernels.forward_layer(
            self.plan,
            layer,
            self.params.w[layer],
            self.params.b[layer],
            self.layer_input(layer),
            self.ws,
        )

    def _error(self) -> None:
        cost = kernels.cost(
            self.plan, self.training.l2, self.weights, self._batch_y, self.ws, self.training.l1
        )
        self.last_cost = cost
        history = self.history
        if len(history.batch_loss) == self.step:
            history.batch_loss.append(cost)
        if (
            self.full_batch
            and self.step % self.eval_every == 0
            and not history.evaluated_at(self.step)
        ):
            self._append_evaluation(cost)
        if not math.isfinite(cost):
            self.diverged = True
        kernels.output_error(self.plan, self._batch_y, self.ws)

    def _backward(self, layer: int) -> None:
        kernels.backward_layer(
            self.plan,
            layer,
            self.params.w[layer],
            self.layer_input(layer),
            self.training.l2,
            self.ws,
            self.grads.w[layer],
            self.grads.b[layer],
            self.training.l1,
        )

    def rate(self, step: int | None = None) -> float:
        """η_t: the schedule's learning rate at training step t (default: the current step)."""
        return self.schedule.rate(self.learning_rate, self.step if step is None else step)

    @property
    def last_rate(self) -> float:
        """η_t of the step whose update was applied last (after an update), else of this step."""
        return self.rate(self.step - 1 if self.updated else self.step)

    def _update(self) -> None:
        self.opt_t += 1
        self.optimizer.step(
            self.grads.flat,
            self.params.flat,
            self.rate(),
            self.opt_t,
            self.opt_state,
            self.opt_before,
            self.applied.flat,
        )
        np.add(self.params.flat, self.applied.flat, out=self.before.flat)
        self.before, self.params = self.params, self.before
        self.opt_before, self.opt_state = self.opt_state, self.opt_before
        if self._tracing:
            self._record_trace()
        if self._checking:
            self._record_first_order()
        self.step += 1
        self.version += 1

    def _do(self, position: int) -> None:
        depth = self.depth
        if position == 1:
            self._begin_step()
        if position <= depth:
            self._forward(position - 1)
        elif position == depth + 1:
            self._error()
        elif position <= 2 * depth + 1:
            self._backward(2 * depth + 1 - position)
        else:
            self._update()
        self.position = position

    def micro_step(self) -> MicroStep | None:
        """Do the next micro-step and return it; None (and nothing done) once diverged."""
        if self.diverged:
            return None
        position = 1 if self.position == self.steps_per_training_step else self.position + 1
        with np.errstate(all="ignore"):
            self._do(position)
        return self.last

    def finish_phase(self) -> list[MicroStep]:
        """Micro-steps until the phase of the next micro-step is done."""
        target = self.next.phase
        done = []
        while not self.diverged:
            done.append(self.micro_step())
            if self.next.phase != target or self.position == self.steps_per_training_step:
                break
        return done

    def run_until(self, phase: Phase) -> list[MicroStep]:
        """Micro-steps until one of `phase` has been done; returns all of them."""
        done = []
        while not self.diverged:
            micro = self.micro_step()
            done.append(micro)
            if micro.phase == phase:
                break
        return done

    def finish_step(self) -> list[MicroStep]:
        """Micro-steps until the current training step's update is done."""
        done = []
        while not self.diverged:
            done.append(self.micro_step())
            if self.position == self.steps_per_training_step:
                break
        return done

    def run(self, steps: int, should_stop=None) -> int:
        """Finish the current step, then train `steps` whole steps in total; returns steps done.

        The fast loop calls the same kernels as `micro_step` without its bookkeeping.
        `should_stop()`, if given, is polled between steps.
        """
        start = self.step
        with np.errstate(all="ignore"):
            if 0 < self.position < self.steps_per_training_step:
                self.finish_step()
            depth = self.depth
            while self.step - start < steps and not self.diverged:
                if should_stop is not None and should_stop():
                    break
                self._begin_step()
                if self.diverged:
                    break
                for layer in range(depth):
                    self._forward(layer)
                self._error()
                if self.diverged:
                    self.position = depth + 1
                    break
                for layer in range(depth - 1, -1, -1):
                    self._backward(layer)
                self._update()
                self.position = self.steps_per_training_step
        return self.step - start

    def restart_step(self) -> None:
        """After an edit of the weights or settings: the current step starts again from its
        forward pass, and the loss at the (changed) current weights is computed afresh."""
        self.position = 0
        self.history.forget_from(self.step)
        self.diverged = False
        self.last_cost = math.nan
        self.version += 1

    def adopt(self, other: Stepper) -> bool:
        """Take over another stepper's weights, step counter and history (same layer sizes), at
        the start of its current step: for settings changed mid-session. The optimizer's state
        is kept when the optimizer is the same one, else it starts afresh; returns whether kept."""
        for mine, theirs in (
            (self.params, other.params),
            (self.before, other.before),
            (self.applied, other.applied),
        ):
            np.copyto(mine.flat, theirs.flat)
        self.step = other.step
        self.history = other.history.copy()
        kept = other.optimizer.name == self.optimizer.name
        if kept:
            np.copyto(self.opt_state, other.opt_state)
            np.copyto(self.opt_before, other.opt_before)
            self.opt_t = other.opt_t
        else:
            self.reset_optimizer()
        self.restart_step()
        return kept

    # ----- pending update ---------------------------------------------------------------------

    def pending_update(self) -> Parameters:
        """ΔW, Δb (per-layer views) that the update would apply now (valid once the gradients are
        done); after an update, the update just applied. Computed by the optimizer on scratch
        buffers: nothing of the stepper's state changes."""
        if self.updated:
            return self.applied
        if self._preview is None:
            self._preview = (Parameters(self.params.shapes), np.empty_like(self.opt_state))
        delta, state = self._preview
        with np.errstate(all="ignore"):
            self.optimizer.step(
                self.grads.flat,
                self.params.flat,
                self.rate(),
                self.opt_t + 1,
                self.opt_state,
                state,
                delta.flat,
            )
        return delta

    # ----- evaluation ---------------------------------------------------------------------------

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Network outputs (m, K) for inputs x (m, n_in) at the current weights."""
        if x.shape[0] == 0:
            return np.empty((0, self.spec.layers[-1]))
        ws = self._eval_workspace(x.shape[0])
        with np.errstate(all="ignore"):
            return kernels.forward(self.plan, self.weights, self.biases, x, ws)

    def evaluate(self, x: np.ndarray, y: np.ndarray) -> float:
        """Cost of (x, y) at the current weights with the L2 term (m = len(x)); nan if empty."""
        return self.assess(x, y)[0]

    def assess(self, x: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
        """(cost as `evaluate`, outputs (m, K)) from one forward pass; the outputs are a view
        of a scratch buffer, valid until the next evaluation of a set of the same size."""
        if x.shape[0] == 0:
            return math.nan, np.empty((0, self.spec.layers[-1]))
        ws = self._eval_workspace(x.shape[0])
        with np.errstate(all="ignore"):
            outputs = kernels.forward(self.plan, self.weights, self.biases, x, ws)
            return (
                kernels.cost(self.plan, self.training.l2, self.weights, y, ws, self.training.l1),
                outputs,
            )

    def _append_evaluation(self, cost: float) -> None:
        history = self.history
        history.eval_steps.append(self.step)
        history.loss.append(cost)
        if self.data.has_test:
            history.test_loss.append(self.evaluate(self.data.x_test, self.data.y_test))
        if not math.isfinite(cost):
            self.diverged = True

    def record_loss(self) -> float:
        """Make sure the history has the whole-set costs at the current weights; return the
        training-set cost."""
        if not self.history.evaluated_at(self.step):
            self._append_evaluation(self.evaluate(self.data.x_train, self.data.y_train))
        return float(self.history.loss[-1])

    @property
    def loss(self) -> float:
        """Training-set cost at the current weights (evaluated and recorded once per step)."""
        return self.record_loss()

    @property
    def test_loss(self) -> float | None:
        """Held-out cost at the current weights, None without a held-out set."""
        if not self.data.has_test:
            return None
        self.record_loss()
        return float(self.history.test_loss[-1])

    @property
    def loss_history(self) -> np.ndarray:
        """Training-set costs at the evaluation steps (a view)."""
        return self.history.loss.values

    @property
    def test_loss_history(self) -> np.ndarray:
        """Held-out costs at the evaluation steps (a view; empty without a held-out set)."""
        return self.history.test_loss.values

    def accuracy(self, x: np.ndarray, y: np.ndarray) -> float | None:
        """Fraction classified right (argmax, or 0.5 threshold for one output); None if n/a."""
        if self.data.task != "classification" or x.shape[0] == 0:
            return None
        return metrics.accuracy(self.predict(x), y)

    # ----- state for undo and sessions -------------------------------------------------------

    @property
    def micro_index(self) -> int:
        """Micro-steps done since the start (or reset): step·(2L + 2) + position."""
        per = self.steps_per_training_step
        step = self.step - 1 if self.position == per else self.step
        return step * per + self.position

    def state(self, light: bool = False) -> StepperState:
        """A deep copy of the stepper's state (without z, a, δ and histories if `light`)."""
        ws = self.ws
        return StepperState(
            self.params.flat.copy(),
            self.before.flat.copy(),
            self.grads.flat.copy(),
            self.applied.flat.copy(),
            self.opt_state.copy(),
            self.opt_before.copy(),
            self.opt_t,
            None if light else _copies(ws.z),
            None if light else _copies(ws.a),
            None if light else _copies(ws.delta),
            self.position,
            self.step,
            self.batch_start,
            None if self.batch_rows is None else self.batch_rows.copy(),
            self.history.lengths() if light else self.history.copy(),
            self.learning_rate,
            self.diverged,
            self.last_cost,
        )

    def restore(self, state: StepperState) -> None:
        """Return exactly to a state from `state()` (a light one: see StepperState)."""
        for mine, saved in (
            (self.params.flat, state.params),
            (self.before.flat, state.before),
            (self.grads.flat, state.grads),
            (self.applied.flat, state.applied),
            (self.opt_state, state.opt_state),
            (self.opt_before, state.opt_before),
        ):
            np.copyto(mine, saved)
        self.opt_t = state.opt_t
        self.position = state.position
        self.step = state.step
        self.batch_start = state.batch_start
        self.batch_rows = None if state.batch_rows is None else state.batch_rows.copy()
        if state.light:
            start, stop = self.batch_bounds(
                self.step - (self.position == self.steps_per_training_step)
            )
            self.ws = ws = self._workspace(stop - start)
        else:
            self.ws = ws = self._workspace(state.z[0].shape[0])
            for mine, saved in ((ws.z, state.z), (ws.a, state.a), (ws.delta, state.delta)):
                for dst, src in zip(mine, saved):
                    np.copyto(dst, src)
        if self.position or self.batch_rows is not None:
            self._load_batch(self.batch_rows)
        if state.light:
            self.history.truncate_to(state.history)
        else:
            self.history = state.history.copy()
        self.learning_rate = state.learning_rate
        self.diverged = state.diverged
        self.last_cost = state.last_cost
        self.version += 1

    def gradient_check(self, max_entries: int = 400):
        """Numerical vs analytic gradients per layer on the current batch at the current weights."""
        from bptui.engine.gradcheck import gradient_check

        return gradient_check(
            self.spec,
            self.training.l2,
            self.weights,
            self.biases,
            np.ascontiguousarray(self.batch_x),
            np.ascontiguousarray(self.batch_y),
            max_entries=max_entries,
            seed=self.seed,
            l1=self.training.l1,
        )
