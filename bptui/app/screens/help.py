"""The help screen: every key, and what each phase computes, with its formula."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from bptui.app.guards import DismissOnce
from bptui.engine import activations, losses

KEYS = [
    ("f", "forward: compute the next layer's z = a_in·Wᵀ + b and a = f(z)"),
    ("e", "error: the loss C and the output layer's δ (runs the rest of forward first)"),
    ("b", "backward: gradients of one layer and δ of the layer below"),
    ("u", "update: apply ΔW = μ·v − η·∂C/∂W to every layer"),
    ("space", "the next micro-step, whatever it is"),
    ("s", "finish the current training step (through the update)"),
    ("r", "run / pause continuous training"),
    ("R", "reset to the preset's initial weights (same seed)"),
    ("[ ]", "previous / next weight layer in the matrix pane"),
    ("arrows", "move the unit cursor in the diagram"),
    (", .", "previous / next sample of the batch"),
    ("m", "batch mean instead of one sample"),
    ("+ -", "double / halve the learning rate η"),
    ("l", "log scale in the loss chart"),
    ("x", "explain: the selected unit's arithmetic, formulas with the numbers"),
    ("d", "decision boundary / hidden-unit map instead of the diagram (1–2 inputs)"),
    ("g", "gradient check: central differences against backprop, per layer"),
    ("z Z", "undo / redo one micro-step, exactly"),
    ("ctrl+s", "save the session (resume with bptui --session FILE)"),
    ("ctrl+e", "export the weights (.json, .npz, and a .toml preset)"),
    ("p", "preset picker (bundled presets, or a .toml file by path)"),
    ("ctrl+p", "command palette: presets and actions"),
    ("?", "this help"),
    ("q", "quit"),
]


def phase_table(hidden: str, output: str, loss: str) -> Table:
    """The four phases with formulas for this network's activations and loss."""
    table = Table(box=None, show_header=True, header_style="bold", padding=(0, 1))
    table.add_column("phase")
    table.add_column("computes")
    out_delta = ("δᴸ = a − y" if loss == "cross_entropy"
                 else f"δᴸ = ∂C_x/∂a ⊙ {output}'(z)")
    table.add_row("forward", f"z = a_in·Wᵀ + b,  a = f(z); hidden f = {hidden} "
                             f"[{activations.FORMULAS[hidden][0]}], output f = {output}")
    table.add_row("error", f"{losses.formula(loss, output)};  {out_delta}")
    table.add_row("backward", f"∂C/∂W = 1/m Σ_x δ·a_inᵀ (+ λ/m·W),  ∂C/∂b = 1/m Σ_x δ,  "
                              f"δ_below = (Wᵀδ) ⊙ f'(z) with {hidden}' = "
                              f"{activations.FORMULAS[hidden][1]}")
    table.add_row("update", "v ← μ·v − η·∂C/∂W,  W ← W + v  (the same for b)")
    return table


class HelpScreen(DismissOnce, ModalScreen[None]):
    """Keys and formulas; any of escape, ? or q closes it."""

    BINDINGS = [Binding("escape,question_mark,q", "dismiss", "Close")]

    def __init__(self, hidden: str, output: str, loss: str):
        super().__init__()
        self.formulas = (hidden, output, loss)

    def compose(self) -> ComposeResult:
        keys = Table(box=None, show_header=False, padding=(0, 1))
        keys.add_column(style="bold cyan", no_wrap=True)
        keys.add_column()
        for key, text in KEYS:
            keys.add_row(key, text)
        with VerticalScroll(id="help-body"):
            yield Static(Text("Keys", style="bold underline"))
            yield Static(keys)
            yield Static(Text("\nOne training step, phase by phase", style="bold underline"))
            yield Static(phase_table(*self.formulas))
            yield Static(Text("\nm = samples in the batch, η = learning rate, μ = momentum, "
                              "λ = L2.  Press escape to close.", style="dim"))
