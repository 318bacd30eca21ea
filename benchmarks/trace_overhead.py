#!/usr/bin/env python
"""What recording gradient health (`Stepper(..., trace=True)`) costs per training step.

For each preset, two steppers train the same run, one with the trace and one without, in
alternating blocks of steps (so background load hits both alike). BLAS runs single-threaded
(set here before NumPy loads, unless OPENBLAS_NUM_THREADS etc. are set) and the blocks are
timed in CPU time of this one thread, so time a busy machine gives to other processes does not
count. The overhead is the median,
over pairs of adjacent blocks, of (time with trace / time without) − 1 (robust to load that
comes and goes), and also the ratio of the fastest blocks − 1. The target is at most 5 %.

    python benchmarks/trace_overhead.py [--presets spiral digits] [--blocks 101] [--block-steps 100]

Prints a markdown table. Steppers are reset between blocks that would run past `--max-steps`,
so both always train the same steps.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import numpy as np  # noqa: E402

from bptui.preset import load_preset  # noqa: E402


def block_time(stepper, steps: int) -> float:
    """CPU seconds (of this thread: time spent waiting for a busy machine's other processes is
    not counted) per step of `steps` steps of training."""
    start = time.thread_time()
    stepper.run(steps)
    return (time.thread_time() - start) / steps


def measure(name: str, blocks: int, block_steps: int, max_steps: int) -> dict:
    """Per-step times with and without the trace, interleaved block by block."""
    preset = load_preset(name)
    plain, traced = preset.stepper(), preset.stepper(trace=True)
    for stepper in (plain, traced):  # warm-up: workspaces, caches, the trace's first rows
        stepper.run(block_steps)
        stepper.reset()
    times = {"plain": [], "traced": []}
    for i in range(blocks):
        if plain.step + block_steps > max_steps or plain.diverged or traced.diverged:
            plain.reset()
            traced.reset()
        order = [("plain", plain), ("traced", traced)]
        if i % 2:
            order.reverse()
        for label, stepper in order:
            times[label].append(block_time(stepper, block_steps))
    assert np.array_equal(plain.params.flat, traced.params.flat), "the trace changed the run"
    median = {k: statistics.median(v) for k, v in times.items()}
    best = {k: min(v) for k, v in times.items()}
    pairs = [t / p for t, p in zip(times["traced"], times["plain"])]
    return {
        "preset": name,
        "network": "-".join(map(str, preset.network.layers)),
        "plain_us": median["plain"] * 1e6,
        "traced_us": median["traced"] * 1e6,
        "overhead_median": statistics.median(pairs) - 1,
        "overhead_min": best["traced"] / best["plain"] - 1,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presets", nargs="+", default=["spiral", "digits"])
    parser.add_argument("--blocks", type=int, default=101)
    parser.add_argument("--block-steps", type=int, default=100)
    parser.add_argument("--max-steps", type=int, default=3000)
    args = parser.parse_args()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"Machine: {os.cpu_count()} CPUs, load {load:.2f}, Python {platform.python_version()}, "
        f"NumPy {np.__version__}\n"
    )
    print(
        "| preset | network | µs/step without trace | with trace | "
        "overhead (median of pairs) | (fastest blocks) |"
    )
    print("|---|---|---:|---:|---:|---:|")
    for name in args.presets:
        r = measure(name, args.blocks, args.block_steps, args.max_steps)
        print(
            f"| {r['preset']} | {r['network']} | {r['plain_us']:.1f} | {r['traced_us']:.1f} | "
            f"{r['overhead_median']:+.1%} | {r['overhead_min']:+.1%} |"
        )


if __name__ == "__main__":
    main()
