"""A goal's fixes, run: does each one cure the phenomenon the preset shows? (tests and
`benchmarks/` use it; loading only validates them, in `loader.validate_fixes`)."""

from __future__ import annotations

from dataclasses import replace

from bptui.preset.goal import PHENOMENA, Fact, check
from bptui.preset.loader import with_overrides
from bptui.preset.overrides import Override


def check_fixes(preset) -> list[tuple[tuple[Override, ...], list[Fact]]]:
    """For each fix: its overrides and the phenomenon facts of a run of `steps` steps with them
    (the fix works when none of them holds)."""
    goal = preset.goal
    out = []
    for fix in goal.fix if goal else ():
        fixed = replace(with_overrides(preset, list(fix), keep_goal=False), goal=goal)
        stepper = fixed.stepper()
        stepper.run(goal.steps)
        out.append((fix, [f for f in check(fixed, stepper) if f.key in PHENOMENA]))
    return out
