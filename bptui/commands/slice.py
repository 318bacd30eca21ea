"""`bptui slice PRESET --weight L:U:I [--weight2 L:U:I]`: the cost of the current batch as one
weight (or two) varies over ±span, every other weight held, with the gradient and where the
optimizer's next update would put the weight (text or JSON)."""

from __future__ import annotations

import argparse
import json
import sys

import numpy as np

from bptui.commands.nudge import (
    add_probe_arguments,
    address_failure,
    positive_float,
    probe_target,
)
from bptui.engine.address import AddressError, parse
from bptui.engine.jsonable import finite_or_none, floats_to_json, matrix_to_json
from bptui.engine.landscape import POINTS, SPAN, Slice, slice_loss
from bptui.engine.probe import Point
from bptui.text import printable

MAX_POINTS = 1001  # along one weight
MAX_POINTS_MAP = 201  # per axis of a two-weight map
BAR = 40  # characters of the text curve's bars


def slice_parser() -> argparse.ArgumentParser:
    """The parser of `bptui slice`."""
    from bptui.commands.options import OneLineParser, int_in

    parser = OneLineParser(
        prog="bptui slice",
        description="The cost of the current batch as one weight (or two) "
        "varies, every other weight as it is: the gradient and "
        "where the optimizer's next update goes.",
    )
    add_probe_arguments(parser)
    parser.add_argument(
        "--weight2",
        metavar="L:U:I",
        default=None,
        help="a second weight: a points × points map of the cost",
    )
    parser.add_argument(
        "--span",
        type=positive_float("a span"),
        default=SPAN,
        metavar="S",
        help=f"each weight varies over its value ± S (default {SPAN:g})",
    )
    parser.add_argument(
        "--points",
        type=int_in(3, MAX_POINTS, "a number of points"),
        default=POINTS,
        metavar="N",
        help=f"grid points per weight (default {POINTS}; at most {MAX_POINTS_MAP} with --weight2)",
    )
    return parser


def slice_to_json(preset, stepper, result: Slice, span: float) -> dict:
    """The JSON contract of `bptui slice --json` (see the README): one weight gives numbers
    and a curve; two give pairs, `values` [[w grid], [w2 grid]] and `loss` rows by w."""
    number = finite_or_none
    one = len(result.addresses) == 1

    def each(values):
        return number(values[0]) if one else [number(v) for v in values]

    out = {
        "preset": preset.name,
        "steps": stepper.step,
        "diverged": stepper.diverged,
        "weight": str(result.addresses[0]),
    }
    if not one:
        out["weight2"] = str(result.addresses[1])
    out.update(
        {
            "span": span,
            "points": len(result.values[0]),
            "values": floats_to_json(result.values[0])
            if one
            else [floats_to_json(v) for v in result.values],
            "loss": floats_to_json(result.loss) if one else matrix_to_json(result.loss),
            "current": each(result.current),
            "gradient": each(result.gradient),
            "next": each(result.next),
            "loss_current": number(result.loss_current),
            "loss_next": number(result.loss_next),
            "loss_after_update": number(result.loss_after_update),
        }
    )
    return out


def g(value: float) -> str:
    """7 significant digits (no −0)."""
    return f"{value + 0.0:.7g}"


def slice_text(preset, stepper, result: Slice, span: float) -> str:
    """The human-readable report: for one weight the curve as bars, for two the map's summary."""
    names = " and ".join(f"{a} ({a.describe()})" for a in result.addresses)
    lines = [
        (
            f"{printable(preset.title)}: the cost of the batch as {names} varies over "
            f"±{span:g}, every other weight as it is, after {stepper.step} steps"
        )
    ]
    for k, address in enumerate(result.addresses):
        lines.append(
            f"  {address}: w = {g(result.current[k])}, "
            f"∂C/∂w = {g(result.gradient[k])}, "
            f"after the next update {g(result.next[k])}"
        )
    lines.append(
        f"  C = {g(result.loss_current)} now; {g(result.loss_next)} with only "
        f"{'this weight' if len(result.addresses) == 1 else 'these weights'} at the "
        f"update; {g(result.loss_after_update)} after the whole update"
    )
    loss = result.loss
    finite = loss[np.isfinite(loss)]
    if finite.size == 0:
        lines.append("  the cost is not finite anywhere on the slice")
        return "\n".join(lines)
    if len(result.addresses) == 2:
        i, k = np.unravel_index(np.nanargmin(np.where(np.isfinite(loss), loss, np.nan)), loss.shape)
        lines.append(
            f"  lowest on the map: C = {g(loss[i, k])} at {result.addresses[0]} = "
            f"{g(result.values[0][i])}, {result.addresses[1]} = "
            f"{g(result.values[1][k])}; highest C = {g(float(finite.max()))} "
            "(the grid: --json)"
        )
        return "\n".join(lines)
    low, high = float(finite.min()), float(finite.max())
    middle = len(loss) // 2
    for i, (w, c) in enumerate(zip(result.values[0], loss)):
        length = 0 if not np.isfinite(c) or high == low else round(BAR * (c - low) / (high - low))
        mark = "  ← now" if i == middle and len(loss) % 2 else ""
        lines.append(f"  {g(w):>13} {g(c):>13} {'▇' * length}{mark}")
    return "\n".join(lines)


def slice_command(argv: list[str]) -> int:
    """Run `bptui slice` on its arguments."""
    parser = slice_parser()
    args = parser.parse_args(argv)
    if args.weight2 is not None and args.points > MAX_POINTS_MAP:
        parser.error(
            f"--points {args.points} is too many for a map of two weights "
            f"(allowed: 3..{MAX_POINTS_MAP})"
        )
    try:
        preset, stepper, address = probe_target(args)
    except AddressError as exc:
        return address_failure("--weight", args.weight, exc)
    addresses = [address]
    if args.weight2 is not None:
        try:
            second = parse(args.weight2, preset.network.layers)
        except AddressError as exc:
            return address_failure("--weight2", args.weight2, exc)
        if second == address:
            parser.error(f"--weight2 {second} is the same weight as --weight")
        addresses.append(second)
    result = slice_loss(Point.current(stepper), addresses, args.span, args.points)
    if args.json:
        json.dump(
            slice_to_json(preset, stepper, result, args.span),
            sys.stdout,
            allow_nan=False,
            separators=(",", ":"),
        )
        sys.stdout.write("\n")
    else:
        print(slice_text(preset, stepper, result, args.span))
    return 0
