"""The lesson pane: the step's Markdown text and its hints, what is still missing, and a sign
when the text goes on below (or above) what the pane shows.

The text comes first: the pane takes the rows the step's text and the "to go on" line need,
and the matrix/explain pane below it gets the rest, keeping `RESERVE` of the column when the text
is longer than fits (see RESERVE; then the text scrolls: PgUp/PgDn, which no lesson step locks,
or the mouse wheel, and the line below it says so). The hints wrap below the text, inside the
scrolled part.

When the learner brings up a view in the pane below (a key that changes what it shows: G, y, x,
an answer to P, g) and that view needs more rows than the text leaves it, the text gives them
up: it scrolls in the rows left (at least MIN_TEXT), or it folds: only the "to go on" line and a
sign stay ("▲ PgUp: the step's text"), and PgDn/PgUp scroll the view (when it scrolls) before
PgUp unfolds the text. A new step, or a new hint, unfolds it.

The text is drawn by a Static with Rich's Markdown renderable: it changes in the same frame as
the status line and the step's number (Textual's Markdown widget mounts a widget per block, after
the frame that changed the rest).
"""

from __future__ import annotations

from rich.segment import Segment
from rich.text import Text
from rich.theme import Theme
from textual.app import ComposeResult
from textual.containers import ScrollableContainer, Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import ContentSwitcher, Static

RESERVE = 0.25
"""The part of the column kept for the matrix/explain pane when the step's text does not fit,
in a column of at least RESERVE_FROM rows (a shorter one, beside the chart of a step that
trains on an 80×24 screen, is the text's: the text folds when a view below needs the rows)."""
RESERVE_FROM = 14
MIN_TEXT = 4
"""The fewest rows of text shown above a view the learner brought up: fewer, and it folds."""
MORE = "▼ more below: PgDn (or the mouse wheel)"
BACK = "▲ PgUp: back to the top"
FOLDED = "▲ PgUp: the step's text"
VIEW_MORE = "▼ PgDn: more"
VIEW_BACK = "▲ PgUp: back up"


THEME_NEUTRAL = Theme({"markdown.code": "bold", "markdown.code_block": "none"})
"""Rich's Markdown draws code as bold cyan on black whatever the app's theme (a black box on a
light projector theme): here code is bold in the pane's own colours."""


class Trimmed:
    """A Rich renderable without its trailing blank rows (Rich's Markdown ends with a blank
    line, which Textual draws as one more row). Every line ends with a new line: Textual counts
    them for the height."""

    def __init__(self, renderable):
        self.renderable = renderable

    def __rich_console__(self, console, options):
        with console.use_theme(THEME_NEUTRAL):
            lines = console.render_lines(self.renderable, options, pad=False)
        while lines and not "".join(segment.text for segment in lines[-1]).strip():
            lines.pop()
        for line in lines:
            yield from line
            yield Segment.line()


def markdown(text: str) -> Trimmed:
    """The step's text as drawn: links as text with their address (never a clickable link)."""
    from rich.markdown import Markdown  # with the first lesson: 47 ms of start-up otherwise

    return Trimmed(Markdown(text, hyperlinks=False))


