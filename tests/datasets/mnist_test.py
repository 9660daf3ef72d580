"""MNIST (shared test set) and Fashion-MNIST (Debian package, full)."""

import gzip
import hashlib
import importlib
import shutil

import numpy as np
import pytest

from gan_zoo import datasets
from gan_zoo.datasets import CorruptDataError
from gan_zoo.datasets import MissingDataError
from gan_zoo.datasets.idx import IMAGES_MAGIC
from gan_zoo.datasets.sources import locate
from gan_zoo.datasets.idx import LABELS_MAGIC

mnist_module = importlib.import_module("gan_zoo.datasets.mnist")

TEST_FILES = ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
MNIST_TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def idx_bytes(array, magic):
    dims = b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    return magic.to_bytes(4, "big") + dims + np.asarray(array, np.uint8).tobytes()


def copy_test_files(test_data, folder):
    folder.mkdir(parents=True, exist_ok=True)
    for name in TEST_FILES:
        shutil.copy(test_data / "mnist" / name, folder / name)
    return folder


def test_mnist_test_set_has_the_published_class_counts(test_data, offline):
    images, labels = mnist_module.load_arrays(
        "mnist", "test", data_dir=test_data / "mnist"
    )
    assert images.shape == (10_000, 28, 28, 1) and images.dtype == np.uint8
    assert labels.shape == (10_000,) and labels.dtype == np.int32
    assert np.bincount(labels).tolist() == MNIST_TEST_COUNTS
    assert images.min() == 0 and images.max() == 255
    assert offline == []


