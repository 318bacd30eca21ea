"""The words and numbers of the insight views, as explain-pane Lines (no Textual here).

Every number comes from the engine (`engine.nudge`, `engine.unitgraph`, the stepper's update
check); these functions only lay them out: the nudge of a weight (v), each sample's pull on it
(y), one unit as a computational graph (G) and the update check shown after `u`.

Line kinds are the explain pane's ('head', 'note', a formula 'name = value') and 'raw' (a line
kept as it is: bars, trees) with 'pos', 'neg' and 'mark' for raw lines in the colours of a
positive or negative value, or highlighted.
"""

from __future__ import annotations

import math

import numpy as np

from bptui.engine.explain import Line
from bptui.engine.nudge import Nudge
from bptui.engine.unitgraph import UnitGraph

SAMPLES_SHOWN = 4  # per-sample chain-rule rows in the nudge view
TERMS_SHOWN = 6  # terms w_kj·δ_k of a hidden unit's ∂C/∂a
ALL_BARS = 16  # batches up to this size get a bar per sample in the pull view
STRONGEST = 10  # else: the strongest this many each way, and a histogram of the rest
BAR = 10  # cells of a half bar (one sign)
PRODUCTS_SHOWN = 8  # product nodes drawn in the unit graph (the largest |w·a|)


def g(value: float) -> str:
    """7 significant digits, no −0 (as `bptui nudge` prints them)."""
    return f"{value + 0.0:.7g}"


def gf(value: float) -> str:
    """A factor in a product: negatives in parentheses."""
    return f"({g(value)})" if value < 0 else g(value)


def short(value: float) -> str:
    """4 significant digits, no −0."""
    return f"{value + 0.0:.4g}"


def sample_label(data, row: int) -> str:
    """A training sample's label: its class name (or number), or its target value(s)."""
    y = data.y_train[row]
    if data.task == "classification":
        k = int(np.argmax(y)) if y.shape[0] > 1 else int(y[0] >= 0.5)
        names = data.class_names
        return str(names[k]) if k < len(names) else str(k)
    return ",".join(short(float(v)) for v in y[:2]) + ("…" if y.shape[0] > 2 else "")


def sample_text(data, row: int) -> str:
    """A training sample's inputs and what it should give: 'x (0.05, 0.1) → y (0.01, 0.99)',
    or '→ class 1' (two values of each at most, then …)."""
    x = data.x_train[row]
    inputs = ", ".join(short(float(v)) for v in x[:2]) + (", …" if x.shape[0] > 2 else "")
    if data.task == "classification":
        return f"x ({inputs}) → class {sample_label(data, row)}"
    y = data.y_train[row]
    targets = ", ".join(short(float(v)) for v in y[:2]) + (", …" if y.shape[0] > 2 else "")
    return f"x ({inputs}) → y ({targets})"


NARROW = 34
"""Characters of a note that fit the explain pane at 80 columns (its text is indented 2)."""


def fitting_lines(text: str, split: str) -> list[str]:
    """`text` on one line if it fits NARROW, else cut before `split` into two lines (a wrap
    inside '(0.01, 0.99)' reads badly)."""
    if len(text) <= NARROW or split not in text:
        return [text]
    head, tail = text.split(split, 1)
    return [head, split.lstrip() + tail]


# ----- v: the nudge ----------------------------------------------------------------------------


