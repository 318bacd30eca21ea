"""Predict, then reveal (key P), for one explorer screen: ask, grade, and show the arithmetic.

P asks for a value the engine is about to compute (the one the lesson step names, else what the
next micro-step computes for the selected unit) in a small screen; a right answer runs the
micro-steps up to it, a first wrong one names the mistake it matches (or gives the formula in
symbols), a second one (or t) shows the arithmetic with the numbers in the explain pane. The
status line's tally counts first answers; a lesson's `predicted = N` check counts right ones.

It works through the screen's view state (`cursor`, `sample`, `hint`, `tally`, `right`, the
explain pane) and its lesson (`lessons.remember()`, `view_shown()`).
"""

from __future__ import annotations

from bptui.app.guards import release_held_keys
from bptui.engine.explain import Line
from bptui.engine.numtext import number


class Predictions:
    """The open question, the answers given to it, and what the explain pane reveals."""

    def __init__(self, screen) -> None:
        self.screen = screen
        """The explorer screen (bptui.app.explorer_screen.ExplorerScreen)."""
        self.question = None
        """The open or last wrong prediction (engine.predict.Question)."""
        self.attempts = 0
        """Answers given to that question."""
        self.right_answers = 0
        """Right answers with P (any attempt; a lesson's checks count them)."""
        self.reveal = ""
        """After a wrong answer the explain pane shows the question's "formula" (symbols, first
        wrong answer) or "numbers" (the arithmetic); "" when nothing is revealed."""
        self.mistake_said = ""
        """What P said about the last wrong answer (the mistake it matched)."""

    def forget(self, question: bool = False) -> None:
        """The network moved on (a step, undo, reset): nothing is revealed any more; with
        `question`, the open question is dropped too (a new session)."""
        self.reveal = ""
        if question:
            self.question = None

    @property
    def arithmetic_due(self) -> bool:
        """After a first wrong answer: t shows the arithmetic with the numbers."""
        return self.reveal == "formula" and self.question is not None

    def ask(self) -> None:
        """P (with the stepper the app's): open the predict screen, or say why not."""
        from bptui.app.screens.predict import PredictScreen
        from bptui.engine.predict import ask, not_ahead

        screen = self.screen
        stepper = screen.stepper
        target = None
        if screen.lesson is not None and not screen.lesson.finished:
            target = screen.lesson.step.predict
        if target is not None:
            why = not_ahead(stepper, target, screen.names)
            if why is not None:
                undo = " (z goes back)" if screen.allowed("undo") else ""
                screen.hint = f"P asks for {target.what(stepper.depth, screen.names)}: {why}{undo}"
                release_held_keys(screen)  # no question: the keys typed after P go on now
                return
        column, unit = screen.cursor
        question = ask(stepper, column - 1, unit, screen.sample or 0, target, screen.names)
        if question is None:
            screen.hint = screen.explorer.next_hint()
            release_held_keys(screen)
            return
        if self.question is None or self.question.key != question.key:
            self.attempts = 0
            self.mistake_said = ""
        self.question = question
        screen.cursor = (question.target.layer + 1, question.target.unit)
        screen.app.push_screen(PredictScreen(question, question.prompt(stepper.ws.m)), self.grade)

    def keys_offered(self, numbers: bool) -> str:
        """What the learner can do after a wrong answer, with the keys this step allows."""
        offers = ["P: again"]
        if not numbers:
            offers.append("t: the arithmetic")
        if self.screen.allowed("micro"):
            offers.append("space: run the step")
        return ", ".join(offers)

    def grade(self, guess: float | None) -> None:
        """Grade an answer: right runs the micro-steps up to it; a first wrong answer names the
        mistake it matches, or gives the formula in symbols; a second one shows the arithmetic
        with the numbers. The tally counts first answers."""
        screen = self.screen
        question = self.question
        if guess is None or question is None:
            return
        self.attempts += 1
        right = question.grade(guess)
        if self.attempts == 1:
            screen.tally = (screen.tally[0] + right, screen.tally[1] + 1)
        self.right_answers += right
        screen.lessons.remember()
        if right:
            screen.step_with(lambda: screen.explorer.micro_steps(question.ahead))
            screen.hint = (
                f"right: {question.symbol} = {number(question.value)} (you said "
                f"{guess:g}) — " + screen.hint
            )
            screen.refresh_bindings()
            screen.lessons.view_shown()  # the value it computed, in the pane below
            return
        if self.attempts == 1:
            mistake = question.diagnose(guess)
            self.mistake_said = f"not quite: {mistake.says}" if mistake else "not quite"
            self.reveal = "formula"
            told = mistake.says if mistake else "; ".join(question.formula)
            screen.hint = f"not quite ({guess:g}): {told} — {self.keys_offered(False)}"
            self._explain()
        else:
            self.show_arithmetic(guess)

    def show_arithmetic(self, guess: float | None = None) -> None:
        """After a wrong answer: the question's value and its arithmetic with the numbers."""
        question = self.question
        self.reveal = "numbers"
        said = f"you said {guess:g}, " if guess is not None else ""
        self.screen.hint = (
            f"not quite: {said}{question.symbol} = {number(question.value)} (arithmetic "
            f"in the explain pane) — {self.keys_offered(True)}"
        )
        self._explain()

    def _explain(self) -> None:
        screen = self.screen
        screen.right = "explain"
        screen.explain_soon()
        screen.refresh_bindings()
        screen.lessons.view_shown()

    def explanation(self) -> list[Line] | None:
        """What the explain pane shows after a wrong answer (None: nothing revealed)."""
        question = self.question
        if question is None:
            return None
        if self.reveal == "numbers":
            return [
                Line(
                    "note",
                    f"{question.step_text} computes {question.what} ({self.keys_offered(True)}):",
                ),
                *question.reveal,
            ]
        if self.reveal == "formula":
            return [
                Line("head", f"P · {question.what}: how it is computed"),
                *(Line("rule", text) for text in question.formula),
                Line("note", f"{self.mistake_said or 'not quite'} — {self.keys_offered(False)}"),
            ]
        return None
