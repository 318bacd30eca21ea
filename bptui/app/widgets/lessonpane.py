"""The lesson pane: the step's Markdown text, what is still missing, hints, and the keys.

The Markdown widget (and its parser) is loaded with the first lesson, not at start-up."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static


class LessonPane(Vertical):
    """Shown only during a lesson. `show` replaces its contents."""

    DEFAULT_CSS = """
    LessonPane { height: 3fr; display: none; }
    LessonPane.active { display: block; }
    LessonPane #lesson-scroll { height: 1fr; }
    LessonPane #lesson-status { height: auto; }
    """

    def compose(self) -> ComposeResult:
        scroll = VerticalScroll(id="lesson-scroll")
        scroll.can_focus = False  # the arrow keys always move the unit cursor
        yield scroll
        yield Static("", id="lesson-status")

    def show(self, markdown: str, status: Text) -> None:
        """The step's text (Markdown) and the status lines below it."""
        from textual.widgets import Markdown

        scroll = self.query_one("#lesson-scroll", VerticalScroll)
        texts = scroll.query(Markdown)
        if texts:
            texts.first().update(markdown)
        else:
            scroll.mount(Markdown(markdown, id="lesson-text", open_links=False))
        self.query_one("#lesson-scroll", VerticalScroll).scroll_home(animate=False)
        self.query_one("#lesson-status", Static).update(status)

    def set_status(self, status: Text) -> None:
        """Only the status lines (the check's verdict, hints)."""
        self.query_one("#lesson-status", Static).update(status)
