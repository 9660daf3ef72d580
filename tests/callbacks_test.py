"""Tests for `gan_zoo.callbacks`: `SampleGrid` and `MetricEvaluator`."""

import csv
import math

import keras
import numpy as np
import pytest
from PIL import Image

from gan_zoo.callbacks import MetricEvaluator
from gan_zoo.callbacks import SampleGrid
from gan_zoo.metrics.evaluate import evaluate
from gan_zoo.metrics.features import FeatureExtractor
from gan_zoo.metrics.features import FeatureStatistics
from gan_zoo.models import GAN
from gan_zoo.models.architectures import dcgan_discriminator
from gan_zoo.models.architectures import dcgan_generator
from gan_zoo.models.architectures import mlp_discriminator
from gan_zoo.models.architectures import mlp_generator

LATENT_DIM = 4


def _tiny_gan(kind):
    if kind == "images":
        generator = dcgan_generator(8, 1, LATENT_DIM, base_filters=4)
        discriminator = dcgan_discriminator(8, 1, base_filters=4)
        data = np.random.default_rng(0).uniform(-1, 1, (32, 8, 8, 1))
    else:
        generator = mlp_generator(2, LATENT_DIM, hidden_units=(8,))
        discriminator = mlp_discriminator(2, hidden_units=(8,))
        data = np.random.default_rng(0).normal(size=(32, 2))
    model = GAN(generator, discriminator, seed=0)
    model.compile()
    return model, data.astype("float32")


@pytest.mark.parametrize("kind", ["images", "points"])
def test_writes_one_png_per_epoch(tmp_path, kind):
    model, data = _tiny_gan(kind)
    reference = data[:10] if kind == "points" else None
    callback = SampleGrid(
        tmp_path / "samples" / "epoch_{epoch:03d}.png",
        num_samples=9,
        reference=reference,
    )
    model.fit(data, batch_size=8, epochs=2, callbacks=[callback], verbose=0)
    written = sorted(p.name for p in (tmp_path / "samples").iterdir())
    assert written == ["epoch_001.png", "epoch_002.png"]
    picture = Image.open(tmp_path / "samples" / "epoch_002.png")
    assert picture.format == "PNG"
    if kind == "images":
        assert picture.size == (3 * 9 + 1, 3 * 9 + 1)
    assert callback.last_written == (1, tmp_path / "samples" / "epoch_002.png")


def test_every_n_epochs(tmp_path):
    model, data = _tiny_gan("points")
    callback = SampleGrid(tmp_path / "e{epoch}.png", every_n_epochs=2)
    model.fit(data, batch_size=8, epochs=3, callbacks=[callback], verbose=0)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e2.png"]


@pytest.mark.parametrize("kind", ["images", "points"])
def test_fixed_noise_gives_identical_pictures_without_training(tmp_path, kind):
    model, data = _tiny_gan(kind)
    callback = SampleGrid(tmp_path / "e{epoch}.png", num_samples=16, seed=3)
    model.fit(data, batch_size=8, epochs=1, callbacks=[callback], verbose=0)
    noise = callback.noise
    assert noise.shape == (16, LATENT_DIM)
    # The same epoch twice (a scatter's title names the epoch).
    first = callback.write(10).read_bytes()
    assert callback.write(10).read_bytes() == first
    # Training again starts from the same noise.
    model.fit(data, batch_size=8, epochs=1, callbacks=[callback], verbose=0)
    np.testing.assert_array_equal(callback.noise, noise)


def test_different_seeds_draw_different_noise():
    model, _ = _tiny_gan("points")
    noises = []
    for seed in (0, 1):
        callback = SampleGrid("e{epoch}.png", seed=seed)
        callback.set_model(model)
        callback.on_train_begin()
        noises.append(callback.noise)
    assert not np.allclose(noises[0], noises[1])


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"path": "e{step}.png"}, "only field is `epoch`"),
        ({"path": "e{}.png"}, "only field is `epoch`"),
        ({"every_n_epochs": 0}, "every_n_epochs"),
        ({"num_samples": 1.5}, "num_samples"),
        ({"reference": np.zeros((4, 3))}, "reference.shape"),
    ],
)
def test_bad_arguments_raise(kwargs, message):
    kwargs = {"path": "e{epoch}.png", **kwargs}
    with pytest.raises(ValueError, match=message):
        SampleGrid(**kwargs)


