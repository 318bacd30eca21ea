"""Lesson mode of the explorer: the lesson pane, `n` and `t`, and keys a step locks.

The lesson's logic is `bptui.lesson.run.LessonRun` (no Textual); this mixin only draws it and
routes keys. It uses the app's `stepper`, `running`, `hint`, `tally`, `left`, `right` and
`start_session()`.
"""

from __future__ import annotations

from dataclasses import replace

from rich.text import Text

from bptui.app.live import paused
from bptui.app.widgets.boundary import supported
from bptui.app.widgets.lessonpane import LessonPane
from bptui.keys import KEYS
from bptui.lesson import progress as saved
from bptui.lesson.progress import Progress
from bptui.lesson.run import LessonRun, keys_allow

LESSON_ACTIONS = frozenset(k.action for k in KEYS if k.lesson)


class Lessons:
    """Mixin for the app: a lesson run, its pane and its keys."""

    lesson: LessonRun | None = None

    def open_lesson(self, lesson, progress) -> None:
        """At start: what a shared URL asks for (under --web), else the lesson picker ("pick"),
        or `lesson`, offering to resume at `progress`. Served to browsers, progress is the
        student's on the class server (their seat), resumed without asking; never the server
        account's own."""
        if self.app.is_web:
            progress = None
        self.tell_progress_notices()
        lesson = self.open_url(lesson)
        if self.seat is not None:
            self.notify(f"Your lesson progress is kept on this server: reopen the page to "
                        f"continue (you are student {self.seat.student[:8]})", timeout=8,
                        markup=False)
            if lesson == "pick":
                from bptui.app.classseat import current_lesson

                lesson = current_lesson(self.seat, self.catalog) or "pick"
            if lesson not in (None, "pick"):
                from bptui.app.classseat import resume

                kept = resume(self.seat, lesson)
                self.start_lesson(lesson, kept.progress, kept.preset, kept.stepper)
                return
        if lesson == "pick":
            self.action_pick_lesson()
        elif lesson is not None and progress is not None:
            from bptui.app.screens.lessonpick import ResumeScreen

            self.app.push_screen(ResumeScreen(lesson, progress),
                             lambda resume: self.start_lesson(lesson, progress if resume else None))
        elif lesson is not None:
            self.start_lesson(lesson)

    def open_url(self, lesson):
        """What the shared URL asks to open instead of `lesson` (a lesson, or None after opening
        a preset); `lesson` when it asks for nothing or for what cannot be opened (said in a
        notification: the URL is untrusted, though the server checked it)."""
        opening = self.opening
        if not opening:
            return lesson
        from bptui.lesson.catalog import Catalog
        from bptui.preset import PresetError
        from bptui.preset.loader import with_sets

        catalog = self.catalog or Catalog.bundled()
        try:
            if opening.lesson:
                return catalog.lesson(opening.lesson)
            preset = catalog.preset(opening.preset) if opening.preset else self.preset
            self.switch_preset(with_sets(preset, list(opening.sets), "?set"))
            return None
        except PresetError as exc:
            self.notify(f"the link cannot be opened: {exc}", severity="error", timeout=20,
                        markup=False)
            return lesson

    def start_lesson(self, lesson, progress=None, preset=None, stepper=None) -> None:
        """Open `lesson` (at saved `progress`, if given) on a fresh session of its preset, or on a
        kept session (`preset` and `stepper`: a browser student's network at that step), or,
        resuming a later step here, on the network that step starts from (kept beside the
        progress: `progress.save_state`)."""
        self.lesson = None
        where = ""
        if stepper is None:
            preset = lesson.preset
            if progress is not None and progress.step > 0 and self.seat is not None:
                # a browser student's step is kept even when its network could not be
                where = f"resumed at step {progress.step + 1} on fresh weights — "
            elif progress is not None and progress.step > 0:
                restored = self.restored_state(lesson, progress.step)
                if restored is None:
                    where = f"the network step {progress.step + 1} starts from was not kept: " \
                            f"back to step 1 — "
                    progress = Progress(0, progress.right, progress.asked)
                else:
                    preset, stepper = restored
                    where = f"resumed at step {progress.step + 1} — "
        self.start_session(preset, stepper if stepper is not None else preset.stepper())
        self.lesson = LessonRun(lesson, progress, self.catalog)
        self.title_shown = lesson.title
        # the tally belongs to the lesson: 0/0 at its start, or where the learner left it
        self.tally = (progress.right, progress.asked) if progress is not None else (0, 0)
        self.right_answers = self.tally[0]
        self.query_one(LessonPane).add_class("active")
        self.add_class("lesson")
        if progress is not None:
            for name, value in progress.view.items():
                if name != "left" or value == "diagram" or supported(preset.network.layers[0]):
                    setattr(self, name, value)
        self.step_view = self.current_view()
        self.hint = f"{where}lesson: read the text on the right; n goes on, t gives a hint"
        self.refresh_bindings()
        self.draw_lesson(full=True)

    step_view: dict = {}
    """The panes in front when the current step began (resuming shows them again)."""

    def current_view(self) -> dict:
        """The panes in front now (`progress.VIEWS`)."""
        return {name: getattr(self, name) for name in saved.VIEWS}

    @staticmethod
    def restored_state(lesson, step: int):
        """(preset, stepper) that step `step` of `lesson` starts from, if kept and readable."""
        from bptui.preset import PresetError
        from bptui.session import load_session

        path = saved.state_file(lesson.ident, step)
        try:
            if not path.is_file():
                return None
            return load_session(path)
        except (PresetError, OSError):
            return None

    def keep_state(self) -> None:
        """The current step starts from this network: keep it for a learner who resumes."""
        from bptui.preset import PresetError
        from bptui.session import session_bytes

        if self.lesson is None or self.app.is_web:
            return
        try:
            contents = session_bytes(self.preset, self.stepper)
        except PresetError:
            return
        saved.save_state(self.lesson.lesson.ident, self.lesson.index, contents)

    def end_lesson(self) -> None:
        """Leave lesson mode (the learner opened another preset)."""
        if self.lesson is not None:
            self.remember()
            self.lesson = None
            self.tally = (0, 0)
            self.right_answers = 0
            self.title_shown = self.preset.title
            self.query_one(LessonPane).remove_class("active")
            self.remove_class("lesson-text-first", "lesson")
            self.refresh_bindings()

    @paused
    def action_pick_lesson(self) -> None:
        """The lesson picker; the chosen lesson starts from its beginning."""
        from bptui.app.screens.lessonpick import LessonPicker

        def chosen(lesson) -> None:
            if lesson is not None:
                self.start_lesson(lesson, *self.resumed(lesson))

        self.app.push_screen(LessonPicker(self.catalog), chosen)

    def resumed(self, lesson) -> tuple:
        """(progress, preset, stepper) where this student left `lesson` on the class server
        (nothing kept, or not served: all None)."""
        if self.seat is None:
            return None, None, None
        from bptui.app.classseat import resume

        kept = resume(self.seat, lesson)
        return kept.progress, kept.preset, kept.stepper

    def settings_field(self) -> str | None:
        """The settings screen's field a lesson step asks to change (its check's setting)."""
        run = self.lesson
        check = None if run is None or run.finished else run.step.check
        if check is None or check.setting is None:
            return None
        return check.setting.partition(".")[2]

    def stop_at(self) -> int | None:
        """In a lesson step that asks to reach a step count, live training stops there."""
        check = None if self.lesson is None or self.lesson.finished else self.lesson.step.check
        target = None if check is None else check.steps_at_least
        return target if target is not None and target > self.stepper.step else None

    def showing(self) -> frozenset:
        """The panes on screen, for `showing` checks."""
        return frozenset({self.left, self.right, getattr(self, "bottom", "chart")})

    def lesson_context(self):
        """The check's context now."""
        return self.lesson.context(self.stepper, self.right_answers, self.showing())

    def draw_lesson(self, full: bool = False) -> None:
        """The pane: the step's text (when `full`) and the check's verdict, unless training runs
        (the stepper belongs to the training thread then)."""
        run = self.lesson
        if run is None:
            return
        status = Text()
        if self.running:
            status.append("training… r pauses, then the check is judged", "dim")
        elif run.finished:
            status.append("✓ lesson finished", "bold green")
        else:
            missing = run.missing(self.lesson_context())
            if missing:
                status.append("to go on: " + "; ".join(missing), "yellow")
            else:
                status.append("✓ done — n: next step", "bold green")
        hints = Text()
        if run.hints and not run.finished:
            hints = Text("\n").join(Text(f"hint {i + 1}: {hint}", "italic")
                                    for i, hint in enumerate(run.step.hints[:run.hints]))
        pane = self.query_one(LessonPane)
        check = run.step.check
        self.set_class(run.finished or check is None or not check.needs_chart,
                                   "lesson-text-first")
        if full:
            pane.show(run.markdown(), status, hints)
        else:
            pane.set_status(status, hints)

    def action_lesson_page(self, direction: int) -> None:
        """PgDn, PgUp: scroll the step's text (no step locks them)."""
        if self.lesson is not None and not self.query_one(LessonPane).page(
                direction):
            self.hint = "the step's text fits: nothing to scroll"

    def remember(self) -> None:
        """Save the lesson's progress (step and tally): in the user's data folder (with the
        network each step starts from beside it), or, served to browsers (one server account for
        every learner), on the class server for this student, with the network's state when the
        stepper is the app's (not while training runs)."""
        if self.lesson is None:
            return
        progress = replace(self.lesson.progress(*self.tally), view=self.step_view)
        if not self.app.is_web:
            saved.save(self.lesson.lesson.ident, progress)
            if self.lesson.finished:
                saved.forget_states(self.lesson.lesson.ident)
            self.tell_progress_notices()
        elif self.seat is not None:
            from bptui.app.classseat import keep

            lesson = self.lesson.lesson
            name = (self.catalog.name_of(lesson) if self.catalog else None) or lesson.name
            stepper = None if self.trainer.busy else self.stepper
            why = keep(self.seat, lesson, progress, name, self.preset, stepper)
            if why is not None and not self.seat_notice_given:
                self.seat_notice_given = True
                self.notify(f"your progress is not kept: {why}", severity="warning", timeout=10,
                            markup=False)

    seat_notice_given = False
    """The student was told once that their progress cannot be kept."""

    def on_trainer_finished(self) -> None:
        """Training paused: in a served lesson, keep the network as it is now."""
        if self.seat is not None and self.lesson is not None:
            self.remember()

    def on_exit_app(self) -> None:
        """The browser left or the student quit: keep where they are."""
        if self.seat is not None and self.lesson is not None:
            self.remember()

    def tell_progress_notices(self) -> None:
        """A progress file that could not be read was set aside: say so (once)."""
        for notice in saved.take_notices():
            self.notify(notice, severity="warning", timeout=10)

    @paused
    def action_next_step(self) -> None:
        """n: the next step of the lesson, when the step's check holds; after the last one,
        the next bundled lesson."""
        if self.lesson is None:
            return
        if self.lesson.finished:
            following = self.lesson.following()
            if following is not None:
                from bptui.lesson.catalog import Catalog

                lesson = (self.catalog or Catalog.bundled()).lesson(following)
                self.start_lesson(lesson, *self.resumed(lesson))
            else:
                self.action_pick_lesson()
            return
        before = self.lesson.index, self.lesson.finished
        self.hint = self.lesson.go_on(self.lesson_context(), self.right_answers)
        changed = (self.lesson.index, self.lesson.finished) != before
        if changed:
            if not self.lesson.finished:
                self.step_view = self.current_view()
                self.keep_state()
            self.remember()
            self.refresh_bindings()
        self.draw_lesson(full=changed)

    def action_hint(self) -> None:
        """t: after a first wrong prediction, its arithmetic with the numbers; else the step's
        next hint."""
        if self.reveal == "formula" and self.question is not None:
            self.show_arithmetic()
            return
        if self.lesson is None:
            return
        self.hint = self.lesson.hint()
        self.draw_lesson()

    def on_key(self, event) -> None:
        """A key this lesson step locks says so, instead of doing nothing silently."""
        from bptui.keys import BY_NAME

        key = BY_NAME.get(event.key)
        if key is None or key.lesson or len(self.app.screen_stack) > 1:
            return
        if self.lesson is None:
            if not keys_allow(self.lock, key.action.split("(")[0]):
                allowed = ", ".join(BY_NAME[k].name for k in self.lock)
                self.hint = f"this preset locks {key.name} (it uses: {allowed})"
            return
        if not self.lesson.allows(key.action.split("(")[0]):
            allowed = ", ".join(BY_NAME[k].name for k in self.lesson.step.keys or ())
            self.hint = (f"this step of the lesson does not use {key.name} (it uses: {allowed}, "
                         f"n, t)")

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        """n and t exist only in lessons; a step may lock keys (they leave the footer)."""
        if action == "hint" and self.reveal == "formula":
            return True  # t shows a wrong prediction's arithmetic, in a lesson or not
        if action in LESSON_ACTIONS:
            return self.lesson is not None
        if self.lesson is None:
            return keys_allow(self.lock, action)  # a preset's [lock]
        return self.lesson.allows(action)

    lock: tuple[str, ...] | None = None
    """The keys a preset's [lock] allows outside lessons (None: every key)."""

    def lock_keys(self, preset) -> None:
        """Follow `preset`'s [lock] (checked when it was loaded; one that is not a lock is said
        and ignored)."""
        from bptui.lesson.lock import locked_keys
        from bptui.preset import PresetError

        try:
            self.lock = locked_keys(preset)
        except PresetError as exc:
            self.lock = None
            self.notify(str(exc), severity="error", markup=False)
