"""The command line: `bptui [PRESET]`, `bptui --list`, `bptui train PRESET --steps N [--json]`,
`bptui compare PRESET --vary KEY=V1,V2`.

Bad input of any kind ends with one line on stderr, `bptui: error: ...`, and exit code 2.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import re
import sys
import textwrap

THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
if not any(name in os.environ for name in THREAD_VARIABLES):
    # One BLAS thread unless the user chose otherwise, set before NumPy loads: bptui's products
    # are small, and a second BLAS thread makes each one wait for the other on 2 busy cores
    # (digits: 153 µs a step with 2 threads, 65 µs with 1; benchmarks/README.md), starves the
    # explorer's screen thread, and changes the last digits of sums, so one thread is also the
    # same numbers on every machine.
    for _name in THREAD_VARIABLES:
        os.environ[_name] = "1"

from bptui import __version__  # noqa: E402 - after the thread settings
from bptui.preset import PresetError, bundled_names, load_preset  # noqa: E402
from bptui.preset.csvdata import MISSING_CHOICES  # noqa: E402
from bptui.text import paragraph, printable, to_int  # noqa: E402

EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130
ANNOUNCE_BYTES = 10_000_000  # a CSV this large takes a noticeable moment to read


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line on stderr and exit code 2, and options are
    never abbreviated (`--we` is not `--web`)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def error(self, message: str):  # noqa: D102 - argparse hook
        self.exit(EXIT_BAD_INPUT, f"bptui: error: {printable(message)} (see bptui --help)\n")


def int_in(low: int, high: int, what: str):
    """An argparse type: an integer in low..high, else one line saying `what` was expected."""

    def parse(text: str) -> int:
        try:
            value = to_int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{value} is out of range (allowed: {low}..{high})")
        return value

    return parse


positive_int = int_in(0, 100_000_000, "a whole number of steps")
eval_every = int_in(1, 10_000_000, "a whole number of steps")
port_number = int_in(1, 65535, "a port number")


HOST_NAME = re.compile(r"(?=.{1,253}\.?$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?"
                       r"(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\.?", re.IGNORECASE)


def host_address(text: str) -> str:
    """An IP address or a host name for --host."""
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        pass
    if HOST_NAME.fullmatch(text):
        return text
    raise argparse.ArgumentTypeError(
        f"{text!r} is not an IP address or host name (allowed: e.g. 127.0.0.1, 0.0.0.0, ::1, "
        "a host name)")


def app_parser() -> argparse.ArgumentParser:
    """The parser of `bptui [PRESET]`."""
    parser = OneLineParser(
        prog="bptui",
        description="Explore backpropagation one step at a time: forward, error, backward, update.",
        epilog="Lessons: bptui learn [NAME]. "
               "Headless training: bptui train PRESET [--steps N] [--json]. "
               "Runs side by side: bptui compare PRESET --vary KEY=V1,V2. "
               "One weight: bptui nudge|slice PRESET --weight L:U:I. "
               "Presets: bptui --list.")
    parser.add_argument("preset", nargs="?", default="xor",
                        help="a bundled preset name (see --list) or a path to a .toml file "
                             "(default: xor)")
    parser.add_argument("--list", action="store_true", help="list the bundled presets and exit")
    parser.add_argument("--session", metavar="FILE", help="resume a session saved with ctrl+s")
    add_csv_arguments(parser)
    add_set_option(parser)
    add_web_arguments(parser)
    add_class_arguments(parser)
    parser.add_argument("--version", action="version", version=f"bptui {__version__}")
    return parser


def add_web_arguments(parser: argparse.ArgumentParser) -> None:
    """--web [--port N] [--host H]."""
    parser.add_argument("--web", action="store_true",
                        help="serve the app to web browsers (needs textual-serve)")
    parser.add_argument("--port", type=port_number, default=None,
                        help="port for --web (default 8000)")
    parser.add_argument("--host", type=host_address, default=None,
                        help="address for --web (default 127.0.0.1, this machine only; "
                             "0.0.0.0 serves a class: anyone who can reach it drives the app)")


def theme_name(text: str) -> str:
    """An argparse type for --theme: one of Textual's built-in themes."""
    from textual.theme import BUILTIN_THEMES

    if text not in BUILTIN_THEMES:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a theme (allowed: {', '.join(sorted(BUILTIN_THEMES))})")
    return text


