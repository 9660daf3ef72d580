"""Toy 2-D Gaussian mixtures: NumPy samplers and batched `tf.data` pipelines.

Two mixtures are provided:

- The ring: `n_modes` isotropic Gaussians with centres evenly spaced on a
  circle, the standard mode-collapse benchmark (Metz et al., 2017;
  Srivastava et al., 2017). Evaluate it with
  `gan_zoo.metrics.mode_coverage`.
- PGAN's rotated Gaussians: `n_components` elongated Gaussians that share one
  mean (the origin) and differ only by rotation (Eghbal-zadeh & Widmer, 2017).

The samplers return float32 NumPy arrays; the dataset functions draw a fixed,
finite set of `num_samples` points once (seeded) and serve it as shuffled,
batched, prefetched `tf.data.Dataset`s, so one epoch is
`num_samples // batch_size` steps on every Keras backend.
"""

import numpy as np
import tensorflow as tf

from gan_zoo.arguments import check_positive_int


def _check_positive(name, value):
    if not value > 0:
        raise ValueError(f"`{name}` must be > 0. Received: {name}={value}")


def ring_centers(n_modes=8, radius=2.0):
    """Centres of the ring mixture, evenly spaced on a circle.

    Formula:

    ```
    c_k = radius * (cos(2 pi k / n_modes), sin(2 pi k / n_modes)),
    k = 0, ..., n_modes - 1
    ```

    Args:
        n_modes: int, number of mixture components. Defaults to `8`.
        radius: float, radius of the circle. Defaults to `2.0`.

    Returns:
        A float32 NumPy array of shape `(n_modes, 2)`.

    Example:

    >>> ring_centers(4, radius=1.0)[:2].round(3).tolist()
    [[1.0, 0.0], [0.0, 1.0]]
    """
    check_positive_int("n_modes", n_modes)
    _check_positive("radius", radius)
    angles = 2.0 * np.pi * np.arange(n_modes) / n_modes
    centers = radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    return centers.astype("float32")


def sample_ring(n, n_modes=8, radius=2.0, std=0.05, seed=None):
    """Draws samples from the ring of Gaussians.

    Formula:

    ```
    k ~ Uniform{0, ..., n_modes - 1},  x = c_k + std * eps,  eps ~ N(0, I_2)
    ```

    with `c_k` from `ring_centers(n_modes, radius)`.

    Args:
        n: int, number of samples.
        n_modes: int, number of modes. Defaults to `8`.
        radius: float, radius of the circle of centres. Defaults to `2.0`.
        std: float, standard deviation of each mode. Defaults to `0.05`.
        seed: int or `None`, seed of the NumPy generator.

    Returns:
        A float32 NumPy array of shape `(n, 2)`.

    Reference:
        Metz et al., 2017, "Unrolled Generative Adversarial Networks",
        https://arxiv.org/abs/1611.02163
    """
    check_positive_int("n", n)
    _check_positive("std", std)
    centers = ring_centers(n_modes, radius).astype("float64")
    rng = np.random.default_rng(seed)
    modes = rng.integers(0, n_modes, size=n)
    samples = centers[modes] + std * rng.standard_normal((n, 2))
    return samples.astype("float32")


def sample_rotated_gaussians(
    n, n_components=5, std_major=1.0, std_minor=0.1, seed=None
):
    """Draws samples from PGAN's mixture of rotated Gaussians.

    All components share the mean `0`; component `k` is an elongated Gaussian
    rotated by `theta_k = k pi / n_components`, and the weights are uniform.

    Formula:

    ```
    k ~ Uniform{0, ..., n_components - 1}
    x = R(theta_k) @ diag(std_major, std_minor) @ eps,  eps ~ N(0, I_2)
    Cov[x] = mean_k R(theta_k) diag(std_major^2, std_minor^2) R(theta_k)^T
    ```

    For `n_components >= 2` the mixture covariance is
    `(std_major^2 + std_minor^2) / 2 * I`.

    Args:
        n: int, number of samples.
        n_components: int, number of components. Defaults to `5`.
        std_major: float, standard deviation along each component's axis.
            Defaults to `1.0`.
        std_minor: float, standard deviation across each component's axis.
            Defaults to `0.1`.
        seed: int or `None`, seed of the NumPy generator.

    Returns:
        A float32 NumPy array of shape `(n, 2)`.

    Reference:
        Eghbal-zadeh & Widmer, 2017, "Probabilistic Generative Adversarial
        Networks", https://arxiv.org/abs/1708.01886
    """
    check_positive_int("n", n)
    check_positive_int("n_components", n_components)
    _check_positive("std_major", std_major)
    _check_positive("std_minor", std_minor)
    rng = np.random.default_rng(seed)
    components = rng.integers(0, n_components, size=n)
    theta = np.pi * components / n_components
    local = rng.standard_normal((n, 2)) * np.array([std_major, std_minor])
    cos, sin = np.cos(theta), np.sin(theta)
    x = cos * local[:, 0] - sin * local[:, 1]
    y = sin * local[:, 0] + cos * local[:, 1]
    return np.stack([x, y], axis=1).astype("float32")


