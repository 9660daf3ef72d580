"""One table of datasets, and `load` / `info` over it.

`DATASETS` maps each name to a `DatasetInfo` (shape, classes, split sizes,
source, licence, citation) and its loader; `load(name, ...)` dispatches to
the loader with uniform arguments and `info(name)` returns the metadata. A
new dataset is one entry here plus its module.

Example:

>>> ds = load("digits", batch_size=32, image_size=16, seed=0)
>>> next(iter(ds)).shape
TensorShape([32, 16, 16, 1])
>>> info("mnist")["shape"]
(28, 28, 1)
"""

from typing import NamedTuple

from gan_zoo.arguments import check_value_range
from gan_zoo.datasets.celeba import NATIVE_SIZE as CELEBA_SIZE
from gan_zoo.datasets.celeba import NUM_EXAMPLES as CELEBA_EXAMPLES
from gan_zoo.datasets.celeba import SOURCE as CELEBA_SOURCE
from gan_zoo.datasets.celeba import celeba
from gan_zoo.datasets.cifar10 import NUM_EXAMPLES as CIFAR10_EXAMPLES
from gan_zoo.datasets.cifar10 import SOURCE as CIFAR10_SOURCE
from gan_zoo.datasets.cifar10 import cifar10
from gan_zoo.datasets.digits import digits
from gan_zoo.datasets.folder import NATIVE_SIZE as FOLDER_SIZE
from gan_zoo.datasets.folder import folder
from gan_zoo.datasets.mnist import NUM_EXAMPLES as MNIST_EXAMPLES
from gan_zoo.datasets.mnist import SOURCES as MNIST_SOURCES
from gan_zoo.datasets.mnist import fashion_mnist
from gan_zoo.datasets.mnist import mnist
from gan_zoo.datasets.pipeline import check_split
from gan_zoo.datasets.svhn import NUM_EXAMPLES as SVHN_EXAMPLES
from gan_zoo.datasets.svhn import SOURCE as SVHN_SOURCE
from gan_zoo.datasets.svhn import svhn
from gan_zoo.datasets.text import LM1B_SOURCE
from gan_zoo.datasets.text import lm1b
from gan_zoo.datasets.toy import ring
from gan_zoo.datasets.toy import rotated_gaussians

__all__ = ["DATASETS", "DatasetInfo", "info", "load"]

_DEFAULT_RANGE = (-1.0, 1.0)
_LM1B_URL = (
    "http://www.statmt.org/lm-benchmark/"
    "1-billion-word-language-modeling-benchmark-r13output.tar.gz"
)


class DatasetInfo(NamedTuple):
    """Metadata of one dataset and its loader.

    Attributes:
        kind: `"image"`, `"points"` (2-D samples) or `"text"`.
        shape: shape of one sample at the native size (`None` if it depends
            on the loader's options).
        classes: number of classes, or `None`.
        size: dict, split -> number of examples of the full dataset.
        source: where the data comes from (homepage, files, download).
        licence: the terms of use.
        citation: the paper to cite.
        loader: callable taking `load`'s keyword arguments (but `name`).
        sources: the `gan_zoo.datasets.sources.Source` of file-backed
            datasets, else `None`.
    """

    kind: str
    shape: tuple
    classes: int
    size: dict
    source: str
    licence: str
    citation: str
    loader: object
    sources: object = None


def _digits(split, batch_size, image_size, value_range, with_labels, data_dir,
            shuffle, seed, drop_remainder, download):
    del download
    check_split("digits", split, ("train",))
    _no_data_dir("digits", data_dir)
    return digits(
        batch_size=batch_size,
        image_size=8 if image_size is None else image_size,
        value_range=value_range,
        with_labels=with_labels,
        shuffle=shuffle,
        seed=seed,
        drop_remainder=drop_remainder,
    )


def _points(name, make):
    def run(split, batch_size, image_size, value_range, with_labels, data_dir,
            shuffle, seed, drop_remainder, download):
        del download
        check_split(name, split, ("train",))
        _no_data_dir(name, data_dir)
        _no_image_options(name, image_size, value_range, with_labels)
        if not drop_remainder:
            raise ValueError(
                f"Dataset '{name}' always drops the last partial batch. "
                "Received: drop_remainder=False"
            )
        return make(batch_size=batch_size, seed=seed, shuffle=shuffle)

    return run


def _folder(split, batch_size, image_size, value_range, with_labels, data_dir,
            shuffle, seed, drop_remainder, download):
    del download
    check_split("folder", split, ("train",))
    return folder(
        data_dir,
        batch_size=batch_size,
        image_size=image_size,
        value_range=value_range,
        with_labels=with_labels,
        shuffle=shuffle,
        seed=seed,
        drop_remainder=drop_remainder,
    )


def _lm1b(split, batch_size, image_size, value_range, with_labels, data_dir,
          shuffle, seed, drop_remainder, download):
    _no_image_options("lm1b", image_size, value_range, with_labels)
    return lm1b(
        split=split,
        batch_size=batch_size,
        data_dir=data_dir,
        shuffle=shuffle,
        seed=seed,
        drop_remainder=drop_remainder,
        download=download,
    )


