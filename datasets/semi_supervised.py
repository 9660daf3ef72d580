"""Semi-supervised data: every example unlabelled, a few also labelled.

The semi-supervised GAN of Salimans et al. trains its discriminator as a
`K + 1`-way classifier on two streams at once: all the training images,
used without their labels (real vs fake), and a small balanced labelled
subset (100 labels of MNIST, 10 per class), used with them (class of each).
This module makes both streams from a labelled dataset:

- `labelled_subset(labels, labels_per_class, seed)`: the indices of a
  balanced labelled subset, reproducible from the seed.
- `semi_supervised(data, ...)`: a `tf.data.Dataset` of
  `(x_unlabelled, (x_labelled, y_labelled))`, one pass over all the
  examples per epoch, zipped with an endless stream of labelled batches.

As in the paper, the unlabelled stream holds every training example, the
labelled ones included.

Reference:
    Salimans, Goodfellow, Zaremba, Cheung, Radford and Chen, 2016,
    "Improved Techniques for Training GANs", section 5,
    https://arxiv.org/abs/1606.03498
"""

import numpy as np
import tensorflow as tf

from gan_zoo.arguments import check_positive_int
from gan_zoo.datasets.registry import DATASETS
from gan_zoo.datasets.registry import load

__all__ = ["labelled_subset", "semi_supervised"]

# Batch size used to read a named dataset into arrays (one pass, in order).
_LOAD_BATCH_SIZE = 10_000
# `load` arguments `semi_supervised` sets itself.
_RESERVED_LOAD_ARGS = ("batch_size", "with_labels", "shuffle", "seed", "drop_remainder")


def _check_labels(labels):
    labels = np.asarray(labels)
    if labels.ndim != 1 or not (
        np.issubdtype(labels.dtype, np.integer) and labels.dtype != np.bool_
    ):
        raise ValueError(
            "`labels` must be a 1-D array of integer class labels. Received: "
            f"labels with shape {labels.shape} and dtype {labels.dtype}"
        )
    if len(labels) == 0:
        raise ValueError("`labels` must not be empty. Received: labels=[]")
    return labels


def labelled_subset(labels, labels_per_class, seed=0):
    """Indices of a balanced labelled subset: `labels_per_class` per class.

    Every class present in `labels` (the sorted unique values) gets exactly
    `labels_per_class` examples, drawn without replacement by
    `numpy.random.default_rng(seed)`, class after class in sorted order. The
    same arguments always give the same indices, so the split can be
    rebuilt at evaluation time; the held-out (unlabelled-only) examples are
    `numpy.setdiff1d(numpy.arange(len(labels)), indices)`.

    Args:
        labels: 1-D integer array, the class of every example.
        labels_per_class: int >= 1, examples drawn from each class (10 for
            the paper's 100 labels of MNIST).
        seed: int, seed of the draw. Defaults to `0`.

    Returns:
        int64 NumPy array of `labels_per_class * num_classes` sorted indices
        into `labels`.

    Raises:
        ValueError: if `labels` is not a non-empty 1-D integer array, if
            `labels_per_class < 1`, or if a class has fewer than
            `labels_per_class` examples (the message names the class).

    Example:

    >>> labels = np.array([0, 1, 0, 1, 2, 2, 0, 1, 2])
    >>> indices = labelled_subset(labels, labels_per_class=2, seed=0)
    >>> np.bincount(labels[indices]).tolist()
    [2, 2, 2]
    >>> bool(np.all(indices == labelled_subset(labels, 2, seed=0)))
    True
    """
    labels = _check_labels(labels)
    check_positive_int("labels_per_class", labels_per_class)
    rng = np.random.default_rng(seed)
    chosen = []
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        if len(members) < labels_per_class:
            raise ValueError(
                f"Class {label} has only {len(members)} examples, fewer than "
                f"`labels_per_class`. Received: labels_per_class={labels_per_class}"
            )
        chosen.append(rng.choice(members, size=labels_per_class, replace=False))
    return np.sort(np.concatenate(chosen)).astype(np.int64)


