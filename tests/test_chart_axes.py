"""The charts' axes: where the step axis is labelled, and the value axis's ends."""

from __future__ import annotations

import pytest

from bptui.app.widgets.plots import linear_value_axis, step_axis


class Recorder:
    """The plotext calls an axis makes (xlim, xticks, ylim, yticks), kept."""

    def __init__(self):
        self.calls = {}

    def __getattr__(self, name):
        return lambda *args: self.calls.__setitem__(name, args)


def x_labels(last: int, width: int) -> list[str]:
    plt = Recorder()
    step_axis(plt, last, False, width)
    assert plt.calls["xlim"] == (0, last)
    return list(plt.calls["xticks"][1])


@pytest.mark.parametrize(
    "last, width, labels",
    [
        (828, 47, ["0", "500", "828"]),  # the end has room: it is labelled (0 … 500 read as 500)
        (1000, 47, ["0", "500", "1k"]),  # the end is a tick already
        (1050, 47, ["0", "500", "1k"]),  # 1k and 1.05k would touch: no label over another
        (300, 8, ["0", "300"]),  # too narrow for round ticks: the ends
    ],
)
def test_the_step_axis_says_where_the_run_ends_where_it_has_room(last, width, labels):
    assert x_labels(last, width) == labels


def test_the_value_axis_is_labelled_at_the_lowest_and_highest_values_plotted():
    plt = Recorder()
    linear_value_axis(plt, 0.08531, 0.1445, 6)
    ticks, labels = plt.calls["yticks"]
    assert ticks[0] == 0.08531 and ticks[-1] == 0.1445
    assert labels[0] == "0.08531" and labels[-1] == "0.1445"
