"""`load` and `info` over the table, and every loader feeding `model.fit`."""

import doctest
import importlib

import keras
import numpy as np
import pytest

from gan_zoo import datasets
from gan_zoo.models import DCGAN
from gan_zoo.models import GAN
from gan_zoo.models.architectures import dcgan_discriminator
from gan_zoo.models.architectures import dcgan_generator
from gan_zoo.models.architectures import mlp_discriminator
from gan_zoo.models.architectures import mlp_generator

registry = importlib.import_module("gan_zoo.datasets.registry")

ALL = [
    "mnist", "fashion_mnist", "cifar10", "svhn", "celeba", "lm1b", "digits",
    "ring", "rotated_gaussians", "folder",
]


def test_the_table_holds_the_issue_datasets():
    assert sorted(datasets.DATASETS) == sorted(ALL)


@pytest.mark.parametrize("name", ALL)
def test_info_gives_shape_classes_size_source_and_licence(name):
    about = datasets.info(name)
    assert about["name"] == name
    assert about["kind"] in ("image", "points", "text")
    for key in ("shape", "classes", "size", "source", "licence", "citation"):
        assert key in about
    assert about["source"] and about["licence"]
    if about["kind"] == "image":
        assert len(about["shape"]) == 3 and about["shape"][2] in (1, 3)
    # A copy: callers cannot change the table.
    about["size"]["train"] = -1
    assert datasets.info(name)["size"].get("train") != -1


def test_info_of_downloadable_datasets_lists_urls_and_sha256():
    downloads = datasets.info("mnist")["downloads"]
    assert sorted(downloads) == sorted([
        "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
        "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz",
    ])
    for entry in downloads.values():
        assert entry["url"].startswith("https://")
        assert len(entry["sha256"]) == 64 and int(entry["sha256"], 16) >= 0
    assert datasets.info("fashion_mnist")["system_dirs"] == ["/usr/share/datasets/fashion-mnist"]
    assert datasets.info("cifar10")["size"] == {"train": 50_000, "test": 10_000}


def test_lm1b_records_the_benchmark_download():
    about = datasets.info("lm1b")
    assert about["kind"] == "text"
    assert "1-billion-word-language-modeling-benchmark-r13output.tar.gz" in about["source"]
    assert "news.en.heldout-000NN-of-00050" in about["source"]


def test_docstring_examples():
    result = doctest.testmod(registry)
    assert result.attempted > 0 and result.failed == 0


def test_unknown_name_lists_the_known_ones():
    with pytest.raises(ValueError, match="Unknown dataset 'cifar100'. Known datasets: mnist, "):
        datasets.load("cifar100")
    with pytest.raises(ValueError, match="Unknown dataset"):
        datasets.info("cifar100")


def test_digits_default_to_their_native_8x8():
    batch = next(iter(datasets.load("digits", batch_size=16, seed=0)))
    assert tuple(batch.shape) == (16, 8, 8, 1)
    batch = next(iter(datasets.load("digits", batch_size=16, image_size=28, seed=0)))
    assert tuple(batch.shape) == (16, 28, 28, 1)


@pytest.mark.parametrize("name", ["ring", "rotated_gaussians"])
@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"image_size": 8}, "has no images or labels; leave `image_size` at None"),
        ({"with_labels": True}, "leave `with_labels` at False"),
        ({"value_range": (0, 1)}, r"no pixel values .* value_range=\(0, 1\)"),
        ({"data_dir": "/data"}, "is made in code and reads no files"),
        ({"split": "test"}, "has splits 'train'. Received: split='test'"),
        ({"drop_remainder": False}, "always drops the last partial batch"),
    ],
)
def test_point_datasets_refuse_options_they_cannot_honour(name, kwargs, message):
    with pytest.raises(ValueError, match=message):
        datasets.load(name, **kwargs)


def test_point_datasets_are_seeded_samples():
    first = next(iter(datasets.load("ring", batch_size=32, seed=3))).numpy()
    again = next(iter(datasets.load("ring", batch_size=32, seed=3))).numpy()
    assert first.shape == (32, 2)
    np.testing.assert_array_equal(first, again)


# Each case: load() arguments besides name; None for the 2-D datasets.
def _fit_cases(test_data, fashion_dir, cifar, svhn):
    return {
        "mnist": {"split": "test", "data_dir": test_data / "mnist"},
        "fashion_mnist": {"split": "test", "data_dir": fashion_dir},
        "cifar10": {"data_dir": cifar[0], "with_labels": True},
        "svhn": {"data_dir": svhn[0]},
        "celeba": {"data_dir": test_data / "celeba"},
        "folder": {"data_dir": test_data / "celeba"},
        "digits": {},
        "ring": None,
        "rotated_gaussians": None,
    }


@pytest.mark.parametrize("name", [n for n in ALL if n != "lm1b"])
def test_every_loader_feeds_model_fit(name, test_data, fashion_dir, cifar, svhn, offline):
    options = _fit_cases(test_data, fashion_dir, cifar, svhn)[name]
    if options is None:
        ds = datasets.load(name, batch_size=8, seed=0)
        model = GAN(mlp_generator(latent_dim=4, hidden_units=(8,)),
                    mlp_discriminator(hidden_units=(8,)), seed=0)
    else:
        ds = datasets.load(name, batch_size=4, image_size=8, seed=0, **options)
        channels = datasets.info(name)["shape"][-1]
        model = DCGAN(
            dcgan_generator(8, channels, latent_dim=4, base_filters=4),
            dcgan_discriminator(8, channels, base_filters=4),
            seed=0,
        )
    model.compile()
    history = model.fit(ds, steps_per_epoch=2, epochs=1, verbose=0)
    assert int(model.g_optimizer.iterations) == 2
    for values in history.history.values():
        assert np.all(np.isfinite(values))
    assert offline == []
    keras.backend.clear_session()