def add_class_arguments(parser: argparse.ArgumentParser) -> None:
    """--theme NAME; with --web: --class-dir DIR, --font-size N (bptui.commands.web_class)."""
    parser.add_argument("--theme", type=theme_name, default=None, metavar="NAME",
                        help="the colour theme, e.g. textual-light for a projector (default "
                             "textual-dark; ctrl+p changes it)")
    parser.add_argument("--class-dir", metavar="DIR", default=None,
                        help="with --web: where each student's lesson progress is kept (default: "
                             "class-PORT in bptui's data folder); bptui class DIR lists it")
    parser.add_argument("--font-size", type=int_in(6, 64, "a font size in pixels"), default=None,
                        metavar="N", help="with --web: the page's text size in pixels (default "
                                          "16; a URL's ?fontsize=N too), e.g. 24 for a projector")


def web_only(parser: argparse.ArgumentParser, args) -> None:
    """--class-dir and --font-size go with --web (a usage error without it)."""
    for option in ("class_dir", "font_size"):
        if getattr(args, option, None) is not None:
            parser.error(f"--{option.replace('_', '-')} goes with --web")


def serve_if_web(parser: argparse.ArgumentParser, args, argv: list[str]) -> int | None:
    """With --web, serve `argv` to browsers (the exit code); without it, None (and --port or
    --host alone is a usage error)."""
    if args.web:
        from bptui.commands.web import DEFAULT_HOST, DEFAULT_PORT, serve

        return serve(argv, args.host or DEFAULT_HOST, args.port or DEFAULT_PORT)
    if args.port is not None or args.host is not None:
        parser.error("--port and --host go with --web")
    return None


def learn_parser() -> argparse.ArgumentParser:
    """The parser of `bptui learn`."""
    parser = OneLineParser(prog="bptui learn",
                           description="Lessons that guide and check: forward, error, backward, "
                                       "update, and what goes wrong over many steps.")
    parser.add_argument("lesson", nargs="?",
                        help="a bundled lesson (see --list) or a lesson .toml file; without it, "
                             "a lesson picker")
    parser.add_argument("--list", action="store_true", help="list the bundled lessons and exit")
    parser.add_argument("--restart", action="store_true",
                        help="start from the first step (ignore the saved progress)")
    parser.add_argument("--check", action="store_true",
                        help="validate the lesson without starting the app: one line per step "
                             "(exit 0), or one line for the first problem (exit 2)")
    parser.add_argument("--template", action="store_true",
                        help="print a commented starter lesson and exit")
    add_web_arguments(parser)
    add_class_arguments(parser)
    return parser


def add_set_option(parser: argparse.ArgumentParser) -> None:
    """--set KEY=VALUE, repeatable."""
    parser.add_argument("--set", action="append", metavar="KEY=VALUE",
                        help="override a preset key for this run, e.g. training.learning_rate=0.1 "
                             "or network.layers=[2,8,1] (VALUE is TOML; a bare word is text); "
                             "repeatable")


def list_lessons() -> int:
    """Print the bundled lessons with their descriptions."""
    from bptui.lesson import bundled_lessons, load_lesson

    return print_listing(bundled_lessons(), load_lesson, 15,
                         lambda lesson: (f"{lesson.title} ({len(lesson.steps)} steps)",
                                         " ".join(lesson.description.split())))


