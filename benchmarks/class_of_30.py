#!/usr/bin/env python
"""A class on one machine: `bptui --web` serving 30 browser sessions at once.

Starts `python -m bptui --web PRESET --port P` on a free loopback port, opens N sessions
(default 30) as local WebSocket clients (aiohttp, as textual-serve's page talks: `stdin`
messages in, the screen as binary packets out; every client reads what it is sent, as a browser
does), and measures:

1. **lone round trip**: one learner alone presses `space` (one micro-step; the screen changes
   every time): time from sending the key to the first screen packet back. The baseline.
2. **memory**: RSS and PSS (smaps_rollup: shared pages split among the processes that share
   them) summed over every app process, once all N have drawn and settled.
3. **idle CPU**: user + system CPU of all N apps together (and of the server) over
   `--idle-seconds`, as a share of one core, with the screen bytes the idle apps sent.
4. **round trip under load**: five learners press `r` (train); while they train and the others
   are connected, the active learner presses `space` `--presses` times: median and p90.

Targets (issue 14, section 6): <= 1.5 GB for 30 sessions, idle CPU of all 30 <= 10 % of one
core, round trip <= 100 ms. Stops by itself: every wait has a deadline, and the server (with
its apps) is ended at the end, whatever happened. Loopback only.

Usage (the project's virtualenv; takes about 2 minutes):

    python benchmarks/class_of_30.py [--sessions 30] [--trainers 5] [--idle-seconds 20]
        [--presses 30] [--preset xor] [--json FILE]

Prints markdown.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from procs import children, cpu_seconds, web_server

TARGETS = {"memory_gb": 1.5, "idle_cpu_percent": 10.0, "round_trip_ms": 100.0}


def memory_kb(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of `pid` in kB."""
    rss = pss = 0
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Rss:"):
                rss = int(line.split()[1])
            elif line.startswith("Pss:"):
                pss = int(line.split()[1])
    except OSError:
        pass
    return rss, pss


class Learner:
    """One browser session: a WebSocket that reads everything it is sent."""

    def __init__(self, url: str):
        self.url = url
        self.client = aiohttp.ClientSession()
        self.websocket: aiohttp.ClientWebSocketResponse | None = None
        self.bytes = 0
        self.packets = 0
        self.drawn = asyncio.Event()
        self.packet = asyncio.Event()  # set on every screen packet
        self.reader: asyncio.Task | None = None

    async def open(self) -> None:
        self.websocket = await self.client.ws_connect(f"{self.url}/ws?width=120&height=40")
        self.reader = asyncio.create_task(self.read())
        await self.websocket.send_json(["focus"])  # as a browser tab that has the focus

    async def read(self) -> None:
        async for message in self.websocket:
            if message.type == aiohttp.WSMsgType.BINARY:
                self.bytes += len(message.data)
                self.packets += 1
                if len(message.data) > 10_000:  # a full frame (120×40: about 60 KB)
                    self.drawn.set()
                self.packet.set()

    async def press(self, key: str) -> None:
        await self.websocket.send_json(["stdin", key])

    async def round_trip(self, key: str, timeout: float = 5.0) -> float:
        """Seconds from sending `key` to the first screen packet after it."""
        self.packet.clear()
        start = time.perf_counter()
        await self.press(key)
        await asyncio.wait_for(self.packet.wait(), timeout)
        return time.perf_counter() - start

    async def close(self) -> None:
        if self.websocket is not None:
            await self.websocket.close()
        if self.reader is not None:
            self.reader.cancel()
        await self.client.close()


async def round_trips(learner: Learner, presses: int) -> list[float]:
    """`presses` round trips of `space`, one every ~0.2 s (after the screen has settled)."""
    times = []
    for _ in range(presses):
        await asyncio.sleep(0.2)
        times.append(await learner.round_trip(" "))
    return times


def summary(times: list[float]) -> dict:
    ordered = sorted(times)
    return {
        "median_ms": 1000 * statistics.median(ordered),
        "p90_ms": 1000 * ordered[max(0, int(0.9 * len(ordered)) - 1)],
        "max_ms": 1000 * ordered[-1],
        "n": len(ordered),
    }


