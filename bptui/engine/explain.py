"""The arithmetic of one unit, explained: formulas with the engine's numbers substituted.

For the selected unit (weight layer l, unit j) and sample s of the current batch, `explain`
returns lines for what the current step has computed so far: the forward pass (z and a), the
error or the back-propagated δ, the gradients of the unit's incoming weights and bias (with the
batch average spelled out), and the update. Every result printed is the engine's own stored value;
the terms are the engine's numbers too. The text uses 4 significant digits.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bptui.engine.activations import ACTIVATIONS, derivative
from bptui.engine.names import Names, bias_name, short_names, unit_name, weight_name
from bptui.engine.numtext import MAX_TERMS, factor, number, spelled_sum
from bptui.engine.optimizers import Scalar
from bptui.engine.stepper import Stepper

MAX_WEIGHTS = 3  # incoming weights explained in the gradient and update sections
INPUT_NAME = 12  # the longest an input's name is written


@dataclass(frozen=True)
class Line:
    """One line: a section heading (kind 'head'), prose ('note'), a formula with its result
    ('formula'), or a formula in symbols only ('rule')."""

    kind: str
    text: str
    value: float | None = None


def derivative_text(name: str, z: float, a: float) -> tuple[str, str]:
    """(symbolic, with numbers) of f'(z) for an elementwise activation, from its record."""
    record = ACTIVATIONS[name]
    return record.slope_text, record.slope_numbers(z, a)


def derivative_value(name: str, z: float, a: float) -> float:
    """f'(z) as the engine computes it."""
    out = np.empty((1, 1))
    derivative(name, np.array([[z]]), np.array([[a]]), out)
    return float(out[0, 0])


def weights_of_step(stepper: Stepper, layer: int) -> tuple[np.ndarray, np.ndarray]:
    """W (n_out, n_in) and b (n_out,) the current step computed with: after its update, the
    weights before it."""
    if stepper.updated:
        return stepper.w_before[layer], stepper.b_before[layer]
    return stepper.weights[layer], stepper.biases[layer]


def explain(
    stepper: Stepper, layer: int, unit: int, sample: int = 0, names: Names | None = None
) -> list[Line]:
    """Lines explaining unit `unit` of weight layer `layer` for batch sample `sample`; weights
    and biases called by the preset's `names` (if given), else w_1, w_2 … and b."""
    ws = stepper.ws
    m = ws.m
    s = min(max(sample, 0), m - 1)
    spec = stepper.spec
    name = spec.activation(layer)
    out: list[Line] = []
    w, b = weights_of_step(stepper, layer)
    a_in = stepper.layer_input(layer)
    n_in = w.shape[1]
    where = unit_name(layer, unit, stepper.depth) + (f", sample {s + 1} of {m}" if m > 1 else "")
    if not stepper.forward_done(layer):
        return [
            Line("head", where),
            Line(  # no key named: a lesson step may lock f (the lesson pane says what to do)
                "note",
                "nothing computed yet for this unit in this step: its numbers appear when the "
                "forward pass reaches its layer",
            ),
        ]
    out.append(Line("head", f"forward · {where}"))
    if layer == 0:
        out += input_lines(stepper, s)
    z = float(ws.z[layer][s, unit])
    a = float(ws.a[layer][s, unit])
    terms = [f"{factor(float(w[unit, i]))}·{factor(float(a_in[s, i]))}" for i in range(n_in)]
    symbolic = "Σ_i w_i·x_i + b" if layer == 0 else "Σ_i w_i·a_i + b"
    if names is not None and n_in <= 4:
        symbolic = " + ".join(
            [f"{weight_name(names, layer, unit, i)}·{input_symbol(layer, i)}" for i in range(n_in)]
            + [bias_name(names, layer, unit)]
        )
    out.append(
        Line(
            "formula",
            f"z = {symbolic} = {spelled_sum(terms + [factor(float(b[unit]))])} = {number(z)}",
            z,
        )
    )
    if name == "softmax":
        zs = ws.z[layer][s]
        exps = " + ".join(f"e^{factor(float(v))}" for v in zs[:MAX_TERMS])
        out.append(
            Line("formula", f"a = e^z / Σ_k e^z_k = e^{factor(z)} / ({exps}) = {number(a)}", a)
        )
    else:
        symbol = ACTIVATIONS[name].symbol
        out.append(Line("formula", f"a = {symbol}(z) = {symbol}({number(z)}) = {number(a)}", a))
    if stepper.delta_done(layer):
        out += explain_delta(stepper, layer, unit, s)
    if stepper.gradient_done(layer):
        out += explain_gradient(stepper, layer, unit, s, names)
    if stepper.updated:
        out += explain_update(stepper, layer, unit, names)
    return out


def input_symbol(layer: int, i: int) -> str:
    """Input i of weight layer `layer` in a formula: the network's inputs are x1, x2 … (as the
    diagram and the lessons write them), a hidden layer's outputs a_1, a_2 …"""
    return f"x{i + 1}" if layer == 0 else f"a_{i + 1}"


