"""Lesson mode of the explorer: the LessonController, which draws a lesson run and routes its keys.

The lesson's logic is `bptui.lesson.run.LessonRun` (no Textual). The controller owns:
- `run`: the LessonRun (None outside lessons) and `step_view`, the panes in front when its
  current step began (a resumed step shows them again);
- `lock`: the keys a preset's [lock] allows outside lessons;
- the learner's progress: saving it (`remember`), keeping the network each step starts from
  (`keep_state`), and, served to browsers, the student's place on the class server (`seat`).

It is given, in its constructor, the explorer screen it serves and what the app was started with
(the catalog, the student's seat, a shared URL's opening). Of the explorer it uses only: the
session (`preset`, `stepper`, `trainer`, `start_session()`, `sessions.switch_preset()`), the
view state (`hint`, `tally`, `title_shown`, the panes in front of `progress.VIEWS` and the
toggles of FRESH_VIEW, `ghosts`, `maximized`, `running`, `insight.showing()`),
`predictions.right_answers`, its lesson pane and classes, `refresh_bindings()`, `titles()`,
`minimize()`, and its app (`is_web`, `push_screen`, `notify`).
"""

from __future__ import annotations

from dataclasses import replace

from rich.text import Text

from bptui.app.trainer import Goal, reached_loss
from bptui.app.widgets.boundary import supported
from bptui.app.widgets.lessonpane import LessonPane
from bptui.keys import KEYS, keys_allow
from bptui.lesson import progress as saved
from bptui.lesson.checks import PANE_TOGGLES
from bptui.lesson.progress import Progress
from bptui.lesson.run import LessonRun

LESSON_ACTIONS = frozenset(k.action for k in KEYS if k.lesson)
FRESH_VIEW = {
    "left": "diagram",
    "right": "matrix",
    "bottom": "chart",
    "probe": "",
    "log_scale": False,
    "log_steps": False,
}
"""The view a lesson starts with (the panes its first steps read: `checks.SHOWN_AT_START`):
what an earlier lesson or the explorer left in front (a decision boundary, a log scale, the
explain pane) is put back, so that a step's "read δ in the diagram" finds the diagram."""
VIEW_AREAS = ("left", "right", "bottom", "probe")
"""The areas of the view a pane key changes (d, x, h, y and G: `checks.PANE_TOGGLES`): a step
that locks the key of what is in front finds the area as the lesson starts it (FRESH_VIEW),
not stuck on what an earlier step left there."""


