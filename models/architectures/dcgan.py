"""DCGAN generator and discriminator builders.

Reference:
    Radford, Metz and Chintala, 2015. "Unsupervised Representation Learning
    with Deep Convolutional Generative Adversarial Networks".
    https://arxiv.org/abs/1511.06434

The paper's guidelines (its Section 3) are followed by default: strided
convolutions instead of pooling in both networks, batch norm in both except
G's output layer and D's input layer, dense layers only at G's input and D's
output, ReLU in G with a tanh output, LeakyReLU(0.2) in D, and all weights
drawn from N(0, 0.02). Each guideline the Softmax GAN paper (Lin 2017)
removes is a switch: `batch_norm`, `constant_filters`, D's `activation`
and G's `output_activation`.

Choices made here: D ends in `Dense(1)` on the flattened features (the
paper's D is all-convolutional up to one sigmoid unit) and returns the raw
logit, since the losses are computed from logits; batch norm uses
`momentum=0.9, epsilon=1e-5`, the values of the reference implementations.

Improved-GAN switches (Salimans et al. 2016, https://arxiv.org/abs/1606.03498),
all off by default: virtual batch norm in G (`batch_norm="virtual"`),
minibatch discrimination before D's output layer (`minibatch_kernels`) and
K class logits for the semi-supervised GAN (`output_units`).
"""

import keras

from gan_zoo.arguments import check_positive_int
from gan_zoo.layers import VirtualBatchNorm
from gan_zoo.models.architectures.switches import check_batch_norm
from gan_zoo.models.architectures.switches import check_minibatch
from gan_zoo.models.architectures.switches import minibatch_discrimination
from gan_zoo.models.architectures.switches import with_reference_batch

_ACTIVATIONS = {
    "leaky_relu": lambda name: keras.layers.LeakyReLU(0.2, name=name),
    "relu": lambda name: keras.layers.ReLU(name=name),
}
_OUTPUT_ACTIVATIONS = ("tanh", "sigmoid")


def _kernel_init():
    return keras.initializers.RandomNormal(mean=0.0, stddev=0.02)


def _batch_norm(name, reference_size=None):
    """Batch norm, or virtual batch norm if `reference_size` is given.

    Both take the same epsilon and gamma initializer.
    """
    if reference_size is not None:
        return VirtualBatchNorm(
            reference_size,
            epsilon=1e-5,
            gamma_initializer=keras.initializers.RandomNormal(1.0, 0.02),
            name=name,
        )
    return keras.layers.BatchNormalization(
        momentum=0.9,
        epsilon=1e-5,
        gamma_initializer=keras.initializers.RandomNormal(1.0, 0.02),
        name=name,
    )


def _check_kernel_size(kernel_size):
    if isinstance(kernel_size, bool) or kernel_size not in (4, 5):
        raise ValueError(
            "`kernel_size` must be 4 or 5. Received: "
            f"kernel_size={kernel_size!r}"
        )


def dcgan_sizes(image_size):
    """Start size and number of 2x up/down-samplings for an image size.

    `image_size` is halved while the half is an integer >= 4, so that
    28 -> (7, 2), 32 -> (4, 3), 64 -> (4, 4), 16 -> (4, 2), 8 -> (4, 1).

    Args:
        image_size: int, the height (= width) of the images.

    Returns:
        A tuple `(start_size, num_upsamplings)`.

    Raises:
        ValueError: if `image_size` cannot be halved at least once to an
            integer >= 4 (it is odd or smaller than 8).
    """
    check_positive_int("image_size", image_size)
    size, num = image_size, 0
    while size % 2 == 0 and size // 2 >= 4:
        size, num = size // 2, num + 1
    if num == 0:
        raise ValueError(
            "`image_size` must halve at least once to an integer >= 4 "
            "(an even number >= 8, e.g. 8, 28, 32, 64). Received: "
            f"image_size={image_size!r}"
        )
    return size, num