class LessonPane(Vertical):
    """Shown only during a lesson. `show` replaces its contents."""

    DEFAULT_CSS = """
    LessonPane { height: auto; display: none; }
    LessonPane.active { display: block; }
    LessonPane #lesson-scroll { height: 1; scrollbar-size-vertical: 1;
                                scrollbar-gutter: stable; }
    LessonPane #lesson-text { height: auto; padding: 0 0 0 1; }
    LessonPane #lesson-hints { height: auto; padding: 0 1; margin-top: 1; }
    LessonPane #lesson-more { height: 1; color: $warning; text-style: bold; display: none; }
    LessonPane #lesson-status { height: auto; }
    """

    markdown: Trimmed | None = None
    """The step's text as drawn."""
    folded = False
    """The text is folded away: a view below needs the rows (see the module)."""
    view_asked = False
    """The learner brought up a view below since the text was last unfolded: fold the text
    when the view needs more rows than it leaves."""

    def compose(self) -> ComposeResult:
        scroll = VerticalScroll(id="lesson-scroll")
        scroll.can_focus = False  # the arrow keys always move the unit cursor
        with scroll:
            yield Static("", id="lesson-text")
            yield Static("", id="lesson-hints")
        yield Static(MORE, id="lesson-more")
        yield Static("", id="lesson-status")

    def on_mount(self) -> None:
        scroll = self.query_one("#lesson-scroll")
        self.watch(scroll, "scroll_y", self.show_more, init=False)
        self.watch(scroll, "virtual_size", lambda: self.call_after_refresh(self.fit), init=False)
        if self.parent is not None:
            for view in self.parent.query(ScrollableContainer):
                if view is not scroll:
                    self.watch(view, "scroll_y", self.show_more, init=False)
                    self.watch(
                        view, "virtual_size", lambda: self.call_after_refresh(self.fit), init=False
                    )

    # ----- what it shows ----------------------------------------------------------------------

    def show(self, text: str, status: Text, hints: Text | None = None) -> None:
        """The step's text (Markdown), its hints and the status line below it; unfolded."""
        self.markdown = markdown(text)
        self.query_one("#lesson-text", Static).update(self.markdown)
        self.unfold()
        self.query_one("#lesson-scroll", VerticalScroll).scroll_home(animate=False)
        self.set_status(status, hints)

    def set_status(self, status: Text, hints: Text | None = None) -> None:
        """Only the status line (the check's verdict) and the hints; a new hint unfolds the
        text and is scrolled into view."""
        hint_box = self.query_one("#lesson-hints", Static)
        hints = hints or Text()
        new_hint = hints.plain != getattr(hint_box, "shown_plain", "")
        hint_box.shown_plain = hints.plain
        hint_box.update(hints)
        hint_box.display = bool(hints.plain)
        if new_hint and hints.plain:
            self.unfold()
        self.query_one("#lesson-status", Static).update(status)
        self.call_after_refresh(self.fit, new_hint and bool(hints.plain))

    # ----- the view below ---------------------------------------------------------------------

    def view(self) -> Widget | None:
        """The widget in front in the pane below (the matrix or the explain pane)."""
        column = self.parent
        if column is None:
            return None
        for widget in column.children:
            if widget is not self and widget.display:
                if isinstance(widget, ContentSwitcher):
                    return widget.visible_content
                return widget
        return None

    @staticmethod
    def rows_needed(view: Widget) -> int:
        """The rows `view` would take to show all it holds."""
        if isinstance(view, ScrollableContainer):  # its virtual size is at least its size
            return sum(
                child.outer_size.height + child.styles.margin.height
                for child in view.children
                if child.display
            )
        build = getattr(view, "build_lines", None)
        return len(build()) if build is not None else view.size.height

    def scrolls(self) -> bool:
        """The step's text is longer than the rows it has."""
        return self.query_one("#lesson-scroll", VerticalScroll).max_scroll_y > 0

    def view_shown(self) -> None:
        """The learner brought up a view below: fold the text if the view needs its rows."""
        self.view_asked = True
        self.call_after_refresh(self.fit)

    def unfold(self) -> None:
        """Show the text again (until the learner brings up another view)."""
        self.view_asked = False
        self.set_folded(False)
        self.call_after_refresh(self.fit)

    def set_folded(self, folded: bool) -> None:
        if folded != self.folded:
            self.folded = folded
            self.query_one("#lesson-scroll").display = not folded
            if folded:
                self.query_one("#lesson-more").display = True

    # ----- sizes and signs --------------------------------------------------------------------

    def on_resize(self) -> None:
        self.call_after_refresh(self.fit)

    def fit(self, to_end: bool = False) -> None:
        """Give the text the rows it needs, within the column, and fold it while a view the
        learner brought up needs them (see the module's docstring)."""
        column = self.parent
        if column is None or not self.display:
            return
        scroll = self.query_one("#lesson-scroll", VerticalScroll)
        status = self.query_one("#lesson-status", Static)
        more = self.query_one("#lesson-more", Static)
        rows = column.content_size.height - status.outer_size.height
        room = rows
        view = self.view()
        if view is not None and column.content_size.height >= RESERVE_FROM:
            room -= int(column.content_size.height * RESERVE)
        needed = self.rows_needed(scroll)
        height = max(1, needed if needed <= room else room - 1)
        folded = False
        if self.view_asked and view is not None:
            left = rows - self.rows_needed(view)  # for the text and its sign
            if left < height + (needed > height):
                folded = left - 1 < MIN_TEXT
                height = max(1, min(height, left - 1))
        scrolls = needed > height
        self.set_folded(folded)
        if not folded:
            more.display = scrolls
            if scroll.styles.height is None or scroll.styles.height.value != height:
                scroll.styles.height = height
            if to_end:
                scroll.scroll_end(animate=False)
        self.show_more()

    def show_more(self, *_) -> None:
        """The sign below the text: more below (PgDn), or back to the top (PgUp); folded, the
        way back to the text and, when the view below scrolls, the way through it."""
        more = self.query_one("#lesson-more", Static)
        if self.folded:
            view = self.view()
            signs = []
            if isinstance(view, ScrollableContainer) and view.scroll_y < view.max_scroll_y:
                signs.append(VIEW_MORE)
            if isinstance(view, ScrollableContainer) and view.scroll_y > 0:
                signs.append(VIEW_BACK)
            else:
                signs.append(FOLDED)
            more.update(" · ".join(signs))
            return
        scroll = self.query_one("#lesson-scroll", VerticalScroll)
        more.update(MORE if scroll.scroll_y < scroll.max_scroll_y else BACK)

    # ----- keys -------------------------------------------------------------------------------

    def page(self, direction: int) -> bool:
        """PgDn (1) or PgUp (-1): scroll the text by a page (folded: the view below, and PgUp
        at its top unfolds the text); False when nothing moves."""
        if self.folded:
            view = self.view()
            scrolls = isinstance(view, ScrollableContainer)
            if direction < 0 and not (scrolls and view.scroll_y > 0):
                self.unfold()
                return True
            return scrolls and self.scroll_by_page(view, direction)
        scroll = self.query_one("#lesson-scroll", VerticalScroll)
        return self.scroll_by_page(scroll, direction, self.blank_rows())

    @staticmethod
    def scroll_by_page(
        scroll: ScrollableContainer, direction: int, blank: frozenset = frozenset()
    ) -> bool:
        """Scroll by the rows shown, to a row that is not blank (one of `blank`) when one is
        within reach: a page never starts with the gap between two paragraphs. False when it
        is already at that end."""
        page = max(1, scroll.scrollable_content_region.height)
        now = round(scroll.scroll_y)
        y = max(0, min(scroll.max_scroll_y, now + direction * page))
        while y in blank and 0 < y < scroll.max_scroll_y:
            y += 1 if direction > 0 else -1
        scroll.scroll_to(y=y, animate=False, immediate=True)
        return y != now

    def blank_rows(self) -> frozenset:
        """The blank rows of the scrolled text (between paragraphs), at its width."""
        width = self.query_one("#lesson-text", Static).content_size.width
        if width <= 0 or self.markdown is None:
            return frozenset()
        console = self.app.console
        lines = console.render_lines(self.markdown, console.options.update_width(width), pad=False)
        return frozenset(
            y
            for y, line in enumerate(lines)
            if not "".join(segment.text for segment in line).strip()
        )
