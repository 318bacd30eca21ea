"""Test set-up: deterministic Textual (no animations) before anything imports it."""

import os

os.environ["TEXTUAL_ANIMATIONS"] = "none"
