"""Multilayer-perceptron generator and discriminator for low-dimensional data.

Used for the 2-D toy experiments (mixtures of Gaussians), where G maps
noise `z` to a point `x` in R^data_dim and D maps a point to one raw
output (a logit, an energy or a critic value, as the method reads it).
"""

import keras

from gan_zoo.arguments import check_positive_int


def _check_hidden_units(hidden_units):
    units = tuple(hidden_units) if isinstance(hidden_units, (list, tuple)) else None
    if units is None or not all(
        isinstance(u, int) and not isinstance(u, bool) and u > 0 for u in units
    ):
        raise ValueError(
            "`hidden_units` must be a list or tuple of positive integers. "
            f"Received: hidden_units={hidden_units!r}"
        )
    return units


def _check_activation(activation):
    try:
        keras.activations.get(activation)
    except (ValueError, TypeError):
        raise ValueError(
            "`activation` must name a Keras activation. Received: "
            f"activation={activation!r}"
        ) from None


def mlp_generator(
    data_dim=2,
    latent_dim=16,
    hidden_units=(128, 128, 128),
    activation="relu",
    batch_norm=False,
    name="generator",
):
    """MLP generator: `z -> [Dense -> (BN) -> activation] * k -> Dense(data_dim)`.

    The output layer is linear, so G can place points anywhere in
    R^data_dim. Dense layers followed by batch norm have no bias.

    Args:
        data_dim: int, dimension of the generated points. Defaults to `2`.
        latent_dim: int, dimension of `z`. Defaults to `16`.
        hidden_units: tuple of ints, the width of each hidden layer.
            Defaults to `(128, 128, 128)`.
        activation: name of a Keras activation for the hidden layers.
            Defaults to `"relu"`.
        batch_norm: bool, batch norm before each hidden activation.
            Defaults to `False`.
        name: str, name of the model. Defaults to `"generator"`.

    Returns:
        A functional `keras.Model` mapping `(batch, latent_dim)` to
        `(batch, data_dim)`.

    Example:

    >>> mlp_generator(data_dim=2, latent_dim=4).output_shape
    (None, 2)
    """
    check_positive_int("data_dim", data_dim)
    check_positive_int("latent_dim", latent_dim)
    units = _check_hidden_units(hidden_units)
    _check_activation(activation)

    x = z = keras.Input((latent_dim,), name="z")
    for i, width in enumerate(units):
        x = keras.layers.Dense(width, use_bias=not batch_norm, name=f"dense_{i}")(x)
        if batch_norm:
            x = keras.layers.BatchNormalization(name=f"dense_{i}_bn")(x)
        x = keras.layers.Activation(activation, name=f"dense_{i}_activation")(x)
    x = keras.layers.Dense(data_dim, name="output")(x)
    return keras.Model(z, x, name=name)


def mlp_discriminator(
    data_dim=2,
    hidden_units=(128, 128, 128),
    activation="leaky_relu",
    name="discriminator",
):
    """MLP discriminator: `x -> [Dense -> activation] * k -> Dense(1)`.

    The output is raw (no sigmoid). `"leaky_relu"` is Keras's
    `leaky_relu` with negative slope 0.2.

    Args:
        data_dim: int, dimension of the input points. Defaults to `2`.
        hidden_units: tuple of ints, the width of each hidden layer.
            Defaults to `(128, 128, 128)`.
        activation: name of a Keras activation for the hidden layers.
            Defaults to `"leaky_relu"`.
        name: str, name of the model. Defaults to `"discriminator"`.

    Returns:
        A functional `keras.Model` mapping `(batch, data_dim)` to
        `(batch, 1)`.

    Example:

    >>> mlp_discriminator(data_dim=2).output_shape
    (None, 1)
    """
    check_positive_int("data_dim", data_dim)
    units = _check_hidden_units(hidden_units)
    _check_activation(activation)

    x = inputs = keras.Input((data_dim,), name="x")
    for i, width in enumerate(units):
        x = keras.layers.Dense(width, activation=activation, name=f"dense_{i}")(x)
    x = keras.layers.Dense(1, name="output")(x)
    return keras.Model(inputs, x, name=name)
