"""Where a key press goes: cProfile of N presses of a key in the explorer (in-process, Pilot).

    python benchmarks/key_profile.py [--preset spiral] [--key space] [--presses 60] [--top 30]

Prints the functions by cumulative time; the README's "Where a key press goes" comes from it.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats


async def profile(preset: str, key: str, presses: int, top: int, sort: str = "cumulative") -> None:
    from bptui.app.main import BptuiApp

    app = BptuiApp(preset=preset)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(presses):
            await pilot.press(key)
            await pilot.pause()
        profiler.disable()
    stats = pstats.Stats(profiler)
    print(f"{presses} presses of {key!r} on {preset}; per press = cumulative / {presses}")
    stats.sort_stats(sort).print_stats(top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--preset", default="spiral")
    parser.add_argument("--key", default="space")
    parser.add_argument("--presses", type=int, default=60)
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    asyncio.run(profile(args.preset, args.key, args.presses, args.top))


if __name__ == "__main__":
    main()
