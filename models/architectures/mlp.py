"""Multilayer-perceptron generator and discriminator for low-dimensional data.

Used for the 2-D toy experiments (mixtures of Gaussians), where G maps
noise `z` to a point `x` in R^data_dim and D maps a point to one raw
output (a logit, an energy or a critic value, as the method reads it).
With the Improved-GAN switches (Salimans et al. 2016, see below) they are
also the permutation-invariant MNIST networks of that paper.

Reference:
    Salimans et al., "Improved Techniques for Training GANs", 2016,
    https://arxiv.org/abs/1606.03498
"""

import keras
import numpy as np

from gan_zoo.arguments import check_positive_int
from gan_zoo.layers import VirtualBatchNorm
from gan_zoo.models.architectures.switches import check_batch_norm
from gan_zoo.models.architectures.switches import check_minibatch
from gan_zoo.models.architectures.switches import minibatch_discrimination
from gan_zoo.models.architectures.switches import with_reference_batch


def check_hidden_units(hidden_units):
    units = tuple(hidden_units) if isinstance(hidden_units, (list, tuple)) else None
    if units is None or not all(
        isinstance(u, int) and not isinstance(u, bool) and u > 0 for u in units
    ):
        raise ValueError(
            "`hidden_units` must be a list or tuple of positive integers. "
            f"Received: hidden_units={hidden_units!r}"
        )
    return units


def _check_activation(activation, argument="activation"):
    try:
        keras.activations.get(activation)
    except (ValueError, TypeError):
        raise ValueError(
            f"`{argument}` must name a Keras activation. Received: "
            f"{argument}={activation!r}"
        ) from None


def _check_stddev(argument, value):
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float, np.integer, np.floating))
        or not value >= 0  # also rejects NaN
        or not np.isfinite(value)
    ):
        raise ValueError(
            f"`{argument}` must be a finite number >= 0 (0 for no noise). "
            f"Received: {argument}={value!r}"
        )


def mlp_generator(
    data_dim=2,
    latent_dim=16,
    hidden_units=(128, 128, 128),
    activation="relu",
    batch_norm=False,
    output_activation=None,
    reference_size=64,
    seed=None,
    name="generator",
):
    """MLP generator: `z -> [Dense -> (BN) -> activation] * k -> Dense(data_dim)`.

    The output layer is linear by default (`output_activation=None`), so G
    can place points anywhere in R^data_dim. Dense layers followed by batch
    norm (or virtual batch norm) have no bias.

    With `batch_norm="virtual"`, virtual batch norm (Salimans et al. 2016,
    section 3.5) replaces batch norm: the network above is built as
    `f"{name}_body"` with `VirtualBatchNorm` layers and wrapped in
    `gan_zoo.layers.ReferenceBatch`, which keeps a fixed batch of
    `reference_size` noise vectors (a weight, saved with the model) and
    runs it through the network with every batch. Each sample then depends
    on itself and the reference batch only, in training as in inference.

    Args:
        data_dim: int, dimension of the generated points. Defaults to `2`.
        latent_dim: int, dimension of `z`. Defaults to `16`.
        hidden_units: tuple of ints, the width of each hidden layer.
            Defaults to `(128, 128, 128)`.
        activation: name of a Keras activation for the hidden layers.
            Defaults to `"relu"`.
        batch_norm: `False`, `True` (batch norm before each hidden
            activation) or `"virtual"` (virtual batch norm there, Salimans
            et al. 2016). Defaults to `False`.
        output_activation: `None` for a linear output, or the name of a
            Keras activation, e.g. `"tanh"` for data in [-1, 1].
            Defaults to `None`.
        reference_size: int, size of the reference batch when
            `batch_norm="virtual"`. Defaults to `64`.
        seed: int or `None`, seed of the reference noise when
            `batch_norm="virtual"`. Defaults to `None`.
        name: str, name of the model. Defaults to `"generator"`.

    Returns:
        A functional `keras.Model` mapping `(batch, latent_dim)` to
        `(batch, data_dim)`. With `batch_norm="virtual"` its layers are
        the input `"z"` and the `ReferenceBatch` `"reference_batch"`, whose
        `.layer` is the network.

    Example:

    >>> mlp_generator(data_dim=2, latent_dim=4).output_shape
    (None, 2)
    >>> mlp_generator(latent_dim=4, batch_norm="virtual", reference_size=8).output_shape
    (None, 2)
    """
    check_positive_int("data_dim", data_dim)
    check_positive_int("latent_dim", latent_dim)
    units = check_hidden_units(hidden_units)
    _check_activation(activation)
    _check_activation(output_activation, "output_activation")
    batch_norm = check_batch_norm(batch_norm, reference_size, seed)

    x = z = keras.Input((latent_dim,), name="z")
    for i, width in enumerate(units):
        x = keras.layers.Dense(width, use_bias=not batch_norm, name=f"dense_{i}")(x)
        if batch_norm == "virtual":
            x = VirtualBatchNorm(int(reference_size), name=f"dense_{i}_bn")(x)
        elif batch_norm:
            x = keras.layers.BatchNormalization(name=f"dense_{i}_bn")(x)
        x = keras.layers.Activation(activation, name=f"dense_{i}_activation")(x)
    x = keras.layers.Dense(data_dim, activation=output_activation, name="output")(x)
    if batch_norm != "virtual":
        return keras.Model(z, x, name=name)
    body = keras.Model(z, x, name=f"{name}_body")
    return with_reference_batch(body, latent_dim, reference_size, seed, name)


