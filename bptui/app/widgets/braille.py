"""A Braille-dot canvas for edges: 2×4 dots per terminal cell, one colour per cell.

Where edges cross, a cell takes the colour of its strongest edge.
"""

from __future__ import annotations

DOT_BITS = ((0x01, 0x08), (0x02, 0x10), (0x04, 0x20), (0x40, 0x80))  # [row][col]


class BrailleCanvas:
    """width × height cells; dots addressed as (x in 0..2w−1, y in 0..4h−1)."""

    def __init__(self, width: int, height: int):
        self.width = width
        self.height = height
        self.bits = [[0] * width for _ in range(height)]
        self.weight = [[-1.0] * width for _ in range(height)]
        self.tag = [[None] * width for _ in range(height)]

    def line(self, x0: int, y0: int, x1: int, y1: int, strength: float, tag) -> None:
        """Draw a dot line; a cell keeps the tag of the strongest line through it."""
        dx, dy = abs(x1 - x0), -abs(y1 - y0)
        sx, sy = (1 if x0 < x1 else -1), (1 if y0 < y1 else -1)
        err = dx + dy
        while True:
            self.dot(x0, y0, strength, tag)
            if x0 == x1 and y0 == y1:
                break
            e2 = 2 * err
            if e2 >= dy:
                err += dy
                x0 += sx
            if e2 <= dx:
                err += dx
                y0 += sy

    def dot(self, x: int, y: int, strength: float, tag) -> None:
        """Set one dot."""
        cx, cy = x // 2, y // 4
        if 0 <= cx < self.width and 0 <= cy < self.height:
            self.bits[cy][cx] |= DOT_BITS[y % 4][x % 2]
            if strength > self.weight[cy][cx]:
                self.weight[cy][cx] = strength
                self.tag[cy][cx] = tag

    def cell(self, cx: int, cy: int) -> tuple[str, object]:
        """(character, tag) of a cell; a blank and None where nothing is drawn."""
        bits = self.bits[cy][cx]
        return (chr(0x2800 + bits), self.tag[cy][cx]) if bits else (" ", None)
