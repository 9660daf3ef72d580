"""Image-quality metrics of a generator: FID, KID, IS, precision/recall, classes.

`evaluate(images, reference, metrics, extractor, num_samples)` draws or
reads the images batch by batch, runs the feature extractor once, and
computes every requested metric with the formulas of
`gan_zoo.metrics.statistics`. `fid` and `kid` are one-metric shortcuts;
the Inception score, precision/recall and class statistics of images are
`evaluate(images, metrics=...)` (the names `inception_score`,
`precision_recall` and `class_statistics` of `gan_zoo.metrics` are the
formulas, on probabilities and features).
Results carry the extractor's name: a FID on classifier features is
"FID (fashion_mnist classifier features)", never "FID".
"""

import numpy as np

from gan_zoo.metrics import statistics
from gan_zoo.metrics.features import Extraction
from gan_zoo.metrics.features import FeatureStatistics
from gan_zoo.metrics.features import extract
from gan_zoo.metrics.features import get_extractor

DEFAULT_NUM_SAMPLES = 10_000


def _fid(fake, real, options):
    return {
        "fid": statistics.frechet_distance_from_statistics(
            fake.statistics.mean,
            fake.statistics.covariance,
            real.statistics.mean,
            real.statistics.covariance,
        )
    }


def _kid(fake, real, options):
    mean, std = statistics.kernel_inception_distance(
        fake.features,
        real.features,
        subsets=options["kid_subsets"],
        subset_size=options["kid_subset_size"],
        seed=options["seed"],
    )
    return {"kid": mean, "kid_std": std}


def _inception_score(fake, real, options):
    splits = min(options["is_splits"], fake.count)
    mean, std = statistics.inception_score(fake.probabilities, splits=splits)
    return {"inception_score": mean, "inception_score_std": std}


def _precision_recall(fake, real, options):
    return statistics.precision_recall(real.features, fake.features, k=options["pr_k"])


def _class_statistics(fake, real, options):
    result = statistics.class_statistics(fake.probabilities)
    return {
        "distinct_classes": result["distinct_classes"],
        "class_kl": result["class_kl"],
        "confident_fraction": statistics.confident_fraction(fake.probabilities),
    }


class _Metric:
    """How to compute a metric, the result keys it adds, and what it needs."""

    def __init__(self, compute, keys, needs_reference, needs_features):
        self.compute = compute
        self.keys = keys
        self.needs_reference = needs_reference
        self.needs_features = needs_features


METRICS = {
    "fid": _Metric(_fid, ("fid",), True, False),
    "kid": _Metric(_kid, ("kid", "kid_std"), True, True),
    "inception_score": _Metric(
        _inception_score, ("inception_score", "inception_score_std"), False, False
    ),
    "precision_recall": _Metric(_precision_recall, ("precision", "recall"), True, True),
    "class_statistics": _Metric(
        _class_statistics,
        ("distinct_classes", "class_kl", "confident_fraction"),
        False,
        False,
    ),
}
# Printed labels of each result key.
LABELS = {
    "fid": "FID",
    "kid": "KID",
    "kid_std": "KID std",
    "inception_score": "IS",
    "inception_score_std": "IS std",
    "precision": "precision",
    "recall": "recall",
    "distinct_classes": "distinct classes",
    "class_kl": "class KL to uniform",
    "confident_fraction": "share classified with p > 0.9",
}


def _metric_names(metrics):
    names = [metrics] if isinstance(metrics, str) else list(metrics)
    unknown = [name for name in names if name not in METRICS]
    if not names or unknown:
        raise ValueError(
            f"`metrics` must name some of {sorted(METRICS)}. Received: metrics={metrics!r}"
        )
    return names


