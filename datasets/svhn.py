"""SVHN cropped digits: 32x32 colour house-number digits, from the .mat files.

The "Format 2" (cropped digits) files `train_32x32.mat` (73,257 digits),
`test_32x32.mat` (26,032) and `extra_32x32.mat` (531,131) are MATLAB v5
files holding `X`, a uint8 array `(32, 32, 3, n)`, and `y`, an array `(n, 1)`
of labels 1..10 where 10 stands for the digit 0 (mapped to 0 here). They are
read with `scipy.io.loadmat`. A download is checked against its published
SHA-256 (the values TensorFlow Datasets records for `svhn_cropped`); local
files are checked for structure (keys, shapes, dtype, label range).

Reference:
    Netzer, Wang, Coates, Bissacco, Wu and Ng, 2011, "Reading Digits in
    Natural Images with Unsupervised Feature Learning", NIPS Workshop on Deep
    Learning and Unsupervised Feature Learning,
    http://ufldl.stanford.edu/housenumbers/
    Licence: non-commercial use only.
"""

import functools
import os

import numpy as np

from gan_zoo.datasets import pipeline
from gan_zoo.datasets.sources import CorruptDataError
from gan_zoo.datasets.sources import Download
from gan_zoo.datasets.sources import Source
from gan_zoo.datasets.sources import locate

SPLITS = ("train", "test", "extra")
FILES = {split: f"{split}_32x32.mat" for split in SPLITS}
NUM_EXAMPLES = {"train": 73_257, "test": 26_032, "extra": 531_131}

_URL = "http://ufldl.stanford.edu/housenumbers/"
SOURCE = Source(
    dataset="svhn",
    homepage=f"{_URL} (non-commercial use only)",
    instructions="Download the cropped-digits files (Format 2) "
    "train_32x32.mat, test_32x32.mat, extra_32x32.mat from the homepage.",
    downloads={
        "train_32x32.mat": Download(
            _URL + "train_32x32.mat",
            "435e94d69a87fde4fd4d7f3dd208dfc32cb6ae8af2240d066de1df7508d083b8",
        ),
        "test_32x32.mat": Download(
            _URL + "test_32x32.mat",
            "cdce80dfb2a2c4c6160906d0bd7c68ec5a99d7ca4831afa54f09182025b6a75b",
        ),
        "extra_32x32.mat": Download(
            _URL + "extra_32x32.mat",
            "a133a4beb38a00fcdda90c9489e0c04f900b660ce8a316a5e854838379a71eb3",
        ),
    },
)


def read_mat(path):
    """Reads one SVHN cropped-digits .mat file.

    Args:
        path: a `*_32x32.mat` file.

    Returns:
        A tuple `(images, labels)`: uint8 `(n, 32, 32, 3)` and int32 `(n,)`
        with values 0..9 (the file's label 10 is the digit 0).

    Raises:
        CorruptDataError: if the file is not a complete SVHN .mat file.
    """
    from scipy import io

    def corrupt(problem):
        return CorruptDataError(
            f"Dataset 'svhn': {path} is not an SVHN cropped-digits .mat file "
            f"({problem}). Replace it with the published file."
        )

    try:
        contents = io.loadmat(path, variable_names=("X", "y"))
    except Exception as error:  # scipy raises many types for damaged files.
        raise corrupt(f"unreadable: {type(error).__name__}: {error}") from error
    if "X" not in contents or "y" not in contents:
        raise corrupt(f"no 'X' and 'y' variables, found {sorted(contents)}")
    x, y = contents["X"], np.asarray(contents["y"]).reshape(-1)
    if x.dtype != np.uint8 or x.ndim != 4 or x.shape[:3] != (32, 32, 3):
        raise corrupt(f"X is {x.dtype} of shape {x.shape}, expected uint8 (32, 32, 3, n)")
    if (
        len(y) != x.shape[3]
        or not np.issubdtype(y.dtype, np.number)
        or y.size > 0 and (y.min() < 1 or y.max() > 10)
    ):
        raise corrupt(
            f"y has {len(y)} values of dtype {y.dtype} for {x.shape[3]} "
            "images; expected one label in 1..10 per image"
        )
    images = np.ascontiguousarray(x.transpose(3, 0, 1, 2))
    return images, (y.astype("int32") % 10)


@functools.lru_cache(maxsize=2)
def _read(path, stamp):
    del stamp  # Part of the cache key only: a changed file is read again.
    return read_mat(path)


def load_arrays(split="train", data_dir=None, download=True):
    """Reads one split of SVHN into NumPy arrays.

    Args:
        split: `"train"`, `"test"` or `"extra"`. Defaults to `"train"`.
        data_dir: folder with the .mat files, searched first.
        download: whether to download the file if needed. Defaults to
            `True`.

    Returns:
        A tuple `(images, labels)`: uint8 `(n, 32, 32, 3)` and int32 `(n,)`,
        shared between calls (do not modify them).

    Raises:
        MissingDataError: if the file is nowhere.
        CorruptDataError: if it is not an SVHN .mat file.
    """
    pipeline.check_split("svhn", split, SPLITS)
    name = FILES[split]
    path = locate(SOURCE, [name], data_dir, download, what=f"split {split!r}")[name]
    stat = os.stat(path)
    return _read(path, (stat.st_mtime_ns, stat.st_size))


def svhn(
    split="train",
    batch_size=64,
    image_size=None,
    value_range=(-1, 1),
    with_labels=False,
    data_dir=None,
    shuffle=True,
    seed=None,
    drop_remainder=True,
    download=True,
):
    """Batched `tf.data.Dataset` of SVHN cropped digits.

    Args:
        split: `"train"` (73,257), `"test"` (26,032) or `"extra"`
            (531,131). Defaults to `"train"`.
        batch_size: int, batch size. Defaults to `64`.
        image_size: int or `None`, height and width; `None` keeps 32.
        value_range: pair `(low, high)`. Defaults to `(-1, 1)`.
        with_labels: bool, yield `(images, labels)` with labels 0..9.
            Defaults to `False`.
        data_dir: folder holding the `*_32x32.mat` files, searched first.
        shuffle: bool, reshuffle every epoch. Defaults to `True`.
        seed: int or `None`, seed of the shuffle order.
        drop_remainder: bool, drop the last partial batch. Defaults to
            `True`.
        download: bool, download the file into the Keras cache if needed.
            Defaults to `True`.

    Returns:
        A `tf.data.Dataset` of float32 `(batch_size, s, s, 3)` batches (with
        int32 labels when `with_labels`).

    Raises:
        ValueError: for an invalid argument.
        MissingDataError: if the file is nowhere and cannot be downloaded.
        CorruptDataError: for a damaged or wrong file.
    """
    return pipeline.load_array_dataset(
        "svhn", split, lambda: load_arrays(split, data_dir, download),
        batch_size, image_size, value_range, with_labels, shuffle, seed,
        drop_remainder,
    )