def dcgan_generator(
    image_size=28,
    channels=1,
    latent_dim=100,
    base_filters=64,
    batch_norm=True,
    constant_filters=False,
    output_activation="tanh",
    kernel_size=4,
    reference_size=64,
    seed=None,
    name="generator",
):
    """DCGAN generator: noise `z` to an image.

    `z -> Dense(s*s*F) -> BN -> ReLU -> reshape (s, s, F)`, then
    `n - 1` blocks `Conv2DTranspose(stride 2) -> BN -> ReLU` halving the
    filters, then `Conv2DTranspose(channels, stride 2) -> output_activation`
    (no batch norm on the output layer). `s` and `n` come from
    `dcgan_sizes(image_size)`, and `F = base_filters * 2**(n - 1)`, so the
    last hidden block has `base_filters` filters. With `base_filters=128`
    and `image_size=64` this is the paper's LSUN generator (1024 filters
    at 4x4). Layers followed by batch norm have no bias.

    With `batch_norm="virtual"`, virtual batch norm (Salimans et al. 2016,
    section 3.5) replaces every batch norm: the network above is built as
    `f"{name}_body"` with `VirtualBatchNorm` layers and wrapped in
    `gan_zoo.layers.ReferenceBatch`, which keeps a fixed batch of
    `reference_size` noise vectors (a weight, saved with the model) and
    runs it through the network with every batch. Each image then depends
    on its own `z` and the reference batch only, in training as in
    inference.

    Args:
        image_size: int, height and width of the output (see
            `dcgan_sizes`). Defaults to `28`.
        channels: int, channels of the output image. Defaults to `1`.
        latent_dim: int, dimension of `z`. Defaults to `100`.
        base_filters: int, filters of the last hidden block.
            Defaults to `64`.
        batch_norm: `True` (batch norm after every hidden layer), `False`,
            or `"virtual"` (virtual batch norm there, Salimans et al. 2016).
            Defaults to `True`.
        constant_filters: bool, `base_filters` filters in every hidden
            layer instead of halving. Defaults to `False`.
        output_activation: `"tanh"` for data in [-1, 1] (the paper) or
            `"sigmoid"` for data in [0, 1]. Defaults to `"tanh"`.
        kernel_size: 4 or 5 (the paper's code uses 5). Defaults to `4`.
        reference_size: int, size of the reference batch when
            `batch_norm="virtual"`. Defaults to `64`.
        seed: int or `None`, seed of the reference noise when
            `batch_norm="virtual"`. Defaults to `None`.
        name: str, name of the model. Defaults to `"generator"`.

    Returns:
        A functional `keras.Model` mapping `(batch, latent_dim)` to
        `(batch, image_size, image_size, channels)`. With
        `batch_norm="virtual"` its layers are the input `"z"` and the
        `ReferenceBatch` `"reference_batch"`, whose `.layer` is the network.

    Example:

    >>> g = dcgan_generator(image_size=32, channels=3, base_filters=8)
    >>> g.output_shape
    (None, 32, 32, 3)
    """
    start, num_up = dcgan_sizes(image_size)
    check_positive_int("channels", channels)
    check_positive_int("latent_dim", latent_dim)
    check_positive_int("base_filters", base_filters)
    _check_kernel_size(kernel_size)
    if output_activation not in _OUTPUT_ACTIVATIONS:
        raise ValueError(
            f"`output_activation` must be one of {_OUTPUT_ACTIVATIONS}. "
            f"Received: output_activation={output_activation!r}"
        )
    batch_norm = check_batch_norm(batch_norm, reference_size, seed)
    vbn_size = int(reference_size) if batch_norm == "virtual" else None

    def filters(i):  # hidden layer i = 0 (the dense) .. num_up - 1
        return base_filters * (1 if constant_filters else 2 ** (num_up - 1 - i))

    z = keras.Input((latent_dim,), name="z")
    x = keras.layers.Dense(
        start * start * filters(0),
        use_bias=not batch_norm,
        kernel_initializer=_kernel_init(),
        name="dense",
    )(z)
    if batch_norm:
        x = _batch_norm("dense_bn", vbn_size)(x)
    x = keras.layers.ReLU(name="dense_relu")(x)
    x = keras.layers.Reshape((start, start, filters(0)), name="reshape")(x)
    for i in range(1, num_up):
        x = keras.layers.Conv2DTranspose(
            filters(i),
            kernel_size,
            strides=2,
            padding="same",
            use_bias=not batch_norm,
            kernel_initializer=_kernel_init(),
            name=f"deconv_{i}",
        )(x)
        if batch_norm:
            x = _batch_norm(f"deconv_{i}_bn", vbn_size)(x)
        x = keras.layers.ReLU(name=f"deconv_{i}_relu")(x)
    x = keras.layers.Conv2DTranspose(
        channels,
        kernel_size,
        strides=2,
        padding="same",
        kernel_initializer=_kernel_init(),
        name="output_deconv",
    )(x)
    x = keras.layers.Activation(output_activation, name="output")(x)
    if batch_norm != "virtual":
        return keras.Model(z, x, name=name)
    body = keras.Model(z, x, name=f"{name}_body")
    return with_reference_batch(body, latent_dim, reference_size, seed, name)


