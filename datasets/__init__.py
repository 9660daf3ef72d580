"""Datasets for gan_zoo: `load(name, ...)` and `info(name)` over one table.

Standard image datasets read from their canonical files (MNIST and
Fashion-MNIST IDX gzip, CIFAR-10 python pickles, SVHN .mat, CelebA JPEGs),
found locally or downloaded with their published SHA-256 (see
`gan_zoo.datasets.sources`); the embedded 8x8 digits; toy 2-D mixtures; and
any folder of images; and One Billion Word sentences as one-hot characters
(`gan_zoo.datasets.text`). Every loader returns a batched, shuffled, prefetched
`tf.data.Dataset` that `model.fit` takes on every Keras backend.
"""

from gan_zoo.datasets.celeba import celeba
from gan_zoo.datasets.cifar10 import cifar10
from gan_zoo.datasets.digits import digits
from gan_zoo.datasets.digits import load_digit_images
from gan_zoo.datasets.folder import folder
from gan_zoo.datasets.mnist import fashion_mnist
from gan_zoo.datasets.mnist import mnist
from gan_zoo.datasets.registry import DATASETS
from gan_zoo.datasets.registry import info
from gan_zoo.datasets.registry import load
from gan_zoo.datasets.semi_supervised import labelled_subset
from gan_zoo.datasets.semi_supervised import semi_supervised
from gan_zoo.datasets.sources import CorruptDataError
from gan_zoo.datasets.sources import MissingDataError
from gan_zoo.datasets.svhn import svhn
from gan_zoo.datasets.text import lm1b
from gan_zoo.datasets.toy import ring
from gan_zoo.datasets.toy import ring_centers
from gan_zoo.datasets.toy import rotated_gaussians
from gan_zoo.datasets.toy import sample_ring
from gan_zoo.datasets.toy import sample_rotated_gaussians

__all__ = [
    "DATASETS",
    "CorruptDataError",
    "MissingDataError",
    "celeba",
    "cifar10",
    "digits",
    "fashion_mnist",
    "folder",
    "info",
    "labelled_subset",
    "load",
    "lm1b",
    "load_digit_images",
    "mnist",
    "ring",
    "ring_centers",
    "rotated_gaussians",
    "sample_ring",
    "sample_rotated_gaussians",
    "semi_supervised",
    "svhn",
]
