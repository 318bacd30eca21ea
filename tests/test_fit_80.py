"""What a learner reads at 80×24 is whole: pane titles, the footer's keys, legends and the
readout say their words whole (cut after a word with …, or shorter), in one notation."""

from __future__ import annotations

import pytest

from bptui.app.main import BptuiApp


def screen_rows(app) -> list[str]:
    """The screen as shown, row by row."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def test_a_pane_title_drops_its_keys_before_cutting_a_word():
    from bptui.app.widgets.statusline import border_title_text

    title = "Unit graph · G: back · arrows: unit"
    assert border_title_text(title, 40) == title
    assert border_title_text(title, 34) == "Unit graph · G: back"
    assert border_title_text("Explain the selected unit", 12) == "Explain the…"


@pytest.mark.parametrize(
    "keys, title",
    [
        (["x"], "Explain · x: matrix · arrows: unit"),
        (["x", "G"], "Unit graph · G: back"),
        (["x", "y"], "Each sample's pull · y: back"),
        (["d", "left"], "Boundary · hidden layer 1, unit 1"),
    ],
)
async def test_pane_titles_at_80_columns_keep_whole_words(keys, title):
    app = BptuiApp(preset="xor")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*keys)
        await pilot.pause()
        top = screen_rows(app)[1]
        assert f"─ {title} ─" in top, top
        assert "…" not in top


async def test_pane_titles_follow_a_resize():
    app = BptuiApp(preset="xor")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("x", "G")
        await pilot.pause()
        assert "Unit graph · G: back · arrows: unit" in screen_rows(app)[1]
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert "─ Unit graph · G: back ─" in screen_rows(app)[1]


def footer_labels() -> dict[str, str]:
    """How each key is written in the footer: 'f Forward', 'space Next', '? Help'."""
    from bptui.keys import KEYS

    shown = {"space": "space", "question_mark": "?", "plus": "+", "minus": "-"}
    return {k.id: f"{shown.get(k.key, k.key)} {k.label}" for k in KEYS}


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
async def test_the_footer_shows_whole_key_labels(size):
    app = BptuiApp(preset="xor")
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        footer = screen_rows(app)[-1]
        keys, palette = footer.split("▏")
        assert palette.strip() == "^p palette"
        labels = footer_labels()
        for wanted in ("micro", "step", "run", "explain", "help"):
            assert labels[wanted] in keys, (wanted, footer)
        words = keys.split()
        known = " ".join(labels.values()).split()
        assert all(word in known for word in words), footer  # no 'Pre', no 'Setti'


async def test_in_a_lesson_the_footer_lists_the_keys_the_step_asks_for(tmp_path, monkeypatch):
    from bptui.lesson import load_lesson

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    lesson = load_lesson("slope")
    app = BptuiApp(preset=lesson.preset, lesson=lesson)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        footer = screen_rows(app)[-1]
        for label in ("n Next step", "t Hint", "v Nudge", "x Explain", "? Help"):
            assert label in footer, footer
        assert "Unit up" not in footer  # moves are named by the titles and the text


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
async def test_the_gradient_check_writes_epsilon_and_fits(size):
    app = BptuiApp(preset="xor")
    async with app.run_test(size=size) as pilot:
        await pilot.press("g")
        await pilot.pause()
        shown = "\n".join(screen_rows(app))
        assert "(C(θ+ε) − C(θ−ε))/2ε vs backprop" in shown
        assert "ε = 1e-6" in shown and "2h" not in shown
        assert "relative error per layer, this batch" in shown
        assert "layer 2: W" in shown


def test_the_status_lines_loss_is_cut_never_rounded_across_a_goal():
    from bptui.app.widgets.statusline import loss_text

    assert loss_text(0.0149951, 7) == "0.01499"  # was 0.015, beside "below 0.015"
    assert loss_text(0.01499, 9) == "0.01499"
    assert loss_text(0.00014999, 7) == "1.49e-4"
    assert loss_text(0.1445, 7) == "0.1445" and loss_text(2.0, 7) == "2"
    assert loss_text(0.298371109, 7) == "0.2984"  # rounded, as the error lesson quotes Mazur
    assert loss_text(0.29996, 7) == "0.2999"  # not 0.3: rounding would drop figures
    assert loss_text(float("inf"), 7) == "inf"


async def test_after_run_to_a_loss_the_status_line_shows_it_below_the_goal():
    from bptui.app.trainer import Goal
    from bptui.lesson import load_lesson

    class Timeline:
        def record(self):
            pass

    app = BptuiApp(preset=load_lesson("learning-rate").preset)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.main_screen
        screen.stepper.learning_rate = 0.32
        assert (
            screen.trainer._loop(screen.stepper, Timeline(), Goal(step=20_000, loss=0.015))
            == "reached"
        )
        screen.refresh_view()
        await pilot.pause()
        status = screen_rows(app)[0]
        shown = status.split(" loss ")[1].split()[0]
        assert float(shown) < 0.015, status


@pytest.mark.parametrize(
    "keys, named",
    [
        (["2"], "the matrix pane at full size"),
        (["x", "2"], "the explain pane at full size"),
        (["d", "1"], "the decision boundary at full size"),
        (["h", "3"], "gradient health at full size"),
    ],
)
async def test_zooming_names_the_pane_in_front(keys, named):
    app = BptuiApp(preset="xor")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*keys)
        await pilot.pause()
        assert app.main_screen.hint.startswith(named)
        assert named in "\n".join(screen_rows(app))


async def test_the_explain_pane_writes_the_networks_inputs_as_x():
    from bptui.app.widgets.explainpane import ExplainPane

    app = BptuiApp(preset="mazur")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("s", "x")
        await pilot.pause()
        text = app.query_one(ExplainPane).render_text()
        assert "z = w1·x1 + w2·x2 + b1" in text and "∂C/∂w1 = δ·x1" in text
        assert "a_1" not in text


def readout_text(app) -> str:
    from bptui.app.widgets.readout import Readout

    readout = app.query_one(Readout)
    region = readout.content_region
    return "\n".join(
        row[region.x : region.right].rstrip() for row in screen_rows(app)[region.y : region.bottom]
    )


@pytest.mark.parametrize(
    "preset, size, columns",
    [
        ("xor", (80, 24), "0 1"),
        ("xor", (120, 40), "0 1"),
        ("iris", (80, 24), "set ver vir"),
        ("iris", (120, 40), "setosa versic virgin"),
    ],
)
async def test_the_confusion_matrix_labels_its_rows_and_columns(preset, columns, size):
    app = BptuiApp(preset=preset)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        lines = readout_text(app).splitlines()
        at = next(i for i, line in enumerate(lines) if line.startswith("confusion, "))
        assert lines[at + 1].strip() == "predicted→", lines
        assert lines[at + 2].startswith("true↓") and lines[at + 2].split()[1:] == columns.split()
        assert lines[at + 3].split()[0] == columns.split()[0]


def trained_in_a_lesson_step_that_trains(app) -> None:
    """dead-units trained with the fix (η 0.5), in the layout of a lesson step that trains: on
    a short screen its chart pane has 8 rows (app.tcss), the readout 6 lines."""
    screen = app.main_screen
    screen.stepper.learning_rate = 0.5
    screen.stepper.run(300)
    screen.refresh_view()


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
async def test_the_confusion_matrix_keeps_its_numbers_after_training_in_a_lesson(size):
    """After training, 'train 97%' and 'test 100%' took two lines and the matrix fell back to
    colour cells, 'true↓ pred→…' over '0/1 ▀▀▀▀' (learner walk 3, dead-units 3): the readout
    used two cells less than it has, and the numbers had no layout a line shorter."""
    from bptui.lesson import load_lesson

    lesson = load_lesson("dead-units")
    app = BptuiApp(preset=lesson.preset, lesson=lesson)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        trained_in_a_lesson_step_that_trains(app)
        await pilot.pause()
        app.main_screen.remove_class("lesson-text-first")  # as lessons.draw does for r
        await pilot.pause()
        lines = readout_text(app).splitlines()
        counts = app.main_screen.snapshot.readout["test_confusion"]
        assert "▀" not in "".join(lines) and "…" not in "".join(lines), lines
        assert "train 99" in lines[0] and "test 100" in lines[0], lines  # one line
        header = next(i for i, line in enumerate(lines) if line.startswith("true↓"))
        assert lines[header].split()[-2:] == ["0", "1"], lines
        for i in range(2):
            assert lines[header + 1 + i].split() == [str(i), *map(str, counts[i])], lines


def test_the_confusion_matrix_puts_both_headers_on_one_line_where_a_line_is_missing():
    import numpy as np

    from bptui.app.widgets.readout import confusion_text

    counts = np.array([[22, 0], [3, 28]])
    roomy = confusion_text(counts, ("0", "1"), 20, 4).plain.splitlines()
    assert [line.split() for line in roomy] == [
        ["predicted→"],
        ["true↓", "0", "1"],
        ["0", "22", "0"],
        ["1", "3", "28"],
    ]
    short = confusion_text(counts, ("0", "1"), 20, 3).plain.splitlines()
    assert short[0].split() == ["true↓", "pred→", "0", "1"], short
    assert [line.split() for line in short[1:]] == [line.split() for line in roomy[2:]]
    assert "▀" in confusion_text(counts, ("0", "1"), 20, 2).plain  # then colour cells


def test_the_accuracy_line_puts_each_set_on_its_own_line_rather_than_cutting():
    from bptui.app.widgets.readout import accuracy_text

    both = {"train_accuracy": 1.0, "test_accuracy": 0.95}
    assert accuracy_text(both, 18).plain == "train 100%\ntest 95%"  # was 'train 100% test…'
    assert accuracy_text(both, 20).plain == "train 100% test 95%"
    assert accuracy_text(both, 28).plain == "acc train 100.0% test 95.0%"


@pytest.mark.parametrize(
    "preset, unit, legend",
    [
        ("xor", [], "■ class 0 ■ class 1"),
        ("xor", ["left"], "● train"),
    ],
)
async def test_the_boundary_legend_shows_whole_entries_at_80_columns(preset, unit, legend):
    from bptui.app.widgets.boundary import DecisionBoundary
    from bptui.lesson import load_lesson

    lesson = load_lesson("xor")
    app = BptuiApp(preset=lesson.preset, lesson=lesson)  # the narrowest left pane
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("d", *unit)
        await pilot.pause()
        first = app.query_one(DecisionBoundary).render_line(0).text.rstrip()
        assert legend in first, first
        assert not first.endswith("■") and "…" not in first


@pytest.mark.parametrize(
    "preset, sample",
    [
        ("mazur", "sample 1: x (0.05, 0.1) → y (0.01, 0.99)"),
        ("xor", "sample 1: x (0, 0) → class 0"),
    ],
)
async def test_the_unit_graph_names_the_samples_inputs_and_target(preset, sample):
    from bptui.app.widgets.explainpane import ExplainPane

    app = BptuiApp(preset=preset)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("s", "x", "G")
        await pilot.pause()
        shown = "\n".join(screen_rows(app))
        if len(sample) > 34:  # on two lines: the inputs, then the target
            sample = sample.replace(" → ", "\n")
        for line in sample.splitlines():
            assert line in app.query_one(ExplainPane).render_text()
            assert line in shown, shown


def test_scrolled_text_has_a_one_cell_scroll_bar():
    from bptui.app.widgets.explainpane import ExplainPane

    async def check():
        app = BptuiApp(preset="xor")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("question_mark")
            await pilot.pause()
            assert app.screen.query_one("#help-body").styles.scrollbar_size_vertical == 1
            await pilot.press("escape")
            assert app.query_one(ExplainPane).styles.scrollbar_size_vertical == 1

    import asyncio

    asyncio.run(check())


@pytest.mark.parametrize(
    "lesson, steps, fields",
    [
        ("forward", 0, ["step 0", "loss 0.2984"]),
        ("xor", 0, ["step 0", "loss 0.1305", "acc 50%", "η 2"]),
        ("overfitting", 1000, ["step 1,000", "loss 0.01257", "test 0.8468", "test R² -0.64"]),
    ],
)
async def test_at_80_columns_every_status_field_is_named(lesson, steps, fields):
    """Learner walk 2, #1/#2/#37/#59/#63: 'L 0.2984', 'T 0.5749', '75%' and an R² that was the
    test set's were unnamed, and the training 'step 0' read like the lesson's 'step 3 of 4'.
    Each number is named (test where it is the test set's) and the lesson's step says so."""
    from bptui.app.widgets.statusline import STATUS_HELP, StatusLine
    from bptui.lesson import load_lesson

    loaded = load_lesson(lesson)
    app = BptuiApp(preset=loaded.preset, lesson=loaded)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        if steps:
            app.main_screen.stepper.run(steps)
            app.main_screen.refresh_view()
            await pilot.pause()
        status = screen_rows(app)[0]
        for field in fields:
            assert f" {field}" in status, status
        assert " L " not in status and " T " not in status and len(status.rstrip()) <= 80
        assert app.query_one(StatusLine).tooltip == STATUS_HELP
        if lesson == "forward":  # the hint line, beside the status line, says whose step
            await pilot.press("x", "n")
            await pilot.pause()
            assert screen_rows(app)[-2].startswith("lesson step 2 of 4"), screen_rows(app)[-2]


def test_a_long_hint_breaks_between_its_parts_and_is_cut_after_a_whole_word():
    """Learner walk 2, #4/#19: the hint line wrapped at the screen's edge and lost its end
    mid-formula ('… (a =', '… next: b (backward layer'). Two lines at most, broken between
    the hint's parts or clauses; what cannot fit ends in '…' after a whole word."""
    from bptui.app.widgets.statusline import hint_lines

    backward = (
        "backward layer 1/2: ∂C/∂W = 1/m Σ_x δ·a_inᵀ, ∂C/∂b = 1/m Σ_x δ, δ_below = (Wᵀδ) "
        "⊙ f'(z) — next: u (update)"
    )
    assert hint_lines(backward, 80) == [
        "backward layer 1/2: ∂C/∂W = 1/m Σ_x δ·a_inᵀ, ∂C/∂b = 1/m Σ_x δ,",
        "δ_below = (Wᵀδ) ⊙ f'(z) — next: u (update)",
    ]
    finished = (
        "lesson finished — n: the next lesson (error) — A unit adds up its inputs times their "
        "weights plus its bias (z), then squashes that sum with its activation (a = f(z)), "
        "layer by layer to the output."
    )
    first, second = hint_lines(finished, 80)
    assert first == "lesson finished — n: the next lesson (error) —"
    assert second.endswith(" …") and len(second) <= 80 and "(a" not in second
    assert hint_lines("short", 80) == ["short"]


async def test_the_hint_line_shows_the_fitted_lines():
    from bptui.app.widgets.statusline import HintLine

    app = BptuiApp(preset="mazur")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("e", "b", "b")
        await pilot.pause()
        assert isinstance(app.query_one("#hint"), HintLine)
        rows = screen_rows(app)
        assert rows[-3].rstrip().endswith("∂C/∂b = 1/m Σ_x δ,"), rows[-3]
        assert rows[-2].startswith("δ_below = (Wᵀδ) ⊙ f'(z) — next: u (update)"), rows[-2]


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_the_loss_charts_lowest_label_is_the_loss_the_top_line_shows(size):
    """plotext labels each row with a value inside it: a short chart's bottom row said 0.35
    where the curve ended at 0.19 (learner walk 3). The linear axis is labelled at the lowest
    and highest values plotted, written as the top line writes the loss."""
    from bptui.engine.numtext import number

    app = BptuiApp(preset="mazur")
    async with app.run_test(size=size) as pilot:
        for _ in range(60):
            app.main_screen.stepper.run(1)
        app.main_screen.timeline.record()
        app.main_screen.refresh_view()
        await pilot.pause(0.3)
        chart = app.query_one("#chart")
        labels = [
            line.split("┤")[0].strip()
            for line in chart.plot.render().plain.splitlines()
            if "┤" in line
        ]
        loss = app.main_screen.snapshot.loss  # the top line's
        first = app.main_screen.stepper.history.loss.values[0]
        assert labels[-1] == number(float(loss)) and labels[0] == number(float(first))
        assert f"loss {labels[-1]}" in app.query_one("#status").render().plain


async def test_a_diverging_runs_r2_is_written_as_a_number_and_the_line_keeps_its_fields():
    """R² of a run on its way to diverging (-2.4e16) is written like every other number: it
    took 19 digits and pushed η off the top line (learner walk 3, update step 3)."""
    app = BptuiApp(preset="sine")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.main_screen
        screen.stepper.learning_rate = 2.0
        screen.stepper.run(8)
        screen.refresh_view()
        await pilot.pause(0.3)
        line = app.query_one("#status").render().plain
        assert "R² -2.404e16" in line and len(line) <= 80, line


def test_a_narrow_boundary_pane_still_names_its_unit():
    """In a lesson's narrow pane the hidden unit's map kept only 'Boundary' (learner walk 3:
    nothing said which unit was shown): the layer's short name, then the unit alone, come
    before the unit's name is lost."""
    from bptui.app.boundarymap import pane_title

    assert pane_title(2, (0, 0)) == "Decision boundary · hidden layer 1, unit 1 · d: diagram"
    assert pane_title(2, (0, 0), 34) == "Boundary · hidden layer 1, unit 1 · d: diagram"
    assert pane_title(2, (0, 1), 30) == "Boundary · hidden 1, unit 2 · d: diagram"
    assert pane_title(2, (0, 1), 20) == "hidden 1, unit 2 · d: diagram"
    assert pane_title(2, (1, 0), 25) == "Boundary · output, unit 1 · d: diagram"
    assert pane_title(2, (1, 0), 20) == "output, unit 1 · d: diagram"
    assert pane_title(2, None, 20) == "Boundary · output · d: diagram"
