"""Shared `tf.data` plumbing of the image loaders: checks, scaling, batching.

Pixels are stored as uint8 and converted per batch, after batching, so the
conversion is one vectorised op per batch:

```
x = low + (p / 255) * (high - low)             # p in 0..255
x = clip(resize_bilinear(x, image_size), low, high)   # only if resized
```

Arrays decoded once (IDX, CIFAR-10, SVHN) are served by shuffling indices
(`Dataset.range(n).shuffle(n)`) and gathering each batch, so the shuffle
buffer holds integers, not images.
"""

import numpy as np
import tensorflow as tf

from gan_zoo.arguments import check_positive_int
from gan_zoo.arguments import check_value_range

__all__ = [
    "array_dataset",
    "check_image_args",
    "check_split",
    "load_array_dataset",
    "to_float",
]


def check_split(dataset, split, splits):
    """Raises unless `split` is one of `splits`."""
    if split not in splits:
        raise ValueError(
            f"Dataset '{dataset}' has splits {', '.join(map(repr, splits))}. "
            f"Received: split={split!r}"
        )


def check_image_args(batch_size, image_size, value_range):
    """Checks the common arguments; returns `(low, high)`."""
    check_positive_int("batch_size", batch_size)
    if image_size is not None:
        check_positive_int("image_size", image_size)
    return check_value_range(value_range)


def check_batch_fits(dataset, what, batch_size, num_examples, drop_remainder):
    """Raises when `drop_remainder` would leave no batch at all."""
    if drop_remainder and batch_size > num_examples:
        raise ValueError(
            f"`batch_size` must be at most the number of examples of dataset "
            f"'{dataset}' ({what}: {num_examples}), since the last partial "
            f"batch is dropped. Received: batch_size={batch_size}"
        )


def to_float(images, image_size, low, high):
    """uint8 (or float 0..255) NHWC batch -> float32 in `[low, high]`, resized."""
    images = tf.cast(images, tf.float32) * ((high - low) / 255.0) + low
    if image_size is not None and (
        images.shape[1] != image_size or images.shape[2] != image_size
    ):
        images = tf.image.resize(
            images, (image_size, image_size), method="bilinear", antialias=True
        )
        images = tf.clip_by_value(images, low, high)
    return images


def load_array_dataset(
    dataset,
    split,
    load_arrays,
    batch_size,
    image_size,
    value_range,
    with_labels,
    shuffle,
    seed,
    drop_remainder,
):
    """Checks the arguments, calls `load_arrays()`, then `array_dataset`.

    The shared body of the array-backed loaders (MNIST, Fashion-MNIST,
    CIFAR-10, SVHN): arguments are checked before any file is looked for.

    Args:
        dataset: the dataset's name, for messages.
        split: the split's name, for messages.
        load_arrays: callable returning `(uint8 images, labels)`.
        batch_size, image_size, value_range, with_labels, shuffle, seed,
            drop_remainder: as in `gan_zoo.datasets.load`.
    """
    low, high = check_image_args(batch_size, image_size, value_range)
    images, labels = load_arrays()
    check_batch_fits(dataset, f"split {split!r}", batch_size, len(images), drop_remainder)
    return array_dataset(
        images, labels, batch_size, image_size, low, high, with_labels, shuffle,
        seed, drop_remainder,
    )


def array_dataset(
    images,
    labels,
    batch_size,
    image_size,
    low,
    high,
    with_labels,
    shuffle,
    seed,
    drop_remainder,
):
    """Batched, shuffled, prefetched dataset over uint8 NHWC `images`.

    Args:
        images: uint8 NumPy array `(n, h, w, c)`.
        labels: int NumPy array `(n,)`.
        batch_size, image_size, low, high, with_labels, shuffle, seed,
            drop_remainder: as in `gan_zoo.datasets.load`.

    Returns:
        A `tf.data.Dataset` of float32 `(batch, s, s, c)` batches, or of
        `(images, int32 labels)` pairs when `with_labels`.
    """
    n = len(images)
    images = tf.constant(images)
    labels = tf.constant(np.asarray(labels, dtype="int32"))
    ds = tf.data.Dataset.range(n)
    if shuffle:
        ds = ds.shuffle(n, seed=seed, reshuffle_each_iteration=True)
    ds = ds.batch(batch_size, drop_remainder=drop_remainder)

    def gather(index):
        batch = to_float(tf.gather(images, index), image_size, low, high)
        if with_labels:
            return batch, tf.gather(labels, index)
        return batch

    ds = ds.map(gather, num_parallel_calls=tf.data.AUTOTUNE)
    return ds.prefetch(tf.data.AUTOTUNE)
