#!/usr/bin/env python
"""Peak memory and JSON size of `bptui train --json` (and `--trace`) as `--steps` grows.

Each row runs the real command in a fresh process (`python -m bptui train PRESET --steps N
--json [--trace]`), its stdout counted (bytes) and thrown away, and reads that process's peak
resident set size from os.wait4 (ru_maxrss: kilobytes on Linux, bytes on macOS). The target:
under 200 MB at any step count, and a JSON that stops growing once the history is thinned
(`bptui.commands.train.HISTORY_POINTS` values per series).

    python benchmarks/train_memory.py                         # xor: 1e3 ... 1e6 steps
    python benchmarks/train_memory.py --steps 1000 1000000 --presets xor spiral --trace

Prints a markdown table. Runs from the checkout it sits in (PYTHONPATH is set to it).
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIMIT_MB = 200


def measure(preset: str, steps: int, trace: bool) -> tuple[float, int, float, int]:
    """(peak RSS in MB, bytes of JSON, seconds, exit code) of one `bptui train --json` run."""
    command = [sys.executable, "-m", "bptui", "train", preset, "--steps", str(steps), "--json"]
    if trace:
        command.append("--trace")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    start = time.perf_counter()
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    size = 0
    while chunk := process.stdout.read(1 << 16):
        size += len(chunk)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - start
    scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, else KB
    return usage.ru_maxrss * scale / 1e6, size, seconds, process.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--presets", nargs="+", default=["xor"])
    parser.add_argument("--steps", nargs="+", type=int, default=[1_000, 10_000, 100_000, 1_000_000])
    parser.add_argument("--trace", action="store_true", help="also measure with --trace")
    args = parser.parse_args()
    print(
        f"Python {platform.python_version()}, {platform.machine()}, "
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}\n"
    )
    print(
        "| preset | steps | --trace | peak RSS (MB) | JSON (bytes) | time (s) | under "
        f"{LIMIT_MB} MB |"
    )
    print("|---|---:|---|---:|---:|---:|---|")
    for preset in args.presets:
        for trace in (False, True) if args.trace else (False,):
            for steps in args.steps:
                peak, size, seconds, code = measure(preset, steps, trace)
                verdict = "yes" if peak < LIMIT_MB else "**no**"
                if code:
                    verdict = f"exit code {code}"
                print(
                    f"| {preset} | {steps:,} | {'yes' if trace else 'no'} | {peak:.0f} | "
                    f"{size:,} | {seconds:.1f} | {verdict} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