def dcgan_discriminator(
    image_size=28,
    channels=1,
    base_filters=64,
    batch_norm=True,
    constant_filters=False,
    activation="leaky_relu",
    kernel_size=4,
    output_units=1,
    minibatch_kernels=0,
    minibatch_kernel_dim=5,
    name="discriminator",
):
    """DCGAN discriminator: an image to one raw logit (or `output_units`).

    The mirror of `dcgan_generator`: `n` blocks
    `Conv2D(stride 2) -> [BN] -> activation` with `base_filters * 2**i`
    filters in block `i = 0 .. n - 1` (doubling), no batch norm in block 0
    (the input layer), then `Flatten -> Dense(output_units)`. `n` comes
    from `dcgan_sizes(image_size)`. No sigmoid: the output is a logit `l`
    with `D(x) = sigmoid(l)`. With `minibatch_kernels > 0`, a
    `MinibatchDiscrimination` layer (`"minibatch_discrimination"`, Salimans
    et al. 2016) goes between `Flatten` and the output layer, so `Flatten`
    stays the last hidden layer for feature matching.

    Args:
        image_size: int, height and width of the input (see
            `dcgan_sizes`). Defaults to `28`.
        channels: int, channels of the input image. Defaults to `1`.
        base_filters: int, filters of the first block. Defaults to `64`.
        batch_norm: bool, batch norm in every block but the first.
            Defaults to `True`.
        constant_filters: bool, `base_filters` filters in every block
            instead of doubling. Defaults to `False`.
        activation: `"leaky_relu"` (slope 0.2, the paper) or `"relu"`.
            Defaults to `"leaky_relu"`.
        kernel_size: 4 or 5 (the paper's code uses 5). Defaults to `4`.
        output_units: int, units of the output layer, e.g. K class logits
            for the semi-supervised GAN (Salimans et al. 2016, section 5).
            Defaults to `1`.
        minibatch_kernels: int, kernels of a `MinibatchDiscrimination`
            layer before the output layer (Salimans et al. 2016, section
            3.2); `0` for none. Defaults to `0`.
        minibatch_kernel_dim: int, dimension of each minibatch kernel.
            Defaults to `5`.
        name: str, name of the model. Defaults to `"discriminator"`.

    Returns:
        A functional `keras.Model` mapping
        `(batch, image_size, image_size, channels)` to
        `(batch, output_units)` logits.

    Example:

    >>> d = dcgan_discriminator(image_size=28, base_filters=8)
    >>> d.output_shape
    (None, 1)
    """
    _, num_down = dcgan_sizes(image_size)
    check_positive_int("channels", channels)
    check_positive_int("base_filters", base_filters)
    _check_kernel_size(kernel_size)
    if activation not in _ACTIVATIONS:
        raise ValueError(
            f"`activation` must be one of {tuple(_ACTIVATIONS)}. "
            f"Received: activation={activation!r}"
        )
    check_positive_int("output_units", output_units)
    check_minibatch(minibatch_kernels, minibatch_kernel_dim)

    x = inputs = keras.Input((image_size, image_size, channels), name="image")
    for i in range(num_down):
        use_bn = batch_norm and i > 0
        x = keras.layers.Conv2D(
            base_filters * (1 if constant_filters else 2**i),
            kernel_size,
            strides=2,
            padding="same",
            use_bias=not use_bn,
            kernel_initializer=_kernel_init(),
            name=f"conv_{i}",
        )(x)
        if use_bn:
            x = _batch_norm(f"conv_{i}_bn")(x)
        x = _ACTIVATIONS[activation](f"conv_{i}_{activation}")(x)
    x = keras.layers.Flatten(name="flatten")(x)
    x = minibatch_discrimination(x, minibatch_kernels, minibatch_kernel_dim)
    x = keras.layers.Dense(
        int(output_units), kernel_initializer=_kernel_init(), name="logit"
    )(x)
    return keras.Model(inputs, x, name=name)
