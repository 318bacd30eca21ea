"""Numbers in explanations: 4 significant digits, negatives parenthesized as factors."""

from __future__ import annotations

import math

MAX_TERMS = 6  # terms of a sum spelled out before "…"


SCIENTIFIC_BELOW = 1e-3  # |x| below this (and not 0) is written 1.2e-4
SCIENTIFIC_FROM = 1e5  # |x| from this on is written 1.2e5


def _scientific(value: float, digits: int) -> str:
    mantissa, exponent = f"{value:.{digits - 1}e}".split("e")
    if "." in mantissa:
        mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}e{int(exponent)}"


def _plain(value: float, digits: int) -> str:
    text = f"{value:.{digits}g}"
    if "e" in text:  # .g chose an exponent: write the digits out
        text = f"{value:.{max(0, digits - 1 - int(f'{abs(value):e}'.split('e')[1]))}f}"
    return text


def number(value: float, width: int | None = None) -> str:
    """The one way every pane writes a number: 4 significant digits (fewer only to fit in
    `width` characters), scientific below 1e-3 and from 1e5 (`1.2e-4`, `3.5e6`), exactly `0` for
    zero, and never `0.00` or `-0.00` for a value that is not zero."""
    if value != value:
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if value == 0:
        return "0"
    size = abs(value)
    write = _scientific if size < SCIENTIFIC_BELOW or size >= SCIENTIFIC_FROM else _plain
    text = write(value, 4)
    if width is None or len(text) <= width:
        return text
    for digits in (3, 2, 1):
        text = write(value, digits)
        if len(text) <= width:
            return text
    if write is _plain:  # 0.0001234 in 5 characters: 1e-4 rather than 0.000
        for digits in (2, 1):
            text = _scientific(value, digits)
            if len(text) <= width:
                return text
    return text


def fit(value: float, width: int) -> str:
    """`number(value, width)`, guaranteed to take at most `width` characters: the rare value
    that cannot be written so short (-1.2e-10 in 5) ends in "…", marking the cut."""
    text = number(value, width)
    if len(text) <= width:
        return text
    return text[: max(0, width - 1)] + "…" if width > 0 else ""


def common_power(largest: float, width: int = 3) -> int:
    """The power p for which |values| up to `largest`, times 10^p and rounded, take at most
    `width` characters with their sign (2 digits for width 3): a compact matrix's common scale,
    as `×0.01` over a matrix of whole numbers."""
    if not math.isfinite(largest) or largest <= 0:
        return 0
    digits = max(1, width - 1)
    power = digits - 1 - math.floor(math.log10(largest))
    if round(largest * 10.0**power) >= 10**digits:
        power -= 1
    return power


def scaled(value: float, power: int) -> str:
    """`value` × 10^power rounded to a whole number: `0` only for 0, `·` (`-·`) for a value that
    is not 0 but rounds to it, so no cell pretends a small value is zero."""
    if value != value:
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if value == 0:
        return "0"
    whole = round(value * 10.0**power)
    if whole == 0:
        return "·" if value > 0 else "-·"
    return str(whole)


def factor(value: float) -> str:
    """A number as a factor in a product: negatives in parentheses."""
    text = number(value)
    return f"({text})" if value < 0 else text


def spelled_sum(terms: list[str]) -> str:
    """'t1 + t2 + …' with at most MAX_TERMS terms."""
    if len(terms) <= MAX_TERMS:
        return " + ".join(terms)
    return " + ".join(terms[: MAX_TERMS - 1]) + f" + … ({len(terms) - MAX_TERMS + 1} more)"
