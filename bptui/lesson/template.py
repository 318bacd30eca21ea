"""`bptui learn --template`: a commented starter lesson that passes `bptui learn FILE --check`.

Every key a lesson file takes appears in it (active or commented out), with what it does; the
tests check that the template loads and names every key the loader accepts.
"""

from __future__ import annotations

_TEXT = '''\
# A bptui lesson. Check it with:  bptui learn my-lesson.toml --check
# Run it with:                    bptui learn my-lesson.toml
# Texts are Markdown (a step's text is required: up to {chars:,} characters, {lines} lines,
# {blocks} blocks, where a paragraph or a table cell counts 1 and a list item {item}, tables of
# up to {columns} columns). Keys are written as the explorer's help (? in the app) shows them.

title = "XOR needs a hidden layer"          # required, one line
# The lesson picker's line, and what the learner knows at the end (Markdown, shown when done):
description = "Why one layer cannot learn XOR, and what two hidden units do."
outcome = "A hidden layer lets the network combine straight lines into regions."

# The network to teach with: a bundled preset name (bptui --list), a .toml file in this
# lesson's folder ("my-preset.toml"), or an inline [preset] table written like a preset file.
preset = "xor"

# Optional overrides of the preset's keys, as with --set (changing network.layers of a preset
# with pinned [[weights]] is refused).
[set]
network.layers = [2, 1]
training.learning_rate = 2.0

[[step]]                                    # 1 to {steps} steps, in order
text = """
This network has **no hidden layer**. Press **d** to see its *decision boundary*.
"""
keys = ["d", "x"]                           # the only keys this step allows (leave out: all);
                                            # n (next), t (hint), ? and q always work
hints = ["d switches the left pane to the decision boundary."]  # t shows them one at a time
# predict = {{ layer = 1, unit = 1, quantity = "a" }}  # what P asks in this step: layer and unit
                                            # from 1 as on screen; quantity a, z, delta, dC/dw
                                            # or new_w (these two take weight = N)
[step.check]                                # what must hold before n goes on (leave out: none)
showing = "boundary"                        # a pane on screen: explain, boundary, health,
                                            # check, matrix, diagram, gradcheck (g's result);
                                            # or a view shown during the step: nudge, slice,
                                            # slice2, pull, graph, event

[[step]]
text = """
Train with **r** (again: pause) past step 500. The loss stays near 0.125: no straight line
separates XOR's classes.
"""
keys = ["r", "s", "d"]
# speed = 10                                # the training speed this step starts: 1, 10, 100,
                                            # 1000 (steps/s) or "max"; at 10 each step is drawn
[step.check]
steps_at_least = 500                        # training steps done
# steps_at_most = 0                         # ... at most this many: a run from the initial
                                            # weights (0: R, step 0; the keys must allow R)
# loss_below = 0.1                          # the whole training set's cost below this
# loss_above = 0.1                          # ... still above this
# test_loss_below = 0.1                     # the held-out set's cost (only with a held-out
# test_loss_above = 0.2                     # set: [data] test_fraction)
# accuracy_at_least = 0.9                   # 0..1, classification presets only
# diverged = true                           # training diverged (false: it must not have)

[[step]]
text = """
Open the settings (**o**) and make the layers **2,2,1**: one hidden layer of two units.
"""
keys = ["o", "d"]
[step.check]
setting = "network.layers"                  # training.KEY or network.KEY, with one of:
equals = [2, 2, 1]                          # a number, a name ("adam"), true or false, or
                                            # the layers as an array
# at_least = 0.1                            # numeric settings: at_least and/or at_most
# at_most = 1.0

[[step]]
text = """
Train again (**r**) until the loss is below 0.02.
"""
keys = ["r", "s", "d", "x", "up", "down", "left", "right"]
[step.check]
loss_below = 0.02
# at = "forward 1"                          # the last micro-step: ready, forward N, error,
                                            # backward N, update (N = 1 .. weight layers)
# predicted = 1                             # right answers with P in this step (allow "P")
'''


def template() -> str:
    """The starter lesson, with the limits as the loader has them."""
    from bptui.lesson import markdown
    from bptui.lesson.loader import MAX_STEPS

    return _TEXT.format(
        chars=markdown.MAX_CHARS,
        lines=markdown.MAX_LINES,
        blocks=markdown.MAX_BLOCKS,
        item=markdown.LIST_ITEM,
        columns=markdown.MAX_COLUMNS,
        steps=MAX_STEPS,
    )
