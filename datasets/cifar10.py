"""CIFAR-10: 32x32 colour images in 10 classes, from the python pickles.

The canonical "python version" is a folder `cifar-10-batches-py/` holding
`data_batch_1` ... `data_batch_5` (the 50,000 training images) and
`test_batch` (10,000), each a pickled dict with `b"data"`, a uint8 array
`(n, 3072)` of row-major channel planes (1024 red, 1024 green, 1024 blue
values), and `b"labels"`, a list of `n` ints in 0..9. The download is the
tar.gz of that folder, checked against its published SHA-256 (the value
`keras.datasets.cifar10` uses).

The pickles are read with an unpickler that only rebuilds dicts, lists,
bytes and NumPy arrays, so a tampered file cannot run code. Local files are
checked for structure (keys, shapes, dtype, label range), not by checksum:
the tar.gz is the only published checksum.

Reference:
    Krizhevsky, 2009, "Learning Multiple Layers of Features from Tiny
    Images", https://www.cs.toronto.edu/~kriz/cifar.html
    Licence: none stated by the authors; cite the report above.
"""

import codecs
import functools
import os
import pickle

import numpy as np

from gan_zoo.datasets import pipeline
from gan_zoo.datasets.sources import CorruptDataError
from gan_zoo.datasets.sources import Download
from gan_zoo.datasets.sources import Source
from gan_zoo.datasets.sources import locate

try:
    from numpy._core.multiarray import _reconstruct
except ImportError:  # NumPy 1.x
    from numpy.core.multiarray import _reconstruct

SPLITS = ("train", "test")
FOLDER = "cifar-10-batches-py"
FILES = {
    "train": tuple(f"data_batch_{i}" for i in range(1, 6)),
    "test": ("test_batch",),
}
NUM_EXAMPLES = {"train": 50_000, "test": 10_000}
CLASSES = (
    "airplane",
    "automobile",
    "bird",
    "cat",
    "deer",
    "dog",
    "frog",
    "horse",
    "ship",
    "truck",
)

_ARCHIVE = Download(
    "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",
    "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce",
    extract=True,
)
SOURCE = Source(
    dataset="cifar10",
    homepage="https://www.cs.toronto.edu/~kriz/cifar.html",
    instructions="Download and unpack cifar-10-python.tar.gz (the python "
    f"version) from the homepage; the files are in its {FOLDER}/ folder.",
    downloads={name: _ARCHIVE for names in FILES.values() for name in names},
    subdirs=(FOLDER,),
    # keras.datasets.cifar10.load_data() unpacks the same archive here.
    keras_cache_dirs=(FOLDER,),
)