def nudge_lines(result: Nudge, step: int) -> list[Line]:
    """The nudge view: the three costs, slope against ∂C/∂w, the chain rule factor by factor,
    per sample and as the batch mean (+ λ/m·w)."""
    address = result.address
    m = result.products.shape[0]
    samples = f"{m} sample{'s' if m != 1 else ''}"
    out = [
        Line("head", f"Nudge w {address} ({address.describe()})"),
        Line(
            "note",
            f"w = {g(result.weight)}, step {step:,}'s batch of {samples}; every other weight held",
        ),
        Line("formula", f"ε = {result.epsilon:.3g}"),
        Line("formula", f"C(w − ε) = {result.loss_minus + 0.0:.10g}"),
        Line("formula", f"C(w) = {result.loss + 0.0:.10g}"),
        Line("formula", f"C(w + ε) = {result.loss_plus + 0.0:.10g}"),
        Line("formula", f"slope (C(w+ε) − C(w−ε))/2ε = {g(result.slope)}"),
        Line("formula", f"backprop ∂C/∂w = {g(result.gradient)}"),
    ]
    difference = result.relative_difference
    verdict = (
        "agree"
        if difference < 1e-5
        else "differ: ε too large or too small?"
        if math.isfinite(difference)
        else "not finite"
    )
    out.append(Line("formula", f"relative difference = {difference:.2g} ({verdict})"))
    names = " · ".join(f.name.split(" = ")[0] for f in result.factors)
    mean = "1/m Σ_x " if m > 1 else ""
    out.append(Line("head", f"Chain rule: ∂C/∂w = {mean}{names}"))
    for f in result.factors:
        if f.name == "∂C/∂a" and result.terms:
            terms = " + ".join(f"{gf(t.weight)}·{gf(t.delta)}" for t in result.terms[:TERMS_SHOWN])
            more = (
                f" + … {len(result.terms) - TERMS_SHOWN} more"
                if len(result.terms) > TERMS_SHOWN
                else ""
            )
            out.append(Line("formula", f"∂C/∂a = Σ_k w_kj·δ_k = {terms}{more} = {g(f.value)}"))
        else:
            out.append(Line("formula", f"{f.name} = {g(f.value)}"))
    if len(result.factors) == 2 and result.factors[0].name.startswith("δ"):
        out.append(
            Line(
                "note",
                "at this output δ = ∂C/∂z is the engine's own (a − y with "
                "cross-entropy or softmax): it does not split further",
            )
        )
    if m > 1:
        out.append(
            Line(
                "note",
                "per sample ("
                + " · ".join(f.name.split(" = ")[0] for f in result.factors)
                + " = ∂C_x/∂w):",
            )
        )
        for s in range(min(m, SAMPLES_SHOWN)):
            parts = " · ".join(gf(float(f.per_sample[s])) for f in result.factors)
            out.append(
                Line(
                    "formula",
                    f"#{int(result.rows[s]) + 1}: {parts} = {g(float(result.products[s]))}",
                )
            )
        if m > SAMPLES_SHOWN:
            out.append(Line("note", f"… and {m - SAMPLES_SHOWN} more samples (y shows them all)"))
        out.append(Line("formula", f"1/m Σ_x ∂C_x/∂w = {g(result.data_gradient)}"))
    else:
        parts = " · ".join(gf(f.value) for f in result.factors)
        out.append(Line("formula", f"{parts} = {g(result.data_gradient)}"))
    if result.l2_term:
        out.append(Line("formula", f"+ λ/m·w = {g(result.l2_term)}"))
        out.append(Line("formula", f"∂C/∂w = {g(result.data_gradient + result.l2_term)}"))
    return out


# ----- y: each sample's pull ---------------------------------------------------------------------


def bar(value: float, scale: float, mean: float | None = None, half: int = BAR) -> str:
    """A signed bar of 2·half + 1 cells around a centre line ('│'), and the mean's place ('┆')."""
    cells = [" "] * (2 * half + 1)
    cells[half] = "│"
    if scale > 0 and math.isfinite(value):
        length = min(half, round(abs(value) / scale * half))
        for i in range(1, length + 1):
            cells[half + i if value > 0 else half - i] = "█"
    if mean is not None and scale > 0 and math.isfinite(mean):
        place = half + max(-half, min(half, round(mean / scale * half)))
        cells[place] = "┆" if cells[place] == " " else ("╋" if place != half else "┿")
    return "".join(cells)


PULL_NOTE = (
    "#sample, its label y, ∂C_x/∂w = δ_j·a_in; sorted; ┆ their mean = ∂C/∂w; "
    "▶ the selected sample (, and . move it)"
)
PULL_NOTE_NARROW = "#sample y: δ_j·a_in; ┆ mean ∂C/∂w"
"""The pull view's key in a narrow pane (80 columns): one line, so the bars start on the
third row; where ▶ comes from is said after them."""
PULL_NARROW = 40  # text columns below which the pull view takes its narrow key