def _pipeline(samples, batch_size, shuffle, seed):
    check_positive_int("batch_size", batch_size)
    if batch_size > len(samples):
        raise ValueError(
            "`batch_size` must be at most `num_samples` "
            f"({len(samples)}). Received: batch_size={batch_size}"
        )
    ds = tf.data.Dataset.from_tensor_slices(samples)
    if shuffle:
        ds = ds.shuffle(len(samples), seed=seed, reshuffle_each_iteration=True)
    ds = ds.batch(batch_size, drop_remainder=True)
    return ds.prefetch(tf.data.AUTOTUNE)


def ring(
    batch_size=256,
    num_samples=50_000,
    n_modes=8,
    radius=2.0,
    std=0.05,
    seed=0,
    shuffle=True,
):
    """Batched `tf.data.Dataset` over a fixed sample of the ring mixture.

    `num_samples` points are drawn once with `sample_ring(..., seed=seed)`;
    the dataset yields float32 batches of shape `(batch_size, 2)`, dropping
    the remainder, so an epoch is `num_samples // batch_size` steps.

    Args:
        batch_size: int, batch size. Defaults to `256`.
        num_samples: int, size of the fixed sample. Defaults to `50_000`.
        n_modes: int, number of modes. Defaults to `8`.
        radius: float, radius of the circle of centres. Defaults to `2.0`.
        std: float, standard deviation of each mode. Defaults to `0.05`.
        seed: int or `None`, seed for the sample and the shuffle order.
            Defaults to `0`.
        shuffle: bool, whether to reshuffle every epoch. Defaults to `True`.

    Returns:
        A `tf.data.Dataset` of float32 tensors of shape `(batch_size, 2)`.
    """
    samples = sample_ring(num_samples, n_modes, radius, std, seed=seed)
    return _pipeline(samples, batch_size, shuffle, seed)


def rotated_gaussians(
    batch_size=256,
    num_samples=50_000,
    n_components=5,
    std_major=1.0,
    std_minor=0.1,
    seed=0,
    shuffle=True,
):
    """Batched `tf.data.Dataset` over a fixed sample of PGAN's toy mixture.

    `num_samples` points are drawn once with
    `sample_rotated_gaussians(..., seed=seed)`; the dataset yields float32
    batches of shape `(batch_size, 2)`, dropping the remainder.

    Args:
        batch_size: int, batch size. Defaults to `256`.
        num_samples: int, size of the fixed sample. Defaults to `50_000`.
        n_components: int, number of rotated components. Defaults to `5`.
        std_major: float, standard deviation along each component's axis.
            Defaults to `1.0`.
        std_minor: float, standard deviation across each component's axis.
            Defaults to `0.1`.
        seed: int or `None`, seed for the sample and the shuffle order.
            Defaults to `0`.
        shuffle: bool, whether to reshuffle every epoch. Defaults to `True`.

    Returns:
        A `tf.data.Dataset` of float32 tensors of shape `(batch_size, 2)`.

    Reference:
        Eghbal-zadeh & Widmer, 2017, "Probabilistic Generative Adversarial
        Networks", https://arxiv.org/abs/1708.01886
    """
    samples = sample_rotated_gaussians(
        num_samples, n_components, std_major, std_minor, seed=seed
    )
    return _pipeline(samples, batch_size, shuffle, seed)