# Globals a CIFAR-10 pickle may name: Python 2's cPickle of NumPy arrays
# (numpy.core), NumPy 2's (numpy._core), and bytes pickled by Python 3 at
# protocol 2 (_codecs.encode).
_ALLOWED = {
    ("numpy.core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy._core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
    ("_codecs", "encode"): codecs.encode,
}


class _Unpickler(pickle.Unpickler):
    def find_class(self, module, name):
        try:
            return _ALLOWED[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(
                f"global {module}.{name} is not allowed in a CIFAR-10 batch"
            ) from None


def read_batch(path):
    """Reads one CIFAR-10 python batch file.

    Args:
        path: a `data_batch_N` or `test_batch` file.

    Returns:
        A tuple `(images, labels)`: uint8 `(n, 32, 32, 3)` and int32 `(n,)`.

    Raises:
        CorruptDataError: if the file is not a complete CIFAR-10 batch.
    """

    def corrupt(problem):
        return CorruptDataError(
            f"Dataset 'cifar10': {path} is not a CIFAR-10 python batch "
            f"({problem}). Replace it with the file from cifar-10-python.tar.gz."
        )

    try:
        with open(path, "rb") as stream:
            batch = _Unpickler(stream, encoding="bytes").load()
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError) as error:
        raise corrupt(f"unreadable pickle: {error}") from error
    if not isinstance(batch, dict) or b"data" not in batch or b"labels" not in batch:
        raise corrupt("no b'data' and b'labels' entries")
    data = batch[b"data"]
    labels = np.asarray(batch[b"labels"])
    if (
        not isinstance(data, np.ndarray)
        or data.dtype != np.uint8
        or data.ndim != 2
        or data.shape[1] != 3 * 32 * 32
    ):
        shape = getattr(data, "shape", None)
        dtype = getattr(data, "dtype", type(data).__name__)
        raise corrupt(f"data is {dtype} of shape {shape}, expected uint8 (n, 3072)")
    if (
        labels.shape != (len(data),)
        or not np.issubdtype(labels.dtype, np.integer)
        or labels.size > 0 and (labels.min() < 0 or labels.max() >= len(CLASSES))
    ):
        raise corrupt(
            f"labels of shape {labels.shape} and dtype {labels.dtype} for "
            f"{len(data)} images; expected {len(data)} integers in 0..9"
        )
    images = data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    return np.ascontiguousarray(images), labels.astype("int32")


@functools.lru_cache(maxsize=2)
def _read_split(paths, stamp):
    del stamp  # Part of the cache key only: a changed file is read again.
    parts = [read_batch(p) for p in paths]
    return (
        np.concatenate([p[0] for p in parts]),
        np.concatenate([p[1] for p in parts]),
    )


def load_arrays(split="train", data_dir=None, download=True):
    """Reads one split of CIFAR-10 into NumPy arrays.

    Args:
        split: `"train"` or `"test"`. Defaults to `"train"`.
        data_dir: folder with the batch files (or `cifar-10-batches-py/`).
        download: whether to download the archive if needed. Defaults to
            `True`.

    Returns:
        A tuple `(images, labels)`: uint8 `(n, 32, 32, 3)` and int32 `(n,)`,
        shared between calls (do not modify them).

    Raises:
        MissingDataError: if the files are nowhere.
        CorruptDataError: if a file is not a CIFAR-10 batch.
    """
    pipeline.check_split("cifar10", split, SPLITS)
    found = locate(SOURCE, FILES[split], data_dir, download, what=f"split {split!r}")
    paths = tuple(found[name] for name in FILES[split])
    stamp = tuple((os.stat(p).st_mtime_ns, os.stat(p).st_size) for p in paths)
    return _read_split(paths, stamp)


def cifar10(
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
    """Batched `tf.data.Dataset` of CIFAR-10 images.

    Args:
        split: `"train"` (50,000) or `"test"` (10,000). Defaults to
            `"train"`.
        batch_size: int, batch size. Defaults to `64`.
        image_size: int or `None`, height and width; `None` keeps 32.
        value_range: pair `(low, high)`. Defaults to `(-1, 1)`.
        with_labels: bool, yield `(images, labels)`. Defaults to `False`.
        data_dir: folder holding `data_batch_1`... (or
            `cifar-10-batches-py/`), searched first. Defaults to `None`.
        shuffle: bool, reshuffle every epoch. Defaults to `True`.
        seed: int or `None`, seed of the shuffle order.
        drop_remainder: bool, drop the last partial batch. Defaults to
            `True`.
        download: bool, download the archive into the Keras cache if
            needed. Defaults to `True`.

    Returns:
        A `tf.data.Dataset` of float32 `(batch_size, s, s, 3)` batches (with
        int32 labels when `with_labels`).

    Raises:
        ValueError: for an invalid argument.
        MissingDataError: if the files are nowhere and cannot be downloaded.
        CorruptDataError: for a damaged or wrong file.
    """
    return pipeline.load_array_dataset(
        "cifar10", split, lambda: load_arrays(split, data_dir, download),
        batch_size, image_size, value_range, with_labels, shuffle, seed,
        drop_remainder,
    )
