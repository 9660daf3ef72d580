"""SVHN cropped digits from small files in the canonical .mat format."""

import importlib

import numpy as np
import pytest
from scipy import io

from gan_zoo import datasets
from gan_zoo.datasets import CorruptDataError
from gan_zoo.datasets import MissingDataError

svhn_module = importlib.import_module("gan_zoo.datasets.svhn")


@pytest.mark.parametrize("split", ["train", "test", "extra"])
def test_images_are_nhwc_and_label_10_is_digit_0(svhn, split, offline):
    root, arrays = svhn
    images, labels = svhn_module.load_arrays(split, data_dir=root)
    np.testing.assert_array_equal(images, arrays[split][0])
    np.testing.assert_array_equal(labels, arrays[split][1])
    assert labels.dtype == np.int32 and 0 in labels.tolist()
    assert offline == []


def test_dataset_serves_rescaled_labelled_batches(svhn):
    root, arrays = svhn
    ds = datasets.svhn(
        "train", batch_size=5, value_range=(0, 1), with_labels=True,
        data_dir=root, shuffle=False,
    )
    assert int(ds.cardinality()) == 2
    images, labels = next(iter(ds))
    np.testing.assert_allclose(images.numpy(), arrays["train"][0][:5] / 255.0, atol=1e-6)
    np.testing.assert_array_equal(labels.numpy(), arrays["train"][1][:5])


def test_missing_file_names_the_url(tmp_path, offline):
    with pytest.raises(MissingDataError) as error:
        datasets.svhn("test", data_dir=tmp_path)
    message = str(error.value)
    assert "Dataset 'svhn', split 'test': could not find test_32x32.mat" in message
    assert "download http://ufldl.stanford.edu/housenumbers/test_32x32.mat: failed" in message


def test_truncated_file_is_a_clear_error(svhn):
    root, _ = svhn
    path = root / "test_32x32.mat"
    path.write_bytes(path.read_bytes()[:3_000])
    with pytest.raises(CorruptDataError, match=f"{path} is not an SVHN cropped-digits .mat file"):
        datasets.svhn("test", data_dir=root)


@pytest.mark.parametrize(
    "contents, problem",
    [
        ({"images": np.zeros((1, 1))}, "no 'X' and 'y' variables"),
        ({"X": np.zeros((28, 28, 1, 2), np.uint8), "y": np.ones((2, 1))},
         r"X is uint8 of shape \(28, 28, 1, 2\)"),
        ({"X": np.zeros((32, 32, 3, 2), np.uint8), "y": np.array([[1], [11]])},
         "expected one label in 1..10"),
        ({"X": np.zeros((32, 32, 3, 2), np.uint8), "y": np.array([[1]])},
         "y has 1 values"),
    ],
)
def test_malformed_files_are_refused(svhn, contents, problem):
    root, _ = svhn
    io.savemat(root / "test_32x32.mat", contents)
    with pytest.raises(CorruptDataError, match=problem):
        datasets.svhn("test", batch_size=1, data_dir=root)


def test_unknown_split_lists_the_splits(svhn):
    root, _ = svhn
    with pytest.raises(ValueError, match="'train', 'test', 'extra'. Received: split='valid'"):
        datasets.svhn("valid", data_dir=root)
