"""The help screen: every key, and what each phase computes, with its formula."""

from __future__ import annotations

from rich.markup import escape
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from bptui.app.guards import DismissOnce
from bptui.app.widgets.statusline import STATUS_HELP
from bptui.engine import activations, losses, optimizers, phases
from bptui.engine.stepper import Stepper
from bptui.keys import KEYS

EXTRA_KEYS = [("ctrl+p", "command palette: presets, actions, themes")]
"""Keys that Textual itself provides."""


def phase_table(stepper: Stepper) -> Table:
    """The four phases with formulas for this network's activations, loss and optimizer."""
    spec = stepper.spec
    output, loss = spec.output_activation, spec.loss
    hidden = list(dict.fromkeys(spec.hidden_activations))  # each activation once
    records = [activations.ACTIVATIONS[name] for name in hidden]
    table = Table(box=None, show_header=True, header_style="bold", padding=(0, 1))
    table.add_column("phase")
    table.add_column("computes")
    out_delta = "δᴸ = a − y" if loss == "cross_entropy" else f"δᴸ = ∂C_x/∂a ⊙ {output}'(z)"
    defined = escape(", ".join(f"{r.name} [{r.definition}]" for r in records))
    table.add_row(
        "forward",
        f"{phases.text('forward', ',  ')}; hidden f = {defined or 'none'}, output f = {output}",
    )
    table.add_row("error", f"{losses.formula(loss, output)};  {out_delta}")
    slopes = "; ".join(r.slope_text for r in records)
    table.add_row(
        "backward",
        f"{phases.text('backward', ',  ')} with {slopes or 'no hidden layer'}"
        f";  ∂C/∂W + λ/m·W with L2, + λ1/m·sign(W) with L1",
    )
    opt, schedule = stepper.optimizer, stepper.schedule
    table.add_row(
        "update",
        f"{opt.settings_text()}: "
        + ",  ".join(opt.rule)
        + f"  (θ: every W and b; {schedule.formula})",
    )
    return table


def optimizer_table() -> Table:
    """Every optimizer the settings screen offers, with its rule and defaults."""
    table = Table(box=None, show_header=False, padding=(0, 1))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    for name, cls in optimizers.OPTIMIZERS.items():
        defaults = ", ".join(f"{h.symbol} = {h.default:g}" for h in cls.hypers)
        table.add_row(
            name,
            f"{cls.summary}\n"
            + ",  ".join(cls.rule)
            + f"\n[dim]η = {cls.default_learning_rate:g}{', ' + defaults if defaults else ''}"
            " by default[/]",
        )
    return table


class HelpScreen(DismissOnce, ModalScreen[None]):
    """Keys and formulas; any of escape, ? or q closes it."""

    BINDINGS = [Binding("escape,question_mark,q", "dismiss", "Close")]

    def __init__(self, stepper: Stepper):
        super().__init__()
        self.stepper = stepper

    def compose(self) -> ComposeResult:
        keys = Table(box=None, show_header=False, padding=(0, 1))
        keys.add_column(style="bold cyan", no_wrap=True)
        keys.add_column()
        for key in KEYS:
            keys.add_row(key.name, key.help)
        for name, text in EXTRA_KEYS:
            keys.add_row(name, text)
        with VerticalScroll(id="help-body"):
            yield Static(Text("Keys", style="bold underline"))
            yield Static(keys)
            yield Static(Text("\nThe status line (top)", style="bold underline"))
            yield Static(Text(STATUS_HELP.replace(" · ", "\n")))
            yield Static(Text("\nOne training step, phase by phase", style="bold underline"))
            yield Static(phase_table(self.stepper))
            yield Static(Text("\nOptimizers (o: settings)", style="bold underline"))
            yield Static(optimizer_table())
            yield Static(
                Text(
                    "\nm = samples in the batch, η = learning rate, ∇C = ∂C/∂θ, "
                    "λ = L2, λ1 = L1.  Press escape to close.",
                    style="dim",
                )
            )
