"""Tests for `gan_zoo.metrics.features`: extractors and streaming statistics."""

import json

import keras
import numpy as np
import pytest
import tensorflow as tf

from gan_zoo import datasets
from gan_zoo.metrics.features import CLASSIFIERS_DIR
from gan_zoo.metrics.features import FeatureExtractor
from gan_zoo.metrics.features import FeatureStatistics
from gan_zoo.metrics.features import available_classifiers
from gan_zoo.metrics.features import classifier_extractor
from gan_zoo.metrics.features import extract
from gan_zoo.metrics.features import get_extractor
from gan_zoo.metrics.features import image_batches
from gan_zoo.metrics.features import inception_extractor
from gan_zoo.models import GAN
from gan_zoo.models.architectures import dcgan_discriminator
from gan_zoo.models.architectures import dcgan_generator


def flat_extractor(size=4, channels=1, classes=3, batch_size=5):
    """Features = the flattened pixels; logits = a fixed linear map."""
    inputs = keras.Input((size, size, channels))
    features = keras.layers.Flatten()(inputs)
    logits = keras.layers.Dense(classes, kernel_initializer=keras.initializers.GlorotUniform(0))(features)
    model = keras.Model(inputs, [features, logits])
    return FeatureExtractor(model, "flat pixels", "flat", size, channels, batch_size=batch_size)


def test_streamed_statistics_equal_numpy_mean_and_cov():
    rng = np.random.default_rng(0)
    # A large offset: raw sums of outer products would lose the spread.
    x = rng.normal(size=(1001, 5)) * [1, 2, 3, 0.01, 1] + 1e4
    stats = FeatureStatistics(5)
    for part in np.array_split(x, [1, 3, 400, 401, 700]):  # uneven, one empty-free
        stats.update(part)
    assert stats.count == 1001
    np.testing.assert_allclose(stats.mean, x.mean(axis=0), rtol=1e-14)
    np.testing.assert_allclose(stats.covariance, np.cov(x, rowvar=False), rtol=1e-9, atol=1e-12)
    assert stats.mean.dtype == np.float64 and stats.covariance.dtype == np.float64


def test_statistics_save_and_load_round_trip(tmp_path):
    stats = FeatureStatistics(3)
    stats.update(np.random.default_rng(1).normal(size=(10, 3)))
    stats.save(tmp_path / "ref.npz")
    loaded = FeatureStatistics.load(tmp_path / "ref.npz")
    assert loaded.count == 10
    np.testing.assert_array_equal(loaded.mean, stats.mean)
    np.testing.assert_array_equal(loaded.covariance, stats.covariance)
    assert (loaded.extractor, loaded.source) == (None, None)
    stats.save(tmp_path / "named.npz", extractor="FID Inception features", source="cifar10 (test)")
    loaded = FeatureStatistics.load(tmp_path / "named.npz")
    assert (loaded.extractor, loaded.source) == ("FID Inception features", "cifar10 (test)")


def test_statistics_reject_bad_shapes_and_too_few_rows():
    stats = FeatureStatistics(3)
    with pytest.raises(ValueError, match=r"shape \(n, 3\).*\(4, 2\)"):
        stats.update(np.zeros((4, 2)))
    stats.update(np.zeros((1, 3)))
    with pytest.raises(ValueError, match="at least 2"):
        stats.covariance  # noqa: B018


def test_preprocess_maps_range_channels_and_size():
    extractor = flat_extractor(size=4, channels=3)
    grey = np.full((2, 8, 8, 1), 0.5, "float32")  # in (0, 1): 0.5 -> 0.0
    grey[1] = 1.0  # -> 1.0
    out = extractor.preprocess(grey, value_range=(0, 1))
    assert out.shape == (2, 4, 4, 3)
    np.testing.assert_allclose(out[0], 0.0, atol=1e-6)
    np.testing.assert_allclose(out[1], 1.0, atol=1e-6)
    # RGB to a grey model: the channel mean.
    rgb = np.stack([np.full((4, 4), v) for v in (-1.0, 0.0, 0.4)], axis=-1)[None]
    out = flat_extractor(size=4, channels=1).preprocess(rgb)
    np.testing.assert_allclose(out, np.full((1, 4, 4, 1), -0.2), atol=1e-6)


def test_extractor_outputs_features_and_probabilities_in_chunks():
    extractor = flat_extractor(batch_size=5)
    images = np.random.default_rng(2).uniform(-1, 1, (12, 4, 4, 1)).astype("float32")
    features, probabilities = extractor(images)
    np.testing.assert_allclose(features, images.reshape(12, 16), atol=1e-6)
    assert probabilities.shape == (12, 3) and probabilities.dtype == np.float64
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0)


