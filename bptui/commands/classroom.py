"""`bptui class [DIR | --port N] [--reset ID]`: where each student of a class served with
`bptui learn --web` got to (bptui.lesson.classroom keeps it).

One line per student, the most recently active first: the student's id, the current lesson, the
step reached, P's tally (right/asked) and the last activity. `--reset ID` forgets one student
(the id as listed, or its first 8 or more characters when they name one student).
"""

from __future__ import annotations

import time
from pathlib import Path

from bptui.text import printable

PORT_FOLDER = "class-{port}"


def default_class_dir(port: int) -> Path:
    """The class folder of a server on `port` when --class-dir is not given: in the user's data
    directory, named by the port (two classes on two ports keep apart)."""
    from bptui.lesson.progress import data_dir

    return data_dir() / PORT_FOLDER.format(port=port)


def class_parser():
    from bptui.commands.options import OneLineParser, port_number

    parser = OneLineParser(
        prog="bptui class",
        description="List where each student of a class served with "
        "`bptui learn --web` got to, or forget one.",
    )
    parser.add_argument(
        "folder", nargs="?", metavar="DIR", help="the class folder (--class-dir of the server)"
    )
    parser.add_argument(
        "--port",
        type=port_number,
        default=None,
        help="the class folder of a server on this port started without --class-dir (default 8000)",
    )
    parser.add_argument(
        "--reset", metavar="ID", help="forget this student (their progress and network)"
    )
    return parser


def ago(seconds: float) -> str:
    """'just now', '5 min ago', '3 h ago', '2 days ago'."""
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60:.0f} min ago"
    if seconds < 2 * 86400:
        return f"{seconds // 3600:.0f} h ago"
    return f"{seconds // 86400:.0f} days ago"


def rows(store, now: float) -> list[tuple[str, ...]]:
    """The table's rows (id, lesson, step, P, last activity), most recently active first."""
    lines = []
    for record in store.records():
        if isinstance(record, str):
            lines.append((-1.0, (record, "(record cannot be read)", "", "", "")))
            continue
        entry = record.latest
        if entry is None:
            continue
        step = "done" if entry.finished else f"{entry.step + 1}/{entry.steps}"
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(entry.updated))
        lines.append(
            (
                entry.updated,
                (
                    record.student,
                    f"{entry.title} ({entry.name})",
                    step,
                    f"{entry.right}/{entry.asked}",
                    f"{when} ({ago(max(0.0, now - entry.updated))})",
                ),
            )
        )
    lines.sort(key=lambda pair: -pair[0])
    return [row for _, row in lines]


def format_table(table: list[tuple[str, ...]]) -> str:
    head = ("student", "lesson", "step", "P right/asked", "last activity")
    widths = [max(len(r[i]) for r in [head, *table]) for i in range(len(head))]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip() for r in [head, *table]
    )


def class_command(argv: list[str]) -> int:
    """`bptui class ...`; returns the exit code."""
    from bptui.commands.options import fail
    from bptui.lesson.classroom import ClassStore, valid_id

    parser = class_parser()
    args = parser.parse_args(argv)
    if args.folder and args.port is not None:
        parser.error("give DIR or --port, not both")
    folder = Path(args.folder) if args.folder else default_class_dir(args.port or 8000)
    if not folder.is_dir():
        return fail(f"{folder}: no such class folder (bptui learn --web --class-dir DIR makes one)")
    store = ClassStore(folder)
    if args.reset is not None:
        if not valid_id(args.reset):
            return fail(f"--reset {args.reset!r}: not a student id (8 to 64 of A-Z a-z 0-9 _ -)")
        student = args.reset
        if student not in store.students():
            matches = [s for s in store.students() if s.startswith(student)]
            if len(matches) != 1:
                return fail(
                    f"--reset {student}: no such student in {folder}"
                    if not matches
                    else f"--reset {student}: names {len(matches)} students; give more of the id"
                )
            student = matches[0]
        store.reset(student)
        print(f"bptui: forgot student {student}")
        return 0
    table = rows(store, time.time())
    if not table:
        print(f"no students yet in {printable(str(folder))}")
        return 0
    print(format_table(table))
    return 0
