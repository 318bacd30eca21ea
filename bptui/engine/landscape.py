"""The cost around one weight or two: a slice of the loss landscape through the current point.

Every other parameter stays as it is at the point (`probe.Point`): the curve (or the map, for
two weights) is the cost of the point's batch as the chosen weights vary over ±span around their
current values. Also: the gradient there, and where the optimizer's next update (the real
optimizer, its state copied) would put the chosen weights, with the cost there on the slice
(`loss_next`) and after the whole update, every parameter moved (`loss_after_update`).

`losses_at` evaluates many settings at once: one pass at the point gives every layer's z and a;
a chosen weight's change enters its unit's z as (v − w)·a_in (z is linear in it), only the
changed units' activations are recomputed, and the layer above gets z + Δa·W[:, changed]ᵀ; from
there on the batch is stacked once per setting, (p, m, n), in chunks of at most `BUDGET` floats.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bptui.engine import activations, losses
from bptui.engine.address import WeightAddress
from bptui.engine.kernels import Parameters, Workspace
from bptui.engine.probe import Pass, Point, batch_cost, next_update

BUDGET = 1 << 21  # floats per stacked array (16 MB)
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


def slice_loss(
    point: Point,
    addresses: list[WeightAddress] | tuple[WeightAddress, ...],
    span: float = SPAN,
    points: int = POINTS,
) -> Slice:
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
    return Slice(
        addresses,
        axes,
        loss,
        current,
        tuple(float(backward.grads.flat[i]) for i in indices),
        nxt,
        backward.cost,
        loss_next,
        loss_after,
    )


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
        base.append(
            float(
                params.b[address.layer][address.unit]
                if address.is_bias
                else params.w[address.layer][address.unit, address.source]
            )
        )
    with np.errstate(all="ignore"):
        zs, outs = [], []
        a = point.x
        for layer in range(spec.depth):
            zs.append(a @ params.w[layer].T + params.b[layer])
            a = _layer(names[layer], zs[-1])
            outs.append(a)
        widest = max(spec.layers[lowest:])
        chunk = max(1, budget // max(1, point.m * widest))
        out = np.empty(settings.shape[0])
        for start in range(0, settings.shape[0], chunk):
            part = settings[start : start + chunk]
            out[start : start + len(part)] = _stacked_costs(
                point, params, names, zs, outs, lowest, addresses, base, part
            )
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


def _stacked_costs(point, params, names, zs, outs, lowest, addresses, base, part) -> np.ndarray:
    """Data costs (p,) for the settings `part` (p, k), from the base pass zs, outs (m, n) per
    layer. A layer's input is the base, a change of a few of its columns (`rank`: the columns
    and Δa (p, m, c)) or stacked in full (p, m, n); z of the layer above a changed column is
    the base z plus Δa·W[:, cols]ᵀ, so a hidden weight costs no full stacked product."""
    p = part.shape[0]
    spec = point.spec
    last = spec.depth - 1
    rank = None
    full = None
    z = None
    for layer in range(lowest, spec.depth):
        w = params.w[layer]
        below = point.x if layer == 0 else outs[layer - 1]
        if full is not None:
            z = _times(full, w.T) + params.b[layer]
        elif rank is not None:
            cols, change = rank
            z = zs[layer] + _times(change, w[:, cols].T)
        else:
            z = None
        mine = [(k, a) for k, a in enumerate(addresses) if a.layer == layer]
        units = sorted({a.unit for _, a in mine})
        if z is None:
            z_units = np.repeat(zs[layer][None, :, units], p, axis=0)
        for k, address in mine:
            change = part[:, k] - base[k]
            if address.is_bias:
                term = change[:, None]
            else:
                term = change[:, None] * _column(below, rank, full, address.source)
            if z is None:
                z_units[:, :, units.index(address.unit)] += term
            else:
                z[:, :, address.unit] += term
        if z is None:
            if layer != last and names[layer] != "softmax":
                rank, full = (units, _layer(names[layer], z_units) - outs[layer][:, units]), None
                continue
            z = np.repeat(zs[layer][None], p, axis=0)
            z[:, :, units] = z_units
        if layer == last:
            break
        full, rank = _layer(names[layer], z), None
    a_out = None if spec.loss == "cross_entropy" else _layer(names[last], z)
    return losses.stacked_data_costs(spec.loss, spec.output_activation, z, a_out, point.y)


def _times(stacked: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """(p, m, n) · (n, r) as one 2-D product (BLAS), (p, m, r)."""
    p, m, n = stacked.shape
    return (stacked.reshape(p * m, n) @ matrix).reshape(p, m, matrix.shape[1])


def _column(below: np.ndarray, rank, full, source: int) -> np.ndarray:
    """Input column `source` of a layer: (p, m) where it varies, else the base (m,)."""
    if full is not None:
        return full[..., source]
    if rank is not None and source in rank[0]:
        return below[:, source] + rank[1][:, :, rank[0].index(source)]
    return below[:, source]
