"""The Probabilistic GAN's networks (Eghbal-zadeh & Widmer 2017): its MNIST
generator and encoder at any resolution divisible by 4, and the
Gaussian-mixture head that turns an encoder into PGAN's discriminator.

Reference:
    Eghbal-zadeh & Widmer, "Probabilistic Generative Adversarial Networks",
    2017, https://arxiv.org/abs/1708.01886
"""

import keras

from gan_zoo.arguments import check_positive_int
from gan_zoo.layers import GMMLikelihood
from gan_zoo.models.architectures.mlp import check_hidden_units

_OUTPUT_ACTIVATIONS = ("tanh", "sigmoid")


def _start_size(image_size):
    check_positive_int("image_size", image_size)
    if image_size % 4:
        raise ValueError(
            "PGAN's networks halve the image twice: `image_size` must be "
            f"divisible by 4 (e.g. 28, 32, 64). Received: image_size={image_size!r}"
        )
    return image_size // 4


def _normalized(x, units_layer, name):
    """`units_layer -> BatchNorm -> LeakyReLU(0.2)`."""
    x = units_layer(x)
    x = keras.layers.BatchNormalization(name=f"{name}_bn")(x)
    return keras.layers.LeakyReLU(0.2, name=f"{name}_lrelu")(x)


def pgan_generator(
    image_size=28,
    channels=1,
    latent_dim=100,
    output_activation="tanh",
    dense_units=1024,
    name="generator",
):
    """PGAN's MNIST generator, at `image_size = 4 s`.

    `z -> Dense(dense_units) -> Dense(s*s*128) -> (s, s, 128) -> Deconv(64, 4x4, s2)
    -> Deconv(channels, 4x4, s2) -> output_activation`, each hidden layer
    with batch norm and LeakyReLU(0.2) (s = 7 for MNIST). The paper's output
    is a sigmoid for pixels in [0, 1]; the default tanh matches the
    `gan_zoo.datasets` loaders' [-1, 1].

    Args:
        image_size: int divisible by 4. Defaults to `28`.
        channels: int. Defaults to `1`.
        latent_dim: int. Defaults to `100`.
        output_activation: `"tanh"` or `"sigmoid"`. Defaults to `"tanh"`.
        dense_units: int, width of the first dense layer (the paper's
            1024; at 28x28 the paper's pair holds 13.2M parameters, most
            of them in the two dense layers next to the convolutions).
            Defaults to `1024`.
        name: str. Defaults to `"generator"`.

    Returns:
        A functional `keras.Model` from `(batch, latent_dim)` to
        `(batch, image_size, image_size, channels)`.

    >>> pgan_generator(32, 3, latent_dim=8).output_shape
    (None, 32, 32, 3)
    """
    start = _start_size(image_size)
    check_positive_int("channels", channels)
    check_positive_int("latent_dim", latent_dim)
    check_positive_int("dense_units", dense_units)
    if output_activation not in _OUTPUT_ACTIVATIONS:
        raise ValueError(
            f"`output_activation` must be one of {_OUTPUT_ACTIVATIONS}. "
            f"Received: output_activation={output_activation!r}"
        )
    z = keras.Input((latent_dim,), name="z")
    x = _normalized(
        z, keras.layers.Dense(dense_units, use_bias=False, name="dense_0"), "dense_0"
    )
    x = _normalized(
        x, keras.layers.Dense(start * start * 128, use_bias=False, name="dense_1"), "dense_1"
    )
    x = keras.layers.Reshape((start, start, 128), name="reshape")(x)
    deconv = keras.layers.Conv2DTranspose(
        64, 4, strides=2, padding="same", use_bias=False, name="deconv_0"
    )
    x = _normalized(x, deconv, "deconv_0")
    x = keras.layers.Conv2DTranspose(channels, 4, strides=2, padding="same", name="deconv_1")(x)
    x = keras.layers.Activation(output_activation, name="output")(x)
    return keras.Model(z, x, name=name)


