"""The command line: `bptui [PRESET]`, `bptui --list`, `bptui train PRESET --steps N [--json]`,
`bptui compare PRESET --vary KEY=V1,V2`.

Bad input of any kind ends with one line on stderr, `bptui: error: ...`, and exit code 2.
"""

from __future__ import annotations

import argparse
import os
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

# after the thread settings:
from bptui.commands.hosts import DEFAULT_HOST, DEFAULT_MAX_SESSIONS, DEFAULT_PORT  # noqa: E402
from bptui.commands.options import (  # noqa: E402
    EXIT_INTERRUPTED,
    OneLineParser,
    add_csv_arguments,
    add_set_option,
    app_parser,
    eval_every,
    fail,
    learn_catalog,
    learn_parser,
    lesson_folder,
    load_lesson_target,
    load_target,
    positive_int,
    served_preset_file,
    web_only,
    web_options,
)
from bptui.preset import PresetError, bundled_names, load_preset  # noqa: E402
from bptui.text import paragraph, printable  # noqa: E402


def serve_if_web(parser: argparse.ArgumentParser, args, argv: list[str]) -> int | None:
    """With --web, serve `argv` to browsers (the exit code); without it, None (and a web option
    alone is a usage error)."""
    if args.web:
        from bptui.commands.web import serve

        return serve(
            argv,
            args.host or DEFAULT_HOST,
            args.port or DEFAULT_PORT,
            max_sessions=args.max_sessions or DEFAULT_MAX_SESSIONS,
            allow_hosts=tuple(args.allow_host or ()),
        )
    given = [
        name
        for name, value in (
            ("--port", args.port),
            ("--host", args.host),
            ("--max-sessions", args.max_sessions),
            ("--allow-host", args.allow_host),
        )
        if value is not None
    ]
    if given:
        parser.error(
            f"--port, --host, --max-sessions and --allow-host go with --web "
            f"(got {given[0]} without --web)"
        )
    return None


def list_lessons(long: bool = False) -> int:
    """Print the bundled lessons in teaching order, one line each (name, steps, title: the list
    fits a 24-row terminal); `long`: with their descriptions."""
    from bptui.lesson import bundled_lessons, load_lesson

    if long:
        return print_listing(
            bundled_lessons(),
            load_lesson,
            15,
            lambda lesson: (
                f"{lesson.title} ({len(lesson.steps)} steps)",
                " ".join(lesson.description.split()),
            ),
        )
    for name in bundled_lessons():
        try:
            lesson = load_lesson(name)
        except PresetError as exc:
            print(f"{printable(name):15s} (cannot load: {exc})")
            continue
        line = f"{printable(name):15s} {len(lesson.steps):2d} steps  {printable(lesson.title)}"
        print(line if len(line) <= 79 else line[:78] + "…")
    print("bptui learn NAME starts one; --list --long adds what each is about")
    return 0


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
        print(
            textwrap.fill(
                paragraph(body),
                width=78,
                initial_indent=" " * (width + 1),
                subsequent_indent=" " * (width + 1),
            )
        )
    return 0


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
    if args.long and not args.list:
        parser.error("--long goes with --list")
    if args.list:
        return list_lessons(args.long)
    if args.template or args.check:
        return check_lesson(parser, args)
    served = serve_if_web(parser, args, argv)
    if served is not None:
        return served
    web_only(parser, args)
    lesson, progress = load_lesson_target(args)
    from bptui.app import run_app

    preset = lesson.preset if lesson != "pick" else load_preset("xor")
    return run_app(
        preset, lesson=lesson, progress=progress, catalog=learn_catalog(args), **web_options(args)
    )


def train_parser() -> argparse.ArgumentParser:
    """The parser of `bptui train`."""
    parser = OneLineParser(
        prog="bptui train", description="Train a preset headless and report the loss."
    )
    parser.add_argument(
        "preset", nargs="?", help="a bundled preset name or a path to a .toml file (or --csv FILE)"
    )
    add_csv_arguments(parser)
    parser.add_argument(
        "--steps",
        type=positive_int,
        default=None,
        help="training steps (default: the preset's goal, else 1000)",
    )
    parser.add_argument(
        "--json", action="store_true", help="print exactly one JSON object on stdout"
    )
    parser.add_argument(
        "--eval-every",
        type=eval_every,
        default=None,
        metavar="K",
        help="evaluate the whole training and held-out sets every K steps "
        "(default: every step with full batches, once per epoch with "
        "mini-batches; always before the first and after the last step)",
    )
    parser.add_argument(
        "--save-weights",
        metavar="FILE",
        help="write the final weights: .json, .npz, or .toml (a preset with them pinned)",
    )
    add_set_option(parser)
    parser.add_argument(
        "--trace",
        action="store_true",
        help='record gradient health every step (with --json: a "trace" object '
        "of gradient norms, update/weight ratios, saturated and dead units)",
    )
    parser.add_argument(
        "--first-order",
        action="store_true",
        help="check every update: the predicted loss change ∇C·Δθ beside the "
        "actual one on the same batch (one more batch forward pass a step)",
    )
    parser.add_argument(
        "--events",
        action="store_true",
        help="list when it went wrong: loss rose >10%%, a ReLU unit died, a "
        "gradient norm jumped 100×, the first inf or nan",
    )
    return parser


def compare_parser() -> argparse.ArgumentParser:
    """The parser of `bptui compare`."""
    parser = OneLineParser(
        prog="bptui compare",
        description="Train every combination of the varied settings from the "
        "same initial weights and compare the runs.",
    )
    parser.add_argument(
        "preset", nargs="?", help="a bundled preset name or a path to a .toml file (or --csv FILE)"
    )
    add_csv_arguments(parser)
    parser.add_argument(
        "--vary",
        action="append",
        required=True,
        metavar="KEY=V1,V2",
        help="a preset key and the values to try, e.g. "
        "training.optimizer=sgd,momentum,adam; repeatable (every "
        "combination runs)",
    )
    add_set_option(parser)
    parser.add_argument(
        "--steps",
        type=positive_int,
        default=None,
        help="training steps per run (default: the preset's goal, else 1000)",
    )
    parser.add_argument(
        "--curve",
        choices=("train", "test", "both"),
        default=None,
        help="the loss curves to chart: train, test or both (default: both "
        "when the preset holds out a test set, else train)",
    )
    parser.add_argument(
        "--json", action="store_true", help="print one JSON array: a `train --json` object per run"
    )
    return parser


def list_presets() -> int:
    """Print the bundled presets with their descriptions."""

    def describe(preset) -> tuple[str, str]:
        goal = f" Goal: {preset.goal.describe()}." if preset.goal else ""
        return preset.title, preset.description + goal

    return print_listing(bundled_names(), load_preset, 10, describe)


def open_app(parser: argparse.ArgumentParser, args) -> int:
    """Load what the arguments name and open the explorer."""
    preset, stepper = load_target(parser, args)
    from bptui.app import run_app
    from bptui.lesson.catalog import Catalog

    return run_app(
        preset, stepper, catalog=Catalog.bundled(served_preset_file(args)), **web_options(args)
    )  # non-zero when the app failed


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
