"""What a class is served by name: lessons and presets (`bptui learn DIR`, `bptui PRESET.toml`).

A browser may name a lesson or a preset (`?lesson=NAME`, `?preset=NAME`, the pickers), never a
path: a name is looked up here, among the served folder's lessons and presets (or the one preset
file given on the command line), then the bundled ones. A served folder is read once, when the
catalog is made: every `*.toml` in it (not below it) is a lesson (it has [[step]] tables) or a
preset, at most MAX_FILES of them, in file-name order (a teacher numbers them: 01-forward.toml,
02-error.toml). Any file that does not load is the usual one-line error, before anything starts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from bptui.lesson.loader import Lesson, bundled_lessons, load_lesson
from bptui.preset import loader as presets
from bptui.preset.errors import PresetError

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
"""A lesson's or preset's name as a URL may give it (a file's stem; never a path)."""
MAX_FILES = 200


def valid_name(text: object) -> bool:
    """Whether `text` can be a served name (NAME; `..` never is)."""
    return isinstance(text, str) and NAME.fullmatch(text) is not None and ".." not in text


@dataclass(frozen=True)
class Catalog:
    """Served lessons (name → a file, or a bundled lesson's name) and presets beyond the bundled
    ones (name → file), in the order the pickers list them; `folder` is a served folder."""

    lessons: dict[str, str] = field(default_factory=dict)
    presets: dict[str, str] = field(default_factory=dict)
    folder: str | None = None

    @classmethod
    def bundled(cls, preset_file: str | None = None) -> Catalog:
        """The bundled lessons; and `preset_file` (a path given on the command line), if any."""
        served = {}
        if preset_file is not None:
            served[Path(preset_file).stem] = preset_file
        return cls({name: name for name in bundled_lessons()}, served)

    @classmethod
    def of_folder(cls, folder: str | Path) -> Catalog:
        """A folder's lessons and presets, each loaded (checked) once; PresetError for the first
        file that does not load, or a folder with no lesson."""
        base = Path(folder)
        try:
            files = sorted(p for p in base.glob("*.toml") if p.is_file())
        except OSError as exc:
            raise PresetError(str(base), None, f"cannot read the folder ({exc.strerror})") from None
        if len(files) > MAX_FILES:
            raise PresetError(
                str(base), None, f"holds {len(files)} .toml files (allowed: up to {MAX_FILES})"
            )
        lessons, served = {}, {}
        for path in files:
            if not valid_name(path.stem):
                raise PresetError(
                    str(path),
                    None,
                    "a served file's name must be letters, digits, "
                    "'.', '_' or '-' (it goes in URLs)",
                )
            doc = presets.parse_toml(presets.read_text(path), str(path))
            if "step" in doc:
                load_lesson(str(path))
                lessons[path.stem] = str(path)
            else:
                from bptui.lesson.lock import locked_keys

                locked_keys(presets.load_preset(str(path)))
                served[path.stem] = str(path)
        if not lessons:
            raise PresetError(
                str(base),
                None,
                "holds no lesson (a .toml file with [[step]] "
                "tables; bptui learn --template writes one)",
            )
        return cls(lessons, served, str(base))

    def lesson_names(self) -> list[str]:
        """The served lessons' names, in order."""
        return list(self.lessons)

    def preset_names(self) -> list[str]:
        """The served presets' names, then the bundled ones."""
        return list(self.presets) + [n for n in presets.bundled_names() if n not in self.presets]

    def has_lesson(self, name: str) -> bool:
        return valid_name(name) and (name in self.lessons or name in bundled_lessons())

    def has_preset(self, name: str) -> bool:
        return valid_name(name) and name in self.preset_names()

    def lesson(self, name: str) -> Lesson:
        """A served (else bundled) lesson by name; PresetError for any other name."""
        if not valid_name(name) or not self.has_lesson(name):
            known = ", ".join(self.lessons or bundled_lessons())
            raise PresetError("lesson", None, f"no lesson is served as {name!r} (served: {known})")
        return load_lesson(self.lessons.get(name, name))

    def preset(self, name: str) -> presets.Preset:
        """A served (else bundled) preset by name; PresetError for any other name."""
        if not self.has_preset(name):
            raise PresetError(
                "preset",
                None,
                f"no preset is served as {name!r} (served: {', '.join(self.preset_names())})",
            )
        return presets.load_preset(self.presets.get(name, name))

    def name_of(self, lesson: Lesson) -> str | None:
        """The served name of a loaded lesson (None if it is not served)."""
        for name, where in self.lessons.items():
            if lesson.ident in (where, name) or lesson.ident == str(Path(where).resolve()):
                return name
        return None

    def following(self, lesson: Lesson) -> str | None:
        """The name of the lesson served after `lesson` (None after the last)."""
        names = self.lesson_names()
        name = self.name_of(lesson)
        if name is None or name not in names:
            return None
        index = names.index(name)
        return names[index + 1] if index + 1 < len(names) else None
