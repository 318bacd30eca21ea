"""Time and peak memory of `bptui train` refusing a hostile preset: a 400 MB file (sparse, only
its first line is TOML) and a [goal] with 2,000 fixes. Each in a fresh process.

    PYTHONPATH=. python benchmarks/hostile_files.py     # this tree
    PYTHONPATH=/path/to/older/tree python benchmarks/hostile_files.py   # to compare
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time

RUN = """
import resource, sys
from bptui.commands.cli import main
rc = main(['train', sys.argv[1], '--steps', '1'])
print(rc, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, file=sys.stderr)
"""


def main() -> None:
    folder = tempfile.mkdtemp()
    big = os.path.join(folder, "big.toml")
    with open(big, "wb") as file:
        file.write(b'title = "T"\n# ')
        file.truncate(400 * 2**20)
    fixes = ", ".join(["{ training.l2 = 0.1 }"] * 2000)
    many = os.path.join(folder, "fixes.toml")
    with open(many, "w", encoding="utf-8") as file:
        file.write(
            'title = "B"\n[network]\nlayers = [2, 2, 1]\n[data]\n'
            "inputs = [[0, 0], [0, 1], [1, 0], [1, 1]]\ntargets = [[0], [1], [1], [0]]\n"
            f"[goal]\nsteps = 5\nloss_above = 0.1\nfix = [{fixes}]\n"
        )
    print(f"load average {os.getloadavg()[0]:.1f}\n")
    print("| file | s | exit | peak RSS MB | says |\n|---|---|---|---|---|")
    for name, path in (("400 MB preset", big), ("2,000 goal fixes", many)):
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", RUN, path], capture_output=True, text=True, check=False
        )  # exit 2 is the point
        seconds = time.perf_counter() - start
        lines = done.stderr.strip().splitlines()
        rc, rss = lines[-1].split()
        says = lines[0][:90] if len(lines) > 1 else ""
        print(f"| {name} | {seconds:.1f} | {rc} | {rss} | {says} |")


if __name__ == "__main__":
    main()