def input_lines(stepper: Stepper, s: int) -> list[Line]:
    """The network's inputs x_i by the data's own names ('x1 = sep_len = 0.4871'), when
    the data names them (a CSV's columns, engineered features)."""
    n_in = stepper.spec.layers[0]
    names = short_names(stepper.data.feature_names, n_in, INPUT_NAME)
    if names == [f"x{i + 1}" for i in range(n_in)]:
        return []
    a_in = stepper.layer_input(0)
    terms = [f"x{i + 1} = {names[i]} = {number(float(a_in[s, i]))}" for i in range(n_in)]
    more = f", … ({n_in - MAX_TERMS} more)" if n_in > MAX_TERMS else ""
    return [Line("note", "inputs: " + ", ".join(terms[:MAX_TERMS]) + more)]


def explain_delta(stepper: Stepper, layer: int, unit: int, s: int) -> list[Line]:
    """δ of the unit: the output error, or back-propagated from the layer above."""
    ws = stepper.ws
    spec = stepper.spec
    name = spec.activation(layer)
    z = float(ws.z[layer][s, unit])
    a = float(ws.a[layer][s, unit])
    delta = float(ws.delta[layer][s, unit])
    lines = []
    if layer == stepper.depth - 1:
        y = float(stepper.batch_y[s, unit])
        lines.append(Line("head", "error · output δ = ∂C_x/∂z"))
        lines += explain_cost(stepper, s)
        if spec.loss == "cross_entropy":
            lines.append(
                Line("formula", f"δ = a − y = {number(a)} − {number(y)} = {number(delta)}", delta)
            )
        elif name == "softmax":
            g = "(a − y)" if spec.loss == "quadratic" else f"2/{ws.a[layer].shape[1]}·(a − y)"
            lines.append(
                Line("formula", f"δ_k = a_k·(g_k − Σ_j g_j·a_j), g = {g} → {number(delta)}", delta)
            )
        else:
            symbolic, numbers = derivative_text(name, z, a)
            slope = derivative_value(name, z, a)
            scale = "" if spec.loss == "quadratic" else f"2/{ws.a[layer].shape[1]}·"
            lines.append(Line("note", f"f'(z): {symbolic} = {numbers} = {number(slope)}"))
            lines.append(
                Line(
                    "formula",
                    f"δ = {scale}(a − y)·f'(z) = {scale}({number(a)} − "
                    f"{number(y)})·{factor(slope)} = {number(delta)}",
                    delta,
                )
            )
        return lines
    above, _ = weights_of_step(stepper, layer + 1)
    deltas = ws.delta[layer + 1][s]
    terms = [
        f"{factor(float(above[k, unit]))}·{factor(float(deltas[k]))}" for k in range(above.shape[0])
    ]
    symbolic, numbers = derivative_text(name, z, a)
    slope = derivative_value(name, z, a)
    lines.append(Line("head", "backward · δ = (Σ_k w_kj·δ_k)·f'(z)"))
    lines.append(Line("note", f"f'(z): {symbolic} = {numbers} = {number(slope)}"))
    lines.append(
        Line("formula", f"δ = ({spelled_sum(terms)})·{factor(slope)} = {number(delta)}", delta)
    )
    return lines


def explain_cost(stepper: Stepper, s: int) -> list[Line]:
    """The sample's cost C_x and how the batch cost averages it."""
    from bptui.engine import losses

    spec = stepper.spec
    last = stepper.depth - 1
    ws = stepper.ws
    costs = losses.sample_costs(
        spec.loss, spec.output_activation, ws.z[last], ws.a[last], stepper.batch_y
    )
    a, y = ws.a[last][s], stepper.batch_y[s]
    if spec.loss == "quadratic":
        terms = [f"({number(float(ai))} − {number(float(yi))})²" for ai, yi in zip(a, y)]
        text = f"C_x = ½ Σ_k (a_k − y_k)² = ½({spelled_sum(terms)})"
    elif spec.loss == "mse":
        terms = [f"({number(float(ai))} − {number(float(yi))})²" for ai, yi in zip(a, y)]
        text = f"C_x = 1/K Σ_k (a_k − y_k)² = 1/{len(a)}·({spelled_sum(terms)})"
    elif spec.output_activation == "softmax":
        terms = [f"{number(float(yi))}·ln {number(float(ai))}" for ai, yi in zip(a, y) if yi]
        text = f"C_x = −Σ_k y_k·ln a_k = −({spelled_sum(terms)})"
    else:
        terms = [
            f"{number(float(yi))}·ln {number(float(ai))} + {number(1 - float(yi))}·ln(1 − "
            f"{number(float(ai))})"
            for ai, yi in zip(a, y)
        ]
        text = f"C_x = −Σ_k [y·ln a + (1 − y)·ln(1 − a)] = −({spelled_sum(terms)})"
    lines = [Line("formula", f"{text} = {number(float(costs[s]))}", float(costs[s]))]
    m = ws.m
    if m > 1:
        listed = spelled_sum([number(float(c)) for c in costs])
        lines.append(
            Line(
                "formula",
                f"C = 1/m Σ_x C_x = 1/{m}·({listed}) = {number(float(costs.mean()))}",
                float(costs.mean()),
            )
        )
    l2, l1 = stepper.training.l2, stepper.training.l1
    terms = ([f"λ/(2m)·Σ‖W‖² (λ = {l2:g})"] if l2 else []) + (
        [f"λ1/m·Σ|w| (λ1 = {l1:g})"] if l1 else []
    )
    if terms:
        lines.append(Line("note", f"+ {' + '.join(terms)}: batch cost {number(stepper.last_cost)}"))
    return lines


