"""The phase-by-phase stepper: one training step taken apart into micro-steps.

A training step on a batch is, for a network of L weight layers, the micro-steps

    forward layer 0, …, forward layer L−1, error, backward layer L−1, …, backward layer 0, update

(2L + 2 in all). `micro_step()` does the next one; `finish_phase()`, `finish_step()` and
`run(n)` call the very same kernels in the same order, so every path gives bit-identical numbers.

Between micro-steps the stepper exposes, per weight layer l: z, a and δ of the current batch
(m, n_out), the gradients dW (n_out, n_in) and db (n_out,), the pending update, the current
weights W, b and, after an update, the weights before it (`w_before`, `b_before`).

`loss_history[i]` is the training-set cost (with the L2 term, m = training-set size) at the
weights before step i; `test_loss_history[i]` the same on the held-out set, when there is one.
A non-finite cost sets `diverged`, after which no further micro-step runs until `reset()`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum

import numpy as np

from bptui.engine import kernels, metrics
from bptui.engine.initializers import initial_parameters
from bptui.engine.kernels import Parameters, Plan, Workspace
from bptui.engine.spec import Dataset, NetworkSpec, TrainingSpec


class Phase(str, Enum):
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
    and sessions. Parameter sets are flat vectors (P,); z, a, δ per layer (m, n_out).

    A light state (for undo) has no z, a, δ and only the lengths of the loss histories: it is
    restored on the same timeline, at a step boundary, before replaying micro-steps.
    """

    params: np.ndarray
    before: np.ndarray
    velocity: np.ndarray
    grads: np.ndarray
    z: tuple[np.ndarray, ...] | None
    a: tuple[np.ndarray, ...] | None
    delta: tuple[np.ndarray, ...] | None
    position: int
    step: int
    batch_start: int
    batch_rows: np.ndarray | None
    loss_history: tuple[float, ...] | int
    test_loss_history: tuple[float, ...] | int
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

    def __init__(self, spec: NetworkSpec, training: TrainingSpec, data: Dataset, seed: int = 0,
                 weights: list[tuple[np.ndarray, np.ndarray]] | None = None):
        self.spec = spec
        self.training = training
        self.data = data
        self.seed = seed
        self.pinned = weights
        self.plan = Plan(spec)
        self.learning_rate = float(training.learning_rate)
        self.m_train = data.x_train.shape[0]
        size = training.batch_size
        self.batch_size = self.m_train if size <= 0 or size >= self.m_train else size
        self.batches_per_epoch = -(-self.m_train // self.batch_size)
        self._workspaces: dict[int, Workspace] = {}
        self._eval_workspaces: dict[int, Workspace] = {}
        self.reset()

    # ----- set-up ---------------------------------------------------------------------------

    def initial_parameters(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """The preset's pinned weights, or fresh ones from the seeded generator."""
        if self.pinned is not None:
            return [(np.array(w, dtype=np.float64), np.array(b, dtype=np.float64))
                    for w, b in self.pinned]
        rng = np.random.default_rng(np.random.SeedSequence(self.seed).spawn(2)[1])
        return initial_parameters(self.spec, rng)

    def reset(self) -> None:
        """Back to the initial weights (same seed), step 0, empty history."""
        shapes = self.spec.weight_shapes()
        self.params = Parameters(shapes)
        for layer, (w, b) in enumerate(self.initial_parameters()):
            self.params.w[layer][...] = w
            self.params.b[layer][...] = b
        self.before = self.params.copy()
        self.velocity = Parameters(shapes)
        self._spare_velocity = Parameters(shapes)
        self.grads = Parameters(shapes)
        self.position = 0
        self.step = 0
        self.batch_start = 0
        self.batch_rows: np.ndarray | None = None
        self.ws = self._workspace(self.batch_size)
        for arrays in (self.ws.z, self.ws.a, self.ws.delta):
            for x in arrays:
                x.fill(0.0)
        self.loss_history: list[float] = []
        self.test_loss_history: list[float] = []
        self.diverged = False
        self.last_cost = math.nan
        self._perm_epoch = -1
        self._perm: np.ndarray | None = None

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

    @property
    def velocity_w(self) -> list[np.ndarray]:
        """Momentum velocity v of W (the last update applied)."""
        return self.velocity.w

    @property
    def velocity_b(self) -> list[np.ndarray]:
        """Momentum velocity v of b."""
        return self.velocity.b

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

    def _batch_bounds(self, step: int) -> tuple[int, int]:
        start = (step % self.batches_per_epoch) * self.batch_size
        return start, min(start + self.batch_size, self.m_train)

    def _epoch_permutation(self, epoch: int) -> np.ndarray:
        if epoch != self._perm_epoch:
            rng = np.random.default_rng(np.random.SeedSequence((self.seed, 0x5EED, epoch)))
            self._perm = rng.permutation(self.m_train)
            self._perm_epoch = epoch
        return self._perm

    def _begin_step(self) -> None:
        """Choose the batch of the current step and its buffers."""
        start, stop = self._batch_bounds(self.step)
        self.batch_start = start
        self.ws = self._workspace(stop - start)
        rows = None
        if self.training.shuffle and not self.full_batch:
            rows = self._epoch_permutation(self.step // self.batches_per_epoch)[start:stop]
        self._load_batch(rows)
        if not self.full_batch:
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
            self._batch_x = self.data.x_train[self.batch_start:stop]
            self._batch_y = self.data.y_train[self.batch_start:stop]

    @property
    def batch_x(self) -> np.ndarray:
        """Inputs of the current batch, (m, n_in)."""
        if self.position == 0:
            start, stop = self._batch_bounds(self.step)
            return self.data.x_train[start:stop] if self.batch_rows is None else self._batch_x
        return self._batch_x

    @property
    def batch_y(self) -> np.ndarray:
        """Targets of the current batch, (m, K)."""
        if self.position == 0:
            start, stop = self._batch_bounds(self.step)
            return self.data.y_train[start:stop]
        return self._batch_y

    @property
    def batch_indices(self) -> np.ndarray:
        """Training-set row of each sample in the current batch, (m,)."""
        if self.batch_rows is not None:
            return self.batch_rows
        start = self.batch_start if self.position else self._batch_bounds(self.step)[0]
        return np.arange(start, start + self.ws.m)

    def layer_input(self, layer: int) -> np.ndarray:
        """a_in of `layer` for the current batch: the inputs, or the layer below's a."""
        return self.batch_x if layer == 0 else self.ws.a[layer - 1]

    # ----- micro-steps ------------------------------------------------------------------------

    def _forward(self, layer: int) -> None:
        kernels.forward_layer(self.plan, layer, self.params.w[layer], self.params.b[layer],
                              self.layer_input(layer), self.ws)

    def _error(self) -> None:
        cost = kernels.cost(self.plan, self.training.l2, self.weights, self._batch_y, self.ws)
        self.last_cost = cost
        if self.full_batch and len(self.loss_history) == self.step:
            self._append_history(cost)
        if not math.isfinite(cost):
            self.diverged = True
        kernels.output_error(self.plan, self._batch_y, self.ws)

    def _backward(self, layer: int) -> None:
        kernels.backward_layer(self.plan, layer, self.params.w[layer], self.layer_input(layer),
                               self.training.l2, self.ws, self.grads.w[layer], self.grads.b[layer])

    def _update(self) -> None:
        new_velocity = self._spare_velocity
        kernels.update_step(self.grads.flat, self.velocity.flat, self.learning_rate,
                            self.training.momentum, new_velocity.flat)
        np.add(self.params.flat, new_velocity.flat, out=self.before.flat)
        self.before, self.params = self.params, self.before
        self._spare_velocity, self.velocity = self.velocity, new_velocity
        self.step += 1

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
        del self.loss_history[self.step:]
        del self.test_loss_history[self.step:]
        self.diverged = False
        self.last_cost = math.nan

    def adopt(self, other: "Stepper") -> None:
        """Take over another stepper's weights, momentum, step counter and loss history (same
        layer sizes), at the start of its current step: for settings changed mid-session."""
        np.copyto(self.params.flat, other.params.flat)
        np.copyto(self.before.flat, other.before.flat)
        np.copyto(self.velocity.flat, other.velocity.flat)
        self.step = other.step
        self.loss_history = list(other.loss_history)
        self.test_loss_history = list(other.test_loss_history)
        self.restart_step()

    # ----- pending update ---------------------------------------------------------------------

    def pending_update(self, layer: int) -> tuple[np.ndarray, np.ndarray]:
        """ΔW, Δb the update would apply now: μ·v − η·∇C (valid once the gradients are done).

        After an update it is the update just applied.
        """
        if self.updated:
            return self.velocity.w[layer], self.velocity.b[layer]
        lr, mu = self.learning_rate, self.training.momentum
        return (kernels.update_step(self.grads.w[layer], self.velocity.w[layer], lr, mu,
                                    np.empty_like(self.grads.w[layer])),
                kernels.update_step(self.grads.b[layer], self.velocity.b[layer], lr, mu,
                                    np.empty_like(self.grads.b[layer])))

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
        if x.shape[0] == 0:
            return math.nan
        ws = self._eval_workspace(x.shape[0])
        with np.errstate(all="ignore"):
            kernels.forward(self.plan, self.weights, self.biases, x, ws)
            return kernels.cost(self.plan, self.training.l2, self.weights, y, ws)

    def _append_history(self, cost: float) -> None:
        self.loss_history.append(cost)
        if self.data.has_test:
            self.test_loss_history.append(self.evaluate(self.data.x_test, self.data.y_test))
        if not math.isfinite(cost):
            self.diverged = True

    def record_loss(self) -> float:
        """Make sure the history has the training-set cost at the current weights; return it."""
        if len(self.loss_history) <= self.step:
            self._append_history(self.evaluate(self.data.x_train, self.data.y_train))
        return self.loss_history[self.step]

    @property
    def loss(self) -> float:
        """Training-set cost at the current weights (computed once per step)."""
        return self.record_loss()

    @property
    def test_loss(self) -> float | None:
        """Held-out cost at the current weights, None without a held-out set."""
        if not self.data.has_test:
            return None
        self.record_loss()
        return self.test_loss_history[self.step]

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
            self.params.flat.copy(), self.before.flat.copy(), self.velocity.flat.copy(),
            self.grads.flat.copy(), None if light else _copies(ws.z),
            None if light else _copies(ws.a), None if light else _copies(ws.delta),
            self.position, self.step, self.batch_start,
            None if self.batch_rows is None else self.batch_rows.copy(),
            len(self.loss_history) if light else tuple(self.loss_history),
            len(self.test_loss_history) if light else tuple(self.test_loss_history),
            self.learning_rate, self.diverged, self.last_cost)

    def restore(self, state: StepperState) -> None:
        """Return exactly to a state from `state()` (a light one: see StepperState)."""
        for mine, saved in ((self.params, state.params), (self.before, state.before),
                            (self.velocity, state.velocity), (self.grads, state.grads)):
            np.copyto(mine.flat, saved)
        self.position = state.position
        self.step = state.step
        self.batch_start = state.batch_start
        self.batch_rows = None if state.batch_rows is None else state.batch_rows.copy()
        if state.light:
            start, stop = self._batch_bounds(self.step - (self.position == self.steps_per_training_step))
            self.ws = ws = self._workspace(stop - start)
        else:
            self.ws = ws = self._workspace(state.z[0].shape[0])
            for mine, saved in ((ws.z, state.z), (ws.a, state.a), (ws.delta, state.delta)):
                for dst, src in zip(mine, saved):
                    np.copyto(dst, src)
        if self.position:
            self._load_batch(self.batch_rows)
        if state.light:
            del self.loss_history[state.loss_history:]
            del self.test_loss_history[state.test_loss_history:]
        else:
            self.loss_history = list(state.loss_history)
            self.test_loss_history = list(state.test_loss_history)
        self.learning_rate = state.learning_rate
        self.diverged = state.diverged
        self.last_cost = state.last_cost

    def gradient_check(self, max_entries: int = 400):
        """Numerical vs analytic gradients per layer on the current batch at the current weights."""
        from bptui.engine.gradcheck import gradient_check

        return gradient_check(self.spec, self.training.l2, self.weights, self.biases,
                              np.ascontiguousarray(self.batch_x), np.ascontiguousarray(self.batch_y),
                              max_entries=max_entries, seed=self.seed)
