"""MNIST and Fashion-MNIST: 28x28 grey-scale images in 10 classes, IDX gzip.

Both are read from their published IDX gzip files (`train-images-idx3-ubyte.gz`,
`train-labels-idx1-ubyte.gz`, `t10k-images-idx3-ubyte.gz`,
`t10k-labels-idx1-ubyte.gz`), found by `gan_zoo.datasets.sources.locate`.
Each file is checked against the SHA-256 of its *decompressed* bytes, so
re-compressed copies (Debian's `dataset-fashion-mnist` re-gzips the files)
are accepted and anything else is refused; a download is also checked
against the SHA-256 of the `.gz` as served.

- MNIST: 60,000 + 10,000 handwritten digits. Download: the CVDF mirror used
  by TensorFlow Datasets (yann.lecun.com refuses scripted downloads).
  LeCun, Cortes and Burges, "The MNIST database of handwritten digits",
  http://yann.lecun.com/exdb/mnist/. Licence: commonly cited as CC BY-SA 3.0.
- Fashion-MNIST: 60,000 + 10,000 Zalando article images. Xiao, Rasul and
  Vollgraf, 2017, "Fashion-MNIST: a Novel Image Dataset for Benchmarking
  Machine Learning Algorithms", https://arxiv.org/abs/1708.07747,
  https://github.com/zalandoresearch/fashion-mnist. Licence: MIT.

Checksums: the `.gz` SHA-256s are those TensorFlow Datasets publishes
(`url_checksums/mnist.txt`, `fashion_mnist.txt`); the decompressed SHA-256s
were computed from the MNIST test files of this project's `shared/data/mnist`
and from Debian's Fashion-MNIST files (whose decompressed bytes match the
published ones), and agree with independently published values.
"""

import functools
import os

from gan_zoo.datasets import pipeline
from gan_zoo.datasets.idx import IMAGES_MAGIC
from gan_zoo.datasets.idx import LABELS_MAGIC
from gan_zoo.datasets.idx import read_idx
from gan_zoo.datasets.sources import CorruptDataError
from gan_zoo.datasets.sources import Download
from gan_zoo.datasets.sources import Source
from gan_zoo.datasets.sources import locate

SPLITS = ("train", "test")
FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}
NUM_EXAMPLES = {"train": 60_000, "test": 10_000}

_MNIST_URL = "https://storage.googleapis.com/cvdf-datasets/mnist/"
_FASHION_URL = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"

# SHA-256 of the decompressed IDX bytes: the check on every read.
CONTENT_SHA256 = {
    "mnist": {
        "train-images-idx3-ubyte.gz": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
        "train-labels-idx1-ubyte.gz": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
        "t10k-images-idx3-ubyte.gz": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
        "t10k-labels-idx1-ubyte.gz": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
    },
    "fashion_mnist": {
        "train-images-idx3-ubyte.gz": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
        "train-labels-idx1-ubyte.gz": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
        "t10k-images-idx3-ubyte.gz": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
        "t10k-labels-idx1-ubyte.gz": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
    },
}

SOURCES = {
    "mnist": Source(
        dataset="mnist",
        homepage="http://yann.lecun.com/exdb/mnist/ (CC BY-SA 3.0)",
        instructions="The four IDX gzip files are also on the CVDF mirror "
        f"{_MNIST_URL}.",
        downloads={
            "train-images-idx3-ubyte.gz": Download(
                _MNIST_URL + "train-images-idx3-ubyte.gz",
                "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
            ),
            "train-labels-idx1-ubyte.gz": Download(
                _MNIST_URL + "train-labels-idx1-ubyte.gz",
                "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
            ),
            "t10k-images-idx3-ubyte.gz": Download(
                _MNIST_URL + "t10k-images-idx3-ubyte.gz",
                "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
            ),
            "t10k-labels-idx1-ubyte.gz": Download(
                _MNIST_URL + "t10k-labels-idx1-ubyte.gz",
                "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
            ),
        },
    ),
    "fashion_mnist": Source(
        dataset="fashion_mnist",
        homepage="https://github.com/zalandoresearch/fashion-mnist (MIT)",
        instructions="On Debian/Ubuntu: `apt-get install dataset-fashion-mnist` "
        "(installs them in /usr/share/datasets/fashion-mnist/).",
        downloads={
            "train-images-idx3-ubyte.gz": Download(
                _FASHION_URL + "train-images-idx3-ubyte.gz",
                "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
            ),
            "train-labels-idx1-ubyte.gz": Download(
                _FASHION_URL + "train-labels-idx1-ubyte.gz",
                "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
            ),
            "t10k-images-idx3-ubyte.gz": Download(
                _FASHION_URL + "t10k-images-idx3-ubyte.gz",
                "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
            ),
            "t10k-labels-idx1-ubyte.gz": Download(
                _FASHION_URL + "t10k-labels-idx1-ubyte.gz",
                "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
            ),
        },
        system_dirs=("/usr/share/datasets/fashion-mnist",),
        # keras.datasets.fashion_mnist.load_data() caches the same files here.
        keras_cache_dirs=("fashion-mnist",),
    ),
}

