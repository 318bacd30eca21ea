"""How much Markdown a lesson may ask the lesson pane to draw.

The pane draws a step's text with Rich's Markdown renderable (bptui.app.widgets.lessonpane),
which lays out every block again on each resize and fold; Textual's Markdown widget, used before,
mounted a widget per block. Either way the cost grows with the blocks: a table of 3,000 columns,
or a list of a few hundred items, froze the explorer for seconds to minutes
(benchmarks/lesson_markdown.py). A lesson's texts are therefore measured when the lesson is
loaded, with markdown-it's "gfm-like" parser, block rules only (fast), and refused with one
line beyond these caps. Bundled lessons use a few blocks a step."""

from __future__ import annotations

import functools

MAX_CHARS = 20_000
MAX_LINES = 400
"""Counted before parsing, so that parsing stays quick."""
MAX_BLOCKS = 40
"""Paragraphs, headings, quotes, table rows and cells, code blocks count 1; a list item with
its line of text LIST_ITEM (measured: about 3.5 times a paragraph's time)."""
LIST_ITEM = 4
MAX_COLUMNS = 12


def problem(text: str) -> str | None:
    """Why the lesson pane should not draw `text` (None: it may)."""
    if len(text) > MAX_CHARS:
        return f"{len(text):,} characters of Markdown is too long (allowed: up to {MAX_CHARS:,})"
    lines = text.count("\n") + 1
    if lines > MAX_LINES:
        return f"{lines:,} lines of Markdown is too many (allowed: up to {MAX_LINES})"
    blocks, columns = _measure(text)
    if columns > MAX_COLUMNS:
        return f"a table of {columns:,} columns is too wide (allowed: up to {MAX_COLUMNS})"
    if blocks > MAX_BLOCKS:
        return (
            f"{blocks:,} Markdown blocks is too many for one step (allowed: up to "
            f"{MAX_BLOCKS}: a paragraph or a table cell counts 1, a list item {LIST_ITEM})"
        )
    return None


def _measure(text: str) -> tuple[int, int]:
    """(blocks, the widest table's columns) of `text`, as Textual's Markdown widget parses it."""
    tokens = _parser().parse(text)
    blocks = sum(
        LIST_ITEM - 1 if t.type == "list_item_open" else 1  # + its paragraph
        for t in tokens
        if t.nesting == 1
    )
    columns = row = 0
    for token in tokens:
        if token.type == "tr_open":
            row = 0
        elif token.type in ("th_open", "td_open"):
            row += 1
            columns = max(columns, row)
    return blocks, columns


@functools.cache
def _parser():
    """markdown-it as Textual's Markdown widget configures it, without the inline rules."""
    from markdown_it import MarkdownIt

    return MarkdownIt("gfm-like").disable(["inline", "linkify", "text_join"], ignoreInvalid=True)
