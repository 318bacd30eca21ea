"""The theme search (ctrl+p, "theme"): bptui's themes first, the ANSI ones last.

Textual's own search ranks `ansi-light` above `textual-light` for "light", and an ANSI theme
draws with the terminal's own colours: in a browser (a projector) that is a black screen with a
frameless chart. Here an ANSI theme only comes first when the search names it ("ansi").
"""

from __future__ import annotations

from textual.command import CommandPalette, DiscoveryHit, Hit, Hits
from textual.theme import ThemeProvider

from bptui.app.guards import GuardedCommandPalette

FIRST = ("textual-light", "textual-dark")
ANSI_WEIGHT = 0.5  # an ANSI theme's match counts half, unless the query says "ansi"
FIRST_WEIGHT = 1.5  # textual-light's match for "light" ranks it above atom-one-light


def is_ansi(name: str) -> bool:
    return name.startswith("ansi")


class ThemesFirst(ThemeProvider):
    """Textual's theme provider, in bptui's order."""

    @property
    def commands(self):
        def rank(command) -> tuple:
            name = command[0]
            return (
                is_ansi(name),
                name not in FIRST,
                FIRST.index(name) if name in FIRST else 0,
                name,
            )

        return sorted(super().commands, key=rank)

    async def discover(self) -> Hits:
        for name, callback in self.commands:
            yield DiscoveryHit(name, callback)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, callback in self.commands:
            score = matcher.match(name)
            if score > 0:
                if is_ansi(name) and "ansi" not in query.lower():
                    score *= ANSI_WEIGHT
                elif name in FIRST:  # Textual's own two first: made for both screens
                    score *= FIRST_WEIGHT
                yield Hit(score, matcher.highlight(name), callback)


class ThemePalette(GuardedCommandPalette):
    """The theme search (a guarded palette, see bptui.app.guards) over ThemesFirst."""

    def __init__(self) -> None:
        CommandPalette.__init__(self, providers=[ThemesFirst], placeholder="Search for themes…")