def evaluate(
    images,
    reference=None,
    metrics="fid",
    extractor="fid_inception",
    num_samples=None,
    num_reference=None,
    batch_size=256,
    seed=0,
    value_range=(-1, 1),
    reference_value_range=None,
    is_splits=10,
    kid_subsets=100,
    kid_subset_size=1000,
    pr_k=3,
):
    """Scores generated images against a reference set in a feature space.

    Images flow batch by batch through the extractor; FID uses streamed
    float64 means and covariances, so memory does not grow with
    `num_samples` (KID and precision/recall keep the feature vectors, not
    the images).

    Metrics (see `gan_zoo.metrics.statistics` for the formulas):
    `"fid"` (`fid`), `"kid"` (`kid`, `kid_std`), `"inception_score"`
    (`inception_score`, `inception_score_std`; no reference),
    `"precision_recall"` (`precision`, `recall`), `"class_statistics"`
    (`distinct_classes`, `class_kl`, `confident_fraction`: the share of
    samples whose top class has probability > 0.9; no reference).

    Args:
        images: what to score: a GAN (samples drawn with NumPy noise from
            `seed`), an array `(n, h, w, c)`, or an iterable of batches
            such as a `tf.data.Dataset`.
        reference: the real images, as for `images`, or for FID alone a
            `FeatureStatistics` computed before (e.g. `FeatureStatistics.load`).
            Not needed by the Inception score and class statistics.
        metrics: str or list of str, names of `METRICS`. Defaults to `"fid"`.
        extractor: a `FeatureExtractor`, `"fid_inception"` (the network of
            the reference FID and Inception-score code, whose numbers papers
            report; a download), `"inception"` (Keras's ImageNet
            InceptionV3, not comparable with papers) or a shipped
            classifier's name, e.g. `"fashion_mnist"`. Defaults to
            `"fid_inception"`.
        num_samples: int, images drawn from a model (default 10,000) or
            taken from an array/iterable (default all).
        num_reference: int or `None`, reference images used (default all).
        batch_size: int, images per batch drawn. Defaults to `256`.
        seed: int, seed of the generator noise and KID subsets. Defaults to `0`.
        value_range: pair, range of the images' values (`(-1, 1)` for a
            tanh generator). Defaults to `(-1, 1)`.
        reference_value_range: pair, range of the reference values.
            Defaults to `value_range`.
        is_splits: int, parts of the Inception score (at most the number of
            samples). Defaults to `10`.
        kid_subsets: int, KID subsets. Defaults to `100`.
        kid_subset_size: int, KID subset size (clipped to the set sizes).
            Defaults to `1000`.
        pr_k: int, the k of the k-NN balls of precision/recall. Defaults to `3`.

    Returns:
        A dict of the metric values (floats; `distinct_classes` an int) plus
        `"extractor"` (its name, to report with the numbers),
        `"num_samples"` and `"num_reference"`. `format_results` prints it.
    """
    names = _metric_names(metrics)
    extractor = get_extractor(extractor)
    if num_samples is None and hasattr(images, "generator"):
        num_samples = DEFAULT_NUM_SAMPLES
    needs_reference = any(METRICS[n].needs_reference for n in names)
    needs_features = any(METRICS[n].needs_features for n in names)
    if needs_reference and reference is None:
        raise ValueError(f"`reference` images are required for metrics {names}.")
    fake = extract(
        images,
        extractor,
        num_samples=num_samples,
        batch_size=batch_size,
        seed=seed,
        value_range=value_range,
        keep_features=needs_features,
    )
    real = None
    if needs_reference:
        real = _reference_extraction(
            reference,
            extractor,
            num_reference,
            batch_size,
            seed,
            value_range if reference_value_range is None else reference_value_range,
            needs_features,
        )
    options = {
        "seed": seed,
        "is_splits": is_splits,
        "kid_subsets": kid_subsets,
        "kid_subset_size": kid_subset_size,
        "pr_k": pr_k,
    }
    results = {}
    for name in names:
        results.update(METRICS[name].compute(fake, real, options))
    results["extractor"] = extractor.name
    results["num_samples"] = fake.count
    results["num_reference"] = real.count if real is not None else 0
    return results


def _reference_extraction(
    reference, extractor, num_reference, batch_size, seed, value_range, needs_features
):
    if isinstance(reference, Extraction):
        if needs_features and reference.features is None:
            raise ValueError("The reference `Extraction` kept no features (KID, PR need them).")
        return reference
    if isinstance(reference, FeatureStatistics):
        if needs_features:
            raise ValueError(
                "Reference `FeatureStatistics` serve FID only; KID and precision/"
                "recall need the reference images."
            )
        if reference.extractor is not None and reference.extractor != extractor.name:
            raise ValueError(
                f"The reference statistics are of {reference.extractor}, not "
                f"{extractor.name}: compute them again with this extractor."
            )
        if reference.dim != extractor.feature_dim:
            raise ValueError(
                f"Reference statistics have dimension {reference.dim}, the "
                f"extractor's features {extractor.feature_dim}."
            )
        return Extraction(reference, None, None)
    return extract(
        reference,
        extractor,
        num_samples=num_reference,
        batch_size=batch_size,
        seed=seed + 1,
        value_range=value_range,
        keep_features=needs_features,
    )


def format_results(results):
    """One line per value, each metric named with its feature space.

    >>> print(format_results({"fid": 3.14159, "extractor": "fashion_mnist "
    ...     "classifier features", "num_samples": 100, "num_reference": 200}))
    FID (fashion_mnist classifier features): 3.1416  [100 samples vs 200 reference]
    """
    lines = []
    counts = f"  [{results['num_samples']} samples"
    if results.get("num_reference"):
        counts += f" vs {results['num_reference']} reference"
    counts += "]"
    for key, label in LABELS.items():
        if key in results:
            value = results[key]
            text = f"{value}" if isinstance(value, (int, np.integer)) else f"{value:.4f}"
            lines.append(f"{label} ({results['extractor']}): {text}{counts}")
    return "\n".join(lines)


def fid(images, reference, extractor="fid_inception", num_samples=None, **kwargs):
    """Frechet distance of `images` to `reference` in the extractor's features.

    Shortcut of `evaluate(..., metrics="fid")["fid"]`; other keyword
    arguments as `evaluate`. Report it with the extractor's name.
    """
    return evaluate(images, reference, "fid", extractor, num_samples, **kwargs)["fid"]


def kid(images, reference, extractor="fid_inception", num_samples=None, **kwargs):
    """Kernel Inception distance `(mean, std)`; see `evaluate`."""
    result = evaluate(images, reference, "kid", extractor, num_samples, **kwargs)
    return result["kid"], result["kid_std"]
