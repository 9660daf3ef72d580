"""Tests for `gan_zoo.metrics.evaluate`: metrics of images and generators."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from gan_zoo import datasets
from gan_zoo.metrics import statistics
from gan_zoo.metrics.evaluate import METRICS
from gan_zoo.metrics.evaluate import evaluate
from gan_zoo.metrics.evaluate import fid
from gan_zoo.metrics.evaluate import format_results
from gan_zoo.metrics.evaluate import kid
from gan_zoo.metrics.features import FeatureExtractor
from gan_zoo.metrics.features import classifier_extractor
from gan_zoo.metrics.features import extract
from gan_zoo.models import DCGAN
from gan_zoo.models.architectures import dcgan_discriminator
from gan_zoo.models.architectures import dcgan_generator


def flat_extractor():
    """Features = the 2x2 pixels; logits = a fixed linear map to 3 classes."""
    inputs = keras.Input((2, 2, 1))
    features = keras.layers.Flatten()(inputs)
    logits = keras.layers.Dense(3, kernel_initializer=keras.initializers.GlorotUniform(0))(features)
    return FeatureExtractor(keras.Model(inputs, [features, logits]), "flat pixels", "flat", 2, 1)


def images(n, seed, shift=0.0):
    rng = np.random.default_rng(seed)
    return (rng.uniform(-1, 1, (n, 2, 2, 1)) * 0.5 + shift).astype("float32")


def test_fid_equals_the_frechet_distance_of_the_features():
    fake, real = images(300, 0, shift=0.3), images(400, 1)
    value = fid(fake, real, extractor=flat_extractor(), batch_size=64)
    expected = statistics.frechet_distance(fake.reshape(300, 4), real.reshape(400, 4))
    np.testing.assert_allclose(value, expected, rtol=1e-6)
    assert value > 0.3  # the shift of 0.3 in 4 dimensions alone gives 0.36
    assert abs(fid(real, real, extractor=flat_extractor())) < 1e-6


def test_other_metrics_equal_the_statistics_on_the_extractor_outputs():
    extractor = flat_extractor()
    fake, real = images(120, 2, shift=0.2), images(150, 3)
    fake_features, fake_probs = extractor(fake)
    real_features, _ = extractor(real)
    kid_value = kid(fake, real, extractor=extractor, kid_subsets=5, kid_subset_size=50)
    assert kid_value == statistics.kernel_inception_distance(
        fake_features, real_features, subsets=5, subset_size=50, seed=0
    )
    results = evaluate(
        fake, real, ["inception_score", "precision_recall", "class_statistics"],
        extractor=extractor, is_splits=4,
    )
    is_mean, is_std = statistics.inception_score(fake_probs, splits=4)
    assert (results["inception_score"], results["inception_score_std"]) == (is_mean, is_std)
    pr = statistics.precision_recall(real_features, fake_features, k=3)
    assert (results["precision"], results["recall"]) == (pr["precision"], pr["recall"])
    classes = statistics.class_statistics(fake_probs)
    assert results["distinct_classes"] == classes["distinct_classes"]
    assert results["class_kl"] == classes["class_kl"]
    assert results["confident_fraction"] == statistics.confident_fraction(fake_probs)


def test_evaluate_names_the_feature_space_in_results_and_text():
    results = evaluate(
        images(50, 4), images(60, 5), metrics=["fid", "inception_score"],
        extractor=flat_extractor(), is_splits=2,
    )
    assert results["extractor"] == "flat pixels"
    assert (results["num_samples"], results["num_reference"]) == (50, 60)
    assert {"fid", "inception_score", "inception_score_std"} <= set(results)
    text = format_results(results)
    assert text.startswith("FID (flat pixels): ")
    assert "IS (flat pixels): " in text and "[50 samples vs 60 reference]" in text


def test_reference_statistics_serve_fid_but_not_kid():
    extractor = flat_extractor()
    fake, real = images(80, 6), images(90, 7, shift=0.1)
    stats = extract(real, extractor).statistics
    assert fid(fake, stats, extractor=extractor) == pytest.approx(fid(fake, real, extractor=extractor))
    with pytest.raises(ValueError, match="FID only"):
        kid(fake, stats, extractor=extractor)


def test_datasets_and_arrays_give_the_same_fid():
    extractor = flat_extractor()
    fake, real = images(64, 8), images(100, 9, shift=-0.2)
    dataset = tf.data.Dataset.from_tensor_slices((real, np.zeros(100))).batch(32)
    assert fid(fake, dataset, extractor=extractor) == pytest.approx(
        fid(fake, real, extractor=extractor), rel=1e-9
    )
    # Reference in (0, 1) mapped like the images in (-1, 1).
    assert fid(fake, (real + 1) / 2, extractor=extractor, reference_value_range=(0, 1)) == (
        pytest.approx(fid(fake, real, extractor=extractor), rel=1e-5)
    )


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"metrics": "fidd"}, "`metrics` must name some of"),
        ({"metrics": []}, "`metrics` must name some of"),
        ({"metrics": "kid", "reference": None}, "`reference` images are required"),
        ({"num_samples": 0}, "num_samples"),
    ],
)
def test_bad_arguments_raise(kwargs, message):
    kwargs = {"reference": images(10, 0), "extractor": flat_extractor(), **kwargs}
    with pytest.raises(ValueError, match=message):
        evaluate(images(10, 1), **kwargs)


def test_metrics_table_lists_every_result_key():
    assert sorted(METRICS) == [
        "class_statistics", "fid", "inception_score", "kid", "precision_recall"
    ]


def _fashion_reference(n):
    data = datasets.load(
        "fashion_mnist", split="test", batch_size=n, shuffle=False, download=False
    )
    return next(iter(data)).numpy()


def test_real_fashion_mnist_has_lower_classifier_fid_than_noise():
    real = _fashion_reference(600)
    noise = np.random.default_rng(0).uniform(-1, 1, (300, 28, 28, 1)).astype("float32")
    floor = fid(real[:300], real[300:], extractor="fashion_mnist")
    assert fid(noise, real[300:], extractor="fashion_mnist") > 10 * floor


@pytest.mark.slow
def test_more_training_gives_lower_classifier_fid():
    # A small DCGAN on 28x28 Fashion-MNIST: classifier FID after 20 steps
    # and after 200 more, against 1,000 real test images (measured: ~137
    # then ~75 on every backend).
    keras.utils.set_random_seed(0)
    train = datasets.load(
        "fashion_mnist", split="train", batch_size=64, seed=0, download=False
    ).repeat()
    model = DCGAN(
        dcgan_generator(28, 1, 32, base_filters=16),
        dcgan_discriminator(28, 1, base_filters=16),
        seed=0,
    )
    model.compile()
    extractor = classifier_extractor("fashion_mnist")
    reference = extract(_fashion_reference(1000), extractor).statistics
    scores = []
    for steps in (20, 200):
        model.fit(train, epochs=1, steps_per_epoch=steps, verbose=0)
        scores.append(fid(model, reference, extractor=extractor, num_samples=500))
    assert scores[1] < 0.75 * scores[0], scores

