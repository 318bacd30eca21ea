"""The lesson pane: the step's Markdown text and its hints, what is still missing, and a sign
when the text goes on below (or above) what the pane shows.

The text comes first: the pane takes the rows the step's text and the "to go on" line need,
and the matrix/explain pane below it gets the rest, keeping `RESERVE` of the column when the text
is longer than fits (see RESERVE; then the text scrolls: PgUp/PgDn, which no lesson step locks, or the mouse
wheel, and the line below it says so). The hints wrap below the text, inside the scrolled part.

The Markdown widget (and its parser) is loaded with the first lesson, not at start-up."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

RESERVE = 0.25
"""The part of the column kept for the matrix/explain pane when the step's text does not fit,
in a column of at least RESERVE_FROM rows (a shorter one, beside the chart of a step that
trains on an 80×24 screen, is the text's: 2 zooms the pane to read the matrix)."""
RESERVE_FROM = 14
MORE = "▼ more below: PgDn (or the mouse wheel)"
BACK = "▲ PgUp: back to the top"


class LessonPane(Vertical):
    """Shown only during a lesson. `show` replaces its contents."""

    DEFAULT_CSS = """
    LessonPane { height: auto; display: none; }
    LessonPane.active { display: block; }
    LessonPane #lesson-scroll { height: 1; scrollbar-size-vertical: 1;
                                scrollbar-gutter: stable; }
    LessonPane #lesson-text { margin: 0; }
    LessonPane #lesson-hints { height: auto; padding: 0 1; }
    LessonPane #lesson-more { height: 1; color: $warning; text-style: bold; display: none; }
    LessonPane #lesson-status { height: auto; }
    """

    def compose(self) -> ComposeResult:
        scroll = VerticalScroll(id="lesson-scroll")
        scroll.can_focus = False  # the arrow keys always move the unit cursor
        with scroll:
            yield Static("", id="lesson-hints")
        yield Static(MORE, id="lesson-more")
        yield Static("", id="lesson-status")

    def on_mount(self) -> None:
        scroll = self.query_one("#lesson-scroll")
        self.watch(scroll, "scroll_y", self.show_more, init=False)
        self.watch(scroll, "virtual_size", lambda: self.call_after_refresh(self.fit), init=False)

    def show(self, markdown: str, status: Text, hints: Text | None = None) -> None:
        """The step's text (Markdown), its hints and the status line below it."""
        from textual.widgets import Markdown

        scroll = self.query_one("#lesson-scroll", VerticalScroll)
        texts = scroll.query(Markdown)
        if texts:
            texts.first().update(markdown)
        else:
            scroll.mount(Markdown(markdown, id="lesson-text", open_links=False), before=0)
        scroll.scroll_home(animate=False)
        self.set_status(status, hints)

    def set_status(self, status: Text, hints: Text | None = None) -> None:
        """Only the status line (the check's verdict) and the hints; a new hint is scrolled
        into view."""
        hint_box = self.query_one("#lesson-hints", Static)
        hints = hints or Text()
        new_hint = hints.plain != getattr(hint_box, "shown_plain", "")
        hint_box.shown_plain = hints.plain
        hint_box.update(hints)
        hint_box.display = bool(hints.plain)
        self.query_one("#lesson-status", Static).update(status)
        self.call_after_refresh(self.fit, new_hint and bool(hints.plain))

    def on_resize(self) -> None:
        self.call_after_refresh(self.fit)

    def fit(self, to_end: bool = False) -> None:
        """Give the text the rows it needs, within the column (see the module's docstring)."""
        column = self.parent
        if column is None or not self.display:
            return
        scroll = self.query_one("#lesson-scroll", VerticalScroll)
        status = self.query_one("#lesson-status", Static)
        room = column.content_size.height - status.outer_size.height
        below = [w for w in column.children if w is not self and w.display]
        if below and column.content_size.height >= RESERVE_FROM:
            room -= int(column.content_size.height * RESERVE)
        needed = scroll.virtual_size.height
        more = self.query_one("#lesson-more", Static)
        if needed <= room:
            more.display = False
            height = needed
        else:
            more.display = True
            height = room - 1
        height = max(1, height)
        if scroll.styles.height is None or scroll.styles.height.value != height:
            scroll.styles.height = height
        if to_end:
            scroll.scroll_end(animate=False)
        self.show_more()

    def show_more(self, *_) -> None:
        """The sign below the text: more below (PgDn), or back to the top (PgUp)."""
        scroll = self.query_one("#lesson-scroll", VerticalScroll)
        self.query_one("#lesson-more", Static).update(
            MORE if scroll.scroll_y < scroll.max_scroll_y else BACK)

    def page(self, direction: int) -> bool:
        """PgDn (1) or PgUp (-1): scroll the text by a page; False when it does not scroll."""
        scroll = self.query_one("#lesson-scroll", VerticalScroll)
        if scroll.max_scroll_y == 0:
            return False
        if direction > 0:
            scroll.scroll_page_down(animate=False)
        else:
            scroll.scroll_page_up(animate=False)
        return True