def print_listing(names, load, width: int, describe) -> int:
    """NAME  heading, then the text wrapped under it, for each bundled name; describe(loaded)
    gives (heading, text). A broken bundled file does not hide the others."""
    for name in names:
        try:
            loaded = load(name)
        except PresetError as exc:
            print(f"{printable(name):{width}s} (cannot load: {exc})")
            continue
        heading, body = describe(loaded)
        print(f"{printable(name):{width}s} {printable(heading)}")
        print(textwrap.fill(paragraph(body), width=78, initial_indent=" " * (width + 1),
                            subsequent_indent=" " * (width + 1)))
    return 0


def load_lesson_target(args):
    """(lesson or "pick", saved progress or None) of `bptui learn` arguments; a folder of lessons
    (a served class) is checked whole and opens its picker."""
    if not args.lesson:
        return "pick", None
    if lesson_folder(args):
        from bptui.lesson.catalog import Catalog

        Catalog.of_folder(args.lesson)
        return "pick", None
    from bptui.lesson import load_lesson
    from bptui.lesson import progress as saved

    lesson = load_lesson(args.lesson)
    if args.restart:
        saved.forget(lesson.ident)
        return lesson, None
    return lesson, saved.load(lesson.ident, len(lesson.steps))


def lesson_folder(args) -> bool:
    """Whether `bptui learn` was given a folder of lessons (to serve a class), not a file."""
    return bool(args.lesson) and not args.lesson.endswith(".toml") and os.path.isdir(args.lesson)


def learn_catalog(args):
    """What `bptui learn` serves by name: a folder's lessons and presets, or the bundled ones."""
    from bptui.lesson.catalog import Catalog

    if lesson_folder(args):
        return Catalog.of_folder(args.lesson)
    return Catalog.bundled()


def served_preset_file(args) -> str | None:
    """The preset file `bptui PRESET.toml` names (offered by name in the browser), if any."""
    preset = getattr(args, "preset", None)
    if args.csv is not None or args.session is not None or not preset:
        return None
    if preset.endswith(".toml") or "/" in preset or os.sep in preset or os.path.exists(preset):
        return preset
    return None


def web_options(args) -> dict:
    """What the app gets from the command line and, under --web, from its server: the theme,
    the URL's opening and the student's seat (bptui.commands.opening)."""
    from bptui.commands.opening import from_environment

    opening, seat = from_environment()
    return {"theme": args.theme, "opening": opening, "seat": seat}


def check_lesson(parser: argparse.ArgumentParser, args) -> int:
    """`bptui learn --template`, `bptui learn LESSON --check`: print, never start the app."""
    other = next((f"--{o}" for o in ("web", "restart") if getattr(args, o)), None)
    if other or args.port is not None or args.host is not None:
        parser.error(f"{other or '--port/--host'} does not go with --check or --template")
    if args.template:
        if args.lesson or args.check:
            parser.error("--template takes no lesson and no --check")
        from bptui.lesson.template import template

        print(template(), end="")
        return 0
    if not args.lesson:
        parser.error("--check needs a lesson: a bundled name or a lesson .toml file")
    from bptui.lesson import load_lesson
    from bptui.lesson.summary import summary

    if lesson_folder(args):  # a folder served to a class: every lesson in it
        catalog = learn_catalog(args)
        for name in catalog.lesson_names():
            print(f"{name}:")
            print("\n".join("  " + line for line in summary(catalog.lesson(name))))
        return 0
    print("\n".join(summary(load_lesson(args.lesson))))
    return 0


def learn_command(argv: list[str]) -> int:
    """`bptui learn ...`: list, serve, or open a lesson."""
    parser = learn_parser()
    args = parser.parse_args(argv[1:])
    if args.list:
        return list_lessons()
    if args.template or args.check:
        return check_lesson(parser, args)
    served = serve_if_web(parser, args, argv)
    if served is not None:
        return served
    web_only(parser, args)
    lesson, progress = load_lesson_target(args)
    from bptui.app import run_app

    preset = lesson.preset if lesson != "pick" else load_preset("xor")
    return run_app(preset, lesson=lesson, progress=progress, catalog=learn_catalog(args),
                   **web_options(args))


