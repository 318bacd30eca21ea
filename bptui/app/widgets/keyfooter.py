"""The footer: the keys that matter now, whole, as many as fit on one line.

Textual's Footer lays out every shown binding and lets the line cut the last one mid-word
('P Pre▏'). This one picks: in a lesson step the keys the step's text asks for (n and t, then the
step's own keys in the lesson's order, also those the plain footer hides: v, G, k, N, y, j);
otherwise the keys in order of RELEVANCE; it stops at the first that would not fit whole and keeps
the command palette's key on the right.
"""

from __future__ import annotations

from rich.cells import cell_len
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from bptui.keys import KEYS

RELEVANCE = tuple(
    k.id for k in sorted((k for k in KEYS if k.rank is not None), key=lambda k: k.rank)
)
"""Key ids outside lessons, the most useful first (keys.Key.rank): the ones the footer keeps when
the line is short."""

LESSON_FIRST = ("lesson_next", "lesson_hint")
"""In a lesson: n and t before the step's own keys."""

MOVES = frozenset(k.id for k in KEYS if k.moves)
"""Keys that move a cursor or scroll (keys.Key.moves): never in the footer."""

ORDER = {k.id: i for i, k in enumerate(KEYS)}


class KeyFooter(Footer):
    """Whole key labels, the most relevant first, as many as the width allows."""

    def __init__(self, **kwargs) -> None:
        super().__init__(compact=True, **kwargs)
        self._width = 0

    def in_step(self):
        """The lesson step being followed (bptui.lesson.run.LessonRun), or None."""
        lesson = getattr(self.screen, "lesson", None)
        return lesson if lesson is not None and not lesson.finished else None

    def wanted(self) -> list[str]:
        """Key ids in the order they earn a place: the lesson step's, or RELEVANCE."""
        lesson = self.in_step()
        if lesson is None:
            return list(RELEVANCE)
        by_key = {k.key: k.id for k in KEYS}
        step = [by_key[key] for key in lesson.step.keys or () if key in by_key]
        return list(dict.fromkeys([*LESSON_FIRST, *step, *([] if step else RELEVANCE), "help"]))

    def compose(self):
        if not self._bindings_ready:
            return
        bindings = self.screen.active_bindings
        active = {b.binding.id: b for b in bindings.values() if b.binding.id}
        palette = bindings.get(self.app.COMMAND_PALETTE_BINDING)
        if not (self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE):
            palette = None
        self._width = self.size.width or self.app.size.width
        room = self._width
        if palette is not None:  # docked right, after a one-cell border
            room -= 2 + self.cells(palette.binding)
        chosen = []
        for ident in self.wanted():
            bound = active.get(ident)
            if bound is None or ident in MOVES or ident in chosen:
                continue
            if self.cells(bound.binding) + 1 > room:  # and a blank after it
                break
            room -= self.cells(bound.binding) + 1
            chosen.append(ident)
        if self.in_step() is None:
            chosen.sort(key=ORDER.__getitem__)  # the usual order: f e b u together
        for ident in chosen:
            _, binding, enabled, tooltip = active[ident]
            yield FooterKey(
                binding.key,
                self.app.get_key_display(binding),
                binding.description,
                binding.action,
                disabled=not enabled,
                tooltip=tooltip,
            ).data_bind(compact=Footer.compact)
        if palette is not None:
            binding = palette.binding
            yield FooterKey(
                binding.key,
                self.app.get_key_display(binding),
                binding.description,
                binding.action,
                classes="-command-palette",
                disabled=not palette.enabled,
                tooltip=binding.tooltip or binding.description,
            )

    def cells(self, binding) -> int:
        """The cells of a key in the compact footer: the key, a blank, its label."""
        return cell_len(self.app.get_key_display(binding)) + 1 + cell_len(binding.description)

    def on_resize(self) -> None:
        """Another width may fit other keys."""
        if self.size.width != self._width:
            self.call_after_refresh(self.recompose)
