"""CIFAR-10 from small files in the canonical python-pickle format."""

import hashlib
import importlib
import os
import pickle
import tarfile

import numpy as np
import pytest

from gan_zoo import datasets
from gan_zoo.datasets import CorruptDataError
from gan_zoo.datasets import MissingDataError
from gan_zoo.datasets.sources import Download

cifar_module = importlib.import_module("gan_zoo.datasets.cifar10")

PER_TEST = 10


@pytest.mark.parametrize("split", ["train", "test"])
def test_pixels_and_labels_are_decoded_in_nhwc_order(cifar, split, offline):
    root, arrays = cifar
    images, labels = cifar_module.load_arrays(split, data_dir=root)
    np.testing.assert_array_equal(images, arrays[split][0])
    np.testing.assert_array_equal(labels, arrays[split][1])
    assert images.dtype == np.uint8 and labels.dtype == np.int32
    assert offline == []


def test_dataset_serves_rescaled_batches(cifar):
    root, arrays = cifar
    ds = datasets.cifar10(
        "test", batch_size=5, value_range=(0, 255), with_labels=True,
        data_dir=root, shuffle=False,
    )
    assert int(ds.cardinality()) == 2
    images, labels = next(iter(ds))
    np.testing.assert_array_equal(images.numpy(), arrays["test"][0][:5].astype("float32"))
    np.testing.assert_array_equal(labels.numpy(), arrays["test"][1][:5])
    resized = next(iter(datasets.cifar10("train", batch_size=4, image_size=16, data_dir=root)))
    assert tuple(resized.shape) == (4, 16, 16, 3)
    assert float(resized.numpy().min()) >= -1 and float(resized.numpy().max()) <= 1


def test_data_dir_may_be_the_batches_folder_itself(cifar):
    root, _ = cifar
    images, _ = cifar_module.load_arrays("test", data_dir=root / "cifar-10-batches-py")
    assert images.shape == (PER_TEST, 32, 32, 3)


def test_keras_own_cache_folder_is_used(cifar, hermetic_sources, offline):
    root, arrays = cifar
    # Where keras.datasets.cifar10.load_data() unpacks the archive.
    keras_folder = hermetic_sources / "cifar-10-batches-py"
    keras_folder.mkdir(parents=True)
    (root / "cifar-10-batches-py").rename(keras_folder / "cifar-10-batches-py")
    images, _ = cifar_module.load_arrays("test")
    np.testing.assert_array_equal(images, arrays["test"][0])


def test_a_missing_batch_is_named(cifar, offline):
    root, _ = cifar
    os.remove(root / "cifar-10-batches-py" / "data_batch_3")
    with pytest.raises(MissingDataError) as error:
        datasets.cifar10(data_dir=root)
    message = str(error.value)
    assert f"data_dir {root / 'cifar-10-batches-py'}: missing data_batch_3" in message
    assert "cifar-10-python.tar.gz" in message
    assert offline == ["https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"]


def test_truncated_batch_is_a_clear_error(cifar):
    root, _ = cifar
    path = root / "cifar-10-batches-py" / "test_batch"
    path.write_bytes(path.read_bytes()[:5_000])
    with pytest.raises(CorruptDataError) as error:
        datasets.cifar10("test", data_dir=root)
    assert f"{path} is not a CIFAR-10 python batch (unreadable pickle" in str(error.value)


class _Exploit:
    def __reduce__(self):
        return (os.system, ("touch exploited",))


def test_pickles_cannot_run_code(cifar, tmp_path, monkeypatch):
    root, _ = cifar
    monkeypatch.chdir(tmp_path)
    path = root / "cifar-10-batches-py" / "test_batch"
    with open(path, "wb") as stream:
        pickle.dump({b"data": _Exploit(), b"labels": []}, stream, protocol=2)
    with pytest.raises(CorruptDataError, match=r"global (posix|os)\.system is not allowed"):
        datasets.cifar10("test", data_dir=root)
    assert not (tmp_path / "exploited").exists()


@pytest.mark.parametrize(
    "batch, problem",
    [
        ([1, 2], "no b'data' and b'labels' entries"),
        ({b"data": np.zeros((2, 100), np.uint8), b"labels": [0, 1]},
         r"data is uint8 of shape \(2, 100\)"),
        ({b"data": np.zeros((2, 3072), np.float32), b"labels": [0, 1]},
         "data is float32"),
        ({b"data": np.zeros((2, 3072), np.uint8), b"labels": [0, 10]},
         "expected 2 integers in 0..9"),
        ({b"data": np.zeros((2, 3072), np.uint8), b"labels": [0]},
         "expected 2 integers in 0..9"),
    ],
)
def test_malformed_batches_are_refused(cifar, batch, problem):
    root, _ = cifar
    with open(root / "cifar-10-batches-py" / "test_batch", "wb") as stream:
        pickle.dump(batch, stream, protocol=2)
    with pytest.raises(CorruptDataError, match=problem):
        datasets.cifar10("test", batch_size=1, data_dir=root)


def test_archive_download_is_unpacked_into_the_keras_cache(
    cifar, tmp_path, hermetic_sources, http_folder, monkeypatch, list_files
):
    root, arrays = cifar
    served = tmp_path / "served"
    served.mkdir()
    archive = served / "cifar-10-python.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(root / "cifar-10-batches-py", arcname="cifar-10-batches-py")
    item = Download(
        http_folder(served) + archive.name,
        hashlib.sha256(archive.read_bytes()).hexdigest(),
        extract=True,
    )
    source = cifar_module.SOURCE
    monkeypatch.setattr(
        cifar_module, "SOURCE",
        source._replace(downloads={n: item for n in source.downloads}),
    )
    images, _ = cifar_module.load_arrays("train")
    np.testing.assert_array_equal(images, arrays["train"][0])
    assert list_files(hermetic_sources) == [
        f"cifar10/cifar-10-batches-py/{n}"
        for n in sorted([f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"])
    ]
