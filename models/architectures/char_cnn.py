"""The character-level 1-D CNN text generator and critic.

The language model of Gulrajani et al. 2017 (section 5.3,
https://arxiv.org/abs/1704.00028), also the text experiment of FOGAN
(Seward et al. 2018, https://arxiv.org/abs/1802.04591):
```
G: z (128) -> Dense(L * W) -> reshape (L, W) -> k residual blocks
   -> Conv1D(V, 1) -> softmax over the V characters
C: text (L, V) -> Conv1D(W, 1) -> k residual blocks -> flatten -> Dense(1)
block(x) = x + 0.3 * Conv1D(W, 5)(ReLU(Conv1D(W, 5)(ReLU(x))))
```
with L = 32 characters, W = 512 channels, k = 5 blocks. FOGAN adds batch
norm to the generator's blocks (`batch_norm=True`, before each ReLU); the
critic never has it (the gradient penalties are per sample).
"""

import keras
import ml_dtypes
import numpy as np

from gan_zoo.arguments import check_positive_int
from gan_zoo.charmap import SEQUENCE_LENGTH
from gan_zoo.charmap import Charmap

RESIDUAL_SCALE = 0.3


def _rounded(value, dtype):
    """`value` rounded to the float `dtype` (a Keras dtype name), as a Python float."""
    np_dtype = ml_dtypes.bfloat16 if dtype == "bfloat16" else dtype
    return float(np.asarray(value, dtype=np_dtype))


@keras.saving.register_keras_serializable(package="gan_zoo")
class ScaledAdd(keras.layers.Layer):
    """`x + scale * r`: the end of a residual block, in one layer call.

    Computes what `Add()([x, Rescaling(scale)(r)])` computes: `r` times the
    scale rounded to the compute dtype (as `Rescaling` casts it), then added
    to `x` (`Rescaling`'s `+ 0.0` aside, which changes at most the sign of a
    zero). One layer call instead of two, and no `Rescaling`, whose call in
    eager torch costs several times its arithmetic (a data layer: pipeline
    checks, and its scale and offset made tensors at every call).

    Args:
        scale: the factor of `r`.
    """

    def __init__(self, scale, **kwargs):
        super().__init__(**kwargs)
        self.scale = float(scale)
        # A Python float, exact in the compute dtype: torch multiplies a
        # float16/bfloat16 tensor by a Python scalar in float32 without
        # rounding the scalar first. Computed here, outside any traced call.
        self._rounded_scale = _rounded(self.scale, self.compute_dtype)

    def call(self, x, r):
        return keras.ops.add(x, keras.ops.multiply(r, self._rounded_scale))

    def compute_output_shape(self, x_shape, r_shape):
        return x_shape

    def get_config(self):
        return {**super().get_config(), "scale": self.scale}


def _residual_blocks(x, width, num_blocks, kernel_size, batch_norm, name):
    for i in range(num_blocks):
        r = x
        for j in range(2):
            if batch_norm:
                r = keras.layers.BatchNormalization(name=f"{name}_{i}_bn_{j}")(r)
            r = keras.layers.ReLU(name=f"{name}_{i}_relu_{j}")(r)
            r = keras.layers.Conv1D(
                width,
                kernel_size,
                padding="same",
                use_bias=not batch_norm or j == 1,
                name=f"{name}_{i}_conv_{j}",
            )(r)
        x = ScaledAdd(RESIDUAL_SCALE, name=f"{name}_{i}_add")(x, r)
    return x


def _check_sizes(sequence_length, width, num_blocks, kernel_size):
    for name, value in (
        ("sequence_length", sequence_length),
        ("width", width),
        ("kernel_size", kernel_size),
    ):
        check_positive_int(name, value)
    if isinstance(num_blocks, bool) or not isinstance(num_blocks, int) or num_blocks < 0:
        raise ValueError(
            f"`num_blocks` must be an integer >= 0. Received: num_blocks={num_blocks!r}"
        )


def _as_charmap(charmap):
    if isinstance(charmap, dict):
        return Charmap.from_config(charmap)
    if not isinstance(charmap, Charmap):
        raise TypeError(
            "`charmap` must be a `gan_zoo.charmap.Charmap`. "
            f"Received: {charmap!r}"
        )
    return charmap


