import doctest
import importlib

import numpy as np
import pytest

from gan_zoo.datasets import labelled_subset
from gan_zoo.datasets import semi_supervised


def _labels(num_classes=3, per_class=7):
    """Shuffled labels with `per_class` examples of each class."""
    labels = np.repeat(np.arange(num_classes), per_class)
    return np.random.default_rng(1).permutation(labels).astype(np.int32)


def _arrays(num_classes=3, per_class=7):
    """`(images, labels)` whose images hold their index: image i is all i."""
    labels = _labels(num_classes, per_class)
    ids = np.arange(len(labels), dtype=np.float32)
    images = np.broadcast_to(ids[:, None, None, None], (len(labels), 2, 2, 1)).copy()
    return images, labels


def _ids(images):
    """The example indices encoded in a batch of `_arrays` images."""
    images = np.asarray(images)
    np.testing.assert_array_equal(images, images[:, :1, :1, :1] + 0 * images)
    return images[:, 0, 0, 0].astype(np.int64)


def test_subset_is_balanced_sorted_and_int64():
    labels = _labels(num_classes=4, per_class=9)
    indices = labelled_subset(labels, labels_per_class=3)
    assert indices.dtype == np.int64
    assert indices.shape == (12,)
    np.testing.assert_array_equal(indices, np.sort(indices))
    assert len(np.unique(indices)) == 12
    np.testing.assert_array_equal(np.bincount(labels[indices]), [3, 3, 3, 3])


def test_subset_takes_only_the_classes_present():
    labels = np.array([7, 3, 7, 3, 7, 3], dtype=np.int64)
    indices = labelled_subset(labels, labels_per_class=2)
    assert sorted(labels[indices].tolist()) == [3, 3, 7, 7]


def test_subset_is_reproducible_and_depends_on_the_seed():
    labels = _labels(num_classes=3, per_class=50)
    first = labelled_subset(labels, 5, seed=3)
    np.testing.assert_array_equal(first, labelled_subset(labels, 5, seed=3))
    assert not np.array_equal(first, labelled_subset(labels, 5, seed=4))


def test_subset_of_every_example_is_everything():
    labels = _labels(num_classes=3, per_class=4)
    np.testing.assert_array_equal(labelled_subset(labels, 4), np.arange(12))


@pytest.mark.parametrize(
    "labels, labels_per_class, match",
    [
        (np.array([0, 0, 0, 1, 1, 2, 2, 2]), 3, "Class 1 has only 2"),
        (np.array([0, 1, 2]), 0, "labels_per_class"),
        (np.array([0, 1, 2]), 1.5, "labels_per_class"),
        (np.array([[0, 1], [1, 0]]), 1, "1-D"),
        (np.array([0.0, 1.0]), 1, "integer"),
        (np.array([True, False]), 1, "integer"),
        (np.array([], dtype=np.int32), 1, "empty"),
    ],
)
def test_subset_rejects_invalid_arguments(labels, labels_per_class, match):
    with pytest.raises(ValueError, match=match):
        labelled_subset(labels, labels_per_class)


def test_elements_are_unlabelled_batch_and_labelled_pair():
    images, labels = _arrays()
    ds = semi_supervised((images, labels), labels_per_class=2, batch_size=4,
                         labelled_batch_size=5)
    x_unlabelled, (x_labelled, y_labelled) = next(iter(ds))
    assert tuple(x_unlabelled.shape) == (4, 2, 2, 1)
    assert tuple(x_labelled.shape) == (5, 2, 2, 1)
    assert tuple(y_labelled.shape) == (5,)
    assert x_unlabelled.dtype.name == "float32"
    assert x_labelled.dtype.name == "float32"
    assert y_labelled.dtype.name == "int32"


def test_labelled_batch_size_defaults_to_batch_size():
    images, labels = _arrays()
    ds = semi_supervised((images, labels), labels_per_class=2, batch_size=4)
    _, (x_labelled, y_labelled) = next(iter(ds))
    assert len(x_labelled) == len(y_labelled) == 4


def test_labelled_examples_come_from_the_subset_with_their_labels():
    images, labels = _arrays(num_classes=3, per_class=7)
    subset = labelled_subset(labels, 2, seed=5)
    # A labelled batch (13) larger than the subset (6) repeats it.
    ds = semi_supervised((images, labels), labels_per_class=2, batch_size=3,
                         labelled_batch_size=13, seed=5)
    seen = []
    for _, (x_labelled, y_labelled) in ds.as_numpy_iterator():
        ids = _ids(x_labelled)
        assert set(ids.tolist()) <= set(subset.tolist())
        np.testing.assert_array_equal(y_labelled, labels[ids])
        seen.extend(ids.tolist())
    assert set(seen) == set(subset.tolist())
    # Each pass over the subset holds every labelled example once.
    for start in range(0, len(seen) - len(subset) + 1, len(subset)):
        assert sorted(seen[start:start + len(subset)]) == subset.tolist()


def test_labelled_stream_is_reshuffled_on_every_pass():
    images, labels = _arrays(num_classes=4, per_class=5)
    ds = semi_supervised((images, labels), labels_per_class=5, batch_size=1,
                         labelled_batch_size=20)
    passes = [_ids(x).tolist() for _, (x, _) in ds.take(4).as_numpy_iterator()]
    assert all(sorted(p) == list(range(20)) for p in passes)
    assert len({tuple(p) for p in passes}) > 1