def _no_data_dir(name, data_dir):
    if data_dir is not None:
        raise ValueError(
            f"Dataset '{name}' is made in code and reads no files. "
            f"Received: data_dir={data_dir!r}"
        )


def _no_image_options(name, image_size, value_range, with_labels):
    for argument, value, default in (
        ("image_size", image_size, None),
        ("with_labels", with_labels, False),
    ):
        if value != default:
            raise ValueError(
                f"Dataset '{name}' has no images or labels; leave `{argument}` "
                f"at {default!r}. Received: {argument}={value!r}"
            )
    if check_value_range(value_range) != _DEFAULT_RANGE:
        raise ValueError(
            f"Dataset '{name}' has no pixel values to rescale; leave "
            f"`value_range` at (-1, 1). Received: value_range={value_range!r}"
        )


DATASETS = {
    "mnist": DatasetInfo(
        kind="image",
        shape=(28, 28, 1),
        classes=10,
        size=dict(MNIST_EXAMPLES),
        source="http://yann.lecun.com/exdb/mnist/ (IDX gzip); download: "
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
        licence="CC BY-SA 3.0 (as commonly cited)",
        citation="LeCun, Cortes and Burges, 1998, The MNIST database of "
        "handwritten digits",
        loader=mnist,
        sources=MNIST_SOURCES["mnist"],
    ),
    "fashion_mnist": DatasetInfo(
        kind="image",
        shape=(28, 28, 1),
        classes=10,
        size=dict(MNIST_EXAMPLES),
        source="https://github.com/zalandoresearch/fashion-mnist (IDX gzip); "
        "Debian: apt-get install dataset-fashion-mnist "
        "(/usr/share/datasets/fashion-mnist/)",
        licence="MIT",
        citation="Xiao, Rasul and Vollgraf, 2017, arXiv:1708.07747",
        loader=fashion_mnist,
        sources=MNIST_SOURCES["fashion_mnist"],
    ),
    "cifar10": DatasetInfo(
        kind="image",
        shape=(32, 32, 3),
        classes=10,
        size=dict(CIFAR10_EXAMPLES),
        source="https://www.cs.toronto.edu/~kriz/cifar.html "
        "(cifar-10-python.tar.gz: python pickles)",
        licence="none stated; cite the report",
        citation="Krizhevsky, 2009, Learning Multiple Layers of Features from "
        "Tiny Images",
        loader=cifar10,
        sources=CIFAR10_SOURCE,
    ),
    "svhn": DatasetInfo(
        kind="image",
        shape=(32, 32, 3),
        classes=10,
        size=dict(SVHN_EXAMPLES),
        source="http://ufldl.stanford.edu/housenumbers/ (cropped digits, "
        "*_32x32.mat)",
        licence="non-commercial use only",
        citation="Netzer et al., 2011, Reading Digits in Natural Images with "
        "Unsupervised Feature Learning",
        loader=svhn,
        sources=SVHN_SOURCE,
    ),
    "celeba": DatasetInfo(
        kind="image",
        shape=(CELEBA_SIZE, CELEBA_SIZE, 3),
        classes=None,
        size=dict(CELEBA_EXAMPLES),
        source="https://mmlab.ie.cuhk.edu.hk/projects/CelebA.html "
        "(img_align_celeba/*.jpg, list_eval_partition.txt, "
        "list_attr_celeba.txt; manual download)",
        licence="non-commercial research use only",
        citation="Liu, Luo, Wang and Tang, 2015, Deep Learning Face Attributes "
        "in the Wild, ICCV",
        loader=celeba,
        sources=CELEBA_SOURCE,
    ),
    "lm1b": DatasetInfo(
        kind="text",
        shape=None,
        classes=None,
        size={"train": 30_301_028, "test": 6_075, "heldout": 306_688},
        source="https://www.statmt.org/lm-benchmark/ (" + _LM1B_URL + ", "
        "SHA-256 01ba60381110baf7f189dfd2b8374de371e8c9a340835793f190bdae9e90a34e; "
        "shards 1-billion-word-language-modeling-benchmark-r13output/"
        "training-monolingual.tokenized.shuffled/news.en-000NN-of-00100 and "
        "heldout-monolingual.tokenized.shuffled/news.en.heldout-000NN-of-00050)",
        licence="WMT11 News Crawl terms (research use)",
        citation="Chelba et al., 2013, One Billion Word Benchmark for Measuring "
        "Progress in Statistical Language Modeling, arXiv:1312.3005",
        loader=_lm1b,
        sources=LM1B_SOURCE,
    ),
    "digits": DatasetInfo(
        kind="image",
        shape=(8, 8, 1),
        classes=10,
        size={"train": 1_797},
        source="scikit-learn, sklearn.datasets.load_digits (embedded)",
        licence="CC BY 4.0 (UCI Machine Learning Repository)",
        citation="Alpaydin and Kaynak, 1998, Optical Recognition of "
        "Handwritten Digits, UCI",
        loader=_digits,
    ),
    "ring": DatasetInfo(
        kind="points",
        shape=(2,),
        classes=None,
        size={"train": 50_000},
        source="generated in code (gan_zoo.datasets.toy.ring)",
        licence="n/a (synthetic)",
        citation="Metz et al., 2017, Unrolled Generative Adversarial Networks, "
        "arXiv:1611.02163",
        loader=_points("ring", ring),
    ),
    "rotated_gaussians": DatasetInfo(
        kind="points",
        shape=(2,),
        classes=None,
        size={"train": 50_000},
        source="generated in code (gan_zoo.datasets.toy.rotated_gaussians)",
        licence="n/a (synthetic)",
        citation="Eghbal-zadeh and Widmer, 2017, Probabilistic Generative "
        "Adversarial Networks, arXiv:1708.01886",
        loader=_points("rotated_gaussians", rotated_gaussians),
    ),
    "folder": DatasetInfo(
        kind="image",
        shape=(FOLDER_SIZE, FOLDER_SIZE, 3),
        classes=None,
        size={},
        source="any folder of images given as data_dir "
        "(keras.utils.image_dataset_from_directory)",
        licence="that of your images",
        citation="",
        loader=_folder,
    ),
}


