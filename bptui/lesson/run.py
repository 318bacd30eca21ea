"""A lesson in progress: which step, hints shown, and what `n` may do (no Textual here)."""

from __future__ import annotations

from bptui.keys import keys_allow
from bptui.lesson.checks import Context
from bptui.lesson.loader import Lesson, Step
from bptui.lesson.progress import Progress


class LessonRun:
    """The learner's way through a lesson. `right` is P's tally of right answers so far (the
    app's), so a step's `predicted` check counts the answers given since the step began."""

    def __init__(self, lesson: Lesson, progress: Progress | None = None, catalog=None):
        self.lesson = lesson
        self.catalog = catalog
        """The served lessons (bptui.lesson.catalog.Catalog; None: the bundled ones)."""
        self.index = progress.step if progress else 0
        self.hints = 0
        self.right_at_start = progress.right if progress else 0
        self.finished = False

    @property
    def step(self) -> Step:
        """The current step."""
        return self.lesson.steps[self.index]

    @property
    def total(self) -> int:
        """Steps in the lesson."""
        return len(self.lesson.steps)

    def context(self, stepper, right: int, showing: frozenset) -> Context:
        """What checks are judged on, with P's right answers counted from this step's start."""
        from bptui.engine.names import fitting

        target = self.step.predict
        asks = (
            None
            if target is None
            else target.what(stepper.depth, fitting(self.lesson.preset.names, stepper.spec.layers))
        )
        return Context(
            stepper, right - self.right_at_start, showing, self.trains(), self.allows, asks
        )

    def trains(self) -> str:
        """How the learner trains in this step: r, else the first training key it allows."""
        from bptui.keys import KEYS

        for action in ("run", "finish_step", "update", "micro"):
            if self.allows(action):
                return next(k.name for k in KEYS if k.action == action)
        return "r"

    def missing(self, ctx: Context) -> list[str]:
        """What the step's check still needs (empty when it holds or there is none)."""
        return [] if self.step.check is None else self.step.check.missing(ctx)

    def go_on(self, ctx: Context, right: int) -> str:
        """`n`: the next step when the check holds; returns a sentence for the hint line."""
        if self.finished:
            return "lesson finished: q quits, or keep exploring"
        missing = self.missing(ctx)
        if missing:
            return "not yet: " + "; ".join(missing)
        if self.index + 1 == self.total:
            self.finished = True
            following = self.following()
            then = f" — n: the next lesson ({following})" if following else " — n: the lessons"
            return "lesson finished" + then + " — " + (self.lesson.outcome or "well done")
        self.index += 1
        self.hints = 0
        self.right_at_start = right
        return f"lesson step {self.index + 1} of {self.total}"

    def following(self) -> str | None:
        """The served lesson after this one: the next of the served folder, or of the bundled
        lessons (None for the last, or a lesson that is not served)."""
        from bptui.lesson.catalog import Catalog

        return (self.catalog or Catalog.bundled()).following(self.lesson)

    def hint(self) -> str:
        """`t`: the next hint of this step."""
        hints = self.step.hints
        if not hints:
            return "no hints for this step: read the text again, or ? for the keys"
        self.hints = min(self.hints + 1, len(hints))
        return f"hint {self.hints}/{len(hints)}: {hints[self.hints - 1]}"

    def allows(self, action: str) -> bool:
        """Whether the step lets this action (an App action name, without arguments) run."""
        return self.finished or keys_allow(self.step.keys, action)

    def markdown(self) -> str:
        """The pane's Markdown: the lesson's title, the step's place and text (or the outcome)."""
        lesson = self.lesson
        if self.finished:
            return (
                f"**{lesson.title}** · done\n\n{lesson.outcome}\n\n"
                "Keep exploring: every key works now. `q` quits."
            )
        return f"**{lesson.title}** · step {self.index + 1} of {self.total}\n\n{self.step.text}"

    def progress(self, right: int, asked: int) -> Progress:
        """What to remember (a finished lesson starts afresh next time)."""
        return Progress(self.total if self.finished else self.index, right, asked)
