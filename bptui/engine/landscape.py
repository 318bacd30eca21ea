"""The cost around one weight or two: a slice of the loss landscape through the current point.

Every other parameter stays as it is at the point (`probe.Point`): the curve (or the map, for
two weights) is the cost of the point's batch as the chosen weights vary over ±span around their
current values. Also: the gradient there, and where the optimizer's next update (the real
optimizer, its state copied) would put the chosen weights, with the cost there on the slice
(`loss_next`) and after the whole update, every parameter moved (`loss_after_update`).

`losses_at` evaluates many settings at once: the layers below the lowest chosen weight run once;
from there on the batch is stacked once per setting, (p, m, n), in chunks of at most `BUDGET`
floats, and a chosen weight's change enters its unit's z as (v − w)·a_in (z is linear in it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bptui.engine import activations, losses
from bptui.engine.address import WeightAddress
from bptui.engine.kernels import Parameters, Workspace
from bptui.engine.probe import Pass, Point, batch_cost, next_update

BUDGET = 1 << 21   # floats per stacked array (16 MB)
SPAN = 1.0
POINTS = 41


@dataclass(frozen=True, eq=False)
class Slice:
    """A slice: for one weight `loss` (n,) over `values[0]`; for two, `loss` (n, n) with
    loss[i, k] at values[0][i], values[1][k]. Per chosen weight: `current`, `gradient` ∂C/∂w,
    `next` (after the optimizer's next update). `loss_current`: the cost at the point."""

    addresses: tuple[WeightAddress, ...]
    values: tuple[np.ndarray, ...]
    loss: np.ndarray
    current: tuple[float, ...]
    gradient: tuple[float, ...]
    next: tuple[float, ...]
    loss_current: float
    loss_next: float
    loss_after_update: float


def grid(center: float, span: float, points: int) -> np.ndarray:
    """`points` values evenly over center ± span; with an odd count the middle one is exactly
    `center`."""
    half = (points - 1) / 2
    return center + span * ((np.arange(points) - half) / half)


def slice_loss(point: Point, addresses: list[WeightAddress] | tuple[WeightAddress, ...],
               span: float = SPAN, points: int = POINTS) -> Slice:
    """The slice through the point along one or two weights (see the module)."""
    addresses = tuple(addresses)
    shapes = point.shapes
    indices = [a.flat_index(shapes) for a in addresses]
    current = tuple(float(point.params[i]) for i in indices)
    axes = tuple(grid(c, span, points) for c in current)
    if len(axes) == 1:
        settings = axes[0][:, None]
    else:
        first, second = np.meshgrid(axes[0], axes[1], indexing="ij")
        settings = np.column_stack([first.ravel(), second.ravel()])
    loss = losses_at(point, addresses, settings)
    if len(axes) == 2:
        loss = loss.reshape(points, points)
    backward = Pass(point)
    delta = next_update(point, backward.grads.flat)
    nxt = tuple(float(point.params[i] + delta[i]) for i in indices)
    loss_next = float(losses_at(point, addresses, np.array([nxt]))[0])
    after = point.params + delta
    loss_after = batch_cost(point, after, Workspace(point.spec, point.m), backward.plan)
    return Slice(addresses, axes, loss, current,
                 tuple(float(backward.grads.flat[i]) for i in indices), nxt, backward.cost,
                 loss_next, loss_after)


def losses_at(point: Point, addresses, settings: np.ndarray, budget: int = BUDGET) -> np.ndarray:
    """Cost of the point's batch (with the L2 term) for each row of `settings` (p, k): the
    values of the k weights at `addresses`, every other parameter as at the point. (p,)."""
    settings = np.asarray(settings, dtype=np.float64).reshape(len(settings), len(addresses))
    spec = point.spec
    params = Parameters(point.shapes, point.params)
    names = [spec.activation(layer) for layer in range(spec.depth)]
    lowest = min(a.layer for a in addresses)
    base = []
    for address in addresses:
        base.append(float(params.b[address.layer][address.unit] if address.is_bias
                           else params.w[address.layer][address.unit, address.source]))
    with np.errstate(all="ignore"):
        a_low = point.x
        for layer in range(lowest):
            a_low = _layer(names[layer], a_low @ params.w[layer].T + params.b[layer])
        widest = max(spec.layers[lowest:])
        chunk = max(1, budget // max(1, point.m * widest))
        out = np.empty(settings.shape[0])
        for start in range(0, settings.shape[0], chunk):
            part = settings[start:start + chunk]
            out[start:start + len(part)] = _stacked_costs(point, params, names, lowest,
                                                          a_low, addresses, base, part)
        if point.l2:
            squares = sum(float(np.vdot(w, w)) for w in params.w)
            extra = np.zeros(settings.shape[0])
            for k, address in enumerate(addresses):
                if not address.is_bias:
                    extra += settings[:, k] ** 2 - base[k] ** 2
            out += point.l2 / (2 * point.m) * (squares + extra)
    return out


def _layer(name: str, z: np.ndarray) -> np.ndarray:
    """f(z) for z (..., n), as a fresh array (softmax row by row over the last axis)."""
    flat = z.reshape(-1, z.shape[-1])
    out = np.empty_like(flat)
    activations.activate(name, flat, out)
    return out.reshape(z.shape)


def _stacked_costs(point, params, names, lowest, a_low, addresses, base, part) -> np.ndarray:
    """Data costs (p,) for the settings `part` (p, k), the batch stacked p times from `lowest`."""
    p, m = part.shape[0], point.m
    a = a_low
    stacked = False
    z = None
    for layer in range(lowest, point.spec.depth):
        w, b = params.w[layer], params.b[layer]
        if stacked:
            z = (a.reshape(p * m, -1) @ w.T).reshape(p, m, -1) + b
        else:
            z = a @ w.T + b
        for k, address in enumerate(addresses):
            if address.layer != layer:
                continue
            if not stacked:
                z = np.repeat(z[None], p, axis=0)
                stacked = True
            change = part[:, k] - base[k]
            if address.is_bias:
                z[:, :, address.unit] += change[:, None]
            else:
                source = a[..., address.source]
                z[:, :, address.unit] += change[:, None] * source
        a = _layer(names[layer], z)
    spec = point.spec
    k_out = z.shape[-1]
    y = np.broadcast_to(point.y, (p, m, k_out)).reshape(p * m, k_out)
    costs = losses.sample_costs(spec.loss, spec.output_activation, z.reshape(p * m, k_out),
                                a.reshape(p * m, k_out), y)
    return costs.reshape(p, m).mean(axis=1)