def _check_name(name):
    if name not in DATASETS:
        raise ValueError(
            f"Unknown dataset {name!r}. Known datasets: {', '.join(DATASETS)}."
        )


def load(
    name,
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
    """Batched, shuffled, prefetched `tf.data.Dataset` of a named dataset.

    Image datasets yield float32 NHWC batches in `value_range` (with int32
    labels when `with_labels`); `ring` and `rotated_gaussians` yield float32
    `(batch_size, 2)` points. Every dataset feeds `model.fit` on every Keras
    backend. File-backed datasets look for their files in `data_dir`,
    `$GAN_ZOO_DATA/<name>`, system folders and the Keras cache, then
    download them (see `gan_zoo.datasets.sources`).

    Args:
        name: one of `DATASETS`: `"mnist"`, `"fashion_mnist"`, `"cifar10"`,
            `"svhn"`, `"celeba"`, `"lm1b"`, `"digits"`, `"ring"`,
            `"rotated_gaussians"`, `"folder"`.
        split: which split (`info(name)["size"]` lists them). Defaults to
            `"train"`.
        batch_size: int, batch size. Defaults to `64`.
        image_size: int or `None`, height and width of the images; `None`
            is the native size (64 for `celeba` and `folder`, 8 for
            `digits`). Defaults to `None`.
        value_range: pair `(low, high)` pixel values map to. Defaults to
            `(-1, 1)`.
        with_labels: bool, yield `(images, labels)` pairs. Defaults to
            `False`.
        data_dir: folder with the dataset's files, searched first (for
            `folder`: the folder of images, required). Defaults to `None`.
        shuffle: bool, reshuffle every epoch. Defaults to `True`.
        seed: int or `None`, seed of the shuffle order (and of the sample,
            for the 2-D datasets). Defaults to `None`.
        drop_remainder: bool, drop the last partial batch, so that every
            batch has `batch_size` examples (what the GAN steps expect).
            Defaults to `True`.
        download: bool, download missing files into the Keras cache.
            Defaults to `True`.

    Returns:
        A `tf.data.Dataset`.

    Raises:
        ValueError: for an unknown name or an invalid argument.
        gan_zoo.datasets.MissingDataError: the files are nowhere (the
            message lists where it looked and how to supply them).
        gan_zoo.datasets.CorruptDataError: a file is truncated, has a wrong
            magic number or checksum, or is not in the dataset's format.
    """
    _check_name(name)
    return DATASETS[name].loader(
        split=split,
        batch_size=batch_size,
        image_size=image_size,
        value_range=value_range,
        with_labels=with_labels,
        data_dir=data_dir,
        shuffle=shuffle,
        seed=seed,
        drop_remainder=drop_remainder,
        download=download,
    )


def info(name):
    """Metadata of a named dataset.

    Args:
        name: one of `DATASETS`.

    Returns:
        A dict with `name`, `kind`, `shape` (native sample shape), `classes`,
        `size` (split -> number of examples), `source`, `licence`,
        `citation`, and for file-backed datasets `files` (where they are
        looked for) and `downloads` (file -> URL and SHA-256).

    Raises:
        ValueError: for an unknown name.
    """
    _check_name(name)
    entry = DATASETS[name]
    result = {"name": name}
    result.update(entry._asdict())
    del result["loader"], result["sources"]
    result["size"] = dict(entry.size)
    if entry.sources is not None:
        source = entry.sources
        result["downloads"] = {
            file: {"url": d.url, "sha256": d.sha256}
            for file, d in source.downloads.items()
        }
        result["system_dirs"] = list(source.system_dirs)
    return result