FASHION_CLASSES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)


@functools.lru_cache(maxsize=4)
def _read_pair(dataset, images_path, labels_path, stamp):
    del stamp  # Part of the cache key only: a changed file is read again.
    sha = CONTENT_SHA256.get(dataset, {})
    images = read_idx(
        images_path, IMAGES_MAGIC, dataset, sha.get(os.path.basename(images_path))
    )
    labels = read_idx(
        labels_path, LABELS_MAGIC, dataset, sha.get(os.path.basename(labels_path))
    )
    if len(images) != len(labels):
        raise CorruptDataError(
            f"Dataset '{dataset}': {images_path} has {len(images)} images but "
            f"{labels_path} has {len(labels)} labels. Use the images and "
            "labels files of the same split."
        )
    return images[..., None], labels.astype("int32")


def load_arrays(dataset, split="train", data_dir=None, download=True):
    """Reads one split of MNIST or Fashion-MNIST into NumPy arrays.

    Args:
        dataset: `"mnist"` or `"fashion_mnist"`.
        split: `"train"` or `"test"`. Defaults to `"train"`.
        data_dir: folder with the IDX gzip files, searched first.
        download: whether to download missing files. Defaults to `True`.

    Returns:
        A tuple `(images, labels)`: uint8 `(n, 28, 28, 1)` and int32 `(n,)`.
        The arrays are shared between calls: do not modify them.

    Raises:
        MissingDataError: if the files are nowhere (the message lists where
            it looked).
        CorruptDataError: for a truncated file, a wrong magic number or a
            checksum mismatch.
    """
    if dataset not in SOURCES:
        raise ValueError(
            f"`dataset` must be one of {sorted(SOURCES)}. Received: dataset={dataset!r}"
        )
    pipeline.check_split(dataset, split, SPLITS)
    paths = locate(
        SOURCES[dataset], FILES[split], data_dir, download, what=f"split {split!r}"
    )
    images_path, labels_path = (paths[name] for name in FILES[split])
    stamp = tuple(
        (os.stat(p).st_mtime_ns, os.stat(p).st_size) for p in (images_path, labels_path)
    )
    return _read_pair(dataset, images_path, labels_path, stamp)


def _dataset(
    name,
    split,
    batch_size,
    image_size,
    value_range,
    with_labels,
    data_dir,
    shuffle,
    seed,
    drop_remainder,
    download,
):
    return pipeline.load_array_dataset(
        name, split, lambda: load_arrays(name, split, data_dir, download),
        batch_size, image_size, value_range, with_labels, shuffle, seed,
        drop_remainder,
    )


def mnist(
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
    """Batched `tf.data.Dataset` of MNIST digits.

    Args:
        split: `"train"` (60,000) or `"test"` (10,000). Defaults to
            `"train"`.
        batch_size: int, batch size. Defaults to `64`.
        image_size: int or `None`, height and width (bilinear resize with
            antialiasing); `None` keeps 28. Defaults to `None`.
        value_range: pair `(low, high)` pixel values map to. Defaults to
            `(-1, 1)`.
        with_labels: bool, whether to yield `(images, labels)` pairs.
            Defaults to `False`.
        data_dir: folder holding the IDX gzip files (or a `mnist/` folder
            with them), searched before `$GAN_ZOO_DATA`, the Keras cache and
            the download. Defaults to `None`.
        shuffle: bool, reshuffle every epoch. Defaults to `True`.
        seed: int or `None`, seed of the shuffle order. Defaults to `None`.
        drop_remainder: bool, drop the last partial batch. Defaults to
            `True`.
        download: bool, download missing files into the Keras cache.
            Defaults to `True`.

    Returns:
        A `tf.data.Dataset` of float32 `(batch_size, s, s, 1)` batches (with
        int32 labels `(batch_size,)` when `with_labels`).

    Raises:
        ValueError: for an invalid argument.
        MissingDataError: if the files are nowhere and cannot be downloaded.
        CorruptDataError: for a truncated or wrong file.
    """
    return _dataset(
        "mnist",
        split,
        batch_size,
        image_size,
        value_range,
        with_labels,
        data_dir,
        shuffle,
        seed,
        drop_remainder,
        download,
    )


def fashion_mnist(
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
    """Batched `tf.data.Dataset` of Fashion-MNIST article images.

    Same arguments, returns and errors as `mnist`; the files are also found
    in `/usr/share/datasets/fashion-mnist/` (Debian's
    `dataset-fashion-mnist`) and in Keras's own cache folder
    (`$KERAS_HOME/datasets/fashion-mnist`). Classes: `FASHION_CLASSES`.
    """
    return _dataset(
        "fashion_mnist",
        split,
        batch_size,
        image_size,
        value_range,
        with_labels,
        data_dir,
        shuffle,
        seed,
        drop_remainder,
        download,
    )
