"""Evaluation metrics for gan_zoo."""

from gan_zoo.metrics.mixtures import mode_coverage

__all__ = [
    "mode_coverage",
]
