"""`bptui nudge PRESET --weight L:U:I`: nudge one weight by ±ε after K training steps; the
measured slope beside backpropagation's ∂C/∂w, and ∂C/∂w factor by factor (text or JSON)."""

from __future__ import annotations

import argparse
import json
import math
import sys

from bptui.engine.address import AddressError, WeightAddress, parse
from bptui.engine.jsonable import finite_or_none
from bptui.engine.nudge import Nudge, nudge
from bptui.engine.probe import Point
from bptui.text import printable, to_float

SAMPLES_SHOWN = 4  # per-sample rows in the text output


def positive_float(what: str):
    """An argparse type: a finite number > 0, else one line saying `what` was expected."""

    def parse_float(text: str) -> float:
        try:
            value = to_float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None
        if not (math.isfinite(value) and value > 0):
            raise argparse.ArgumentTypeError(f"expected {what} (a number > 0), got {text!r}")
        return value

    return parse_float


def add_probe_arguments(parser: argparse.ArgumentParser) -> None:
    """PRESET (or --csv ...), --weight L:U:I, --steps K, --set, --json: shared with slice."""
    from bptui.commands.options import add_csv_arguments, add_set_option, positive_int

    parser.add_argument(
        "preset", nargs="?", help="a bundled preset name or a path to a .toml file (or --csv FILE)"
    )
    add_csv_arguments(parser)
    parser.add_argument(
        "--weight",
        required=True,
        metavar="L:U:I",
        help="the weight: weight layer, the unit it enters, the input or unit "
        "it comes from (1-based; b for the bias), e.g. 1:1:1 or 2:1:b",
    )
    parser.add_argument(
        "--steps",
        type=positive_int,
        default=0,
        metavar="K",
        help="train K steps first (default 0: the initial weights)",
    )
    add_set_option(parser)
    parser.add_argument(
        "--json", action="store_true", help="print exactly one JSON object on stdout"
    )


def nudge_parser() -> argparse.ArgumentParser:
    """The parser of `bptui nudge`."""
    from bptui.commands.options import OneLineParser

    parser = OneLineParser(
        prog="bptui nudge",
        description="Nudge one weight by ±ε on the current batch: the "
        "measured slope of the cost beside backpropagation's "
        "∂C/∂w, and ∂C/∂w as the chain rule's factors.",
    )
    add_probe_arguments(parser)
    parser.add_argument(
        "--eps",
        type=positive_float("a nudge size ε"),
        default=None,
        metavar="E",
        help="the nudge ε (default 1e-4·max(1, |w|))",
    )
    return parser


def probe_target(args) -> tuple[object, object, WeightAddress]:
    """(preset, stepper after --steps, address of --weight); AddressError for a bad address
    (checked before training)."""
    from bptui.commands.options import preset_of

    preset = preset_of(args)
    address = parse(args.weight, preset.network.layers)
    stepper = preset.stepper()
    stepper.run(args.steps)
    return preset, stepper, address


def address_failure(option: str, text: str, exc: AddressError) -> int:
    """One line and the bad-input exit code for a bad weight address."""
    from bptui.commands.options import fail

    shown = text if len(text) <= 40 else text[:40] + "…"
    return fail(f"{option} {printable(shown)}: {exc}")


def nudge_to_json(preset, stepper, result: Nudge) -> dict:
    """The JSON contract of `bptui nudge --json` (see the README)."""
    number = finite_or_none
    return {
        "preset": preset.name,
        "steps": stepper.step,
        "diverged": stepper.diverged,
        "weight": str(result.address),
        "value": number(result.weight),
        "samples": int(result.products.shape[0]),
        "epsilon": result.epsilon,
        "loss_minus": number(result.loss_minus),
        "loss": number(result.loss),
        "loss_plus": number(result.loss_plus),
        "slope": number(result.slope),
        "gradient": number(result.gradient),
        "relative_difference": number(result.relative_difference),
        "factors": [{"name": f.name, "value": number(f.value)} for f in result.factors],
        "data_gradient": number(result.data_gradient),
        "l2_term": number(result.l2_term),
        "terms": [
            {
                "unit": t.unit + 1,
                "weight": number(t.weight),
                "delta": number(t.delta),
                "value": number(t.value),
            }
            for t in result.terms
        ],
    }


