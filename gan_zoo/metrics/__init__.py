"""Evaluation metrics for gan_zoo."""

from gan_zoo.metrics.evaluate import evaluate
from gan_zoo.metrics.evaluate import fid
from gan_zoo.metrics.evaluate import format_results
from gan_zoo.metrics.evaluate import kid
from gan_zoo.metrics.features import FeatureExtractor
from gan_zoo.metrics.features import FeatureStatistics
from gan_zoo.metrics.features import available_classifiers
from gan_zoo.metrics.features import classifier_extractor
from gan_zoo.metrics.features import extract
from gan_zoo.metrics.features import inception_extractor
from gan_zoo.metrics.fid_inception import fid_inception_extractor
from gan_zoo.metrics.mixtures import arm_coverage
from gan_zoo.metrics.mixtures import mode_coverage
from gan_zoo.metrics.statistics import class_statistics
from gan_zoo.metrics.statistics import confident_fraction
from gan_zoo.metrics.statistics import frechet_distance
from gan_zoo.metrics.statistics import frechet_distance_from_statistics
from gan_zoo.metrics.statistics import inception_score
from gan_zoo.metrics.statistics import kernel_inception_distance
from gan_zoo.metrics.statistics import precision_recall
from gan_zoo.metrics.text import ngram_jsd

__all__ = [
    "arm_coverage",
    "mode_coverage",
    "class_statistics",
    "confident_fraction",
    "frechet_distance",
    "frechet_distance_from_statistics",
    "inception_score",
    "kernel_inception_distance",
    "precision_recall",
    "ngram_jsd",
    "FeatureExtractor",
    "FeatureStatistics",
    "available_classifiers",
    "classifier_extractor",
    "evaluate",
    "extract",
    "fid",
    "format_results",
    "inception_extractor",
    "fid_inception_extractor",
    "kid",
]
