"""Evaluation metrics for gan_zoo."""

from gan_zoo.metrics.mixtures import mode_coverage
from gan_zoo.metrics.text import ngram_jsd

__all__ = [
    "mode_coverage",
    "ngram_jsd",
]
