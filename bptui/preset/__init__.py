"""Preset files: TOML problem descriptions, validated key by key, turned into engine specs."""

from bptui.preset.errors import PresetError
from bptui.preset.loader import Goal, Preset, bundled_names, load_preset, preset_from_text

__all__ = ["Goal", "Preset", "PresetError", "bundled_names", "load_preset", "preset_from_text"]
