"""scikit-learn's 8x8 handwritten digits, the embedded default dataset.

`sklearn.datasets.load_digits` ships 1,797 grey-scale 8x8 images (pixel values
0..16, labels 0..9) inside the package, so this dataset needs no download.
Images are rescaled to a value range and upsampled to the generator's
resolution.

Reference:
    Alpaydin & Kaynak, 1998, "Optical Recognition of Handwritten Digits"
    (test set), UCI Machine Learning Repository,
    https://archive.ics.uci.edu/ml/datasets/Optical+Recognition+of+Handwritten+Digits
"""

import functools

import numpy as np
import tensorflow as tf

from gan_zoo.arguments import check_positive_int
from gan_zoo.arguments import check_value_range
from gan_zoo.datasets.pipeline import check_batch_fits

_MAX_PIXEL = 16.0
_NATIVE_SIZE = 8


@functools.lru_cache(maxsize=1)
def _raw_digits():
    from sklearn.datasets import load_digits

    bunch = load_digits()
    return bunch.images.astype("float32"), bunch.target.astype("int32")


def load_digit_images(image_size=28, value_range=(-1, 1)):
    """Loads the 8x8 digits as rescaled, upsampled image arrays.

    Formula:

    ```
    x = low + (p / 16) * (high - low)          # p in 0..16
    image = clip(resize_bilinear(x, image_size), low, high)
    ```

    The resize is bilinear with antialiasing (`tf.image.resize`), which is
    deterministic; `image_size=8` returns the native pixels unchanged.

    Args:
        image_size: int >= 8, height and width of the returned images.
            Defaults to `28`.
        value_range: pair `(low, high)` with `low < high`, the range pixel
            values are mapped to. Defaults to `(-1, 1)`.

    Returns:
        A tuple `(images, labels)`: float32 images of shape
        `(1797, image_size, image_size, 1)` and int32 labels of shape
        `(1797,)` with values 0..9.

    Raises:
        ValueError: if `image_size < 8` or `value_range` is not increasing.
    """
    if (
        isinstance(image_size, bool)
        or not isinstance(image_size, (int, np.integer))
        or image_size < _NATIVE_SIZE
    ):
        raise ValueError(
            f"`image_size` must be an integer >= {_NATIVE_SIZE}. "
            f"Received: image_size={image_size!r}"
        )
    low, high = check_value_range(value_range)
    raw, labels = _raw_digits()
    images = low + (raw[..., None] / _MAX_PIXEL) * (high - low)
    if image_size != _NATIVE_SIZE:
        images = tf.image.resize(
            images,
            (image_size, image_size),
            method="bilinear",
            antialias=True,
        ).numpy()
    images = np.clip(images, low, high).astype("float32")
    return images, labels.copy()


def digits(
    batch_size=64,
    image_size=28,
    value_range=(-1, 1),
    with_labels=False,
    shuffle=True,
    seed=0,
    drop_remainder=True,
):
    """Batched `tf.data.Dataset` of the 8x8 digits, upsampled.

    Args:
        batch_size: int >= 1, batch size, at most 1,797 when
            `drop_remainder`. Defaults to `64`.
        image_size: int >= 8, height and width of the images. Defaults to
            `28`.
        value_range: pair `(low, high)` of pixel values. Defaults to
            `(-1, 1)`.
        with_labels: bool, whether to yield `(images, labels)` tuples instead
            of images alone. Defaults to `False`.
        shuffle: bool, whether to reshuffle every epoch. Defaults to `True`.
        seed: int or `None`, seed of the shuffle order. Defaults to `0`.
        drop_remainder: bool, whether to drop the last partial batch (a GAN
            step wants full batches; an evaluation wants every image).
            Defaults to `True`.

    Returns:
        A `tf.data.Dataset` of float32 batches of shape
        `(batch_size, image_size, image_size, 1)` (with int32 labels of shape
        `(batch_size,)` when `with_labels`).

    Raises:
        ValueError: for an out-of-range `batch_size` or `image_size`, or a
            `value_range` with `low >= high`.

    Example:

    >>> ds = digits(batch_size=32, image_size=32)
    >>> next(iter(ds)).shape
    TensorShape([32, 32, 32, 1])
    """
    num_images = len(_raw_digits()[1])
    check_positive_int("batch_size", batch_size)
    check_batch_fits("digits", "train", batch_size, num_images, drop_remainder)
    images, labels = load_digit_images(image_size, value_range)
    data = (images, labels) if with_labels else images
    ds = tf.data.Dataset.from_tensor_slices(data)
    if shuffle:
        ds = ds.shuffle(num_images, seed=seed, reshuffle_each_iteration=True)
    ds = ds.batch(batch_size, drop_remainder=drop_remainder)
    return ds.prefetch(tf.data.AUTOTUNE)