def g(value: float) -> str:
    """7 significant digits (no −0)."""
    return f"{value + 0.0:.7g}"


def gf(value: float) -> str:
    """7 significant digits as a factor in a product: negatives in parentheses."""
    return f"({value:.7g})" if value < 0 else g(value)


def nudge_text(preset, stepper, result: Nudge) -> str:
    """The human-readable report."""
    address = result.address
    m = result.products.shape[0]
    lines = [
        (
            f"{printable(preset.title)}: weight {address} ({address.describe()}) = "
            f"{g(result.weight)}, after {stepper.step} steps, on a batch of {m} sample"
            f"{'s' if m != 1 else ''}"
        ),
        f"  C(w − ε) = {g(result.loss_minus)}    ε = {result.epsilon:.3g}",
        f"  C(w)     = {g(result.loss)}",
        f"  C(w + ε) = {g(result.loss_plus)}",
        f"  slope (C(w + ε) − C(w − ε)) / 2ε = {g(result.slope)}",
        (
            f"  backpropagation ∂C/∂w          = {g(result.gradient)}"
            f"    (relative difference {result.relative_difference:.2g})"
        ),
    ]
    names = " · ".join(f.name.split(" = ")[0] for f in result.factors)
    mean = "batch means, " if m > 1 else ""
    lines.append(f"chain rule ({mean}∂C/∂w = {'1/m Σ_x ' if m > 1 else ''}{names}):")
    for f in result.factors:
        text = f"  {f.name} = {g(f.value)}"
        if f.name == "∂C/∂a" and result.terms:
            terms = " + ".join(f"{gf(t.weight)}·{gf(t.delta)}" for t in result.terms[:6])
            more = f" + … ({len(result.terms) - 6} more)" if len(result.terms) > 6 else ""
            text = f"  ∂C/∂a = Σ_k w_kj·δ_k = {terms}{more} = {g(f.value)}"
        lines.append(text)
    if m > 1:
        for s in range(min(m, SAMPLES_SHOWN)):
            parts = " · ".join(gf(float(f.per_sample[s])) for f in result.factors)
            lines.append(
                f"  sample {s + 1} (row {int(result.rows[s]) + 1}): {parts} = "
                f"{g(float(result.products[s]))}"
            )
        if m > SAMPLES_SHOWN:
            lines.append(f"  … and {m - SAMPLES_SHOWN} more samples (see --json)")
        lines.append(f"  1/m Σ_x (per-sample products) = {g(result.data_gradient)}")
    else:
        lines.append(f"  product = {g(result.data_gradient)}")
    if result.l2_term:
        lines.append(
            f"  + λ/m·w = {g(result.l2_term)}  → ∂C/∂w = {g(result.data_gradient + result.l2_term)}"
        )
    if stepper.diverged:
        lines.append("the run diverged before the nudge: the numbers are not finite")
    return "\n".join(lines)


def nudge_command(argv: list[str]) -> int:
    """Run `bptui nudge` on its arguments."""
    args = nudge_parser().parse_args(argv)
    try:
        preset, stepper, address = probe_target(args)
    except AddressError as exc:
        return address_failure("--weight", args.weight, exc)
    result = nudge(Point.current(stepper), address, args.eps)
    if args.json:
        json.dump(
            nudge_to_json(preset, stepper, result),
            sys.stdout,
            allow_nan=False,
            separators=(",", ":"),
        )
        sys.stdout.write("\n")
    else:
        print(nudge_text(preset, stepper, result))
    return 0