def pull_lines(result: Nudge, data, selected: int | None, width: int | None = None) -> list[Line]:
    """The pull view: each sample's ∂C_x/∂w = δ_j·a_in as a signed bar, sorted, with the mean
    (= ∂C/∂w without L2) marked ┆ on the same axis, the L2 term as its own bar; for large
    batches the strongest STRONGEST each way and a histogram of the rest. With `width` (the
    pane's text columns) each bar row fits it: shorter bars, not a wrapped value."""
    products = result.products
    m = products.shape[0]
    mean = result.data_gradient
    finite = products[np.isfinite(products)]
    scale = max(float(np.abs(finite).max()) if finite.size else 0.0, abs(result.l2_term), abs(mean))
    narrow = width is not None and width < PULL_NARROW
    out = [
        Line("head", f"Each sample's pull on w {result.address}"),
        Line("note", PULL_NOTE_NARROW if narrow else PULL_NOTE),
    ]
    order = np.argsort(-np.nan_to_num(products, nan=0.0), kind="stable")
    if m <= ALL_BARS:
        shown, rest = list(order), []
    else:
        shown = [*order[:STRONGEST], *order[-STRONGEST:]]
        rest = order[STRONGEST:-STRONGEST]
    rows = []
    for s in shown:
        mark = "▶" if selected is not None and s == selected else " "
        label = f"{mark}#{int(result.rows[s]) + 1} {sample_label(data, int(result.rows[s]))}"
        rows.append((label[:12], float(products[s])))
    tail = [("mean", mean)] + ([("+ λ/m·w", result.l2_term)] if result.l2_term else [])
    label_w = max(len(label) for label, _ in rows + tail)
    value_w = max(len(short(value)) for _, value in rows + tail)
    half = BAR
    if width is not None:  # label, bar and value on one line of the pane
        half = max(3, min(BAR, (width - label_w - value_w - 2 - 1) // 2))

    def row(label: str, value: float, mark: float | None = None) -> str:
        return f"{label:<{label_w}} {bar(value, scale, mark, half)} {short(value)}"

    counts = BAR if width is None else max(3, min(BAR, width - 27))  # 27: ranges and count
    for position, (label, value) in enumerate(rows):
        if len(rest) and position == STRONGEST:
            out += histogram(products[rest], scale, half=counts)
        out.append(
            Line("pos" if value > 0 else "neg" if value < 0 else "raw", row(label, value, mean))
        )
    out.append(Line("mark", row("mean", mean)))
    if result.l2_term:
        out.append(Line("pos" if result.l2_term > 0 else "neg", row("+ λ/m·w", result.l2_term)))
    out.append(
        Line(
            "formula", f"∂C/∂w = mean{' + λ/m·w' if result.l2_term else ''} = {g(result.gradient)}"
        )
    )
    if narrow:
        out.append(Line("note", "▶ the selected sample: , and ."))
    return out


def histogram(values: np.ndarray, scale: float, bins: int = 6, half: int = BAR) -> list[Line]:
    """The samples between the strongest each way: a count per range of ∂C_x/∂w, the largest
    count `half` cells long."""
    finite = values[np.isfinite(values)]
    lines = [Line("note", f"the other {len(values)} samples, by range:")]
    if not finite.size:
        return lines
    counts, edges = np.histogram(finite, bins=bins)
    top = max(1, int(counts.max()))
    for count, lo, hi in zip(counts, edges[:-1], edges[1:], strict=True):
        cells = "▇" * max(1 if count else 0, round(count / top * half))
        lines.append(Line("raw", f"  {short(lo):>8} … {short(hi):<8} {cells} {count}"))
    return lines


# ----- G: one unit as a computational graph -------------------------------------------------------


def graph_lines(graph: UnitGraph, data, depth: int, activation: str) -> list[Line]:
    """The unit's graph as a tree, root first: each node's value (data) and gradient (grad,
    ∂C_x/∂node) for one sample, micrograd's picture in text."""
    nodes = graph.nodes
    where = "output" if graph.layer == depth - 1 else f"hidden {graph.layer + 1}"
    row = graph.row
    out = [
        Line("head", f"Unit {graph.unit + 1} of {where} as a graph"),
        *(
            Line("note", part)
            for part in fitting_lines(f"sample {row + 1}: {sample_text(data, row)}", " → ")
        ),
        Line(
            "note",
            "data = value, grad = ∂C_x/∂node after backward; the batch's ∂C/∂w is "
            "the mean of grad w",
        ),
    ]

    def label(node) -> str:
        return f"{node.label}  data {short(node.value)}  grad {short(node.grad)}"

    def walk(index: int, prefix: str, last: bool, top: bool) -> None:
        node = nodes[index]
        branch = "" if top else ("└─ " if last else "├─ ")
        kind = "mark" if node.kind in ("loss", "z") else "raw"
        out.append(Line(kind, f"{prefix}{branch}{label(node)}"))
        children = list(node.inputs)
        hidden = 0
        if node.kind == "sum" and len(children) > PRODUCTS_SHOWN:
            ranked = sorted(children, key=lambda i: -abs(nodes[i].value))
            keep = set(ranked[:PRODUCTS_SHOWN])
            hidden = len(children) - PRODUCTS_SHOWN
            children = [i for i in children if i in keep]
        inner = prefix + ("" if top else ("   " if last else "│  "))
        for k, child in enumerate(children):
            walk(child, inner, k == len(children) - 1 and not hidden, False)
        if hidden:
            out.append(
                Line("note", f"{inner}└─ … {hidden} more products (smaller |w·a|), in the sum")
            )

    walk(len(nodes) - 1, "", True, True)
    out.append(
        Line(
            "note",
            f"f = {activation}; grad w_i = δ·a_i, grad a_i = δ·w_i, and the sum, "
            "b and z all get δ = ∂C_x/∂z",
        )
    )
    return out


# ----- u: did the step do what the gradient promised? -------------------------------------------


def check_ratio(predicted: float, actual: float) -> float:
    """actual / predicted (nan where the prediction is 0 or either is not finite)."""
    if not (math.isfinite(predicted) and math.isfinite(actual)) or predicted == 0:
        return float("nan")
    return actual / predicted


NEGLIGIBLE = 1e-5
"""A change of the batch cost C smaller than this fraction of C is too small to grade: near a
minimum both changes are of the order of the sums' rounding and of the curvature's last
wiggles, and their ratio is noise (ΔC = 9.9e-10 at C = 2.7e-4 read as 'overshot')."""


def negligible(change: float, cost: float) -> bool:
    """Whether a change of the batch cost is too small to grade (NEGLIGIBLE of the cost)."""
    return math.isfinite(cost) and abs(change) <= NEGLIGIBLE * abs(cost)


def verdict(ratio: float, actual: float | None = None, cost: float | None = None) -> str:
    """What a ratio of actual to predicted change says about η; a change that is negligible
    beside the batch's cost `cost` (`negligible`) gets no grade."""
    if not math.isfinite(ratio):
        return "no prediction (a zero or non-finite gradient)"
    if actual is not None and cost is not None and negligible(actual, cost):
        return (
            f"the cost barely moved ({abs(actual / cost):.1g} of C: rounding-level), "
            "too little to grade the step"
        )
    if ratio < 0:
        return "the step overshot: the cost rose where the gradient promised a fall"
    if ratio < 0.5:
        return "far from linear: the curvature ate most of the promised fall (η large)"
    if ratio <= 1.5:
        return "≈ 1: η is in the linear regime, the tangent predicts the step"
    return "the cost fell more than the tangent promised (curving down)"


def check_lines(stepper) -> list[Line]:
    """The update check of the step just updated (after `u`), if the stepper records it."""
    checks = stepper.history.first_order
    step = stepper.step - 1
    if checks is None or not stepper.updated or step < 0 or len(checks) <= step:
        return []
    predicted, actual = (float(v) for v in checks.values[step])
    ratio = check_ratio(predicted, actual)
    cost = float(stepper.last_cost)  # C(θ) of the step's batch: the update just applied
    plain = stepper.optimizer.settings_text() == "sgd"
    out = [
        Line("head", f"Update check of step {step + 1:,} (same batch)"),
        Line(
            "formula",
            "predicted ΔC ≈ ∇C·Δθ" + (" = −η‖∇C‖²" if plain else "") + f" = {g(predicted)}",
        ),
        Line("formula", f"actual ΔC = C(θ + Δθ) − C(θ) = {g(actual)}"),
        Line("formula", f"ratio actual / predicted = {short(ratio)}"),
        Line("note", verdict(ratio, actual, cost) + " (h: the update check over the steps)"),
    ]
    return out
