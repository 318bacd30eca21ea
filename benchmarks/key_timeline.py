#!/usr/bin/env python
"""Where a key press's time goes in the explorer, in a real pseudo-terminal: a timeline.

The explorer runs in a pseudo-terminal of its own (`pty.fork`, 120x40 by default) with a few of
its and Textual's methods timed (the key's action, each pane building its lines, the
compositor's update, writing the frame); this process presses `space` every 0.4 s and reads the
output as a terminal would. Each press's events are taken relative to the moment the key was
written; the median start and duration of each is printed, and one press's whole timeline.
(`key_profile.py` gives a cProfile of the same presses under Pilot; `ui_latency.py` the
latency as a terminal shows it, against a bare Textual app.)

    python benchmarks/key_timeline.py [--preset spiral] [--presses 20] [--size 120x40]
"""

from __future__ import annotations

import argparse
import collections
import fcntl
import os
import pty
import select
import statistics
import struct
import sys
import tempfile
import termios
import time

CHILD = r"""
import atexit, sys, time
from textual import _compositor, app as textual_app
from bptui.app import explorer_screen
from bptui.app.main import BptuiApp
from bptui.app.widgets import lines

LOG = []

def timed(cls, name, tag):
    original = getattr(cls, name)
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            LOG.append((tag, start, time.perf_counter()))
    setattr(cls, name, wrapper)

timed(explorer_screen.ExplorerScreen, "step_with", "action")
timed(lines.LinesWidget, "redraw", "pane lines")
timed(_compositor.Compositor, "render_update", "compositor")
timed(textual_app.App, "_display", "write frame")

def dump():
    with open(sys.argv[2], "w") as out:
        out.writelines(f"{tag}\t{a}\t{b}\n" for tag, a, b in LOG)

atexit.register(dump)
BptuiApp(preset=sys.argv[1]).run()
"""


def drain(fd: int, seconds: float) -> None:
    """Read (and drop) the app's output for `seconds`, as a terminal would draw it."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        ready, _, _ = select.select([fd], [], [], 0.05)
        if ready:
            try:
                os.read(fd, 65536)
            except OSError:
                return


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--preset", default="spiral")
    parser.add_argument("--presses", type=int, default=20)
    parser.add_argument("--size", default="120x40")
    args = parser.parse_args()
    width, height = (int(n) for n in args.size.split("x"))
    with tempfile.TemporaryDirectory() as folder:
        log = os.path.join(folder, "log.tsv")
        pid, fd = pty.fork()
        if pid == 0:
            os.environ.update(TERM="xterm-256color", COLORTERM="truecolor")
            os.execv(sys.executable, [sys.executable, "-c", CHILD, args.preset, log])
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", height, width, 0, 0))
        drain(fd, 3.0)
        sent = []
        for _ in range(args.presses):
            sent.append(time.perf_counter())  # CLOCK_MONOTONIC: the same clock in both processes
            os.write(fd, b" ")
            drain(fd, 0.4)
        os.write(fd, b"q")
        drain(fd, 1.0)
        os.waitpid(pid, 0)
        with open(log) as lines:
            events = [(tag, float(a), float(b)) for tag, a, b in (li.split("\t") for li in lines)]
    presses = [
        [(tag, (a - at) * 1e3, (b - at) * 1e3) for tag, a, b in events if at <= a < at + 0.35]
        for at in sent
    ]
    starts, durations = collections.defaultdict(list), collections.defaultdict(list)
    for press in presses:
        seen = set()
        for tag, a, b in press:
            if tag not in seen:  # each kind's first event of the press
                seen.add(tag)
                starts[tag].append(a)
                durations[tag].append(b - a)
    print(f"{args.preset}, {args.size}, {args.presses} presses of space (ms after the key):")
    print("| event | starts (median) | takes (median) |\n|---|---:|---:|")
    for tag in sorted(starts, key=lambda t: statistics.median(starts[t])):
        print(
            f"| {tag} | {statistics.median(starts[tag]):.2f} | "
            f"{statistics.median(durations[tag]):.2f} |"
        )
    middle = presses[len(presses) // 2]
    print("\nOne press, every event:")
    for tag, a, b in sorted(middle, key=lambda e: e[1]):
        print(f"  {a:7.2f} → {b:7.2f}  {tag}")


if __name__ == "__main__":
    main()