def add_csv_arguments(parser: argparse.ArgumentParser) -> None:
    """--csv FILE --target COLUMN [--layers N,N,...] [--ignore COL,COL] [--missing HOW]."""
    parser.add_argument("--csv", metavar="FILE", help="build a preset from your own CSV file")
    parser.add_argument("--target", metavar="COLUMN", help="the CSV column to predict (with --csv)")
    parser.add_argument("--layers", metavar="N,N,...",
                        help="units per layer for --csv, input first (default: features,2×features,outputs)")
    parser.add_argument("--ignore", metavar="COL,COL",
                        help="CSV columns to leave out of the features (with --csv)")
    parser.add_argument("--missing", choices=MISSING_CHOICES,
                        help="missing values in the CSV: error (default), drop_rows, or mean "
                             "(fill features with their column's mean)")


def train_parser() -> argparse.ArgumentParser:
    """The parser of `bptui train`."""
    parser = OneLineParser(prog="bptui train",
                           description="Train a preset headless and report the loss.")
    parser.add_argument("preset", nargs="?",
                        help="a bundled preset name or a path to a .toml file (or --csv FILE)")
    add_csv_arguments(parser)
    parser.add_argument("--steps", type=positive_int, default=None,
                        help="training steps (default: the preset's goal, else 1000)")
    parser.add_argument("--json", action="store_true",
                        help="print exactly one JSON object on stdout")
    parser.add_argument("--eval-every", type=eval_every, default=None, metavar="K",
                        help="evaluate the whole training and held-out sets every K steps "
                             "(default: every step with full batches, once per epoch with "
                             "mini-batches; always before the first and after the last step)")
    parser.add_argument("--save-weights", metavar="FILE",
                        help="write the final weights: .json, .npz, or .toml (a preset with them pinned)")
    add_set_option(parser)
    parser.add_argument("--trace", action="store_true",
                        help="record gradient health every step (with --json: a \"trace\" object "
                             "of gradient norms, update/weight ratios, saturated and dead units)")
    parser.add_argument("--first-order", action="store_true",
                        help="check every update: the predicted loss change ∇C·Δθ beside the "
                             "actual one on the same batch (one more batch forward pass a step)")
    parser.add_argument("--events", action="store_true",
                        help="list when it went wrong: loss rose >10%%, a ReLU unit died, a "
                             "gradient norm jumped 100×, the first inf or nan")
    return parser


def compare_parser() -> argparse.ArgumentParser:
    """The parser of `bptui compare`."""
    parser = OneLineParser(prog="bptui compare",
                           description="Train every combination of the varied settings from the "
                                       "same initial weights and compare the runs.")
    parser.add_argument("preset", nargs="?",
                        help="a bundled preset name or a path to a .toml file (or --csv FILE)")
    add_csv_arguments(parser)
    parser.add_argument("--vary", action="append", required=True, metavar="KEY=V1,V2",
                        help="a preset key and the values to try, e.g. "
                             "training.optimizer=sgd,momentum,adam; repeatable (every "
                             "combination runs)")
    add_set_option(parser)
    parser.add_argument("--steps", type=positive_int, default=None,
                        help="training steps per run (default: the preset's goal, else 1000)")
    parser.add_argument("--json", action="store_true",
                        help="print one JSON array: a `train --json` object per run")
    return parser


def fail(message: str) -> int:
    """Print one error line and return the bad-input exit code."""
    print(f"bptui: error: {printable(message)}", file=sys.stderr)
    return EXIT_BAD_INPUT


def list_presets() -> int:
    """Print the bundled presets with their descriptions."""
    def describe(preset) -> tuple[str, str]:
        goal = f" Goal: {preset.goal.describe()}." if preset.goal else ""
        return preset.title, preset.description + goal

    return print_listing(bundled_names(), load_preset, 10, describe)