def pgan_encoder(image_size=28, channels=1, bottleneck=1, dense_units=1024, name="encoder"):
    """PGAN's MNIST encoder: an image to a `bottleneck`-dimensional embedding.

    `x -> Conv(64, 4x4, s2) -> Conv(128, 4x4, s2) -> Dense(dense_units)
    -> Dense(bottleneck)`, each layer followed by batch norm and
    LeakyReLU(0.2), the bottleneck's included (the paper's "LReLU, BN"):
    normalised embeddings give the mixture's variance floor a fixed scale
    (see `PGAN`).

    Args:
        image_size: int divisible by 4. Defaults to `28`.
        channels: int. Defaults to `1`.
        bottleneck: int, the embedding's dimension (the paper's is 1).
            Defaults to `1`.
        dense_units: int, width of the hidden dense layer (the paper's
            1024). Defaults to `1024`.
        name: str. Defaults to `"encoder"`.

    Returns:
        A functional `keras.Model` from images to `(batch, bottleneck)`.

    >>> pgan_encoder(28).output_shape
    (None, 1)
    """
    _start_size(image_size)
    check_positive_int("channels", channels)
    check_positive_int("bottleneck", bottleneck)
    check_positive_int("dense_units", dense_units)
    x = inputs = keras.Input((image_size, image_size, channels), name="image")
    for i, filters in enumerate((64, 128)):
        conv = keras.layers.Conv2D(
            filters, 4, strides=2, padding="same", use_bias=False, name=f"conv_{i}"
        )
        x = _normalized(x, conv, f"conv_{i}")
    x = keras.layers.Flatten(name="flatten")(x)
    x = _normalized(x, keras.layers.Dense(dense_units, use_bias=False, name="dense"), "dense")
    x = _normalized(
        x, keras.layers.Dense(bottleneck, use_bias=False, name="bottleneck"), "bottleneck"
    )
    return keras.Model(inputs, x, name=name)


def pgan_mlp_encoder(data_dim=2, hidden_units=(128, 128), bottleneck=2, name="encoder"):
    """PGAN's encoder for low-dimensional (toy) data.

    `x -> [Dense -> LeakyReLU(0.2)] * k -> Dense(bottleneck) -> BatchNorm
    -> LeakyReLU(0.2)`: the MNIST encoder's batch-normalised bottleneck
    after an MLP. The toys take a 2-D bottleneck, not the paper's 1-D one:
    on the ring of 8 Gaussians with 5 encoder steps per generator step,
    1-D kept 1-2 modes (jax, seeds 0-1) and 2-D 4-6 (`RING_BARS` in
    tests/training_test.py).

    Args:
        data_dim: int, dimension of the input points. Defaults to `2`.
        hidden_units: tuple of ints, the hidden layers' widths.
        bottleneck: int, the embedding's dimension. Defaults to `2`.
        name: str. Defaults to `"encoder"`.

    Returns:
        A functional `keras.Model` from `(batch, data_dim)` to
        `(batch, bottleneck)`.

    >>> pgan_mlp_encoder().output_shape
    (None, 2)
    """
    check_positive_int("data_dim", data_dim)
    check_positive_int("bottleneck", bottleneck)
    units = check_hidden_units(hidden_units)
    x = inputs = keras.Input((data_dim,), name="x")
    for i, u in enumerate(units):
        x = keras.layers.Dense(u, name=f"dense_{i}")(x)
        x = keras.layers.LeakyReLU(0.2, name=f"dense_{i}_lrelu")(x)
    x = _normalized(
        x, keras.layers.Dense(bottleneck, use_bias=False, name="bottleneck"), "bottleneck"
    )
    return keras.Model(inputs, x, name=name)


def gmm_discriminator(
    encoder, num_components=1, covariance="diag", variance_floor=0.1, name="discriminator"
):
    """PGAN's discriminator: `encoder` followed by a `GMMLikelihood`.

    The likelihood is computed in float32 under any dtype policy, so that it
    stays in [0, 1] and the least-squares losses are exact.

    Args:
        encoder: a `keras.Model` from samples to `(batch, D)` embeddings
            of about unit scale, e.g. `pgan_encoder(...)` (batch norm last).
        num_components: `K`, the mixture's components (the paper's is 1).
        covariance: `"diag"` or `"spherical"`.
        variance_floor: the smallest variance a fit sets, on the scale of
            the embeddings. Defaults to `0.1`, which keeps the likelihood of
            generated samples, and so G's gradient, from vanishing (see
            `gan_zoo.models.PGAN`).
        name: str. Defaults to `"discriminator"`.

    Returns:
        A functional `keras.Model` from samples to `(batch, 1)` likelihoods.

    >>> gmm_discriminator(pgan_encoder(28)).output_shape
    (None, 1)
    """
    if not isinstance(encoder, keras.Model) or len(encoder.outputs or []) != 1:
        raise ValueError(
            "`encoder` must be a keras.Model with one output, the embeddings "
            f"(batch, D). Received: encoder={encoder!r}"
        )
    inputs = keras.Input(encoder.inputs[0].shape[1:], name="x")
    likelihood = GMMLikelihood(
        num_components,
        covariance=covariance,
        variance_floor=variance_floor,
        dtype="float32",
        name="likelihood",
    )(encoder(inputs))
    return keras.Model(inputs, likelihood, name=name)
