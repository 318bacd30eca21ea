"""The colours every pane paints weights, activations and classes with: one Palette.

Positive values are blue and negative ones orange (the Playground's convention); a value of 0,
a probability of 0.5 or an activation at its centre is the neutral colour (the theme's
background), and larger |values| move further from it. Classes are coloured orange (class 0) and
blue (class 1) for one sigmoid output, and by HUES for a softmax.

The app reads the palette from its theme (Textual component classes, see widgets/paletted.py);
this module is pure NumPy and needs no app: DEFAULT is the palette of a dark theme.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

RGB = tuple[int, int, int]

POSITIVE: RGB = (66, 135, 245)
NEGATIVE: RGB = (245, 130, 48)
MORE_HUES: tuple[RGB, ...] = (
    (60, 180, 90),
    (150, 90, 210),
    (220, 60, 80),
    (40, 185, 190),
    (225, 195, 50),
    (230, 110, 190),
    (150, 105, 60),
    (128, 128, 128),
)
"""Class colours of a softmax output after the first two (positive, negative), in class order."""
REGION = 0.78
"""How far a sure region goes from the neutral colour toward its class colour (points: all)."""
POINT_SHADE = 0.18
"""Markers move this far from their class colour toward the ink, to stand out on their region
(darker on a light theme, lighter on a dark one)."""


def mix(a: RGB, b: RGB, t: float) -> RGB:
    """The colour t of the way from a to b."""
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))


def luminance(rgb: RGB) -> float:
    """Relative luminance 0 (black) … 1 (white)."""
    return (0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]) / 255


@dataclass(frozen=True)
class Palette:
    """Positive, negative, neutral (the background values start from) and ink (the text
    colour: axes and markers are mixed toward it)."""

    positive: RGB = POSITIVE
    negative: RGB = NEGATIVE
    neutral: RGB = (30, 30, 36)
    ink: RGB = (224, 224, 224)

    @property
    def hues(self) -> tuple[RGB, ...]:
        """Class colours of a softmax output, in class order (cycled past the last)."""
        return (self.positive, self.negative, *MORE_HUES)

    @property
    def axis(self) -> RGB:
        """A faint line (y = 0 under a curve)."""
        return mix(self.neutral, self.ink, 0.3)

    @property
    def muted(self) -> RGB:
        """Held-out points under a curve."""
        return mix(self.neutral, self.ink, 0.85)

    def classes(self, k: int) -> tuple[RGB, ...]:
        """Colour of each class: (negative, positive) for one output, else the hues."""
        if k == 1:
            return self.negative, self.positive
        return tuple(self.hues[i % len(self.hues)] for i in range(k))


DEFAULT = Palette()


def diverging(t: np.ndarray, palette: Palette = DEFAULT, strength: float = REGION) -> np.ndarray:
    """uint8 RGB (n, 3) for t in [−1, 1]: negative ← neutral → positive; nan is neutral."""
    t = np.clip(np.nan_to_num(np.asarray(t, dtype=float).ravel(), nan=0.0), -1.0, 1.0)
    target = np.where(
        (t >= 0)[:, None], np.array(palette.positive, float), np.array(palette.negative, float)
    )
    neutral = np.array(palette.neutral, float)
    out = neutral + (target - neutral) * (np.abs(t) * strength)[:, None]
    return np.rint(out).astype(np.uint8)


def class_colours(
    outputs: np.ndarray, palette: Palette = DEFAULT, strength: float = REGION
) -> np.ndarray:
    """uint8 RGB (n, 3) for class probabilities (n, K).

    K = 1: p blends negative (0) ↔ neutral (0.5) ↔ positive (1). K > 1: the probability-weighted
    mix of the class hues, moved toward neutral the less sure the network is
    ((max p − 1/K) / (1 − 1/K) is the share of the hue).
    """
    p = np.asarray(outputs, dtype=float)
    if p.ndim == 1:
        p = p[:, None]
    k = p.shape[1]
    if k == 1:
        return diverging(2.0 * np.nan_to_num(p[:, 0], nan=0.5) - 1.0, palette, strength)
    p = np.clip(np.nan_to_num(p, nan=0.0), 0.0, None)
    total = p.sum(axis=1, keepdims=True)
    p = np.where(total > 0, p / np.where(total > 0, total, 1.0), 1.0 / k)
    mixed = p @ np.array(palette.classes(k), dtype=float)
    sure = np.clip((p.max(axis=1) - 1.0 / k) / (1.0 - 1.0 / k), 0.0, 1.0) * strength
    neutral = np.array(palette.neutral, float)
    return np.rint(neutral + (mixed - neutral) * sure[:, None]).astype(np.uint8)


def value_colours(
    values: np.ndarray,
    centre: float,
    scale: float,
    palette: Palette = DEFAULT,
    strength: float = REGION,
) -> np.ndarray:
    """uint8 RGB (n, 3) of values on a diverging scale: centre neutral, centre ± scale full."""
    return diverging((np.asarray(values, dtype=float) - centre) / (scale or 1.0), palette, strength)


def marked(rgb: np.ndarray, palette: Palette = DEFAULT, amount: float = POINT_SHADE) -> np.ndarray:
    """uint8 RGB rows (n, 3) moved `amount` toward the ink."""
    rgb = np.asarray(rgb, dtype=float)
    return np.rint(rgb + (np.array(palette.ink, float) - rgb) * amount).astype(np.uint8)
