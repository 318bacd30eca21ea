"""Choosing a lesson (`bptui learn` without a name), and resuming one where it was left."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from bptui.app.guards import DismissOnce
from bptui.lesson.loader import Lesson, bundled_lessons, load_lesson
from bptui.lesson.progress import Progress


class LessonPicker(DismissOnce, ModalScreen[Lesson | None]):
    """The served lessons (a served folder's; else the bundled ones, in teaching order);
    dismisses with the loaded lesson. `catalog`: bptui.lesson.catalog.Catalog."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, catalog=None):
        super().__init__()
        self.catalog = catalog

    def load(self, name: str) -> Lesson:
        return self.catalog.lesson(name) if self.catalog is not None else load_lesson(name)

    def compose(self) -> ComposeResult:
        options = []
        names = self.catalog.lesson_names() if self.catalog is not None else bundled_lessons()
        for name in names:
            lesson = self.load(name)
            label = Text.assemble((f"{lesson.title}\n", "bold"), (lesson.description, "dim"))
            options.append(Option(label, id=name))
        with Vertical(id="picker"):
            yield Static("Lessons (enter opens one, escape closes)", classes="title")
            yield OptionList(*options, id="lesson-list")

    def action_cancel(self) -> None:
        """Close without choosing."""
        self.dismiss(None)

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        """Open the selected lesson."""
        self.dismiss(self.load(event.option.id))


class ResumeScreen(DismissOnce, ModalScreen[bool]):
    """'You were at step k of n': enter resumes there, escape starts over."""

    BINDINGS = [Binding("enter", "resume", "Resume"), Binding("escape", "restart", "Start over")]

    def __init__(self, lesson: Lesson, progress: Progress):
        super().__init__()
        self.lesson = lesson
        self.progress = progress

    def compose(self) -> ComposeResult:
        total = len(self.lesson.steps)
        with Vertical(id="predict"):
            yield Static(Text(self.lesson.title), classes="title")
            yield Static(
                f"You were at step {self.progress.step + 1} of {total} "
                f"(predictions: {self.progress.right}/{self.progress.asked} right)."
            )
            yield Static(Text("enter: continue there · escape: start over", style="dim"))

    def action_resume(self) -> None:
        """Continue at the saved step."""
        self.dismiss(True)

    def action_restart(self) -> None:
        """From the first step."""
        self.dismiss(False)
