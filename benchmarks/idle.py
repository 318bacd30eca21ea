#!/usr/bin/env python
"""CPU of an idle bptui explorer, against a bare Textual app, in one run.

Each app runs in a pseudo-terminal of its own (`pty.fork`, 120x40 by default) whose output this
script reads and throws away (as a terminal would draw it). After the app's first frame it waits
until the output has been quiet for `--settle` seconds (nothing is being drawn), then reads the
process's user + system CPU time from /proc/<pid>/stat, waits `--seconds` (default 20) and reads
it again; bytes written to the terminal in that window are counted too (an idle app writes none).
The apps are measured one after the other, in alternation, `--rounds` times (the median is
reported), so that background load hits both alike.

Usage (with the project's virtualenv):

    python benchmarks/idle.py [--seconds 20] [--rounds 3] [--preset xor] [--size 120x40]
    python benchmarks/idle.py --bptui /path/to/other/bptui   # another build, as a third app

Prints a markdown table: CPU % of one core (100 × CPU seconds / wall seconds) and bytes written,
per app; the target is an idle explorer at <= 0.3 % of a core.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import select
import shlex
import signal
import statistics
import struct
import sys
import tempfile
import termios
import time
from pathlib import Path

BARE_APP = '''\
from textual.app import App, ComposeResult
from textual.widgets import Static


class Bare(App):
    """One label and nothing else."""

    BINDINGS = [("q", "quit", "Quit")]

    def compose(self) -> ComposeResult:
        yield Static("bare app ready", id="label")


if __name__ == "__main__":
    Bare().run()
'''
TARGET = 0.3  # % of one core


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (all its threads) so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Terminal:
    """A command in a pseudo-terminal of a given size; its output is read and counted."""

    def __init__(self, argv: list[str], size: tuple[int, int]):
        self.argv = argv
        self.size = size
        self.pid = -1
        self.fd = -1
        self.seen = b""

    def start(self) -> None:
        env = dict(os.environ, TERM="xterm-256color", COLORTERM="truecolor")
        pid, fd = pty.fork()
        if pid == 0:  # the child: the app
            try:
                os.execvpe(self.argv[0], self.argv, env)
            finally:
                os._exit(127)
        cols, rows = self.size
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.pid, self.fd = pid, fd

    def read(self, seconds: float) -> int:
        """Read (and drop) the output for `seconds`; returns the bytes read."""
        end = time.monotonic() + seconds
        got = 0
        while (left := end - time.monotonic()) > 0:
            ready, _, _ = select.select([self.fd], [], [], left)
            if not ready:
                break
            try:
                chunk = os.read(self.fd, 65536)
            except OSError as gone:  # the app has ended
                raise RuntimeError(f"{self.argv} ended; output: {self.seen[-400:]!r}") from gone
            if not chunk:
                raise RuntimeError(f"{self.argv} closed its terminal")
            got += len(chunk)
            self.seen = (self.seen + chunk)[-20000:]
        return got

    def wait_for(self, text: bytes, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.seen:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.argv}: no {text!r} within {timeout} s")
            self.read(0.05)

    def settle(self, quiet: float, timeout: float = 30.0) -> None:
        """Until nothing has been written for `quiet` seconds."""
        deadline = time.monotonic() + timeout
        while self.read(quiet) and time.monotonic() < deadline:
            pass

    def stop(self) -> None:
        if self.pid > 0:
            try:
                os.kill(self.pid, signal.SIGTERM)
                for _ in range(50):
                    if os.waitpid(self.pid, os.WNOHANG)[0]:
                        break
                    self.read(0.05)
                else:
                    os.kill(self.pid, signal.SIGKILL)
                    os.waitpid(self.pid, 0)
            except (OSError, RuntimeError, ChildProcessError):
                pass
        if self.fd >= 0:
            os.close(self.fd)
        self.pid = self.fd = -1


def measure(
    argv: list[str], ready: bytes, size: tuple[int, int], seconds: float, settle: float
) -> dict:
    term = Terminal(argv, size)
    try:
        term.start()
        term.wait_for(ready, 90.0)
        term.settle(settle)
        cpu0, t0 = cpu_seconds(term.pid), time.monotonic()
        written = term.read(seconds)
        while time.monotonic() - t0 < seconds:  # read() returns early only when the app ends
            written += term.read(seconds - (time.monotonic() - t0))
        cpu1, t1 = cpu_seconds(term.pid), time.monotonic()
        rss_kb = next(
            (
                int(line.split()[1])
                for line in Path(f"/proc/{term.pid}/status").read_text().splitlines()
                if line.startswith("VmRSS:")
            ),
            0,
        )
        return {
            "cpu_percent": 100.0 * (cpu1 - cpu0) / (t1 - t0),
            "bytes": written,
            "rss_mb": rss_kb / 1024,
        }
    finally:
        term.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument(
        "--settle",
        type=float,
        default=2.0,
        help="seconds without output before measuring (default 2)",
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--preset", default="xor")
    parser.add_argument("--size", default="120x40")
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument(
        "--bptui",
        action="append",
        default=[],
        help="a bptui command to measure (repeatable; default: this interpreter's `-m bptui`)",
    )
    args = parser.parse_args()
    size = tuple(int(v) for v in args.size.lower().split("x"))
    commands = args.bptui or [f"{shlex.quote(args.python)} -m bptui"]
    started = time.perf_counter()
    load0 = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bptui-idle-") as tmp:
        script = Path(tmp) / "bare_app.py"
        script.write_text(BARE_APP)
        subjects = [("bare Textual app", [args.python, str(script)], b"bare app ready")]
        for command in commands:
            label = f"bptui {args.preset}" + (f" ({command})" if len(commands) > 1 else "")
            subjects.append((label, [*shlex.split(command), args.preset], b"Forward"))
        results: dict[str, list[dict]] = {label: [] for label, _, _ in subjects}
        for round_ in range(args.rounds):
            for label, argv, ready in subjects:
                print(f"round {round_ + 1}/{args.rounds}: {label} ...", file=sys.stderr, flush=True)
                results[label].append(measure(argv, ready, size, args.seconds, args.settle))
    load1 = os.getloadavg()
    print(
        f"## Idle CPU ({size[0]}x{size[1]}, {args.seconds:g} s after {args.settle:g} s "
        f"without output, median of {args.rounds})\n"
    )
    print(f"Load average at start {load0[0]:.2f}, at end {load1[0]:.2f}; {os.cpu_count()} CPUs.\n")
    print(
        "| app | CPU % of a core (median) | (min..max) | bytes written (median) "
        "| RSS MB | target <= 0.3% |"
    )
    print("|---|---:|---:|---:|---:|---|")
    for label, runs in results.items():
        cpu = [r["cpu_percent"] for r in runs]
        med = statistics.median(cpu)
        target = "-" if label.startswith("bare") else ("ok" if med <= TARGET else "**MISSED**")
        print(
            f"| {label} | {med:.2f} | {min(cpu):.2f}..{max(cpu):.2f} | "
            f"{statistics.median(r['bytes'] for r in runs):,.0f} | "
            f"{statistics.median(r['rss_mb'] for r in runs):.0f} | {target} |"
        )
    print(f"\nTotal benchmark time {time.perf_counter() - started:.0f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
