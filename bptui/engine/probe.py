"""Where the probes (nudge, slice, unit graph) look, and the passes they make there.

A `Point` is a copy of what determines the cost of one batch and the next update: the
parameters (flat, (P,)), the batch x (m, n_in), y (m, K), the L2 strength, and the optimizer's
state, update number and learning rate of the update that would follow. Probes compute on the
point with their own buffers, so the stepper they came from is left exactly as it was.

`Point.current(stepper)` is the stepper's current weights on the batch of its current step (after
an update, the next step's batch: where the next update starts). `Point.last_step(stepper)` is,
after an update, the weights and batch of the step just taken (what the panes show then), else
the same as `current`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bptui.engine import kernels, losses
from bptui.engine.address import WeightAddress
from bptui.engine.kernels import Parameters, Plan, Workspace
from bptui.engine.spec import NetworkSpec


@dataclass(frozen=True, eq=False)
class Point:
    """Parameters, batch and optimizer context of a probe (all copies; see the module)."""

    spec: NetworkSpec
    l2: float
    params: np.ndarray
    x: np.ndarray
    y: np.ndarray
    rows: np.ndarray
    optimizer: object
    opt_state: np.ndarray
    t: int
    """The number of the update that would follow (1 for the optimizer's first)."""
    lr: float
    step: int
    """The training step whose batch this is."""

    @classmethod
    def current(cls, stepper) -> Point:
        """The stepper's current weights on its current step's batch (see the module)."""
        return cls._at(stepper, stepper.step, stepper.params, stepper.opt_state, stepper.opt_t + 1)

    @classmethod
    def last_step(cls, stepper) -> Point:
        """After an update: the weights before it on its batch (the update it made follows);
        otherwise `current`."""
        if not stepper.updated:
            return cls.current(stepper)
        return cls._at(stepper, stepper.step - 1, stepper.before, stepper.opt_before, stepper.opt_t)

    @classmethod
    def _at(cls, stepper, step: int, params, opt_state, opt_t: int) -> Point:
        """A copy of `params` and `opt_state` (the optimizer's count `opt_t`) on step `step`'s
        batch, with the stepper's network, L2, optimizer and that step's rate."""
        x, y, rows = stepper.step_batch(step)
        return cls(
            stepper.spec,
            stepper.training.l2,
            params.flat.copy(),
            x,
            y,
            rows,
            stepper.optimizer,
            opt_state.copy(),
            opt_t,
            stepper.rate(step),
            step,
        )

    @property
    def m(self) -> int:
        """Samples in the batch."""
        return self.x.shape[0]

    @property
    def shapes(self) -> list[tuple[int, int]]:
        """(n_out, n_in) of every weight layer."""
        return self.spec.weight_shapes()

    def parameters(self, flat: np.ndarray | None = None) -> Parameters:
        """Per-layer views of `flat` (default: a copy of the point's parameters)."""
        return Parameters(self.shapes, self.params.copy() if flat is None else flat)

    def value(self, address: WeightAddress) -> float:
        """The parameter at `address`."""
        return float(self.params[address.flat_index(self.shapes)])


class Pass:
    """Forward and backward at a point with its own buffers: z, a, δ (ws), the gradient
    (grads, with the L2 term) and the batch cost."""

    def __init__(self, point: Point, flat: np.ndarray | None = None):
        self.point = point
        self.plan = plan = Plan(point.spec)
        self.params = point.parameters(flat)
        self.ws = ws = Workspace(point.spec, point.m)
        self.grads = Parameters(point.shapes)
        with np.errstate(all="ignore"):
            kernels.forward(plan, self.params.w, self.params.b, point.x, ws)
            self.cost = kernels.cost(plan, point.l2, self.params.w, point.y, ws)
            kernels.output_error(plan, point.y, ws)
            for layer in range(plan.depth - 1, -1, -1):
                kernels.backward_layer(
                    plan,
                    layer,
                    self.params.w[layer],
                    self.layer_input(layer),
                    point.l2,
                    ws,
                    self.grads.w[layer],
                    self.grads.b[layer],
                )

    def layer_input(self, layer: int) -> np.ndarray:
        """a_in (m, n_in) of weight layer `layer`."""
        return self.point.x if layer == 0 else self.ws.a[layer - 1]

    def slopes(self, layer: int) -> np.ndarray | None:
        """f'(z) (m, n_out) of an elementwise layer; None for a softmax layer."""
        name = self.plan.names[layer]
        if name == "softmax":
            return None
        from bptui.engine import activations

        out = np.empty_like(self.ws.z[layer])
        with np.errstate(all="ignore"):
            activations.derivative(name, self.ws.z[layer], self.ws.a[layer], out)
        return out

    def cost_by_activation(self, layer: int) -> np.ndarray:
        """∂C_x/∂a (m, n_out) per sample of weight layer `layer`'s units: Σ_k w_kj·δ_k for a
        hidden layer, the loss derivative at the output (cross-entropy: −y/a with softmax,
        (a − y)/(a(1 − a)) with sigmoid)."""
        ws = self.ws
        spec = self.point.spec
        a, y = ws.a[layer], self.point.y
        with np.errstate(all="ignore"):
            if layer < self.plan.depth - 1:
                return ws.delta[layer + 1] @ self.params.w[layer + 1]
            if spec.loss != "cross_entropy":
                return losses.cost_gradient(spec.loss, a, y, np.empty_like(a))
            if spec.output_activation == "softmax":
                return -y / a
            return (a - y) / (a * (1.0 - a))

    def sample_costs(self) -> np.ndarray:
        """C_x per sample (m,), without the L2 term."""
        spec = self.point.spec
        last = self.plan.depth - 1
        return losses.sample_costs(
            spec.loss, spec.output_activation, self.ws.z[last], self.ws.a[last], self.point.y
        )


def batch_cost(point: Point, flat: np.ndarray, ws: Workspace, plan: Plan | None = None) -> float:
    """Cost of the point's batch (with the L2 term) at parameters `flat` (P,)."""
    plan = plan or Plan(point.spec)
    params = point.parameters(flat)
    with np.errstate(all="ignore"):
        kernels.forward(plan, params.w, params.b, point.x, ws)
        return kernels.cost(plan, point.l2, params.w, point.y, ws)


def next_update(point: Point, gradient: np.ndarray) -> np.ndarray:
    """Δθ (P,) of the optimizer's update from the point with `gradient` (P,), computed by the
    optimizer itself on scratch buffers (its state copy is not written)."""
    delta = np.empty_like(point.params)
    scratch = np.empty_like(point.opt_state)
    with np.errstate(all="ignore"):
        point.optimizer.step(
            gradient, point.params, point.lr, point.t, point.opt_state, scratch, delta
        )
    return delta