@keras.saving.register_keras_serializable(package="gan_zoo")
class CharCNNGenerator(keras.Model):
    """Noise to per-position softmax over characters, `(L, len(charmap))`.

    Holds its `charmap` (saved in its config), so `GAN.generate_text`
    decodes its samples.

    Args:
        charmap: a `Charmap`; its size is the number of output channels.
        sequence_length: L, characters per sample. Defaults to `32`.
        width: W, channels of the residual blocks. Defaults to `512`.
        num_blocks: k, residual blocks. Defaults to `5`.
        latent_dim: dimension of the noise. Defaults to `128`.
        kernel_size: width of the block convolutions. Defaults to `5`.
        batch_norm: bool, batch norm in the blocks (FOGAN). Defaults to
            `False`.
    """

    def __init__(
        self,
        charmap,
        sequence_length=SEQUENCE_LENGTH,
        width=512,
        num_blocks=5,
        latent_dim=128,
        kernel_size=5,
        batch_norm=False,
        name="generator",
        **kwargs,
    ):
        charmap = _as_charmap(charmap)
        _check_sizes(sequence_length, width, num_blocks, kernel_size)
        check_positive_int("latent_dim", latent_dim)
        z = keras.Input((latent_dim,), name="z")
        x = keras.layers.Dense(sequence_length * width, name="project")(z)
        x = keras.layers.Reshape((sequence_length, width), name="reshape")(x)
        x = _residual_blocks(x, width, num_blocks, kernel_size, batch_norm, "block")
        x = keras.layers.Conv1D(len(charmap), 1, name="to_characters")(x)
        x = keras.layers.Softmax(axis=-1, dtype="float32", name="softmax")(x)
        super().__init__(z, x, name=name, **kwargs)
        self.charmap = charmap
        self.sequence_length = sequence_length
        self.width = width
        self.num_blocks = num_blocks
        self.latent_dim = latent_dim
        self.kernel_size = kernel_size
        self.batch_norm = batch_norm

    def get_config(self):
        return {
            "name": self.name,
            "charmap": self.charmap.get_config(),
            "sequence_length": self.sequence_length,
            "width": self.width,
            "num_blocks": self.num_blocks,
            "latent_dim": self.latent_dim,
            "kernel_size": self.kernel_size,
            "batch_norm": self.batch_norm,
        }

    @classmethod
    def from_config(cls, config):
        return cls(**config)


@keras.saving.register_keras_serializable(package="gan_zoo")
class CharCNNCritic(keras.Model):
    """One-hot (or softmax) text `(L, V)` to one critic value per sample.

    Args:
        vocabulary_size: V, `len(charmap)`.
        sequence_length: L. Defaults to `32`.
        width: W, channels. Defaults to `512`.
        num_blocks: k, residual blocks. Defaults to `5`.
        kernel_size: width of the block convolutions. Defaults to `5`.
    """

    def __init__(
        self,
        vocabulary_size,
        sequence_length=SEQUENCE_LENGTH,
        width=512,
        num_blocks=5,
        kernel_size=5,
        name="critic",
        **kwargs,
    ):
        check_positive_int("vocabulary_size", vocabulary_size)
        _check_sizes(sequence_length, width, num_blocks, kernel_size)
        text = keras.Input((sequence_length, vocabulary_size), name="text")
        x = keras.layers.Conv1D(width, 1, name="from_characters")(text)
        x = _residual_blocks(x, width, num_blocks, kernel_size, False, "block")
        x = keras.layers.Flatten(name="flatten")(x)
        x = keras.layers.Dense(1, dtype="float32", name="output")(x)
        super().__init__(text, x, name=name, **kwargs)
        self.vocabulary_size = vocabulary_size
        self.sequence_length = sequence_length
        self.width = width
        self.num_blocks = num_blocks
        self.kernel_size = kernel_size

    def get_config(self):
        return {
            "name": self.name,
            "vocabulary_size": self.vocabulary_size,
            "sequence_length": self.sequence_length,
            "width": self.width,
            "num_blocks": self.num_blocks,
            "kernel_size": self.kernel_size,
        }

    @classmethod
    def from_config(cls, config):
        return cls(**config)