def explain_gradient(
    stepper: Stepper, layer: int, unit: int, s: int, names: Names | None = None
) -> list[Line]:
    """∂C/∂w for the unit's first incoming weights and ∂C/∂b, with the batch average."""
    ws = stepper.ws
    m = ws.m
    delta = ws.delta[layer][:, unit]
    a_in = stepper.layer_input(layer)
    w, _ = weights_of_step(stepper, layer)
    l2, l1 = stepper.training.l2, stepper.training.l1
    lines = [
        Line(
            "head",
            "gradients · ∂C/∂w = 1/m Σ_x δ·a_in"
            + (" + λ/m·w" if l2 else "")
            + (" + λ1/m·sign(w)" if l1 else ""),
        )
    ]
    for i in range(min(MAX_WEIGHTS, w.shape[1])):
        grad = float(stepper.dw[layer][unit, i])
        label = weight_name(names, layer, unit, i)
        products = [f"{factor(float(delta[x]))}·{factor(float(a_in[x, i]))}" for x in range(m)]
        if m == 1:
            text = f"∂C/∂{label} = δ·{input_symbol(layer, i)} = {products[0]}"
        else:
            text = f"∂C/∂{label} = 1/{m}·({spelled_sum(products)})"
        if l2:
            text += f" + {l2:g}/{m}·{factor(float(w[unit, i]))}"
        if l1:
            text += f" + {l1:g}/{m}·sign({number(float(w[unit, i]))})"
        lines.append(Line("formula", f"{text} = {number(grad)}", grad))
    if w.shape[1] > MAX_WEIGHTS:
        lines.append(
            Line("note", f"(and {w.shape[1] - MAX_WEIGHTS} more weights: see the matrix pane)")
        )
    grad_b = float(stepper.db[layer][unit])
    terms = [factor(float(v)) for v in delta]
    text = "δ" if m == 1 else f"1/{m}·({spelled_sum(terms)})"
    lines.append(
        Line("formula", f"∂C/∂{bias_name(names, layer, unit)} = {text} = {number(grad_b)}", grad_b)
    )
    return lines


def explain_update(
    stepper: Stepper, layer: int, unit: int, names: Names | None = None
) -> list[Line]:
    """The update just applied, with the optimizer's own numbers: the unit's first incoming
    weight in full (state buffers and all), its next weights and its bias by their Δ."""
    opt = stepper.optimizer
    lr = stepper.last_rate
    lines = [Line("head", f"update · {opt.title} · w ← w + Δw, " + opt.delta.replace("θ", "w"))]
    if stepper.schedule.name != "constant":
        lines.append(
            Line(
                "note",
                f"η_t = {number(lr)} at step {stepper.step - 1} "
                f"({stepper.schedule.formula}, η = {stepper.learning_rate:g})",
            )
        )
    params = stepper.params
    n_in = params.w[layer].shape[1]
    targets = [
        (weight_name(names, layer, unit, i), params.index(layer, unit, i))
        for i in range(min(MAX_WEIGHTS, n_in))
    ]
    targets.append((bias_name(names, layer, unit), params.index(layer, unit)))
    buffers = [name for name, _ in opt.buffers]
    for k, (label, i) in enumerate(targets):
        x = Scalar(
            label,
            float(stepper.grads.flat[i]),
            float(stepper.before.flat[i]),
            float(params.flat[i]),
            float(stepper.applied.flat[i]),
            lr,
            stepper.opt_t,
            {n: float(stepper.opt_before[j, i]) for j, n in enumerate(buffers)},
            {n: float(stepper.opt_state[j, i]) for j, n in enumerate(buffers)},
        )
        formulas = opt.explain(x)
        if k > 0:  # the others by their Δ only: the state's arithmetic is the same
            formulas = formulas[-1:]
        lines.append(Line("note", f"g = ∂C/∂{label} = {number(x.g)}"))
        lines += [Line("formula", f.text, f.value) for f in formulas]
        lines.append(
            Line(
                "formula",
                f"{label}: {number(x.theta)} + {factor(x.delta)} = {number(x.theta_new)}",
                x.theta_new,
            )
        )
    return lines
