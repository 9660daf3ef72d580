"""Virtual batch normalisation (Salimans et al. 2016): each example is
normalised with the statistics of a fixed reference batch plus itself, and
`ReferenceBatch`, which carries that reference batch through a model."""

import keras
from keras import ops

from gan_zoo.arguments import check_positive_int


@keras.saving.register_keras_serializable(package="gan_zoo")
class VirtualBatchNorm(keras.layers.Layer):
    """Batch normalisation against a fixed reference batch, per example.

    The first `reference_size` rows of every batch are the reference batch
    `R` (N = `reference_size` rows), the others are examples. Statistics are
    taken over every axis but `axis` (and, for the reference, over its rows):
    ```
    reference rows:  mu_R, var_R of R                      (batch norm of R)
    example x:       mu_x  = N/(N+1) mu_R + 1/(N+1) mean(x)
                     var_x = N/(N+1) E_R[(r - mu_R)^2] + 1/(N+1) mean((x - mu_R)^2)
                             - (mu_x - mu_R)^2             (= E[x^2] - mu_x^2)
    output:          gamma * (x - mu) / sqrt(var + epsilon) + beta
    ```
    i.e. the mean and the mean of squares of `R ∪ {x}`, with weight
    `1/(N+1)` for the example, taken about `mu_R` so that they do not cancel
    in float32. With spatial axes, `mean(x)` runs over the example's own
    positions and the example still counts as one sample of `N + 1` (as in
    TF-GAN's `VBN`). An example's output depends on the reference batch and on
    itself, never on the other examples of its batch. Statistics are
    computed in float32 and the output is cast to the compute dtype.

    Where the reference batch comes from: the paper fixes the reference batch
    once and recomputes its statistics with the current weights at every
    forward pass, so the reference batch has to go through every layer before
    each VBN layer. It therefore travels in the batch itself: wrap the whole
    generator in `ReferenceBatch`, which stores the fixed reference noise in
    a non-trainable weight (saved with the model), prepends it to every batch
    and drops its rows from the output. Every VBN layer of the generator then
    sees the reference's activations in its first `reference_size` rows.
    All VBN layers of one model take the same `reference_size`.

    Subclasses change the statistics through two methods:
    - `reference_statistics(reference)`: `(mu_R, var_R)` of the reference;
    - `example_statistics(examples, reference, mu_R, var_R)`: the per-example
      `(mu, var)` used to normalise the examples.

    Args:
        reference_size: `N`, the number of reference rows at the start of
            every batch.
        axis: the feature axis, normalised per feature.
        epsilon: added to the variance.
        center: learn an offset `beta`.
        scale: learn a scale `gamma`.
        beta_initializer, gamma_initializer: their initializers.
        beta_regularizer, gamma_regularizer: optional regularizers.
        beta_constraint, gamma_constraint: optional constraints.
        **kwargs: base layer arguments (`name`, `dtype`, ...).

    Call arguments:
        inputs: a batch of rank >= 2 whose first `reference_size` rows are
            the reference batch, followed by at least one example.

    Returns:
        The normalised batch, of the input's shape (reference rows
        included: `ReferenceBatch` drops them at the model's output).

    Raises:
        ValueError: for inputs of rank < 2, an unknown feature dimension, an
            `axis` out of range, or a batch with no example after the
            reference rows.

    >>> layer = VirtualBatchNorm(reference_size=4)
    >>> tuple(layer(keras.random.normal((6, 3), seed=0)).shape)
    (6, 3)

    Reference:
        Salimans et al., "Improved Techniques for Training GANs", 2016,
        https://arxiv.org/abs/1606.03498 (section 3.5).
    """

    def __init__(
        self,
        reference_size,
        axis=-1,
        epsilon=1e-3,
        center=True,
        scale=True,
        beta_initializer="zeros",
        gamma_initializer="ones",
        beta_regularizer=None,
        gamma_regularizer=None,
        beta_constraint=None,
        gamma_constraint=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        check_positive_int("reference_size", reference_size)
        if isinstance(axis, bool) or not isinstance(axis, int):
            raise ValueError(
                f"`axis` must be an integer. Received: axis={axis!r}"
            )
        if not epsilon > 0:
            raise ValueError(f"`epsilon` must be > 0. Received: epsilon={epsilon!r}")
        self.reference_size = int(reference_size)
        self.axis = axis
        self.epsilon = float(epsilon)
        self.center = bool(center)
        self.scale = bool(scale)
        self.beta_initializer = keras.initializers.get(beta_initializer)
        self.gamma_initializer = keras.initializers.get(gamma_initializer)
        self.beta_regularizer = keras.regularizers.get(beta_regularizer)
        self.gamma_regularizer = keras.regularizers.get(gamma_regularizer)
        self.beta_constraint = keras.constraints.get(beta_constraint)
        self.gamma_constraint = keras.constraints.get(gamma_constraint)
        self.input_spec = keras.layers.InputSpec(min_ndim=2)
        self.gamma = None
        self.beta = None

    def build(self, input_shape):
        axis, features = self._feature_axis(input_shape)
        shape = (features,)
        if self.scale:
            self.gamma = self.add_weight(
                name="gamma",
                shape=shape,
                initializer=self.gamma_initializer,
                regularizer=self.gamma_regularizer,
                constraint=self.gamma_constraint,
                trainable=True,
            )
        if self.center:
            self.beta = self.add_weight(
                name="beta",
                shape=shape,
                initializer=self.beta_initializer,
                regularizer=self.beta_regularizer,
                constraint=self.beta_constraint,
                trainable=True,
            )
        self.input_spec = keras.layers.InputSpec(
            ndim=len(input_shape), axes={axis: features}
        )

    def _feature_axis(self, input_shape):
        name = type(self).__name__
        rank = len(input_shape)
        if rank < 2:
            raise ValueError(
                f"{name} takes a batch of rank >= 2, (batch, ..., features). "
                f"Received: input_shape={tuple(input_shape)}."
            )
        if not -rank < self.axis < rank or self.axis % rank == 0:
            raise ValueError(
                f"{name}'s `axis` must name a non-batch axis of the input, "
                f"in [1, {rank - 1}] or [-{rank - 1}, -1]. Received: "
                f"axis={self.axis} for input_shape={tuple(input_shape)}."
            )
        axis = self.axis % rank
        if input_shape[axis] is None:
            raise ValueError(
                f"{name} needs a known size of the feature axis {self.axis} to "
                f"build gamma and beta. Received: input_shape={tuple(input_shape)}."
            )
        return axis, int(input_shape[axis])

    def _reduction_axes(self, rank):
        axis = self.axis % rank
        return [a for a in range(1, rank) if a != axis]

    def reference_statistics(self, reference):
        """`(mu_R, var_R)`: the batch-norm statistics of the reference rows.

        ```
        mu_R = mean(r),  var_R = mean((r - mu_R)^2)   over rows and all axes
                                                      but the feature axis
        ```

        Args:
            reference: the reference rows, float32, `(N, ..., features)`.

        Returns:
            Two float32 tensors shaped `(1, ..., features)` (size 1 on every
            reduced axis).
        """
        axes = [0] + self._reduction_axes(len(reference.shape))
        mean = ops.mean(reference, axis=axes, keepdims=True)
        variance = ops.mean(ops.square(reference - mean), axis=axes, keepdims=True)
        return mean, variance

    def example_statistics(self, examples, reference, mean, variance):
        """Per-example `(mu, var)` of `R ∪ {x}`, the example weighted 1/(N+1).

        ```
        mu_x  = mu_R + w * mean(x - mu_R)
        var_x = (1 - w) * var_R + w * mean((x - mu_R)^2) - (mu_x - mu_R)^2
        w = 1 / (N + 1)
        ```

        Args:
            examples: the example rows, float32, `(M, ..., features)`.
            reference: the reference rows, float32.
            mean: `mu_R` from `reference_statistics`.
            variance: `var_R` from `reference_statistics`.

        Returns:
            Two float32 tensors shaped `(M, 1, ..., features)`.
        """
        w = 1.0 / (self.reference_size + 1.0)
        axes = self._reduction_axes(len(examples.shape))
        centered = examples - mean
        shift = w * ops.mean(centered, axis=axes, keepdims=True)
        second = (1.0 - w) * variance + w * ops.mean(
            ops.square(centered), axis=axes, keepdims=True
        )
        return mean + shift, ops.maximum(second - ops.square(shift), 0.0)

    def _normalize(self, x, mean, variance):
        rank = len(x.shape)
        shape = [1] * rank
        shape[self.axis % rank] = -1
        y = (x - mean) * ops.rsqrt(variance + self.epsilon)
        if self.scale:
            y = y * ops.reshape(ops.cast(self.gamma, "float32"), shape)
        if self.center:
            y = y + ops.reshape(ops.cast(self.beta, "float32"), shape)
        return y

    def call(self, inputs):
        n = inputs.shape[0]
        if n is not None and n <= self.reference_size:
            raise ValueError(
                f"{type(self).__name__} reads the first reference_size="
                f"{self.reference_size} rows of each batch as its reference "
                f"batch and needs at least one example after them. Received: "
                f"a batch of {n} rows. Wrap the model in "
                "gan_zoo.layers.ReferenceBatch(model, "
                f"reference_size={self.reference_size}), which prepends the "
                "reference batch to every batch."
            )
        x = ops.cast(inputs, "float32")
        reference = x[: self.reference_size]
        examples = x[self.reference_size :]
        mean, variance = self.reference_statistics(reference)
        example_mean, example_variance = self.example_statistics(
            examples, reference, mean, variance
        )
        outputs = ops.concatenate(
            [
                self._normalize(reference, mean, variance),
                self._normalize(examples, example_mean, example_variance),
            ],
            axis=0,
        )
        return ops.cast(outputs, self.compute_dtype)

    def compute_output_shape(self, input_shape):
        self._feature_axis(input_shape)
        return tuple(input_shape)

    def get_config(self):
        return {
            **super().get_config(),
            "reference_size": self.reference_size,
            "axis": self.axis,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": keras.initializers.serialize(self.beta_initializer),
            "gamma_initializer": keras.initializers.serialize(self.gamma_initializer),
            "beta_regularizer": keras.regularizers.serialize(self.beta_regularizer),
            "gamma_regularizer": keras.regularizers.serialize(self.gamma_regularizer),
            "beta_constraint": keras.constraints.serialize(self.beta_constraint),
            "gamma_constraint": keras.constraints.serialize(self.gamma_constraint),
        }


@keras.saving.register_keras_serializable(package="gan_zoo")
class ReferenceBatch(keras.layers.Wrapper):
    """Runs a model with a fixed reference batch prepended to every batch.

    This is how the reference batch reaches the `VirtualBatchNorm` layers of
    a generator, however deep:
    ```
    y = model(concat([reference, z]))[reference_size:]
    ```
    `reference` (`reference_size` rows of the model's input, e.g. noise) is
    drawn once, when the layer is built, and kept in a non-trainable weight,
    so it is saved and restored with the model's weights. Every forward pass
    runs the reference through the current weights, so the VBN statistics
    are always those of the current model (at twice the cost of a batch of
    `reference_size`); the output has the input's batch size.

    For a discriminator with VBN, store a batch of real data with
    `set_reference(x)` instead of the drawn noise.

    Args:
        layer: the model (or layer) to run, e.g. a generator containing
            `VirtualBatchNorm(reference_size)` layers.
        reference_size: the number of reference rows. Must equal the
            `reference_size` of every `VirtualBatchNorm` in `layer`.
        reference_initializer: draws the reference batch; default
            `N(0, 1)` noise (with `seed`).
        seed: seed of the default `reference_initializer`.
        **kwargs: base layer arguments.

    Call arguments:
        inputs: a batch of the model's inputs, `(batch, ...)`.
        training: passed to the model.

    Returns:
        The model's output on `inputs`, with the reference rows dropped.

    Raises:
        ValueError: if a `VirtualBatchNorm` layer of `layer` has another
            `reference_size`, or `set_reference` receives a batch of the
            wrong shape.

    >>> generator = keras.Sequential([
    ...     keras.Input((8,)), keras.layers.Dense(16),
    ...     VirtualBatchNorm(reference_size=32), keras.layers.ReLU(),
    ...     keras.layers.Dense(2)])
    >>> generator = keras.Sequential(
    ...     [keras.Input((8,)), ReferenceBatch(generator, reference_size=32, seed=0)])
    >>> tuple(generator(keras.random.normal((5, 8), seed=1)).shape)
    (5, 2)

    Reference:
        Salimans et al., "Improved Techniques for Training GANs", 2016,
        https://arxiv.org/abs/1606.03498 (section 3.5).
    """

    def __init__(
        self,
        layer,
        reference_size,
        reference_initializer=None,
        seed=None,
        **kwargs,
    ):
        super().__init__(layer, **kwargs)
        check_positive_int("reference_size", reference_size)
        self.reference_size = int(reference_size)
        self.seed = seed
        if reference_initializer is None:
            reference_initializer = keras.initializers.RandomNormal(
                mean=0.0, stddev=1.0, seed=seed
            )
        self.reference_initializer = keras.initializers.get(reference_initializer)
        mismatched = [
            f"{vbn.name} (reference_size={vbn.reference_size})"
            for vbn in _virtual_batch_norms(layer)
            if vbn.reference_size != self.reference_size
        ]
        if mismatched:
            raise ValueError(
                f"ReferenceBatch(reference_size={self.reference_size}) "
                f"prepends {self.reference_size} reference rows, but these "
                f"VirtualBatchNorm layers of {layer.name} read another number: "
                f"{', '.join(mismatched)}. Give them all "
                f"reference_size={self.reference_size}."
            )

    def build(self, input_shape):
        sample_shape = tuple(input_shape[1:])
        if any(d is None for d in sample_shape):
            raise ValueError(
                "ReferenceBatch needs the full shape of one input sample to "
                f"store the reference batch. Received: input_shape="
                f"{tuple(input_shape)}."
            )
        self.reference = self.add_weight(
            name="reference",
            shape=(self.reference_size,) + sample_shape,
            initializer=self.reference_initializer,
            trainable=False,
        )
        super().build((None,) + sample_shape)
        self.input_spec = keras.layers.InputSpec(shape=(None,) + sample_shape)

    def set_reference(self, reference):
        """Replaces the stored reference batch (e.g. by real data).

        Args:
            reference: an array of shape `(reference_size, ...)`, the shape
                of the stored reference.

        Raises:
            ValueError: for any other shape.
        """
        reference = ops.convert_to_tensor(reference)
        if not self.built:
            self.build((None,) + tuple(reference.shape[1:]))
        expected = tuple(self.reference.shape)
        if tuple(reference.shape) != expected:
            raise ValueError(
                "The reference batch must have the shape "
                f"(reference_size, *sample_shape) = {expected}. Received: "
                f"reference.shape={tuple(reference.shape)}."
            )
        self.reference.assign(ops.cast(reference, self.reference.dtype))

    def call(self, inputs, training=None):
        reference = ops.cast(self.reference, inputs.dtype)
        outputs = self.layer(
            ops.concatenate([reference, inputs], axis=0), training=training
        )
        return keras.tree.map_structure(
            lambda y: y[self.reference_size :], outputs
        )

    def compute_output_spec(self, inputs, training=None):
        batch = inputs.shape[0]
        spec = keras.KerasTensor((None,) + tuple(inputs.shape[1:]), inputs.dtype)
        return keras.tree.map_structure(
            lambda y: keras.KerasTensor((batch,) + tuple(y.shape[1:]), y.dtype),
            self.layer.compute_output_spec(spec),
        )

    def compute_output_shape(self, input_shape):
        spec = keras.KerasTensor(tuple(input_shape), self.compute_dtype)
        return keras.tree.map_structure(
            lambda y: tuple(y.shape), self.compute_output_spec(spec)
        )

    def get_config(self):
        return {
            **super().get_config(),
            "reference_size": self.reference_size,
            "reference_initializer": keras.initializers.serialize(
                self.reference_initializer
            ),
            "seed": self.seed,
        }

    @classmethod
    def from_config(cls, config, custom_objects=None):
        # As keras.layers.Wrapper's, without popping from the caller's dict.
        config = dict(config)
        layer = keras.saving.deserialize_keras_object(
            config.pop("layer"), custom_objects=custom_objects
        )
        return cls(layer, **config)


def _virtual_batch_norms(layer):
    """The `VirtualBatchNorm` layers in `layer` and its nested models."""
    if isinstance(layer, VirtualBatchNorm):
        return [layer]
    found = []
    for sublayer in getattr(layer, "layers", None) or []:
        found.extend(_virtual_batch_norms(sublayer))
    return found
