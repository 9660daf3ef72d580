import numpy as np
import pytest

from gan_zoo.datasets import ring
from gan_zoo.datasets import ring_centers
from gan_zoo.datasets import rotated_gaussians
from gan_zoo.datasets import sample_ring
from gan_zoo.datasets import sample_rotated_gaussians
from gan_zoo.metrics import mode_coverage


def test_ring_centers_lie_evenly_on_the_circle():
    centers = ring_centers(n_modes=8, radius=2.0)
    assert centers.shape == (8, 2)
    assert centers.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(centers, axis=1), 2.0, rtol=1e-6)
    angles = np.mod(np.arctan2(centers[:, 1], centers[:, 0]), 2 * np.pi)
    np.testing.assert_allclose(
        np.diff(np.sort(angles)), 2 * np.pi / 8, atol=1e-5
    )


def test_ring_samples_concentrate_on_all_modes():
    samples = sample_ring(10_000, n_modes=8, radius=2.0, std=0.05, seed=1)
    assert samples.shape == (10_000, 2)
    assert samples.dtype == np.float32
    result = mode_coverage(samples, ring_centers(8, 2.0), std=0.05)
    assert result["modes_covered"] == 8
    # P(||eps|| <= 3 std) = 1 - exp(-4.5) ~= 0.989 in two dimensions.
    assert result["high_quality_fraction"] > 0.98
    # Uniform mixture weights: each mode holds about 1/8 of the samples.
    np.testing.assert_allclose(result["counts"] / 10_000, 1 / 8, atol=0.02)


def test_samplers_are_deterministic_given_seed():
    np.testing.assert_array_equal(
        sample_ring(100, seed=3), sample_ring(100, seed=3)
    )
    np.testing.assert_array_equal(
        sample_rotated_gaussians(100, seed=3),
        sample_rotated_gaussians(100, seed=3),
    )
    other = sample_ring(100, seed=4)
    assert not np.array_equal(sample_ring(100, seed=3), other)


def _mixture_covariance(n_components, std_major, std_minor):
    covs = []
    for k in range(n_components):
        t = k * np.pi / n_components
        rot = np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])
        covs.append(rot @ np.diag([std_major**2, std_minor**2]) @ rot.T)
    return np.mean(covs, axis=0)


@pytest.mark.parametrize("n_components", [1, 5])
def test_rotated_gaussians_match_mixture_moments(n_components):
    samples = sample_rotated_gaussians(
        200_000, n_components, std_major=1.0, std_minor=0.1, seed=0
    )
    assert samples.shape == (200_000, 2)
    assert samples.dtype == np.float32
    np.testing.assert_allclose(samples.mean(axis=0), 0.0, atol=0.01)
    expected = _mixture_covariance(n_components, 1.0, 0.1)
    np.testing.assert_allclose(np.cov(samples.T), expected, atol=0.02)
    if n_components >= 2:
        np.testing.assert_allclose(expected, 0.505 * np.eye(2), atol=1e-12)


@pytest.mark.parametrize("make_dataset", [ring, rotated_gaussians])
def test_dataset_yields_full_float32_batches(make_dataset):
    ds = make_dataset(batch_size=64, num_samples=1_000, seed=0)
    assert int(ds.cardinality()) == 1_000 // 64
    batches = [b.numpy() for b in ds]
    assert len(batches) == 15
    assert all(b.shape == (64, 2) and b.dtype == np.float32 for b in batches)


@pytest.mark.parametrize("make_dataset", [ring, rotated_gaussians])
def test_dataset_is_deterministic_given_seed(make_dataset):
    first = next(iter(make_dataset(batch_size=32, num_samples=500, seed=7)))
    again = next(iter(make_dataset(batch_size=32, num_samples=500, seed=7)))
    np.testing.assert_array_equal(first.numpy(), again.numpy())


def test_unshuffled_ring_dataset_serves_the_seeded_sample():
    ds = ring(batch_size=50, num_samples=100, seed=2, shuffle=False)
    served = np.concatenate([b.numpy() for b in ds])
    np.testing.assert_array_equal(served, sample_ring(100, seed=2))


def test_invalid_arguments_raise():
    with pytest.raises(ValueError, match="batch_size=0"):
        ring(batch_size=0, num_samples=100)
    with pytest.raises(ValueError, match="batch_size=200"):
        ring(batch_size=200, num_samples=100)
    with pytest.raises(ValueError, match="n_modes=0"):
        ring_centers(n_modes=0)
    with pytest.raises(ValueError, match="std=0"):
        sample_ring(10, std=0)