@pytest.mark.slow  # ~10 s on JAX (InceptionV3 initialises per shape), 40 s+ under load
def test_inception_runs_without_weights_at_299():
    extractor = inception_extractor(weights=None, batch_size=2)
    assert "random-weight" in extractor.name and "not comparable" in extractor.name
    assert (extractor.image_size, extractor.channels) == (299, 3)
    images = np.random.default_rng(3).uniform(-1, 1, (2, 28, 28, 1)).astype("float32")
    assert extractor.preprocess(images).shape == (2, 299, 299, 3)
    features, probabilities = extractor(images)
    assert features.shape == (2, 2048) and probabilities.shape == (2, 1000)
    assert np.all(np.isfinite(features)) and np.all(features >= 0)  # after ReLU + pool
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0)


def test_image_batches_from_array_dataset_and_list_agree():
    images = np.arange(7 * 4, dtype="float32").reshape(7, 2, 2, 1)
    labels = np.arange(7)
    dataset = tf.data.Dataset.from_tensor_slices((images, labels)).batch(3)
    for source in (images, dataset, [images[:3], images[3:]]):
        batches = list(image_batches(source, num_samples=5, batch_size=2))
        np.testing.assert_array_equal(np.concatenate(batches), images[:5])
    assert sum(len(b) for b in image_batches(dataset)) == 7


def test_image_batches_reject_strings_and_modelless_calls():
    with pytest.raises(ValueError, match="generator model, an array or an iterable"):
        list(image_batches("fashion_mnist"))
    gan = GAN(dcgan_generator(8, 1, 4, base_filters=4), dcgan_discriminator(8, 1, base_filters=4))
    with pytest.raises(ValueError, match="num_samples"):
        list(image_batches(gan))


def test_generator_samples_are_seeded_and_streamed():
    gan = GAN(dcgan_generator(8, 1, 3, base_filters=2), dcgan_discriminator(8, 1, base_filters=2))
    extractor = flat_extractor(size=8)
    first = extract(gan, extractor, num_samples=10, batch_size=4, seed=1, keep_features=True)
    again = extract(gan, extractor, num_samples=10, batch_size=4, seed=1, keep_features=True)
    other = extract(gan, extractor, num_samples=10, batch_size=4, seed=2, keep_features=True)
    assert first.count == 10 and first.features.shape == (10, 64)
    np.testing.assert_array_equal(first.features, again.features)
    assert not np.allclose(first.features, other.features)
    np.testing.assert_allclose(first.statistics.mean, first.features.mean(axis=0), atol=1e-6)
    assert extract(gan, extractor, num_samples=10).features is None


def test_unknown_classifier_lists_shipped_ones():
    with pytest.raises(ValueError, match=r"No classifier for 'cifar77'.*fashion_mnist"):
        classifier_extractor("cifar77")
    with pytest.raises(ValueError, match="extractor"):
        get_extractor(3)


def held_out_examples(dataset, metadata, data_dir):
    """The images and labels the shipped classifier's accuracy was measured on."""
    recipe = metadata["recipe"]
    split = recipe["train_split"] if recipe["holdout"] else metadata["test_split"]
    data = datasets.load(
        dataset, split=split, batch_size=2000, with_labels=True, shuffle=False,
        drop_remainder=False, download=False, data_dir=data_dir,
    )
    images, labels = map(np.concatenate, zip(*data.as_numpy_iterator()))
    if recipe["holdout"]:  # the seeded choice of tools/train_classifier.py
        order = np.random.default_rng(recipe["seed"]).permutation(len(images))
        held_out = order[: recipe["holdout"]]
        return images[held_out], labels[held_out]
    return images, labels


# Each shipped classifier: the folder of its data under $GAN_ZOO_TEST_DATA
# (None: embedded or a system folder) and the accuracy it must reach.
SHIPPED = {"fashion_mnist": (None, 0.85), "mnist": ("mnist", 0.97), "digits": (None, 0.97)}


@pytest.mark.parametrize("dataset", sorted(SHIPPED))
def test_shipped_classifiers_are_small_and_as_accurate_as_their_metadata(dataset, test_data):
    folder, min_accuracy = SHIPPED[dataset]
    assert dataset in available_classifiers()
    preset = CLASSIFIERS_DIR / dataset
    assert (preset / "model.weights.h5").stat().st_size < 500_000
    metadata = json.loads((preset / "metadata.json").read_text())
    assert metadata["dataset"] == dataset and metadata["test_accuracy"] > min_accuracy
    extractor = classifier_extractor(dataset)
    assert extractor.name == f"{dataset} classifier features"
    assert (extractor.feature_dim, extractor.num_classes) == (128, 10)
    images, labels = held_out_examples(
        dataset, metadata, folder and test_data / folder
    )
    features, probabilities = extractor(images)
    accuracy = np.mean(probabilities.argmax(axis=1) == labels)
    # Another backend's kernels may flip a borderline example or two.
    np.testing.assert_allclose(accuracy, metadata["test_accuracy"], atol=2e-3)
    assert features.shape == (len(images), 128)