def _classed_datasets():
    return [name for name, entry in DATASETS.items() if entry.classes is not None]


def _load_arrays(name, load_kwargs):
    classed = _classed_datasets()
    if name not in classed:
        raise ValueError(
            "`data` must name a dataset with classes "
            f"({', '.join(classed)}) or be a tuple (images, labels). "
            f"Received: data={name!r}"
        )
    reserved = sorted(set(load_kwargs) & set(_RESERVED_LOAD_ARGS))
    if reserved:
        raise ValueError(
            f"semi_supervised sets `{'`, `'.join(reserved)}` of `load` itself; "
            f"pass only the others (split, image_size, value_range, data_dir, "
            f"download). Received: {', '.join(f'{k}={load_kwargs[k]!r}' for k in reserved)}"
        )
    ds = load(
        name,
        batch_size=_LOAD_BATCH_SIZE,
        with_labels=True,
        shuffle=False,
        drop_remainder=False,
        **load_kwargs,
    )
    images, labels = [], []
    for x, y in ds.as_numpy_iterator():
        images.append(x)
        labels.append(y)
    return np.concatenate(images), np.concatenate(labels)


def semi_supervised(
    data,
    labels_per_class=10,
    batch_size=100,
    labelled_batch_size=None,
    seed=0,
    shuffle=True,
    **load_kwargs,
):
    """`tf.data.Dataset` of unlabelled batches zipped with labelled ones.

    The input of a semi-supervised GAN (Salimans et al., 2016): each element
    is

    ```
    (x_unlabelled, (x_labelled, y_labelled))
    ```

    - `x_unlabelled`: float32 `(batch_size, ...)`, a batch of *all* the
      examples (the labelled ones included, as in the paper). One epoch is
      one pass over the data, reshuffled every epoch when `shuffle`, the
      last partial batch dropped; so `fit(epochs=...)` counts passes over
      the unlabelled data, and `cardinality()` is `n // batch_size`.
    - `(x_labelled, y_labelled)`: float32 `(labelled_batch_size, ...)` and
      int32 `(labelled_batch_size,)`, drawn from the balanced subset
      `labelled_subset(labels, labels_per_class, seed)`. This stream
      repeats forever (reshuffled on every pass when `shuffle`), so
      `labelled_batch_size` may exceed the subset's size.

    The labelled subset is reproducible: `labelled_subset(labels,
    labels_per_class, seed)` with the same arguments gives its indices, and
    `numpy.setdiff1d(numpy.arange(len(labels)), indices)` the examples
    whose labels were held out. For a named dataset, the labels in the
    order indexed are those of `load(name, with_labels=True, shuffle=False,
    drop_remainder=False, **load_kwargs)`; the paper evaluates on the test
    split (`split="test"`).

    Example, the paper's 100 labels of MNIST:

    ```python
    model = gan_zoo.models.SemiSupervisedGAN(...)
    model.compile(...)
    model.fit(
        gan_zoo.datasets.semi_supervised("mnist", labels_per_class=10),
        epochs=300,
    )
    ```

    Args:
        data: a dataset name of `gan_zoo.datasets.DATASETS` with classes
            (`"mnist"`, `"fashion_mnist"`, `"cifar10"`, `"svhn"`,
            `"digits"`), read in order with `load`; or a tuple
            `(images, labels)` of NumPy arrays, images already scaled as
            the model wants them and 1-D integer labels.
        labels_per_class: int >= 1, labelled examples per class. Defaults
            to `10` (100 labels for 10 classes).
        batch_size: int >= 1, unlabelled batch size, at most the number of
            examples. Defaults to `100`.
        labelled_batch_size: int >= 1 or `None`, labelled batch size;
            `None` is `batch_size`. Defaults to `None`.
        seed: int, seed of the labelled subset and of the shuffles.
            Defaults to `0`.
        shuffle: bool, reshuffle both streams on every pass; `False` serves
            them in index order. Defaults to `True`.
        **load_kwargs: with a dataset name, further arguments of `load`
            (`split`, `image_size`, `value_range`, `data_dir`, `download`).

    Returns:
        A `tf.data.Dataset` of `(x_unlabelled, (x_labelled, y_labelled))`,
        with cardinality the number of unlabelled batches per epoch.

    Raises:
        ValueError: for a dataset name without classes (the message lists
            those with classes), images and labels of different lengths,
            fewer examples than `batch_size`, a class with fewer examples
            than `labels_per_class`, or an invalid argument.

    Reference:
        Salimans et al., 2016, "Improved Techniques for Training GANs",
        https://arxiv.org/abs/1606.03498

    >>> ds = semi_supervised("digits", labels_per_class=10, batch_size=64,
    ...                      image_size=8)
    >>> int(ds.cardinality()) == 1797 // 64
    True
    >>> x_u, (x_l, y_l) = next(iter(ds))
    >>> tuple(x_u.shape), tuple(x_l.shape), y_l.dtype.name
    ((64, 8, 8, 1), (64, 8, 8, 1), 'int32')
    """
    check_positive_int("batch_size", batch_size)
    if labelled_batch_size is None:
        labelled_batch_size = batch_size
    check_positive_int("labelled_batch_size", labelled_batch_size)
    check_positive_int("labels_per_class", labels_per_class)
    if isinstance(data, str):
        images, labels = _load_arrays(data, load_kwargs)
    elif isinstance(data, (tuple, list)) and len(data) == 2:
        if load_kwargs:
            raise ValueError(
                "Arguments of `load` apply only to a dataset name, not to "
                f"(images, labels) arrays. Received: {sorted(load_kwargs)}"
            )
        images, labels = data
    else:
        raise ValueError(
            "`data` must be a dataset name or a tuple (images, labels). "
            f"Received: data of type {type(data).__name__}"
        )
    images = np.asarray(images, dtype=np.float32)
    labels = _check_labels(labels)
    if images.ndim < 1 or len(images) != len(labels):
        raise ValueError(
            "`images` and `labels` must have one label per image. Received: "
            f"{images.shape[0] if images.ndim else 'no'} images and "
            f"{len(labels)} labels"
        )
    n = len(images)
    if batch_size > n:
        raise ValueError(
            f"`batch_size` must be at most the number of examples ({n}), "
            f"since the last partial batch is dropped. Received: batch_size={batch_size}"
        )
    subset = labelled_subset(labels, labels_per_class, seed=seed)

    images = tf.constant(images)
    labels = tf.constant(labels.astype(np.int32))
    subset = tf.constant(subset)

    unlabelled = tf.data.Dataset.range(n)
    if shuffle:
        unlabelled = unlabelled.shuffle(n, seed=seed, reshuffle_each_iteration=True)
    unlabelled = unlabelled.batch(batch_size, drop_remainder=True).map(
        lambda index: tf.gather(images, index),
        num_parallel_calls=tf.data.AUTOTUNE,
    )

    labelled = tf.data.Dataset.range(len(subset))
    if shuffle:
        # Another seed than the unlabelled stream's, so the orders differ.
        labelled = labelled.shuffle(
            len(subset),
            seed=None if seed is None else seed + 1,
            reshuffle_each_iteration=True,
        )

    def gather_labelled(position):
        index = tf.gather(subset, position)
        return tf.gather(images, index), tf.gather(labels, index)

    labelled = (
        labelled.repeat()
        .batch(labelled_batch_size, drop_remainder=True)
        .map(gather_labelled, num_parallel_calls=tf.data.AUTOTUNE)
    )
    ds = tf.data.Dataset.zip((unlabelled, labelled))
    return ds.prefetch(tf.data.AUTOTUNE)
