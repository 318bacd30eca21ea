"""Every key of the explorer, described once (no Textual import here).

The footer bindings, the help screen, the command palette and lesson files (which may allow
only some keys) all read `KEYS`. `key` is Textual's key name; `shown` how help and lessons
write it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from bptui.engine import phases


@dataclass(frozen=True)
class Key:
    """One key: what it does (`action`, an App action string), its footer label and help line."""

    key: str
    action: str
    label: str
    help: str
    id: str
    footer: bool = True
    palette: bool = False
    shown: str = ""
    lesson: bool = False
    """Only during a lesson."""
    rank: int | None = None
    """Outside lessons, the footer's order of relevance (0 first): when the line is short it keeps
    the lowest ranks. None: in the footer only when a lesson step asks for the key."""
    moves: bool = False
    """It moves a cursor or scrolls: the panes' titles and the step's text name it; the footer
    leaves it out, even when a lesson step asks for it."""
    asks: bool = False
    """It opens a question with a field to type in: keys typed right behind it (in one burst, or
    pasted) wait until the field is there (bptui.app.guards.HeldKeys)."""

    @property
    def name(self) -> str:
        """How the key is written for people: 'f', 'space', '[', 'ctrl+s'."""
        return self.shown or self.key


KEYS: tuple[Key, ...] = (
    Key(
        "f",
        "forward",
        "Forward",
        f"forward: compute the next layer's {phases.text('forward', ' and ')}",
        "forward",
        palette=True,
        rank=6,
    ),
    Key(
        "e",
        "error",
        "Error",
        "error: the loss C and the output layer's δ (runs the rest of forward first)",
        "error",
        palette=True,
        rank=7,
    ),
    Key(
        "b",
        "backward",
        "Backward",
        "backward: gradients of one layer and δ of the layer below",
        "backward",
        palette=True,
        rank=8,
    ),
    Key(
        "u",
        "update",
        "Update",
        "update: apply the optimizer's ΔW to every layer",
        "update",
        palette=True,
        rank=9,
    ),
    Key("space", "micro", "Next", "the next micro-step, whatever it is", "micro", rank=0),
    Key(
        "s",
        "finish_step",
        "Step",
        "finish the current training step (through the update)",
        "step",
        palette=True,
        rank=1,
    ),
    Key(
        "P",
        "predict",
        "Predict",
        "predict a value before the engine computes it (what the "
        "lesson step names, else the next micro-step's for the selected unit)",
        "predict",
        palette=True,
        rank=5,
        asks=True,
    ),
    Key("r", "run", "Run/pause", "run / pause continuous training", "run", palette=True, rank=2),
    Key(
        "less_than_sign",
        "pace(-1)",
        "Slower",
        "train slower: max, 1,000, 100, 10, 1 steps/s (at 10 or fewer each step is drawn)",
        "slower",
        footer=False,
        palette=True,
        shown="<",
    ),
    Key(
        "greater_than_sign",
        "pace(1)",
        "Faster",
        "train faster: 1, 10, 100, 1,000 steps/s, max",
        "faster",
        footer=False,
        palette=True,
        shown=">",
    ),
    Key(
        "N",
        "run_to",
        "Run to…",
        "run N steps, to step N, or until the loss is below a value",
        "run_to",
        footer=False,
        palette=True,
        asks=True,
    ),
    Key(
        "R",
        "reset",
        "Reset",
        "reset to the preset's initial weights (same seed)",
        "reset",
        palette=True,
        rank=15,
    ),
    Key("z", "undo", "Undo", "undo one micro-step, exactly", "undo", palette=True, rank=12),
    Key(
        "Z",
        "redo",
        "Redo",
        "redo the next undone micro-step, bit for bit",
        "redo",
        palette=True,
        rank=21,
    ),
    Key(
        "left_square_bracket",
        "layer(-1)",
        "Layer-",
        "previous weight layer in the matrix pane",
        "layer_prev",
        footer=False,
        shown="[",
        moves=True,
    ),
    Key(
        "right_square_bracket",
        "layer(1)",
        "Layer+",
        "next weight layer in the matrix pane",
        "layer_next",
        footer=False,
        shown="]",
        moves=True,
    ),
    Key(
        "up",
        "cursor(0,-1)",
        "Unit up",
        "select the unit above",
        "cursor_up",
        footer=False,
        moves=True,
    ),
    Key(
        "down",
        "cursor(0,1)",
        "Unit down",
        "select the unit below",
        "cursor_down",
        footer=False,
        moves=True,
    ),
    Key(
        "left",
        "cursor(-1,0)",
        "Layer left",
        "select a unit of the layer to the left",
        "cursor_left",
        footer=False,
        moves=True,
    ),
    Key(
        "right",
        "cursor(1,0)",
        "Layer right",
        "select a unit of the layer to the right",
        "cursor_right",
        footer=False,
        moves=True,
    ),
    Key(
        "left_curly_bracket",
        "source(-1)",
        "Input-",
        "weight cursor: the previous input (or the "
        "bias) of the selected unit; its weight L:U:I is shown in the matrix pane and the diagram",
        "source_prev",
        footer=False,
        shown="{",
        moves=True,
    ),
    Key(
        "right_curly_bracket",
        "source(1)",
        "Input+",
        "weight cursor: the next input (or the bias) of the selected unit",
        "source_next",
        footer=False,
        shown="}",
        moves=True,
    ),
    Key(
        "comma",
        "sample(-1)",
        "Sample-",
        "previous sample of the batch",
        "sample_prev",
        footer=False,
        shown=",",
        moves=True,
    ),
    Key(
        "full_stop",
        "sample(1)",
        "Sample+",
        "next sample of the batch",
        "sample_next",
        footer=False,
        shown=".",
        moves=True,
    ),
    Key(
        "m", "mean", "Mean", "the batch mean instead of one sample (and back)", "mean", footer=False
    ),
    Key(
        "plus",
        "learning_rate(2.0)",
        "η×2",
        "double the learning rate η",
        "lr_up",
        shown="+",
        rank=16,
    ),
    Key(
        "minus",
        "learning_rate(0.5)",
        "η÷2",
        "halve the learning rate η",
        "lr_down",
        shown="-",
        rank=17,
    ),
    Key(
        "L",
        "log_steps",
        "Log steps",
        "loss chart: steps on a log scale (the first steps of a long run get room), and back",
        "log_steps",
        footer=False,
        palette=True,
    ),
    Key("l", "log_scale", "Log", "log scale in the loss chart", "log", palette=True, rank=18),
    Key(
        "h",
        "toggle_health",
        "Health",
        "the bottom pane cycles: loss chart → gradient health "
        "(gradient norms, update/weight ratios, saturated and dead units per layer) → update "
        "check (predicted ∇C·Δθ against the actual change, per step)",
        "health",
        palette=True,
        rank=11,
    ),
    Key(
        "c",
        "pin_run",
        "Pin run",
        "pin this run's loss curves as a ghost, to compare with the next run (up to 4)",
        "pin",
        palette=True,
        rank=19,
    ),
    Key(
        "C",
        "clear_pins",
        "Clear pins",
        "clear the pinned runs",
        "clear_pins",
        footer=False,
        palette=True,
    ),
    Key(
        "1",
        "zoom('diagram-pane')",
        "Zoom left",
        "the left pane at full size (again: back)",
        "zoom_left",
        footer=False,
        palette=True,
    ),
    Key(
        "2",
        "zoom('matrix-pane')",
        "Zoom right",
        "the right pane at full size (again: back)",
        "zoom_right",
        footer=False,
        palette=True,
    ),
    Key(
        "3",
        "zoom('bottom')",
        "Zoom chart",
        "the chart at full size (again: back)",
        "zoom_bottom",
        footer=False,
        palette=True,
    ),
    Key(
        "x",
        "toggle_explain",
        "Explain",
        "explain: the selected unit's arithmetic, formulas with the numbers",
        "explain",
        palette=True,
        rank=3,
    ),
    Key(
        "d",
        "toggle_boundary",
        "Boundary",
        "decision boundary / hidden-unit map instead of the diagram (1–2 inputs)",
        "boundary",
        palette=True,
        rank=10,
    ),
    Key(
        "g",
        "gradient_check",
        "Grad check",
        "gradient check: central differences against backprop, per layer",
        "gradcheck",
        palette=True,
        rank=20,
    ),
    Key(
        "v",
        "nudge",
        "Nudge",
        "nudge the selected weight by ±ε: C(w−ε), C(w), C(w+ε), the "
        "slope beside ∂C/∂w and the chain rule's factors (+ and - scale ε)",
        "nudge",
        footer=False,
        palette=True,
    ),
    Key(
        "k",
        "slice(1)",
        "Slice",
        "the loss around the selected weight (others held): curve, "
        "tangent and where the next update puts it",
        "slice",
        footer=False,
        palette=True,
    ),
    Key(
        "K",
        "slice(2)",
        "Slice 2D",
        "the loss over the selected weight and the next one (others "
        "held): heat map, gradient arrow, the last 200 steps' path",
        "slice2",
        footer=False,
        palette=True,
    ),
    Key(
        "y",
        "pull",
        "Pulls",
        "each sample's pull δ·a_in on the selected weight, sorted, with "
        "their mean ∂C/∂w and the L2 term (in the explain pane)",
        "pull",
        footer=False,
        palette=True,
    ),
    Key(
        "G",
        "unit_graph",
        "Graph",
        "the selected unit as a computational graph: each node's "
        "value and gradient (in the explain pane)",
        "unit_graph",
        footer=False,
        palette=True,
    ),
    Key(
        "j",
        "event(1)",
        "Next event",
        "jump to the next event (loss rose, a unit died, a "
        "gradient jumped, inf/nan) by exact replay",
        "event_next",
        footer=False,
        palette=True,
    ),
    Key(
        "J",
        "event(-1)",
        "Prev event",
        "jump to the previous event by exact replay",
        "event_prev",
        footer=False,
        palette=True,
    ),
    Key("p", "pick", "Presets", "preset picker", "presets", rank=14),
    Key(
        "ctrl+s",
        "save_session",
        "Save",
        "save the session (resume with bptui --session FILE)",
        "save",
        footer=False,
        palette=True,
    ),
    Key(
        "ctrl+e",
        "export_weights",
        "Export",
        "export the weights (.json, .npz, and a .toml preset)",
        "export",
        footer=False,
        palette=True,
    ),
    Key(
        "o",
        "settings",
        "Settings",
        "settings: η, batch, optimizer, schedule, init, activations, loss, layers",
        "settings",
        palette=True,
        rank=13,
    ),
    Key(
        "w",
        "edit_weight",
        "Edit weight",
        "type a new value for a weight of the selected unit",
        "edit_weight",
        footer=False,
        palette=True,
    ),
    Key(
        "n",
        "next_step",
        "Next step",
        "lesson: go on to the next step (when its check holds)",
        "lesson_next",
        lesson=True,
    ),
    Key(
        "t",
        "hint",
        "Hint",
        "lesson: a hint for this step (again for the next one); after a "
        "wrong prediction, its arithmetic",
        "lesson_hint",
        lesson=True,
    ),
    Key(
        "pagedown",
        "lesson_page(1)",
        "Text ▼",
        "lesson: scroll the step's text down a page (the mouse wheel too)",
        "lesson_page_down",
        footer=False,
        lesson=True,
        shown="PgDn",
        moves=True,
    ),
    Key(
        "pageup",
        "lesson_page(-1)",
        "Text ▲",
        "lesson: scroll the step's text up a page",
        "lesson_page_up",
        footer=False,
        lesson=True,
        shown="PgUp",
        moves=True,
    ),
    Key("question_mark", "help", "Help", "this help", "help", shown="?", rank=4),
    Key("q", "quit", "Quit", "quit", "quit", rank=22),
)

BY_NAME: dict[str, Key] = {**{k.key: k for k in KEYS}, **{k.name: k for k in KEYS}}
"""A key by Textual name or by how people write it."""

ASKING: dict[str, str] = {k.key: k.action for k in KEYS if k.asks}
"""The keys that open a question with a field (Textual name → action)."""

NEVER_LOCKED = frozenset(
    {"next_step", "hint", "help", "quit", "command_palette", "lesson_page", "zoom"}
)
"""Actions a lesson step's `keys` or a preset's [lock] never lock: the lesson's own, and those
that only change what is on screen and where (scrolling the text, a pane at full size)."""

LOCKABLE = frozenset(k.action.split("(")[0] for k in KEYS) - NEVER_LOCKED
"""The actions a lock can lock: the explorer's own keys (Textual's, such as tab and shift+tab
between the fields of a screen, always work)."""


def keys_allow(keys: tuple[str, ...] | None, action: str) -> bool:
    """Whether `keys` (a step's `keys` or a preset's [lock]; None: every key) let this action (an
    App action name, without arguments) run."""
    return keys is None or action not in LOCKABLE or action in _unlocked(keys)


@cache
def _unlocked(keys: tuple[str, ...]) -> frozenset[str]:
    """The actions of `keys` (asked for every binding each time the footer is drawn)."""
    return frozenset(BY_NAME[k].action.split("(")[0] for k in keys)