def _flat_extractor():
    """Features = the 8x8 pixels; logits = a fixed linear map to 3 classes."""
    inputs = keras.Input((8, 8, 1))
    features = keras.layers.Flatten()(inputs)
    init = keras.initializers.GlorotUniform(0)
    logits = keras.layers.Dense(3, kernel_initializer=init)(features)
    return FeatureExtractor(keras.Model(inputs, [features, logits]), "flat pixels", "flat", 8, 1)


def _csv_rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def test_metric_reaches_history_and_csv_logger(tmp_path):
    model, data = _tiny_gan("images")
    extractor = _flat_extractor()
    evaluator = MetricEvaluator(data, "fid", extractor=extractor, num_samples=24, seed=5)
    csv_logger = keras.callbacks.CSVLogger(str(tmp_path / "log.csv"))
    history = model.fit(
        data, batch_size=8, epochs=2, callbacks=[evaluator, csv_logger], verbose=0
    )
    fids = history.history["fid_flat"]
    assert len(fids) == 2 and all(np.isfinite(fids)) and fids[0] != fids[1]
    rows = _csv_rows(tmp_path / "log.csv")
    assert [float(row["fid_flat"]) for row in rows] == pytest.approx(fids)
    # The logged value is `evaluate` of the trained model with the same noise.
    direct = evaluate(model, data, "fid", extractor=extractor, num_samples=24, seed=5)
    assert direct["fid"] == pytest.approx(fids[-1], rel=1e-5)


def test_skipped_epochs_log_nan_to_keep_epochs_aligned(tmp_path):
    model, data = _tiny_gan("images")
    evaluator = MetricEvaluator(
        data, "precision_recall", extractor=_flat_extractor(), every_n_epochs=2,
        num_samples=16,
    )
    csv_logger = keras.callbacks.CSVLogger(str(tmp_path / "log.csv"))
    history = model.fit(
        data, batch_size=8, epochs=3, callbacks=[evaluator, csv_logger], verbose=0
    )
    for key in ("precision_flat", "recall_flat"):
        values = history.history[key]
        assert math.isnan(values[0]) and math.isnan(values[2])
        assert 0.0 <= values[1] <= 1.0
    rows = _csv_rows(tmp_path / "log.csv")
    assert [row["recall_flat"] == "nan" for row in rows] == [True, False, True]


def test_metric_without_reference_logs_inception_score():
    model, data = _tiny_gan("images")
    evaluator = MetricEvaluator(
        metric="inception_score", extractor=_flat_extractor(), num_samples=20, is_splits=2
    )
    history = model.fit(data, batch_size=8, epochs=1, callbacks=[evaluator], verbose=0)
    score = history.history["inception_score_flat"][0]
    assert 1.0 <= score <= 3.0
    assert evaluator.log_keys == {
        "inception_score": "inception_score_flat",
        "inception_score_std": "inception_score_std_flat",
    }


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"metric": "fld"}, "`metric` must be one of"),
        ({"reference": None}, "`reference` is required"),
        ({"every_n_epochs": 0}, "every_n_epochs"),
        ({"num_samples": -1}, "num_samples"),
        ({"metric": "kid", "reference": FeatureStatistics(64)}, "serve FID only"),
    ],
)
def test_metric_evaluator_bad_arguments_raise(kwargs, message):
    kwargs = {"reference": np.zeros((4, 8, 8, 1)), "extractor": _flat_extractor(), **kwargs}
    with pytest.raises(ValueError, match=message):
        MetricEvaluator(**kwargs)
