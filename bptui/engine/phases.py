"""What each phase of a training step computes, as formulas: written once, read by the key
help (`bptui.keys`), the hint line (`app.explorer`) and the help screen.

One notation throughout: per sample, column vectors, W (n_out, n_in), so z = W·a_in + b and the
error goes back through Wᵀ. (The engine works on a batch with samples as rows, see
`kernels`: there the same products read a_in·Wᵀ and δ·W.) No imports: `bptui.keys` is read at
start-up.
"""

from __future__ import annotations

FORMULAS: dict[str, tuple[str, ...]] = {
    "forward": ("z = W·a_in + b", "a = f(z)"),
    "error": ("the loss C", "the output δ = ∂C/∂z"),
    "backward": ("∂C/∂W = 1/m Σ_x δ·a_inᵀ", "∂C/∂b = 1/m Σ_x δ", "δ_below = (Wᵀδ) ⊙ f'(z)"),
    "update": ("W ← W + ΔW",),
}
"""The formulas of each phase by phase name (`stepper.Phase` values), in order."""


def text(phase: str, joint: str = ", ") -> str:
    """A phase's formulas on one line: 'z = W·a_in + b, a = f(z)'."""
    return joint.join(FORMULAS[phase])