async def measure(args, url: str, server: subprocess.Popen) -> dict:
    figures: dict = {}
    learners: list[Learner] = []
    try:
        active = Learner(url)
        learners.append(active)
        await active.open()
        await asyncio.wait_for(active.drawn.wait(), 60)
        await asyncio.sleep(2)
        figures["lone"] = summary(await round_trips(active, args.presses))
        print(f"lone learner: {figures['lone']['median_ms']:.1f} ms", file=sys.stderr)

        started = time.perf_counter()
        for _ in range(args.sessions - 1):
            learner = Learner(url)
            learners.append(learner)
            await learner.open()
        await asyncio.wait_for(asyncio.gather(*(lr.drawn.wait() for lr in learners)), 180)
        figures["all_drawn_s"] = time.perf_counter() - started
        print(f"{len(learners)} sessions drawn in {figures['all_drawn_s']:.1f} s", file=sys.stderr)
        await asyncio.sleep(args.settle)

        apps = children(server.pid)
        figures["apps"] = len(apps)
        memory = [memory_kb(pid) for pid in apps]
        figures["rss_mb"] = sum(m[0] for m in memory) / 1024
        figures["pss_mb"] = sum(m[1] for m in memory) / 1024
        figures["rss_per_app_mb"] = figures["rss_mb"] / max(1, len(apps))
        figures["server_rss_mb"] = memory_kb(server.pid)[0] / 1024

        before = {pid: cpu_seconds(pid) for pid in apps}
        server_before = cpu_seconds(server.pid)
        sent_before = sum(lr.bytes for lr in learners)
        packets_before = sum(lr.packets for lr in learners)
        t0 = time.perf_counter()
        await asyncio.sleep(args.idle_seconds)
        span = time.perf_counter() - t0
        used = sum(cpu_seconds(pid) - before[pid] for pid in apps)
        figures["idle_cpu_percent"] = 100 * used / span
        figures["idle_cpu_per_app_percent"] = figures["idle_cpu_percent"] / max(1, len(apps))
        figures["idle_server_cpu_percent"] = 100 * (cpu_seconds(server.pid) - server_before) / span
        figures["idle_bytes_per_s"] = (sum(lr.bytes for lr in learners) - sent_before) / span
        figures["idle_packets_per_s"] = (sum(lr.packets for lr in learners) - packets_before) / span
        print(f"idle: {figures['idle_cpu_percent']:.1f} % of a core", file=sys.stderr)

        trainers = learners[1 : 1 + args.trainers]
        for learner in trainers:
            await learner.press("r")
        await asyncio.sleep(3)
        busy_before = {pid: cpu_seconds(pid) for pid in apps}
        t0 = time.perf_counter()
        figures["loaded"] = summary(await round_trips(active, args.presses))
        span = time.perf_counter() - t0
        figures["loaded_cpu_percent"] = (
            100 * sum(cpu_seconds(pid) - busy_before[pid] for pid in apps) / span
        )
        print(f"under load: {figures['loaded']['median_ms']:.1f} ms", file=sys.stderr)
        for learner in trainers:
            await learner.press("r")
    finally:
        await asyncio.gather(*(lr.close() for lr in learners), return_exceptions=True)
    return figures


def report(args, figures: dict) -> str:
    memory_gb = figures["pss_mb"] / 1024
    met = {
        "memory": memory_gb <= TARGETS["memory_gb"],
        "idle": figures["idle_cpu_percent"] <= TARGETS["idle_cpu_percent"],
        "round trip": figures["loaded"]["p90_ms"] <= TARGETS["round_trip_ms"],
    }
    mark = {True: "met", False: "MISSED"}
    lines = [
        f"## A class of {args.sessions} on one machine (`bptui --web {args.preset}`)",
        "",
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; load average before {args.load_before}, after "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}.",
        "",
        "| what | figure | target |",
        "| --- | --- | --- |",
        f"| app processes | {figures['apps']} (all drawn {figures['all_drawn_s']:.1f} s after "
        f"the first) | |",
        f"| memory of the apps (PSS) | {figures['pss_mb']:.0f} MB (RSS summed "
        f"{figures['rss_mb']:.0f} MB, {figures['rss_per_app_mb']:.0f} MB an app; server "
        f"{figures['server_rss_mb']:.0f} MB) | "
        f"≤ {TARGETS['memory_gb']} GB: {mark[met['memory']]} |",
        f"| idle CPU, all apps | {figures['idle_cpu_percent']:.2f} % of one core "
        f"({figures['idle_cpu_per_app_percent']:.3f} % an app; server "
        f"{figures['idle_server_cpu_percent']:.2f} %; {figures['idle_packets_per_s']:.1f} "
        f"screen packets/s, {figures['idle_bytes_per_s']:.0f} B/s) | "
        f"≤ {TARGETS['idle_cpu_percent']:g} %: {mark[met['idle']]} |",
        f"| round trip, lone learner | median {figures['lone']['median_ms']:.1f} ms, p90 "
        f"{figures['lone']['p90_ms']:.1f} ms | |",
        f"| round trip, {args.trainers} training, {args.sessions} connected | median "
        f"{figures['loaded']['median_ms']:.1f} ms, p90 {figures['loaded']['p90_ms']:.1f} ms, "
        f"max {figures['loaded']['max_ms']:.1f} ms (apps at {figures['loaded_cpu_percent']:.0f} "
        f"% of a core) | ≤ {TARGETS['round_trip_ms']:g} ms (p90): "
        f"{mark[met['round trip']]} |",
        f"| round trip, loaded ÷ lone (medians) | "
        f"{figures['loaded']['median_ms'] / figures['lone']['median_ms']:.2f} | |",
        "",
        "Round trip: `space` sent on the WebSocket until the first screen packet comes back "
        f"({figures['loaded']['n']} presses, 0.2 s apart). Memory: PSS is what the apps take "
        "together (a shared page counted once); the RSS sum counts the pages they share (Python, "
        "NumPy, libraries: ~20 MB an app) once per app. The loaded ÷ lone ratio is what the "
        "other learners cost one learner, whatever else the machine runs.",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--trainers", type=int, default=5)
    parser.add_argument("--idle-seconds", type=float, default=20.0)
    parser.add_argument(
        "--settle",
        type=float,
        default=10.0,
        help="seconds after every session drew before measuring",
    )
    parser.add_argument("--presses", type=int, default=30)
    parser.add_argument("--preset", default="xor")
    parser.add_argument("--json", metavar="FILE")
    args = parser.parse_args()
    args.load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())

    try:
        with web_server(args.preset, "--max-sessions", str(max(32, args.sessions))) as (
            server,
            url,
        ):
            figures = asyncio.run(measure(args, url, server))
    except RuntimeError as error:
        print(error, file=sys.stderr)
        return 1
    print(report(args, figures))
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