def test_unlabelled_stream_covers_every_example_once_per_epoch():
    images, labels = _arrays(num_classes=3, per_class=8)  # 24 examples
    ds = semi_supervised((images, labels), labels_per_class=1, batch_size=6)
    orders = []
    for _ in range(2):
        ids = np.concatenate([_ids(x) for x, _ in ds.as_numpy_iterator()])
        np.testing.assert_array_equal(np.sort(ids), np.arange(24))
        orders.append(ids.tolist())
    assert orders[0] != orders[1]  # reshuffled each epoch
    assert orders[0] != list(range(24))


def test_unlabelled_stream_drops_the_last_partial_batch():
    images, labels = _arrays(num_classes=3, per_class=7)  # 21 examples
    ds = semi_supervised((images, labels), labels_per_class=1, batch_size=5)
    ids = np.concatenate([_ids(x) for x, _ in ds.as_numpy_iterator()])
    assert len(ids) == 20 and len(np.unique(ids)) == 20


def test_shuffle_false_serves_examples_in_order():
    images, labels = _arrays(num_classes=3, per_class=4)
    ds = semi_supervised((images, labels), labels_per_class=1, batch_size=4,
                         labelled_batch_size=3, shuffle=False)
    batches = list(ds.as_numpy_iterator())
    ids = np.concatenate([_ids(x) for x, _ in batches])
    np.testing.assert_array_equal(ids, np.arange(12))
    np.testing.assert_array_equal(_ids(batches[0][1][0]), labelled_subset(labels, 1))


def test_same_seed_gives_the_same_stream():
    images, labels = _arrays()

    def first_epoch(seed):
        ds = semi_supervised((images, labels), labels_per_class=2, batch_size=7,
                             seed=seed)
        return [(_ids(x).tolist(), _ids(xl).tolist()) for x, (xl, _) in ds]

    assert first_epoch(2) == first_epoch(2)
    assert first_epoch(2) != first_epoch(3)


def test_cardinality_counts_unlabelled_batches():
    images, labels = _arrays(num_classes=3, per_class=7)  # 21 examples
    ds = semi_supervised((images, labels), labels_per_class=7, batch_size=4,
                         labelled_batch_size=50)
    assert int(ds.cardinality()) == 5
    assert len(list(ds)) == 5


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(batch_size=22), "at most the number of examples"),
        (dict(batch_size=0), "batch_size"),
        (dict(labelled_batch_size=0), "labelled_batch_size"),
        (dict(labels_per_class=0), "labels_per_class"),
        (dict(labels_per_class=8), "Class 0 has only 7"),
        (dict(image_size=8), "only to a dataset name"),
    ],
)
def test_semi_supervised_rejects_invalid_arguments(kwargs, match):
    images, labels = _arrays(num_classes=3, per_class=7)
    kwargs = {"batch_size": 4, **kwargs}
    with pytest.raises(ValueError, match=match):
        semi_supervised((images, labels), **kwargs)


def test_images_and_labels_must_have_the_same_length():
    images, labels = _arrays()
    with pytest.raises(ValueError, match="one label per image"):
        semi_supervised((images, labels[:-1]), labels_per_class=1, batch_size=2)


def test_data_must_be_a_name_or_a_pair():
    with pytest.raises(ValueError, match="dataset name or a tuple"):
        semi_supervised(np.zeros((4, 2)), batch_size=2)


def test_loads_a_named_dataset_in_order():
    from sklearn.datasets import load_digits

    ds = semi_supervised("digits", labels_per_class=10, batch_size=64,
                         labelled_batch_size=32, image_size=8, value_range=(0, 1))
    assert int(ds.cardinality()) == 1797 // 64
    x_unlabelled, (x_labelled, y_labelled) = next(iter(ds))
    assert tuple(x_unlabelled.shape) == (64, 8, 8, 1)
    assert tuple(x_labelled.shape) == (32, 8, 8, 1)
    assert y_labelled.dtype.name == "int32"
    # Labelled images are the subset's, scaled by `load`, with their labels.
    bunch = load_digits()
    subset = labelled_subset(bunch.target, 10, seed=0)
    expected = bunch.images[subset].reshape(len(subset), -1) / 16.0
    rows = np.asarray(x_labelled).reshape(32, -1)
    for row, label in zip(rows, np.asarray(y_labelled)):
        match = np.flatnonzero(np.abs(expected - row).max(axis=1) < 1e-6)
        assert len(match) >= 1
        assert label in bunch.target[subset][match]


@pytest.mark.parametrize("name", ["ring", "celeba", "no_such_dataset"])
def test_dataset_without_classes_is_refused(name):
    with pytest.raises(ValueError, match="with classes .*mnist.*digits") as info:
        semi_supervised(name)
    assert repr(name) in str(info.value)


def test_arguments_set_by_semi_supervised_are_refused_for_load():
    with pytest.raises(ValueError, match="with_labels"):
        semi_supervised("digits", with_labels=False)


def test_docstring_examples_run():
    # The package attribute `semi_supervised` is the function, not the module.
    module = importlib.import_module("gan_zoo.datasets.semi_supervised")
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0
