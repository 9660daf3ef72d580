"""The Improved-GAN switches that the builders share (Salimans et al. 2016):
minibatch discrimination before D's output, virtual batch norm in G."""

import keras
import numpy as np

from gan_zoo.arguments import check_positive_int
from gan_zoo.layers import MinibatchDiscrimination
from gan_zoo.layers import ReferenceBatch


def _check_non_negative_int(argument, value):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise ValueError(
            f"`{argument}` must be a non-negative integer (0 for off). "
            f"Received: {argument}={value!r}"
        )


def check_minibatch(minibatch_kernels, minibatch_kernel_dim):
    """Checks the minibatch-discrimination switches of a discriminator."""
    _check_non_negative_int("minibatch_kernels", minibatch_kernels)
    check_positive_int("minibatch_kernel_dim", minibatch_kernel_dim)


def minibatch_discrimination(x, minibatch_kernels, minibatch_kernel_dim):
    """`x` through `MinibatchDiscrimination` if `minibatch_kernels > 0`."""
    if minibatch_kernels == 0:
        return x
    return MinibatchDiscrimination(
        num_kernels=int(minibatch_kernels),
        kernel_dim=int(minibatch_kernel_dim),
        name="minibatch_discrimination",
    )(x)


def check_batch_norm(batch_norm, reference_size, seed):
    """`batch_norm` as `True`, `False` or `"virtual"`, raising otherwise.

    Also checks `reference_size` and `seed`, the arguments of `"virtual"`.
    """
    if isinstance(batch_norm, str) and batch_norm == "virtual":
        normalized = "virtual"
    elif isinstance(batch_norm, (bool, np.bool_)):
        normalized = bool(batch_norm)
    else:
        raise ValueError(
            '`batch_norm` must be True, False or "virtual". '
            f"Received: batch_norm={batch_norm!r}"
        )
    check_positive_int("reference_size", reference_size)
    if seed is not None and (
        isinstance(seed, bool) or not isinstance(seed, (int, np.integer))
    ):
        raise ValueError(
            f"`seed` must be an integer or None. Received: seed={seed!r}"
        )
    return normalized


def with_reference_batch(body, latent_dim, reference_size, seed, name):
    """Wraps a generator with VBN layers so that they get a reference batch.

    `z -> ReferenceBatch(body)`, whose stored reference noise (a weight)
    is prepended to every batch on its way through `body`.
    """
    z = keras.Input((latent_dim,), name="z")
    y = ReferenceBatch(
        body, reference_size=int(reference_size), seed=seed, name="reference_batch"
    )(z)
    return keras.Model(z, y, name=name)
