#!/usr/bin/env python
"""What a training frame costs the app's thread: every pane, or the status line alone.

Served to a browser, a training frame updates the status line and the panes only at
PANES_PER_SECOND_WEB (bptui.app.live); in a terminal every frame updates every pane. This posts
`--frames` training frames (snapshots of a stepper that trains between them) to a headless
explorer (120×40), one per 1/60 s, and measures the process's CPU time per frame for:

- idle: no frames (what the event loop costs meanwhile: the baseline),
- status: frames that update the status line only (a browser, panes not due),
- full: frames that update every pane (a terminal; a browser when the panes are due).

It prints each figure less the idle one (median of `--repeats`), in ms of CPU per frame. The
headless driver writes nothing: the output to a browser comes on top. No training thread runs
(the snapshots are taken beforehand), so the figures depend little on the machine's load.

    python benchmarks/frame_cost.py [--preset xor] [--frames 60] [--repeats 3]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time


async def cost(preset: str, mode: str, frames: int) -> float:
    """CPU seconds per frame of the app's process, in `mode` (idle, status or full)."""
    from bptui.app.main import BptuiApp
    from bptui.app.trainer import Trainer

    web, busy = BptuiApp.is_web, Trainer.busy
    BptuiApp.is_web = property(lambda self: mode != "full")
    try:
        return await frames_cost(BptuiApp(preset=preset), mode, frames)
    finally:
        BptuiApp.is_web, Trainer.busy = web, busy


async def frames_cost(app, mode: str, frames: int) -> float:
    from bptui.app.trainer import Trainer

    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.main_screen
        await pilot.pause(1.0)  # the charts' plots are mounted after the first frame
        snaps = []
        for _ in range(frames):
            screen.stepper.run(37)
            snaps.append(screen.take_snapshot(fresh=False))
        Trainer.busy = property(lambda self: True)  # frames count only while training runs
        start = time.process_time()
        for snap in snaps:
            screen._panes_at = float("inf") if mode == "status" else -1e9  # due or not
            if mode != "idle":
                screen.post_message(Trainer.Frame(snap, 1000.0))
            await pilot.pause(1 / 60)
        await pilot.pause(0.2)
        return (time.process_time() - start) / frames


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="xor")
    parser.add_argument("--frames", type=int, default=60)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    figures: dict[str, list[float]] = {"idle": [], "status": [], "full": []}
    for _ in range(args.repeats):
        for mode in figures:
            figures[mode].append(asyncio.run(cost(args.preset, mode, args.frames)))
    idle = statistics.median(figures["idle"])
    print(
        f"preset {args.preset}, 120×40, {args.frames} frames × {args.repeats}: CPU per frame "
        f"beyond idle ({1000 * idle:.1f} ms): status line only "
        f"{1000 * (statistics.median(figures['status']) - idle):.1f} ms, every pane "
        f"{1000 * (statistics.median(figures['full']) - idle):.1f} ms (medians)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
