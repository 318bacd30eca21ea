"""Numbers in explanations: 4 significant digits, negatives parenthesized as factors."""

from __future__ import annotations

MAX_TERMS = 6  # terms of a sum spelled out before "…"


def number(value: float) -> str:
    """4 significant digits, e.g. 0.1385, -0.0381, 8.771e-05."""
    return f"{value:.4g}"


def factor(value: float) -> str:
    """A number as a factor in a product: negatives in parentheses."""
    text = number(value)
    return f"({text})" if value < 0 else text


def spelled_sum(terms: list[str]) -> str:
    """'t1 + t2 + …' with at most MAX_TERMS terms."""
    if len(terms) <= MAX_TERMS:
        return " + ".join(terms)
    return " + ".join(terms[:MAX_TERMS - 1]) + f" + … ({len(terms) - MAX_TERMS + 1} more)"