def mlp_discriminator(
    data_dim=2,
    hidden_units=(128, 128, 128),
    activation="leaky_relu",
    output_units=1,
    minibatch_kernels=0,
    minibatch_kernel_dim=5,
    input_noise=0.0,
    hidden_noise=0.0,
    name="discriminator",
):
    """MLP discriminator: `x -> [Dense -> activation] * k -> Dense(output_units)`.

    The output is raw (no sigmoid). `"leaky_relu"` is Keras's
    `leaky_relu` with negative slope 0.2. The Improved-GAN techniques
    (Salimans et al. 2016) are switches, all off by default:
    ```
    x -> [GaussianNoise] -> [Dense -> activation -> [GaussianNoise]] * k
      -> [MinibatchDiscrimination] -> Dense(output_units)
    ```
    The noise layers (`"input_noise"`, `f"dense_{i}_noise"`) act in
    training only. The last hidden `Dense` stays the last layer before the
    output that is neither noise nor minibatch discrimination, so feature
    matching finds it.

    Args:
        data_dim: int, dimension of the input points. Defaults to `2`.
        hidden_units: tuple of ints, the width of each hidden layer.
            Defaults to `(128, 128, 128)`.
        activation: name of a Keras activation for the hidden layers.
            Defaults to `"leaky_relu"`.
        output_units: int, units of the output layer, e.g. K class logits
            for the semi-supervised GAN (Salimans et al. 2016, section 5).
            Defaults to `1`.
        minibatch_kernels: int, kernels of a `MinibatchDiscrimination`
            layer before the output layer (Salimans et al. 2016, section
            3.2); `0` for none. Defaults to `0`.
        minibatch_kernel_dim: int, dimension of each minibatch kernel.
            Defaults to `5`.
        input_noise: float, standard deviation of Gaussian noise added to
            the input in training (the paper's MNIST D: `0.3`); `0` for
            none. Defaults to `0.0`.
        hidden_noise: float, standard deviation of Gaussian noise added
            after each hidden activation in training (the paper's MNIST D:
            `0.5`); `0` for none. Defaults to `0.0`.
        name: str, name of the model. Defaults to `"discriminator"`.

    Returns:
        A functional `keras.Model` mapping `(batch, data_dim)` to
        `(batch, output_units)`.

    Example:

    >>> mlp_discriminator(data_dim=2).output_shape
    (None, 1)
    >>> mlp_discriminator(data_dim=2, output_units=10, minibatch_kernels=4).output_shape
    (None, 10)
    """
    check_positive_int("data_dim", data_dim)
    units = check_hidden_units(hidden_units)
    _check_activation(activation)
    check_positive_int("output_units", output_units)
    check_minibatch(minibatch_kernels, minibatch_kernel_dim)
    _check_stddev("input_noise", input_noise)
    _check_stddev("hidden_noise", hidden_noise)

    x = inputs = keras.Input((data_dim,), name="x")
    if input_noise > 0:
        x = keras.layers.GaussianNoise(float(input_noise), name="input_noise")(x)
    for i, width in enumerate(units):
        x = keras.layers.Dense(width, activation=activation, name=f"dense_{i}")(x)
        if hidden_noise > 0:
            x = keras.layers.GaussianNoise(
                float(hidden_noise), name=f"dense_{i}_noise"
            )(x)
    x = minibatch_discrimination(x, minibatch_kernels, minibatch_kernel_dim)
    x = keras.layers.Dense(int(output_units), name="output")(x)
    return keras.Model(inputs, x, name=name)
