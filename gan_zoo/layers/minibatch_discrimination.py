"""Minibatch discrimination (Salimans et al. 2016): features that compare
each sample with the rest of its batch, so that D can see a collapsed batch."""

import keras
from keras import ops

from gan_zoo.arguments import check_feature_shape, check_positive_int


@keras.saving.register_keras_serializable(package="gan_zoo")
class MinibatchDiscrimination(keras.layers.Layer):
    """Appends, to each sample's features, its closeness to the other samples.

    For features `f(x_i)` in R^A and a learned tensor `T` in R^{A x B x C}:
    ```
    M_i = f(x_i) T                                  in R^{B x C}
    d_b(x_i, x_j) = sum_c |M_{i,b,c} - M_{j,b,c}|   (L1 distance)
    c_b(x_i, x_j) = exp(-d_b(x_i, x_j))
    o(x_i)_b = sum_{j != i} c_b(x_i, x_j)           (j = i too if include_self)
    output_i = concat(f(x_i), o(x_i))               in R^{A + B}
    ```
    A batch of identical samples gives `o = N - 1` in every kernel, which no
    per-sample feature can show. The paper's code leaves out each sample's
    pair with itself (which adds the constant `c = 1`); `include_self=True`
    keeps it. Feed real and generated samples in separate batches, so that a
    sample is compared with its own kind only.

    Cost: the naive form (`memory_efficient=False`) compares all pairs at
    once through one `N x N x B x C` tensor, so its memory grows as
    N^2 * B * C. The default compares the rows in `C` blocks of
    `ceil(N / C)` samples, one block after the other, so that no tensor is
    larger than about `N x N x B` (peak memory O(N^2 * B)), and recomputes
    each block in the backward pass (`keras.remat`) instead of keeping all of
    them. Under XLA both forms fuse the forward reduction; the backward pass
    is where the naive form needs its N^2 * B * C buffers. Measured for
    N = 256, B = 100, C = 5 in float32 (`tools/bench.py layers`; one
    N x N x B x C tensor is 131 MB), naive against blocks: eager forward
    263 MB / 54 MB, eager forward + backward 289 MB / 55 MB, XLA forward
    + backward 263 MB / 56 MB.

    Subclasses change the comparison through two methods, used by both forms:
    - `distance(a, b)`: `d_b` from two broadcast projections (default L1);
    - `similarity(distance)`: `c_b` from `d_b` (default `exp(-d)`).
    Overriding `closeness(m)` replaces the whole computation of `o`.

    Args:
        num_kernels: `B`, the number of kernels (outputs added per sample).
        kernel_dim: `C`, the dimension of each kernel's projection.
        include_self: also count each sample's pair with itself.
        memory_efficient: compare the samples block by block (peak memory
            O(N^2 B)) rather than all pairs at once (O(N^2 B C)). Both give
            the same output.
        kernel_initializer: initializer of `T`, of shape `(A, B * C)`. The
            default, `N(0, 0.05^2)`, is the paper code's.
        kernel_regularizer: optional regularizer of `T`.
        kernel_constraint: optional constraint of `T`.
        **kwargs: base layer arguments (`name`, `dtype`, ...).

    Call arguments:
        inputs: features of shape `(batch, A)`, with a batch of at least 2.

    Returns:
        A tensor of shape `(batch, A + num_kernels)`.

    Raises:
        ValueError: for inputs of rank other than 2, an unknown feature
            dimension, or a batch of 1 sample.

    >>> layer = MinibatchDiscrimination(num_kernels=3, kernel_dim=2)
    >>> tuple(layer(keras.ops.ones((4, 5))).shape)
    (4, 8)

    Reference:
        Salimans et al., "Improved Techniques for Training GANs", 2016,
        https://arxiv.org/abs/1606.03498 (section 3.2).
    """

    def __init__(
        self,
        num_kernels=100,
        kernel_dim=5,
        include_self=False,
        memory_efficient=True,
        kernel_initializer="random_normal",
        kernel_regularizer=None,
        kernel_constraint=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        check_positive_int("num_kernels", num_kernels)
        check_positive_int("kernel_dim", kernel_dim)
        self.num_kernels = int(num_kernels)
        self.kernel_dim = int(kernel_dim)
        self.include_self = bool(include_self)
        self.memory_efficient = bool(memory_efficient)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.kernel_regularizer = keras.regularizers.get(kernel_regularizer)
        self.kernel_constraint = keras.constraints.get(kernel_constraint)
        self.input_spec = keras.layers.InputSpec(ndim=2)

    def build(self, input_shape):
        features = check_feature_shape(input_shape, type(self).__name__, "feature")
        self.kernel = self.add_weight(
            name="kernel",
            shape=(features, self.num_kernels * self.kernel_dim),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
            trainable=True,
        )
        self.input_spec = keras.layers.InputSpec(ndim=2, axes={-1: features})

    def distance(self, a, b):
        """`d_b`: the distance of two samples' projections in each kernel.

        ```
        d_b(x_i, x_j) = sum_c |M_{i,b,c} - M_{j,b,c}|      (L1, the paper's)
        ```

        Args:
            a: projections of shape `(..., B, C)`, broadcast against `b`.
            b: projections of shape `(..., B, C)`.

        Returns:
            The distances, of the broadcast shape of `a` and `b` without its
            last axis.
        """
        return ops.sum(ops.abs(a - b), axis=-1)

    def similarity(self, distance):
        """`c_b = exp(-distance)`, elementwise."""
        return ops.exp(-distance)

    def closeness(self, m):
        """`o(x_i)_b` for every sample of the batch.

        ```
        o[i, b] = sum_j similarity(distance(m[i], m[j]))[b]   (j != i unless
                                                               include_self)
        ```

        Args:
            m: the projections `M`, of shape `(N, B, C)`.

        Returns:
            A tensor of shape `(N, B)`.
        """
        n = ops.shape(m)[0]
        if not self.memory_efficient:
            # (N, 1, B, C) against (1, N, B, C): one N x N x B x C tensor.
            close = self.similarity(self.distance(m[:, None], m[None, :]))
            if not self.include_self:
                close = close * ops.cast(1 - ops.eye(n), close.dtype)[:, :, None]
            return ops.sum(close, axis=1)

        # The rows in C blocks of k = ceil(N / C) samples, one block at a
        # time: each compares (k, 1, B, C) with (1, N, B, C), about as large
        # as one N x N x B tensor. remat recomputes a block in the backward
        # pass rather than keeping every block's intermediates.
        blocks = self.kernel_dim
        k = (n + blocks - 1) // blocks
        padded = ops.pad(m, [[0, k * blocks - n], [0, 0], [0, 0]])
        rows = ops.reshape(padded, (blocks, k, self.num_kernels, self.kernel_dim))
        row_index = ops.reshape(ops.arange(k * blocks), (blocks, k))
        column_index = ops.arange(n)

        def block_closeness(block, m, keep):
            close = self.similarity(self.distance(block[:, None], m[None, :]))
            return ops.sum(close * keep[:, :, None], axis=1)

        block_closeness = keras.remat(block_closeness)

        def one_block(args):
            block, index = args
            if self.include_self:
                keep = ops.ones((k, n), dtype=m.dtype)
            else:
                keep = ops.cast(index[:, None] != column_index[None, :], m.dtype)
            return block_closeness(block, m, keep)

        o = ops.map(one_block, (rows, row_index))
        return ops.reshape(o, (k * blocks, self.num_kernels))[:n]

    def call(self, inputs):
        _check_batch(inputs, type(self).__name__)
        m = ops.matmul(inputs, ops.cast(self.kernel, inputs.dtype))
        m = ops.reshape(m, (-1, self.num_kernels, self.kernel_dim))
        o = self.closeness(m)
        return ops.concatenate([inputs, ops.cast(o, inputs.dtype)], axis=-1)

    def compute_output_shape(self, input_shape):
        features = check_feature_shape(input_shape, type(self).__name__, "feature")
        return (input_shape[0], features + self.num_kernels)

    def get_config(self):
        return {
            **super().get_config(),
            "num_kernels": self.num_kernels,
            "kernel_dim": self.kernel_dim,
            "include_self": self.include_self,
            "memory_efficient": self.memory_efficient,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            "kernel_regularizer": keras.regularizers.serialize(self.kernel_regularizer),
            "kernel_constraint": keras.constraints.serialize(self.kernel_constraint),
        }




def _check_batch(inputs, name):
    n = inputs.shape[0]
    if n is not None and n < 2:
        raise ValueError(
            f"{name} compares each sample with the others of its batch, so "
            f"it needs a batch of at least 2 samples. Received: a batch of "
            f"{n} (input shape {tuple(inputs.shape)})."
        )
