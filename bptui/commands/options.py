"""What the commands share: the parsers' options, one-line usage errors, and loading what the
arguments name (a preset, a CSV file, a session, a lesson). The entry point (cli.py) sets the
BLAS thread count before this or NumPy is imported."""

from __future__ import annotations

import argparse
import os
import sys

from bptui import __version__
from bptui.commands.hosts import DEFAULT_MAX_SESSIONS, MAX_SESSIONS, allowed_host, host_address
from bptui.preset import load_preset
from bptui.preset.csvdata import MISSING_CHOICES
from bptui.text import printable, to_int

EXIT_BAD_INPUT = 2


EXIT_INTERRUPTED = 130


ANNOUNCE_BYTES = 10_000_000  # a CSV this large takes a noticeable moment to read


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line on stderr and exit code 2, and options are
    never abbreviated (`--we` is not `--web`)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def error(self, message: str):
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


def app_parser() -> argparse.ArgumentParser:
    """The parser of `bptui [PRESET]`."""
    parser = OneLineParser(
        prog="bptui",
        description="Explore backpropagation one step at a time: forward, error, backward, update.",
        epilog="Lessons: bptui learn [NAME]. "
        "Headless training: bptui train PRESET [--steps N] [--json]. "
        "Runs side by side: bptui compare PRESET --vary KEY=V1,V2. "
        "One weight: bptui nudge|slice PRESET --weight L:U:I. "
        "Presets: bptui --list.",
    )
    parser.add_argument(
        "preset",
        nargs="?",
        default="xor",
        help="a bundled preset name (see --list) or a path to a .toml file (default: xor)",
    )
    parser.add_argument("--list", action="store_true", help="list the bundled presets and exit")
    parser.add_argument("--session", metavar="FILE", help="resume a session saved with ctrl+s")
    add_csv_arguments(parser)
    add_set_option(parser)
    add_web_arguments(parser)
    add_class_arguments(parser)
    parser.add_argument("--version", action="version", version=f"bptui {__version__}")
    return parser


def add_web_arguments(parser: argparse.ArgumentParser) -> None:
    """--web [--port N] [--host H] [--max-sessions N] [--allow-host NAME[:PORT] ...]."""
    parser.add_argument(
        "--web", action="store_true", help="serve the app to web browsers (needs textual-serve)"
    )
    parser.add_argument(
        "--port", type=port_number, default=None, help="port for --web (default 8000)"
    )
    parser.add_argument(
        "--host",
        type=host_address,
        default=None,
        help="address for --web (default 127.0.0.1, this machine only; "
        "0.0.0.0 serves a class: anyone who can reach it drives the app)",
    )
    parser.add_argument(
        "--max-sessions",
        type=int_in(1, MAX_SESSIONS, "a number of sessions"),
        default=None,
        metavar="N",
        help=f"browser sessions served at once with --web (default "
        f"{DEFAULT_MAX_SESSIONS}; beyond it the page says the class is full)",
    )
    parser.add_argument(
        "--allow-host",
        type=allowed_host,
        action="append",
        default=None,
        metavar="NAME[:PORT]",
        help="with --web, also accept this name in the Host and Origin headers "
        "(an SSH tunnel, Docker's -p, a reverse proxy); repeatable",
    )


def learn_parser() -> argparse.ArgumentParser:
    """The parser of `bptui learn`."""
    parser = OneLineParser(
        prog="bptui learn",
        description="Lessons that guide and check: forward, error, backward, "
        "update, and what goes wrong over many steps.",
    )
    parser.add_argument(
        "lesson",
        nargs="?",
        help="a bundled lesson (see --list) or a lesson .toml file; without it, a lesson picker",
    )
    parser.add_argument(
        "--list", action="store_true", help="list the bundled lessons, one line each, and exit"
    )
    parser.add_argument(
        "--long", action="store_true", help="with --list: each lesson's description too"
    )
    parser.add_argument(
        "--restart",
        action="store_true",
        help="start from the first step (ignore the saved progress)",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="validate the lesson without starting the app: one line per step "
        "(exit 0), or one line for the first problem (exit 2)",
    )
    parser.add_argument(
        "--template", action="store_true", help="print a commented starter lesson and exit"
    )
    add_web_arguments(parser)
    add_class_arguments(parser)
    return parser


def add_set_option(parser: argparse.ArgumentParser) -> None:
    """--set KEY=VALUE, repeatable."""
    parser.add_argument(
        "--set",
        action="append",
        metavar="KEY=VALUE",
        help="override a preset key for this run, e.g. training.learning_rate=0.1 "
        "or network.layers=[2,8,1] (VALUE is TOML; a bare word is text); "
        "repeatable",
    )


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


def add_csv_arguments(parser: argparse.ArgumentParser) -> None:
    """--csv FILE --target COLUMN [--layers N,N,...] [--ignore COL,COL] [--missing HOW]."""
    parser.add_argument("--csv", metavar="FILE", help="build a preset from your own CSV file")
    parser.add_argument("--target", metavar="COLUMN", help="the CSV column to predict (with --csv)")
    parser.add_argument(
        "--layers",
        metavar="N,N,...",
        help="units per layer for --csv, input first (default: features,2×features,outputs)",
    )
    parser.add_argument(
        "--ignore", metavar="COL,COL", help="CSV columns to leave out of the features (with --csv)"
    )
    parser.add_argument(
        "--missing",
        choices=MISSING_CHOICES,
        help="missing values in the CSV: error (default), drop_rows, or mean "
        "(fill features with their column's mean)",
    )


def fail(message: str) -> int:
    """Print one error line and return the bad-input exit code."""
    print(f"bptui: error: {printable(message)}", file=sys.stderr)
    return EXIT_BAD_INPUT


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
        print(
            f"bptui: reading {printable(path)} ({size / 1e6:.0f} MB)…", file=sys.stderr, flush=True
        )


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
    elif stray := [
        o for o in ("target", "layers", "ignore", "missing") if getattr(args, o) is not None
    ]:
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


def theme_name(text: str) -> str:
    """An argparse type for --theme: one of Textual's built-in themes."""
    from textual.theme import BUILTIN_THEMES

    if text not in BUILTIN_THEMES:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a theme (allowed: {', '.join(sorted(BUILTIN_THEMES))})"
        )
    return text


def add_class_arguments(parser: argparse.ArgumentParser) -> None:
    """--theme NAME; with --web: --class-dir DIR, --font-size N (bptui.commands.web_class)."""
    parser.add_argument(
        "--theme",
        type=theme_name,
        default=None,
        metavar="NAME",
        help="the colour theme, e.g. textual-light for a projector (default "
        "textual-dark; ctrl+p changes it)",
    )
    parser.add_argument(
        "--class-dir",
        metavar="DIR",
        default=None,
        help="with --web: where each student's lesson progress is kept (default: "
        "class-PORT in bptui's data folder); bptui class DIR lists it",
    )
    parser.add_argument(
        "--font-size",
        type=int_in(6, 64, "a font size in pixels"),
        default=None,
        metavar="N",
        help="with --web: the page's text size in pixels (default "
        "16; a URL's ?fontsize=N too), e.g. 24 for a projector",
    )


def web_only(parser: argparse.ArgumentParser, args) -> None:
    """--class-dir and --font-size go with --web (a usage error without it)."""
    for option in ("class_dir", "font_size"):
        if getattr(args, option, None) is not None:
            parser.error(f"--{option.replace('_', '-')} goes with --web")


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