def load_target(parser: argparse.ArgumentParser, args):
    """(preset, stepper or None) of what the arguments name: a session, a CSV file or a preset."""
    if args.session:
        if args.set:
            parser.error("--set goes with a preset or --csv, not --session")
        from bptui.session import load_session

        return load_session(args.session)
    return preset_of(args, default="xor"), None


def announce_reading(path: str) -> None:
    """'reading FILE (N MB)…' on a terminal's stderr for a CSV big enough to take a moment."""
    try:
        size = os.stat(path).st_size
    except (OSError, ValueError):
        return
    if size >= ANNOUNCE_BYTES and sys.stderr.isatty():
        print(f"bptui: reading {printable(path)} ({size / 1e6:.0f} MB)…", file=sys.stderr, flush=True)


def preset_of(args, default: str | None = None):
    """The preset named by PRESET or built from --csv FILE --target COLUMN [--layers] [--ignore],
    with the `--set` overrides applied; its notices (columns left out of a CSV) go to stderr."""
    usage = OneLineParser(prog="bptui")
    if args.csv is not None:
        if args.preset not in (None, default):
            usage.error(f"give a PRESET or --csv FILE, not both ({args.preset!r})")
        if not args.target:
            usage.error("--csv needs --target COLUMN")
        from bptui.preset.fromcsv import preset_from_csv

        announce_reading(args.csv)
        preset = preset_from_csv(args.csv, args.target, args.layers, args.ignore, args.missing)
    elif stray := [o for o in ("target", "layers", "ignore", "missing")
                   if getattr(args, o) is not None]:
        usage.error(f"--{stray[0]} goes with --csv FILE")
    elif args.preset is None:
        usage.error("needs a PRESET or --csv FILE --target COLUMN")
    else:
        preset = load_preset(args.preset)
    from bptui.preset.loader import with_sets

    preset = with_sets(preset, getattr(args, "set", None))
    from bptui.lesson.lock import locked_keys

    locked_keys(preset)  # a [lock] that is not one: the usual one line
    for notice in preset.data.notes.get("notices", ()):
        print(f"bptui: {printable(notice)}", file=sys.stderr)
    return preset


def open_app(parser: argparse.ArgumentParser, args) -> int:
    """Load what the arguments name and open the explorer."""
    preset, stepper = load_target(parser, args)
    from bptui.app import run_app
    from bptui.lesson.catalog import Catalog

    return run_app(preset, stepper, catalog=Catalog.bundled(served_preset_file(args)),
                   **web_options(args))  # non-zero when the app failed


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `bptui` console script; returns the exit code."""
    argv = sys.argv[1:] if argv is None else argv
    try:
        if argv and argv[0] == "train":
            from bptui.commands.train import train_command

            return train_command(train_parser().parse_args(argv[1:]))
        if argv and argv[0] == "compare":
            from bptui.commands.compare import compare_command

            return compare_command(compare_parser().parse_args(argv[1:]))
        if argv and argv[0] == "learn":
            return learn_command(argv)
        if argv and argv[0] == "class":  # a class's progress: commands/classroom.py
            from bptui.commands.classroom import class_command

            return class_command(argv[1:])
        if argv and argv[0] in ("nudge", "slice"):  # one weight: commands/nudge.py, slice.py
            import importlib

            module = importlib.import_module(f"bptui.commands.{argv[0]}")
            return getattr(module, f"{argv[0]}_command")(argv[1:])
        parser = app_parser()
        args = parser.parse_args(argv)
        if args.list:
            return list_presets()
        served = serve_if_web(parser, args, argv)
        if served is None:
            web_only(parser, args)
        return served if served is not None else open_app(parser, args)
    except PresetError as exc:
        return fail(str(exc))
    except SystemExit as exc:  # argparse: --help, --version, usage errors
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # e.g. `bptui --list | head`
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
