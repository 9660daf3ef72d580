"""Mode coverage and sample quality for Gaussian-mixture toy data."""

import keras
import numpy as np

# Rows of `samples` compared with all centres at once; bounds memory to
# `_CHUNK * n_modes * dim` float64 values.
_CHUNK = 65_536


def _as_float_matrix(name, x):
    if not isinstance(x, np.ndarray):
        try:
            x = keras.ops.convert_to_numpy(x)
        except Exception:
            x = np.asarray(x)
    x = np.asarray(x, dtype="float64")
    if x.ndim != 2 or x.shape[0] == 0 or x.shape[1] == 0:
        raise ValueError(
            f"`{name}` must be a non-empty 2-D array of shape (num, dim). "
            f"Received: {name}.shape={x.shape}"
        )
    return x


def _min_count(min_count, n, n_modes):
    """`min_count`, checked; by default 1% of a perfect generator's share of
    `n` samples in each of `n_modes` modes, `ceil(0.01 n / n_modes)`."""
    if min_count is None:
        return max(1, -(-n // (100 * n_modes)))  # the ceiling in integers
    if isinstance(min_count, bool) or not (
        isinstance(min_count, (int, np.integer)) and min_count >= 1
    ):
        raise ValueError(
            "`min_count` must be an integer >= 1 or None. "
            f"Received: min_count={min_count!r}"
        )
    return min_count


def mode_coverage(samples, centers, std, n_sigma=3.0, min_count=None):
    """Counts the mixture modes a generator covers, and its sample quality.

    Each sample is assigned to its nearest centre. It is *high quality* if
    it lies within `n_sigma * std` of that centre, and a mode is *covered*
    if it receives at least `min_count` high-quality samples.

    Formula:

    ```
    k(x) = argmin_k ||x - c_k||
    hq(x) = 1[||x - c_k(x)|| <= n_sigma * std]
    counts_k = sum_x hq(x) * 1[k(x) = k]
    high_quality_fraction = mean_x hq(x)
    modes_covered = #{k : counts_k >= min_count}
    min_count (default) = max(1, ceil(0.01 * n / n_modes))
    ```

    The default `min_count` is 1% of the samples a perfect generator puts
    in each mode, so a few stray samples do not make a mode count as
    covered; pass `min_count=1` for the loosest rule (any high-quality
    sample covers its mode).

    Args:
        samples: array-like of shape `(n, dim)`, generated samples.
        centers: array-like of shape `(n_modes, dim)`, the mode centres
            (e.g. `gan_zoo.datasets.ring_centers()`).
        std: float > 0, standard deviation of each real mode.
        n_sigma: float > 0, radius of the high-quality ball in units of
            `std`. Defaults to `3.0`.
        min_count: int >= 1 or `None`, high-quality samples a mode needs to
            count as covered. Defaults to `max(1, ceil(0.01 * n / n_modes))`.

    Returns:
        A dict with `modes_covered` (int), `high_quality_fraction` (float in
        [0, 1]), `counts` (int64 NumPy array of shape `(n_modes,)`, the
        high-quality samples per mode) and `min_count` (int, the threshold
        used).

    Raises:
        ValueError: if `samples` or `centers` is not a non-empty 2-D array,
            their last dimensions differ, or `std`, `n_sigma` or `min_count`
            is out of range.

    Example:

    >>> centers = [[0.0, 0.0], [1.0, 0.0]]
    >>> result = mode_coverage([[0.0, 0.01], [5.0, 5.0]], centers, std=0.05)
    >>> result["modes_covered"], result["high_quality_fraction"]
    (1, 0.5)

    Reference:
        Srivastava et al., 2017, "VEEGAN: Reducing Mode Collapse in GANs
        using Implicit Variational Learning", https://arxiv.org/abs/1705.07761
        (protocol after Metz et al., 2017, "Unrolled Generative Adversarial
        Networks", https://arxiv.org/abs/1611.02163).
    """
    samples = _as_float_matrix("samples", samples)
    centers = _as_float_matrix("centers", centers)
    if samples.shape[1] != centers.shape[1]:
        raise ValueError(
            "`samples` and `centers` must have the same last dimension. "
            f"Received: samples.shape={samples.shape}, "
            f"centers.shape={centers.shape}"
        )
    if not std > 0:
        raise ValueError(f"`std` must be > 0. Received: std={std}")
    if not n_sigma > 0:
        raise ValueError(f"`n_sigma` must be > 0. Received: n_sigma={n_sigma}")
    n, n_modes = samples.shape[0], centers.shape[0]
    min_count = _min_count(min_count, n, n_modes)

    nearest = np.empty(n, dtype="int64")
    distance = np.empty(n, dtype="float64")
    for start in range(0, n, _CHUNK):
        chunk = samples[start : start + _CHUNK]
        sq = np.sum((chunk[:, None, :] - centers[None, :, :]) ** 2, axis=-1)
        idx = np.argmin(sq, axis=1)
        nearest[start : start + _CHUNK] = idx
        distance[start : start + _CHUNK] = np.sqrt(sq[np.arange(len(idx)), idx])

    high_quality = distance <= n_sigma * std
    counts = np.bincount(nearest[high_quality], minlength=n_modes)
    return {
        "modes_covered": int(np.sum(counts >= min_count)),
        "high_quality_fraction": float(np.mean(high_quality)),
        "counts": counts.astype("int64"),
        "min_count": int(min_count),
    }


def arm_coverage(
    samples, n_components=5, std_major=1.0, std_minor=0.1, n_sigma=3.0, min_count=None
):
    """Counts the arms of PGAN's rotated-Gaussians toy a generator covers.

    The toy's components share the mean 0; component `k` is stretched along
    the line through 0 at angle `theta_k = k pi / K`
    (`gan_zoo.datasets.sample_rotated_gaussians`). Near 0 the arms overlap,
    so only samples outside the *core*, where the nearest two axes are more
    than `2 n_sigma std_minor` apart, are attributed to an arm:
    ```
    dist_k(x) = |x_1 sin theta_k - x_2 cos theta_k|   (to the axis of arm k)
    k(x) = argmin_k dist_k(x)
    hq(x) = 1[dist_k(x)(x) <= n_sigma std_minor  and  ||x|| <= n_sigma std_major]
    core = {x : ||x|| sin(pi / 2K) <= n_sigma std_minor}
    counts_k = sum_x hq(x) 1[x not in core] 1[k(x) = k]
    arms_covered = #{k : counts_k >= min_count},
    min_count (default) = max(1, ceil(0.01 n / K))
    ```
    Inside the core every sample is near some axis, so the sharper quality
    figure is `on_arm_fraction`, the high-quality share of the samples
    outside it. Measured on 2,000 samples: real ones of the default toy
    cover 5 arms, 35% outside the core, on-arm 0.996 (0.9985 overall); an
    isotropic N(0, I) covers 5 arms, on-arm 0.63 (0.76 overall); a
    generator collapsed onto 0 covers none.

    Args:
        samples: array-like of shape `(n, 2)`.
        n_components: `K`, the toy's components. Defaults to `5`.
        std_major, std_minor: the toy's standard deviations along and
            across each arm. Default to `1.0` and `0.1`.
        n_sigma: float > 0, the high-quality radius in standard deviations.
            Defaults to `3.0`.
        min_count: int >= 1 or `None`, high-quality samples outside the core
            an arm needs to count as covered.

    Returns:
        A dict with `arms_covered` (int), `high_quality_fraction` (float,
        of all samples), `on_arm_fraction` (float, of those outside the
        core; 0 if none is), `outside_core_fraction` (float), `counts`
        (int64 array of shape `(K,)`) and `min_count` (int).

    >>> result = arm_coverage([[2.0, 0.0], [0.0, 0.0], [0.0, 5.0]], min_count=1)
    >>> result["arms_covered"], round(result["high_quality_fraction"], 3)
    (1, 0.667)
    """
    samples = _as_float_matrix("samples", samples)
    if samples.shape[1] != 2:
        raise ValueError(f"`samples` must be 2-D points. Received: samples.shape={samples.shape}")
    if isinstance(n_components, bool) or not (
        isinstance(n_components, (int, np.integer)) and n_components >= 1
    ):
        raise ValueError(f"`n_components` must be an integer >= 1. Received: {n_components!r}")
    for name, value in (("std_major", std_major), ("std_minor", std_minor), ("n_sigma", n_sigma)):
        if not value > 0:
            raise ValueError(f"`{name}` must be > 0. Received: {name}={value}")
    n = samples.shape[0]
    min_count = _min_count(min_count, n, n_components)
    theta = np.arange(n_components) * np.pi / n_components
    distance = np.abs(samples[:, :1] * np.sin(theta) - samples[:, 1:] * np.cos(theta))
    nearest = np.argmin(distance, axis=1)
    radius = np.linalg.norm(samples, axis=1)
    high_quality = (distance[np.arange(n), nearest] <= n_sigma * std_minor) & (
        radius <= n_sigma * std_major
    )
    outside = radius * np.sin(np.pi / (2 * n_components)) > n_sigma * std_minor
    counts = np.bincount(nearest[high_quality & outside], minlength=n_components)
    return {
        "arms_covered": int(np.sum(counts >= min_count)),
        "high_quality_fraction": float(np.mean(high_quality)),
        "on_arm_fraction": float(counts.sum() / max(1, outside.sum())),
        "outside_core_fraction": float(np.mean(outside)),
        "counts": counts.astype("int64"),
        "min_count": int(min_count),
    }
