"""Readable on a projector: every cell of every pane has a background from the theme (a cell
without one keeps the terminal's default, black in a browser), the theme search offers
textual-light before the ANSI themes, and --theme opens with a theme."""

from __future__ import annotations

import pytest

from bptui.app.main import BptuiApp
from bptui.lesson import load_lesson

THEMES = [name for name in BptuiApp().available_themes if not name.startswith("ansi")]
"""ANSI themes draw with the terminal's own colours by design (their background is the
terminal's default): they are left out, and the theme search puts them last."""


def cells_without_background(app) -> list[tuple[int, str]]:
    """(row, text) of every segment on screen whose style has no background colour, or the
    terminal's default one (`ESC[49m`)."""
    found = []
    for y, strip in enumerate(app.screen._compositor.render_strips()):
        for segment in strip:
            style = segment.style
            if style is None or style.bgcolor is None or style.bgcolor.is_default:
                found.append((y, segment.text))
    return found


@pytest.mark.parametrize("theme", THEMES)
async def test_every_cell_of_every_pane_has_a_theme_background(theme):
    lesson = load_lesson("xor")
    app = BptuiApp(preset=lesson.preset, lesson=lesson, theme=theme)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app.theme == theme
        # the diagram, the lesson pane, then the boundary, explain, health and update check
        for keys in ((), ("d",), ("x",), ("h",), ("h",), ("f", "x")):
            for key in keys:
                # every key works (the lesson pane stays on screen)
                app.main_screen.lessons.run = None
                await pilot.press(key)
            await pilot.pause()
            assert cells_without_background(app) == [], (theme, keys)


async def test_the_theme_search_offers_textual_light_before_the_ansi_themes():
    from textual.command import CommandList

    app = BptuiApp(preset="xor")
    async with app.run_test(size=(120, 40)) as pilot:
        app.search_themes()
        await pilot.pause()
        await pilot.press(*"light")
        for _ in range(50):  # the palette searches in a worker
            await pilot.pause(0.05)
            commands = app.screen.query_one(CommandList)
            if commands.option_count:
                break
        first = str(commands.get_option_at_index(0).prompt)
        assert "textual-light" in first
        await pilot.press("enter")
        await pilot.pause()
        assert app.theme == "textual-light"