class LessonController:
    """A lesson run in the explorer: its pane, its keys, its saved progress."""

    def __init__(self, explorer, catalog=None, seat=None, opening=None):
        self.explorer = explorer
        """The explorer screen (bptui.app.explorer_screen.ExplorerScreen) the lesson runs in."""
        self.catalog = catalog
        """What is served by name (bptui.lesson.catalog.Catalog; None: the bundled lessons)."""
        self.seat = seat
        """The student's place in a class (id and class folder), under --web."""
        self.opening = opening
        """What a shared URL asked to open (bptui.commands.opening.Opening), under --web."""
        self.run: LessonRun | None = None
        """The lesson being followed (None: none)."""
        self.step_view: dict = {}
        """The panes in front when the current step began (resuming shows them again)."""
        self.lock: tuple[str, ...] | None = None
        """The keys a preset's [lock] allows outside lessons (None: every key)."""
        self.seat_notice_given = False
        """The student was told once that their progress cannot be kept."""

    @property
    def web(self) -> bool:
        """Served to a browser (one server account for every learner)."""
        return self.explorer.app.is_web

    def notify(self, message: str, **options) -> None:
        self.explorer.app.notify(message, **options)

    # ----- opening and ending ------------------------------------------------------------------

    def open(self, lesson, progress) -> None:
        """At start: what a shared URL asks for (under --web), else the lesson picker ("pick"),
        or `lesson`, offering to resume at `progress`. Served to browsers, progress is the
        student's on the class server (their seat), resumed without asking; never the server
        account's own."""
        if self.web:
            progress = None
        self.tell_progress_notices()
        lesson = self.open_url(lesson)
        if self.seat is not None:
            self.notify(
                f"Your lesson progress is kept on this server: reopen the page to "
                f"continue (you are student {self.seat.student[:8]})",
                timeout=8,
                markup=False,
            )
            if lesson == "pick":
                from bptui.app.classseat import current_lesson

                lesson = current_lesson(self.seat, self.catalog) or "pick"
            if lesson not in (None, "pick"):
                from bptui.app.classseat import resume

                kept = resume(self.seat, lesson)
                self.start(lesson, kept.progress, kept.preset, kept.stepper)
                return
        if lesson == "pick":
            self.pick()
        elif lesson is not None and progress is not None:
            from bptui.app.screens.lessonpick import ResumeScreen

            self.explorer.app.push_screen(
                ResumeScreen(lesson, progress),
                lambda resume: self.start(lesson, progress if resume else None),
            )
        elif lesson is not None:
            self.start(lesson)

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
            preset = catalog.preset(opening.preset) if opening.preset else self.explorer.preset
            self.explorer.sessions.switch_preset(with_sets(preset, list(opening.sets), "?set"))
            return None
        except PresetError as exc:
            self.notify(
                f"the link cannot be opened: {exc}", severity="error", timeout=20, markup=False
            )
            return lesson

    def start(self, lesson, progress=None, preset=None, stepper=None) -> None:
        """Open `lesson` (at saved `progress`, if given) on a fresh session of its preset, or on a
        kept session (`preset` and `stepper`: a browser student's network at that step), or,
        resuming a later step here, on the network that step starts from (kept beside the
        progress: `progress.save_state`)."""
        explorer = self.explorer
        self.run = None
        where = ""
        if stepper is None:
            preset = lesson.preset
            if progress is not None and progress.step > 0 and self.seat is not None:
                # a browser student's step is kept even when its network could not be
                where = f"resumed at lesson step {progress.step + 1} on fresh weights — "
            elif progress is not None and progress.step > 0:
                restored = self.restored_state(lesson, progress.step)
                if restored is None:
                    where = (
                        f"the network lesson step {progress.step + 1} starts from was not kept: "
                        f"back to lesson step 1 — "
                    )
                    progress = Progress(0, progress.right, progress.asked)
                else:
                    preset, stepper = restored
                    where = f"resumed at lesson step {progress.step + 1} — "
        explorer.start_session(preset, stepper if stepper is not None else preset.stepper())
        self.run = LessonRun(lesson, progress, self.catalog)
        explorer.pace = preset.pace
        self.step_pace()
        explorer.title_shown = lesson.title
        # the tally belongs to the lesson: 0/0 at its start, or where the learner left it
        explorer.tally = (progress.right, progress.asked) if progress is not None else (0, 0)
        explorer.predictions.right_answers = explorer.tally[0]
        explorer.query_one(LessonPane).add_class("active")
        explorer.add_class("lesson")
        self.fresh_view()
        if progress is not None:
            for name, value in progress.view.items():
                if name != "left" or value == "diagram" or supported(preset.network.layers[0]):
                    setattr(explorer, name, value)
        self.front_panes()
        self.step_view = self.current_view()
        explorer.hint = f"{where}lesson: read the text on the right; n goes on, t gives a hint"
        explorer.refresh_bindings()
        explorer.titles()  # the panes' titles offer only the keys the step allows
        self.draw(full=True)

    def fresh_view(self) -> None:
        """A lesson starts on FRESH_VIEW, every pane at its normal size and no pinned runs
        (they are another network's)."""
        explorer = self.explorer
        for name, value in FRESH_VIEW.items():
            setattr(explorer, name, value)
        explorer.ghosts = ()
        if explorer.maximized is not None:
            explorer.minimize()

    def front_panes(self) -> None:
        """The current step shows, in each area whose key it locks, the pane the lesson starts
        with (unless its check asks for the one in front): a learner who left the decision
        boundary up in one step can read the diagram the next asks for."""
        run = self.run
        if run is None or run.finished:
            return
        wanted = run.step.check.showing if run.step.check is not None else None
        for area in VIEW_AREAS:
            now = getattr(self.explorer, area)
            if now == FRESH_VIEW[area] or now == wanted:
                continue
            if not run.allows(PANE_TOGGLES[now].split("(")[0]):  # the key of what is in front
                setattr(self.explorer, area, FRESH_VIEW[area])

    def current_view(self) -> dict:
        """The panes in front now (`progress.VIEWS`)."""
        return {name: getattr(self.explorer, name) for name in saved.VIEWS}

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

        if self.run is None or self.web:
            return
        try:
            contents = session_bytes(self.explorer.preset, self.explorer.stepper)
        except PresetError:
            return
        saved.save_state(self.run.lesson.ident, self.run.index, contents)

    def end(self) -> None:
        """Leave lesson mode (the learner opened another preset)."""
        if self.run is None:
            return
        explorer = self.explorer
        self.remember()
        self.run = None
        explorer.tally = (0, 0)
        explorer.predictions.right_answers = 0
        explorer.title_shown = explorer.preset.title
        explorer.query_one(LessonPane).remove_class("active")
        explorer.remove_class("lesson-text-first", "lesson")
        explorer.refresh_bindings()
        explorer.titles()

    def pick(self) -> None:
        """The lesson picker; the chosen lesson starts from its beginning (or where this student
        left it on the class server)."""
        from bptui.app.screens.lessonpick import LessonPicker

        def chosen(lesson) -> None:
            if lesson is not None:
                self.start(lesson, *self.resumed(lesson))

        self.explorer.app.push_screen(LessonPicker(self.catalog), chosen)

    def resumed(self, lesson) -> tuple:
        """(progress, preset, stepper) where this student left `lesson` on the class server
        (nothing kept, or not served: all None)."""
        if self.seat is None:
            return None, None, None
        from bptui.app.classseat import resume

        kept = resume(self.seat, lesson)
        return kept.progress, kept.preset, kept.stepper

    # ----- what the step asks -----------------------------------------------------------------

    def settings_field(self) -> str | None:
        """The settings screen's field a lesson step asks to change (its check's setting)."""
        run = self.run
        check = None if run is None or run.finished else run.step.check
        if check is None or check.setting is None:
            return None
        return check.setting.partition(".")[2]

    def goal(self) -> Goal:
        """Where r stops by itself in a lesson step (bptui.app.trainer.Goal): at the step count
        the step asks for, or, in a step that asks for a loss below a value (and no step count),
        once the loss is below it; a step that asked for "loss below 0.03" had r run on past it
        for a hundred thousand steps."""
        check = None if self.run is None or self.run.finished else self.run.step.check
        if check is None:
            return Goal()
        stepper = self.explorer.stepper
        target = check.steps_at_least
        if target is not None:
            return Goal(step=target) if target > stepper.step else Goal()
        bound = check.loss_below
        if bound is not None and not reached_loss(stepper) < bound:
            return Goal(loss=bound)
        return Goal()

    def context(self):
        """The check's context now."""
        explorer = self.explorer
        return self.run.context(
            explorer.stepper, explorer.predictions.right_answers, explorer.insight.showing()
        )

    def draw(self, full: bool = False) -> None:
        """The pane: the step's text (when `full`) and the check's verdict, unless training runs
        (the stepper belongs to the training thread then)."""
        run = self.run
        if run is None:
            return
        status = Text()
        if self.explorer.running:
            status.append("training… when it pauses (r) this step is checked", "dim")
        elif run.finished:
            status.append("✓ lesson finished", "bold green")
        else:
            missing = run.missing(self.context())
            if missing:
                status.append("to go on: " + "; ".join(missing), "yellow")
            else:
                status.append("✓ done — n: next step", "bold green")
        hints = Text()
        if run.hints and not run.finished:
            hints = Text("\n").join(
                Text(f"hint {i + 1}: {hint}", "italic")
                for i, hint in enumerate(run.step.hints[: run.hints])
            )
        pane = self.explorer.query_one(LessonPane)
        check = run.step.check
        self.explorer.set_class(
            run.finished or check is None or not check.needs_chart, "lesson-text-first"
        )
        if full:
            pane.show(run.markdown(), status, hints)
        else:
            pane.set_status(status, hints)

    def view_shown(self) -> None:
        """The learner brought up a view in the pane below the text (G, y, x, P's answer, g):
        the text folds to its "to go on" line when the view needs its rows."""
        if self.run is not None:
            self.explorer.query_one(LessonPane).view_shown()

    # ----- keys --------------------------------------------------------------------------------

    def page(self, direction: int) -> None:
        """PgDn, PgUp: scroll the step's text (no step locks them)."""
        if self.run is None:
            return
        pane = self.explorer.query_one(LessonPane)
        if not pane.page(direction):
            self.explorer.hint = (
                "the end of the view: PgUp goes back up"
                if pane.folded
                else "the end of the step's text: PgUp goes back up"
                if pane.scrolls()
                else "the step's text fits: nothing to scroll"
            )

    def next_step(self) -> None:
        """n: the next step of the lesson, when the step's check holds; after the last one,
        the next bundled lesson."""
        run = self.run
        if run is None:
            return
        if run.finished:
            following = run.following()
            if following is not None:
                from bptui.lesson.catalog import Catalog

                lesson = (self.catalog or Catalog.bundled()).lesson(following)
                self.start(lesson, *self.resumed(lesson))
            else:
                self.pick()
            return
        before = run.index, run.finished
        self.explorer.hint = run.go_on(self.context(), self.explorer.predictions.right_answers)
        changed = (run.index, run.finished) != before
        if changed:
            if not run.finished:
                self.front_panes()
                self.step_view = self.current_view()
                self.keep_state()
                self.step_pace()
            self.remember()
            self.explorer.refresh_bindings()
            self.explorer.titles()
        self.draw(full=changed)

    def step_pace(self) -> None:
        """A step that sets a training speed (`speed = 10`: each step drawn) sets it as it
        begins; the learner's < and > change it from there."""
        run = self.run
        if run is not None and not run.finished and run.step.sets_pace:
            self.explorer.pace = run.step.pace

    def hint(self) -> None:
        """t: the step's next hint."""
        if self.run is None:
            return
        self.explorer.hint = self.run.hint()
        self.draw()

    def say_locked(self, name: str) -> None:
        """A key this lesson step (or the preset's [lock]) locks says so, instead of doing
        nothing silently."""
        from bptui.keys import BY_NAME

        key = BY_NAME.get(name)
        if key is None or key.lesson:
            return
        action = key.action.split("(")[0]
        if self.run is None:
            if not keys_allow(self.lock, action):
                allowed = ", ".join(BY_NAME[k].name for k in self.lock)
                self.explorer.hint = f"this preset locks {key.name} (it uses: {allowed})"
            return
        if not self.run.allows(action):
            allowed = ", ".join(BY_NAME[k].name for k in self.run.step.keys or ())
            self.explorer.hint = (
                f"this step of the lesson does not use {key.name} (it uses: {allowed}, n, t)"
            )

    def allows(self, action: str) -> bool:
        """n and t exist only in lessons; a step may lock keys (they leave the footer), and
        outside lessons a preset's [lock]."""
        if action in LESSON_ACTIONS:
            return self.run is not None
        if self.run is None:
            return keys_allow(self.lock, action)
        return self.run.allows(action)

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

    # ----- progress ----------------------------------------------------------------------------

    def remember(self) -> None:
        """Save the lesson's progress (step and tally): in the user's data folder (with the
        network each step starts from beside it), or, served to browsers (one server account for
        every learner), on the class server for this student, with the network's state when the
        stepper is the explorer's (not while training runs)."""
        if self.run is None:
            return
        explorer = self.explorer
        progress = replace(self.run.progress(*explorer.tally), view=self.step_view)
        if not self.web:
            saved.save(self.run.lesson.ident, progress)
            if self.run.finished:
                saved.forget_states(self.run.lesson.ident)
            self.tell_progress_notices()
        elif self.seat is not None:
            from bptui.app.classseat import keep

            lesson = self.run.lesson
            name = (self.catalog.name_of(lesson) if self.catalog else None) or lesson.name
            stepper = None if explorer.trainer.busy else explorer.stepper
            why = keep(self.seat, lesson, progress, name, explorer.preset, stepper)
            if why is not None and not self.seat_notice_given:
                self.seat_notice_given = True
                self.notify(
                    f"your progress is not kept: {why}",
                    severity="warning",
                    timeout=10,
                    markup=False,
                )

    def keep_served(self) -> None:
        """Training paused, the browser left or the student quit: in a served lesson, keep the
        network as it is now."""
        if self.seat is not None and self.run is not None:
            self.remember()

    def tell_progress_notices(self) -> None:
        """A progress file that could not be read was set aside: say so (once)."""
        for notice in saved.take_notices():
            self.notify(notice, severity="warning", timeout=10)
