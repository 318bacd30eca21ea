"""Readouts beyond the loss: accuracy, confusion matrix, coefficient of determination R²."""

from __future__ import annotations

import numpy as np


def predicted_classes(outputs: np.ndarray) -> np.ndarray:
    """Class index per sample from outputs (n, K): argmax, or the 0.5 threshold for K = 1."""
    if outputs.shape[1] == 1:
        return (outputs[:, 0] >= 0.5).astype(np.int64)
    return outputs.argmax(axis=1)


def true_classes(targets: np.ndarray) -> np.ndarray:
    """Class index per sample from one-hot (or 0/1) targets (n, K)."""
    if targets.shape[1] == 1:
        return (targets[:, 0] >= 0.5).astype(np.int64)
    return targets.argmax(axis=1)


def confusion_matrix(outputs: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Counts (K', K') with rows the true class and columns the predicted one (K' = 2 for K = 1)."""
    classes = max(2, targets.shape[1])
    counts = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(counts, (true_classes(targets), predicted_classes(outputs)), 1)
    return counts


def accuracy(outputs: np.ndarray, targets: np.ndarray) -> float:
    """Fraction classified right."""
    return float((predicted_classes(outputs) == true_classes(targets)).mean())


def r_squared(outputs: np.ndarray, targets: np.ndarray) -> float:
    """1 − SS_res / SS_tot over all outputs (nan when the targets are constant)."""
    residual = float(((targets - outputs) ** 2).sum())
    total = float(((targets - targets.mean(axis=0)) ** 2).sum())
    return 1.0 - residual / total if total > 0 else float("nan")