def test_fashion_mnist_full_is_found_in_the_debian_folder(fashion_dir, offline):
    for split, n in [("train", 60_000), ("test", 10_000)]:
        images, labels = mnist_module.load_arrays("fashion_mnist", split)
        assert images.shape == (n, 28, 28, 1)
        # Fashion-MNIST is balanced: n / 10 images per class.
        assert np.bincount(labels).tolist() == [n // 10] * 10
    assert offline == []


def test_fashion_mnist_is_found_in_keras_own_cache_folder(
    fashion_dir, hermetic_sources, monkeypatch, offline
):
    source = mnist_module.SOURCES["fashion_mnist"]
    monkeypatch.setitem(mnist_module.SOURCES, "fashion_mnist", source._replace(system_dirs=()))
    cache = hermetic_sources / "fashion-mnist"
    cache.mkdir(parents=True)
    for name in TEST_FILES:
        (cache / name).symlink_to(fashion_dir / name)
    ds = datasets.fashion_mnist("test", batch_size=100, shuffle=False)
    assert int(ds.cardinality()) == 100
    with pytest.raises(MissingDataError, match="Keras cache .*fashion-mnist: missing train"):
        datasets.fashion_mnist("train")


def test_mnist_is_found_under_gan_zoo_data(test_data, monkeypatch, offline):
    monkeypatch.setenv("GAN_ZOO_DATA", str(test_data))
    batch = next(iter(datasets.load("mnist", split="test", batch_size=16, seed=0)))
    assert tuple(batch.shape) == (16, 28, 28, 1)


def test_unshuffled_batches_are_the_rescaled_pixels(test_data):
    images, labels = mnist_module.load_arrays("mnist", "test", test_data / "mnist")
    ds = datasets.mnist(
        "test", batch_size=50, value_range=(0, 255), with_labels=True,
        data_dir=test_data / "mnist", shuffle=False,
    )
    batch, batch_labels = next(iter(ds))
    np.testing.assert_array_equal(batch.numpy(), images[:50].astype("float32"))
    np.testing.assert_array_equal(batch_labels.numpy(), labels[:50])
    first = next(iter(datasets.mnist("test", 50, data_dir=test_data / "mnist", shuffle=False)))
    np.testing.assert_allclose(first.numpy(), images[:50] / 127.5 - 1.0, atol=1e-6)


def test_batches_are_resized_shuffled_and_seeded(test_data):
    ds = datasets.mnist("test", batch_size=64, image_size=32, data_dir=test_data / "mnist", seed=1)
    assert int(ds.cardinality()) == 10_000 // 64
    batch = next(iter(ds)).numpy()
    assert batch.shape == (64, 32, 32, 1) and batch.dtype == np.float32
    assert batch.min() >= -1.0 and batch.max() <= 1.0
    again = next(iter(datasets.mnist(
        "test", batch_size=64, image_size=32, data_dir=test_data / "mnist", seed=1
    ))).numpy()
    np.testing.assert_array_equal(batch, again)
    other = next(iter(datasets.mnist(
        "test", batch_size=64, image_size=32, data_dir=test_data / "mnist", seed=2
    ))).numpy()
    assert not np.array_equal(batch, other)


def test_an_epoch_serves_every_image_once(test_data):
    ds = datasets.mnist(
        "test", batch_size=1_000, value_range=(0, 255), with_labels=True,
        data_dir=test_data / "mnist", seed=0,
    )
    labels = np.concatenate([y.numpy() for _, y in ds])
    assert np.bincount(labels).tolist() == MNIST_TEST_COUNTS


def test_keep_remainder_gives_a_last_partial_batch(test_data):
    ds = datasets.mnist(
        "test", batch_size=3_000, data_dir=test_data / "mnist", drop_remainder=False
    )
    assert [int(b.shape[0]) for b in ds] == [3_000, 3_000, 3_000, 1_000]


def test_missing_files_name_dataset_places_and_remedy(tmp_path, offline):
    with pytest.raises(MissingDataError) as error:
        datasets.mnist("test", data_dir=tmp_path)
    message = str(error.value)
    assert message.startswith(
        "Dataset 'mnist', split 'test': could not find t10k-images-idx3-ubyte.gz, "
        "t10k-labels-idx1-ubyte.gz."
    )
    assert f"data_dir {tmp_path}: missing t10k-images" in message
    assert "Keras cache" in message and "$GAN_ZOO_DATA: not set" in message
    assert "download https://storage.googleapis.com/cvdf-datasets/mnist/" in message
    assert "`data_dir=`" in message
    assert offline  # The download was tried, and failed.


def test_fashion_mnist_error_says_how_to_install_it(tmp_path, monkeypatch, offline):
    source = mnist_module.SOURCES["fashion_mnist"]
    monkeypatch.setitem(
        mnist_module.SOURCES, "fashion_mnist", source._replace(system_dirs=(str(tmp_path),))
    )
    with pytest.raises(MissingDataError, match="apt-get install dataset-fashion-mnist"):
        datasets.load("fashion_mnist")


def test_truncated_gzip_is_a_clear_error(test_data, tmp_path):
    folder = copy_test_files(test_data, tmp_path / "data")
    path = folder / TEST_FILES[0]
    path.write_bytes(path.read_bytes()[:100_000])
    with pytest.raises(CorruptDataError) as error:
        datasets.mnist("test", data_dir=folder)
    assert f"Dataset 'mnist': {path} is not a complete gzip file" in str(error.value)
    assert "copy or download it again" in str(error.value)


def test_swapped_files_fail_on_the_magic_number(test_data, tmp_path):
    folder = copy_test_files(test_data, tmp_path / "data")
    shutil.copy(test_data / "mnist" / TEST_FILES[1], folder / TEST_FILES[0])
    with pytest.raises(CorruptDataError) as error:
        datasets.mnist("test", data_dir=folder)
    message = str(error.value)
    assert "not an IDX images file: wrong magic number 0x00000801" in message
    assert "expected 0x00000803" in message


def test_a_file_shorter_than_its_header_says_is_refused(tmp_path):
    data = idx_bytes(np.zeros((10, 28, 28)), IMAGES_MAGIC)[:-5]
    (tmp_path / TEST_FILES[0]).write_bytes(gzip.compress(data))
    (tmp_path / TEST_FILES[1]).write_bytes(gzip.compress(idx_bytes(np.zeros(10), LABELS_MAGIC)))
    header = r"truncated or padded: its header says shape \(10, 28, 28\)"
    with pytest.raises(CorruptDataError, match=header):
        datasets.mnist("test", data_dir=tmp_path)


def test_other_content_fails_the_checksum(test_data, tmp_path):
    folder = copy_test_files(test_data, tmp_path / "data")
    images, _ = mnist_module.load_arrays("mnist", "test", test_data / "mnist")
    changed = images[..., 0].copy()
    changed[0, 0, 0] = 1
    (folder / TEST_FILES[0]).write_bytes(
        gzip.compress(idx_bytes(changed, IMAGES_MAGIC), compresslevel=1)
    )
    with pytest.raises(CorruptDataError) as error:
        datasets.mnist("test", data_dir=folder)
    message = str(error.value)
    assert "checksum mismatch" in message and str(folder / TEST_FILES[0]) in message
    assert mnist_module.CONTENT_SHA256["mnist"][TEST_FILES[0]] in message


def test_fashion_files_are_not_taken_for_mnist(fashion_dir):
    with pytest.raises(CorruptDataError, match="checksum mismatch"):
        datasets.mnist("test", data_dir=fashion_dir)


def test_images_and_labels_must_agree_in_number(tmp_path, monkeypatch):
    monkeypatch.setitem(mnist_module.CONTENT_SHA256, "mnist", {})
    (tmp_path / TEST_FILES[0]).write_bytes(
        gzip.compress(idx_bytes(np.zeros((5, 28, 28)), IMAGES_MAGIC))
    )
    (tmp_path / TEST_FILES[1]).write_bytes(gzip.compress(idx_bytes(np.zeros(4), LABELS_MAGIC)))
    with pytest.raises(CorruptDataError, match="has 5 images but .* has 4 labels"):
        datasets.mnist("test", batch_size=2, data_dir=tmp_path)


def test_download_from_the_standard_urls_checks_both_checksums(
    test_data, hermetic_sources, http_folder, monkeypatch, list_files
):
    base = http_folder(test_data / "mnist")
    source = mnist_module.SOURCES["mnist"]
    served = {
        name: source.downloads[name]._replace(
            url=base + name,
            sha256=hashlib.sha256((test_data / "mnist" / name).read_bytes()).hexdigest(),
        )
        for name in TEST_FILES
    }
    monkeypatch.setitem(mnist_module.SOURCES, "mnist", source._replace(downloads=served))
    images, labels = mnist_module.load_arrays("mnist", "test")
    assert np.bincount(labels).tolist() == MNIST_TEST_COUNTS
    assert list_files(hermetic_sources) == [f"mnist/{n}" for n in TEST_FILES]


def test_download_with_a_wrong_checksum_keeps_nothing(
    test_data, hermetic_sources, http_folder, monkeypatch, list_files
):
    # The published .gz checksums differ from these re-compressed files'.
    base = http_folder(test_data / "mnist")
    source = mnist_module.SOURCES["mnist"]
    served = {
        name: source.downloads[name]._replace(url=base + name) for name in TEST_FILES
    }
    monkeypatch.setitem(mnist_module.SOURCES, "mnist", source._replace(downloads=served))
    with pytest.raises(CorruptDataError, match="the published one is 8d422c7b"):
        datasets.mnist("test")
    assert list_files(hermetic_sources) == []


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (
            {"split": "validation"},
            "Dataset 'mnist' has splits 'train', 'test'. Received: split='validation'",
        ),
        ({"batch_size": 0}, "batch_size=0"),
        ({"batch_size": 10_001}, r"\(split 'test': 10000\).*batch_size=10001"),
        ({"image_size": 0}, "image_size=0"),
        ({"value_range": (1, 0)}, r"value_range=\(1, 0\)"),
    ],
)
def test_invalid_arguments_raise_clear_errors(test_data, kwargs, message):
    kwargs = {"split": "test", **kwargs}
    with pytest.raises(ValueError, match=message):
        datasets.mnist(data_dir=test_data / "mnist", **kwargs)


def test_fashion_mnist_is_found_in_debians_folder_name_under_gan_zoo_data(
    tmp_path, fashion_dir, monkeypatch, offline
):
    hyphenated = tmp_path / "data" / "fashion-mnist"
    hyphenated.mkdir(parents=True)
    for name in TEST_FILES:
        (hyphenated / name).symlink_to(fashion_dir / name)
    monkeypatch.setenv("GAN_ZOO_DATA", str(tmp_path / "data"))
    # Searched before the system folder, so found there.
    found = locate(mnist_module.SOURCES["fashion_mnist"], TEST_FILES)
    assert found == {name: str(hyphenated / name) for name in TEST_FILES}
    ds = datasets.fashion_mnist("test", batch_size=100, shuffle=False)
    assert int(ds.cardinality()) == 100
    assert offline == []
