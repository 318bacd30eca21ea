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


@pytest.mark.parametrize("keys, title", [
    (["x"], "Explain · x: matrix · arrows: unit"),
    (["x", "G"], "Unit graph · G: back"),
    (["x", "y"], "Each sample's pull · y: back"),
    (["d", "left"], "Boundary · hidden layer 1, unit 1"),
])
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
