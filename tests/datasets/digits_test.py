import numpy as np
import pytest

from gan_zoo.datasets import digits
from gan_zoo.datasets import load_digit_images


@pytest.mark.parametrize("image_size", [8, 28, 32])
def test_images_have_requested_shape_and_dtype(image_size):
    images, labels = load_digit_images(image_size=image_size)
    assert images.shape == (1797, image_size, image_size, 1)
    assert images.dtype == np.float32
    assert labels.shape == (1797,)
    assert labels.dtype == np.int32
    assert sorted(np.unique(labels).tolist()) == list(range(10))


@pytest.mark.parametrize("value_range", [(-1, 1), (0, 1), (0.0, 255.0)])
@pytest.mark.parametrize("image_size", [8, 28])
def test_values_stay_within_value_range(value_range, image_size):
    images, _ = load_digit_images(image_size, value_range=value_range)
    low, high = value_range
    assert images.min() >= low and images.max() <= high
    # Blank background pixels map to `low`, fully inked ones to `high`.
    assert images.min() == low
    np.testing.assert_allclose(images.max(), high, rtol=0.02)


def test_native_size_is_a_linear_rescaling_of_the_pixels():
    from sklearn.datasets import load_digits

    raw = load_digits().images
    images, labels = load_digit_images(image_size=8, value_range=(-1, 1))
    np.testing.assert_allclose(images[..., 0], raw / 8.0 - 1.0, atol=1e-6)
    np.testing.assert_array_equal(labels, load_digits().target)


def test_upsampling_is_deterministic_and_keeps_the_mean():
    first, _ = load_digit_images(image_size=28)
    again, _ = load_digit_images(image_size=28)
    np.testing.assert_array_equal(first, again)
    native, _ = load_digit_images(image_size=8)
    np.testing.assert_allclose(first.mean(), native.mean(), atol=0.05)


def test_dataset_yields_image_batches():
    ds = digits(batch_size=64, image_size=32)
    assert int(ds.cardinality()) == 1797 // 64
    batch = next(iter(ds))
    assert tuple(batch.shape) == (64, 32, 32, 1)
    assert batch.dtype.name == "float32"


@pytest.mark.parametrize("drop_remainder, sizes", [(True, {500}), (False, {500, 297})])
def test_dataset_keeps_the_last_partial_batch_on_request(drop_remainder, sizes):
    ds = digits(batch_size=500, image_size=8, shuffle=False, drop_remainder=drop_remainder)
    batch_sizes = [len(batch) for batch in ds]
    assert set(batch_sizes) == sizes
    assert sum(batch_sizes) == (1500 if drop_remainder else 1797)


def test_dataset_with_labels_yields_pairs():
    ds = digits(batch_size=16, image_size=8, with_labels=True)
    images, labels = next(iter(ds))
    assert tuple(images.shape) == (16, 8, 8, 1)
    assert tuple(labels.shape) == (16,)
    assert labels.dtype.name == "int32"


def test_dataset_is_deterministic_given_seed():
    first = next(iter(digits(batch_size=8, seed=3))).numpy()
    again = next(iter(digits(batch_size=8, seed=3))).numpy()
    np.testing.assert_array_equal(first, again)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"image_size": 4}, "image_size=4"),
        ({"batch_size": 0}, "batch_size=0"),
        ({"batch_size": 1798}, "batch_size=1798"),
        ({"value_range": (1, 1)}, r"value_range=\(1, 1\)"),
        ({"value_range": (1, -1)}, r"value_range=\(1, -1\)"),
        ({"value_range": 3}, "value_range=3"),
    ],
)
def test_invalid_arguments_raise_clear_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        digits(**kwargs)
