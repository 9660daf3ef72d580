"""The training engine: `GAN`, a `keras.Model` whose `fit` plays the game."""

import functools
import warnings

import keras
import numpy as np
from keras import ops

from gan_zoo import backend
from gan_zoo import losses
from gan_zoo import presets as presets_lib
from gan_zoo.arguments import check_positive_int
from gan_zoo.full_batches import FullBatches
from gan_zoo.player_optimizers import PlayerOptimizers


@keras.saving.register_keras_serializable(package="gan_zoo")
class GAN(keras.Model):
    """Generative adversarial network (Goodfellow et al. 2014), and the engine.

    One training step runs `n_critic` discriminator updates, then
    `n_generator` generator updates (one by default), all inside the
    compiled function. Each update takes the
    gradient of one player's loss with respect to that player's weights only.
    The objective here is the GAN's:
    ```
    L_D = BCE(D(x), 1 - s) + BCE(D(G(z)), 0)
    L_G = mean softplus(-D(G(z)))        (non-saturating; `minimax=True`
                                          gives -mean softplus(D(G(z))))
    ```
    with one-sided label smoothing `s` (Salimans et al. 2016).

    Methods change the game by overriding hooks, never the step:
    - `discriminator_loss(real_outputs, fake_outputs)` and
      `generator_loss(fake_outputs, real_outputs)`: the objective, from the
      discriminator's outputs (`real_outputs` is None in `generator_loss`
      unless the class sets `generator_uses_real = True`);
    - `discriminator_penalties(real, fake, training)`: extra named terms of
      the discriminator's loss, already weighted (e.g. a gradient penalty);
    - `compute_discriminator_loss` / `compute_generator_loss`: the whole loss
      from samples, for methods whose losses are not functions of D's
      outputs on `x` and `G(z)`;
    - `after_discriminator_step()`: e.g. weight clipping;
    - `generator_update_due()`: a boolean tensor to skip some generator
      updates (e.g. WGAN's warm-up), or None to update at every step.
    A random draw of a step (noise, per-sample weights) goes through
    `draw(distribution, shape)`, so that data-parallel replicas see the
    values one device would. Each logged term needs a name in the class's
    `log_names`. Each player's weight regularizers (`kernel_regularizer=...`)
    are added to its loss and logged as `d_regularization_loss` /
    `g_regularization_loss`.

    Each of the `n_critic` discriminator updates of a step takes its own real
    batch and fresh noise, as in WGAN's and WGAN-GP's algorithms: `fit`
    gives the step `n_critic` batches of the user's `batch_size` at once
    (NumPy data: `n_critic * batch_size` samples per step, reshuffled each
    epoch, an incomplete last step dropped; a `tf.data` dataset: `n_critic`
    of its batches, rebatched), so `batch_size` is the batch of one critic
    update and one epoch has `1 / n_critic` as many steps. The generator
    updates use the last of them, each with fresh noise. The generated batch has the real batch's
    size. `evaluate` (and `fit(validation_data=...)`)
    reports the same losses on held-out real batches, players in inference
    mode, no updates.

    Args:
        generator: a `keras.Model` from noise `(latent_dim,)` to samples.
        discriminator: a `keras.Model` from samples to one output per sample
            (a logit, or a critic's score).
        latent_dim: size of the noise; read from the generator's input if
            omitted.
        n_critic: discriminator updates per step.
        n_generator: generator updates per step, after the discriminator's
            (e.g. 5 for the 1:5 ratio of Lin 2017's section 4). Defaults
            to `1`.
        label_smoothing: `s`; the real target is `1 - s` (0.1 gives the
            paper's 0.9). GAN objective only.
        minimax: use the saturating minimax generator loss. GAN objective only.
        seed: seed of the noise and of any other random draw of the step.

    Reference:
        Goodfellow et al., "Generative Adversarial Nets", 2014,
        https://arxiv.org/abs/1406.2661
    """

    log_names = ("d_loss", "g_loss")
    # Every shipped method estimates expectations over the batch (batch
    # normalisation, batch softmax, penalties); one sample is no estimate.
    min_batch_size = 2
    default_n_critic = 1
    generator_uses_real = False
    # True where the loss differentiates through an input gradient: then
    # torch runs eagerly, since torch.compile cannot do double backward.
    uses_input_gradients = False
    # True where the critic's loss has per-sample penalties: build its
    # critic without batch norm (which mixes the samples of a batch).
    per_sample_critic = False
    # `Method.presets`: name -> {"metadata", "url", "sha256"} of the presets
    # registered for the class and its subclasses (see gan_zoo.presets).
    presets = presets_lib.PresetsProperty()

    def __init__(
        self,
        generator,
        discriminator,
        latent_dim=None,
        n_critic=None,
        n_generator=1,
        label_smoothing=0.0,
        minimax=False,
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        for name, model in (("generator", generator), ("discriminator", discriminator)):
            if not isinstance(model, keras.Model):
                raise TypeError(
                    f"`{name}` must be a `keras.Model`. Received: {name}={model!r}"
                )
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = int(latent_dim or _input_shape(generator)[-1])
        self.n_critic = int(n_critic or self.default_n_critic)
        if self.n_critic < 1:
            raise ValueError(f"`n_critic` must be >= 1. Received: n_critic={n_critic}")
        check_positive_int("n_generator", n_generator)
        self.n_generator = int(n_generator)
        if (label_smoothing or minimax) and not _uses_gan_objective(self):
            raise ValueError(
                f"`label_smoothing` and `minimax` belong to the GAN objective; "
                f"{type(self).__name__} has its own. Received: "
                f"label_smoothing={label_smoothing}, minimax={minimax}"
            )
        if not 0.0 <= label_smoothing < 1.0:
            raise ValueError(
                "`label_smoothing` must be in [0, 1). "
                f"Received: label_smoothing={label_smoothing}"
            )
        self.label_smoothing = float(label_smoothing)
        self.minimax = bool(minimax)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.reset_loss_trackers()
        _check_players_fit(generator, discriminator, self.latent_dim)
        self.built = True

    # The objective (the GAN's; methods override these).

    def discriminator_loss(self, real_outputs, fake_outputs):
        return losses.gan_discriminator_loss(
            real_outputs, fake_outputs, label_smoothing=self.label_smoothing
        )

    def generator_loss(self, fake_outputs, real_outputs=None):
        return losses.gan_generator_loss(fake_outputs, minimax=self.minimax)

    def discriminator_penalties(self, real, fake, training=True):
        return {}

    def after_discriminator_step(self):
        pass

    def generator_update_due(self):
        return None

    @classmethod
    def default_optimizers(cls):
        """The paper's `(d_optimizer, g_optimizer)`, used by `compile()`."""
        return (
            keras.optimizers.Adam(2e-4, beta_1=0.5),
            keras.optimizers.Adam(2e-4, beta_1=0.5),
        )

    # Losses from samples.

    def compute_discriminator_loss(self, real, fake, labels=None, training=True):
        """`(loss, logs)` of the discriminator on a real and a generated batch."""
        real_outputs = self.discriminator(real, training=training)
        fake_outputs = self.discriminator(fake, training=training)
        loss = self.discriminator_loss(real_outputs, fake_outputs)
        logs = {}
        penalties = self.discriminator_penalties(real, fake, training=training)
        for name, value in penalties.items():
            loss = loss + value
            logs[name] = value
        return loss, {"d_loss": loss, **logs}

    def compute_generator_loss(self, real, fake, labels=None, training=True):
        """`(loss, logs)` of the generator; `fake` carries its gradient."""
        fake_outputs = self.discriminator(fake, training=training)
        real_outputs = None
        if self.generator_uses_real:
            real_outputs = self.discriminator(real, training=training)
        loss = self.generator_loss(fake_outputs, real_outputs)
        return loss, {"g_loss": loss}

    def reset_loss_trackers(self):
        """One `Mean` per name of `log_names`, and per player with weight
        regularizers its `{d,g}_regularization_loss`. A subclass whose
        `log_names` depend on its arguments calls it once they are set."""
        regularization = tuple(
            f"{prefix}_regularization_loss"
            for prefix, player in (("d", self.discriminator), ("g", self.generator))
            if _regularized_weights(player)
        )
        self.loss_trackers = [
            keras.metrics.Mean(name=name) for name in self.log_names + regularization
        ]

    # The step.

    def draw(self, distribution, shape, **kwargs):
        """`distribution(shape, seed=self.seed_generator, **kwargs)`, a random
        draw of the step whose first axis is the batch (e.g.
        `keras.random.normal`). Under a multi-replica `tf.distribute`
        strategy each replica gets its rows of the global batch's draw."""
        return backend.replica_rows(
            lambda shape: distribution(shape, seed=self.seed_generator, **kwargs),
            shape,
        )

    def sample_noise(self, n):
        return self.draw(keras.random.normal, (n, self.latent_dim))

    def train_step(self, *args):
        return backend.train_step(self, self._train_step, *args)

    def test_step(self, *args):
        return backend.test_step(self, self._test_step, *args)

    def critic_batches(self, real, labels=None):
        """The step's data as `n_critic` pairs `(real, labels)` of equal size."""
        if self.n_critic == 1:
            return [(real, labels)]
        size = ops.shape(real)[0] // self.n_critic
        part = lambda tree, i: None if tree is None else keras.tree.map_structure(  # noqa: E731
            lambda t: t[i * size : (i + 1) * size], tree
        )
        return [(part(real, i), part(labels, i)) for i in range(self.n_critic)]

    def _generate_like(self, real, training=True):
        # One dtype for both batches, also where the generator's output layer
        # computes in float32 under mixed precision (a softmax).
        fake = self.generator(self.sample_noise(ops.shape(real)[0]), training=training)
        return ops.cast(fake, real.dtype)

    def _real_batch(self, data, n_critic):
        real, labels, _ = keras.utils.unpack_x_y_sample_weight(data)
        self._check_batch(real, n_critic)
        return ops.cast(real, self.compute_dtype), labels

    def _discriminator_objective(self, real, fake, labels, training=True):
        loss, logs = self.compute_discriminator_loss(real, fake, labels, training=training)
        return _add_regularization(self.discriminator, "d", loss, logs)

    def _generator_objective(self, real, fake, labels, training=True):
        loss, logs = self.compute_generator_loss(real, fake, labels, training=training)
        return _add_regularization(self.generator, "g", loss, logs)

    def _train_step(self, data):
        real, labels = self._real_batch(data, self.n_critic)

        def d_loss(real, labels):
            fake = backend.without_gradient(lambda: self._generate_like(real))
            return self._discriminator_objective(real, fake, labels)

        def g_loss(real, labels):
            return self._generator_objective(real, self._generate_like(real), labels)

        for real, labels in self.critic_batches(real, labels):
            _, logs = backend.update(
                functools.partial(d_loss, real, labels),
                self.discriminator.trainable_variables,
                self.d_optimizer,
            )
            self.after_discriminator_step()
            self._track(logs)
        due = self.generator_update_due()
        for _ in range(self.n_generator):
            _, logs = backend.update(
                functools.partial(g_loss, real, labels),
                self.generator.trainable_variables,
                self.g_optimizer,
                when=due,
            )
            self._track(logs)
        return {m.name: m.result() for m in self.metrics}

    def _test_step(self, data):
        real, labels = self._real_batch(data, 1)
        fake = self._generate_like(real, training=False)
        _, d_logs = self._discriminator_objective(real, fake, labels, training=False)
        _, g_logs = self._generator_objective(real, fake, labels, training=False)
        self._track({**d_logs, **g_logs})
        return {m.name: m.result() for m in self.metrics}

    def _track(self, logs):
        trackers = {m.name: m for m in self.loss_trackers}
        for name, value in logs.items():
            if name not in trackers:
                raise KeyError(
                    f"{type(self).__name__} logs {name!r}, which is not in its "
                    f"`log_names` {self.log_names}."
                )
            trackers[name].update_state(value)

    @property
    def metrics(self):
        # Only our trackers: `compile()` adds a `loss` tracker that would
        # misalign the metric state threaded through JAX's step.
        return list(self.loss_trackers)

    # Keras API.

    def call(self, z, training=False):
        return self.generator(z, training=training)

    def compile(
        self,
        d_optimizer=None,
        g_optimizer=None,
        jit_compile="auto",
        steps_per_execution=1,
        run_eagerly=False,
        auto_scale_loss=True,
        **kwargs,
    ):
        """Configures the two players' optimizers.

        The optimizers are renamed `d_optimizer` and `g_optimizer`, so that
        callbacks log `learning_rate_d_optimizer` and
        `learning_rate_g_optimizer`.

        Args:
            d_optimizer: the discriminator's optimizer (instance or name).
            g_optimizer: the generator's optimizer. Give both, or neither
                for the paper's (`default_optimizers()`).
            jit_compile: `"auto"` compiles the step with XLA on TensorFlow and
                JAX, and runs eagerly on torch; `True` on torch means
                `torch.compile`, except for methods with input gradients.
            steps_per_execution: steps per compiled call (TF and JAX).
            run_eagerly: debug without compilation.
            auto_scale_loss: under a `mixed_float16` policy (of the model or a
                player), wrap each optimizer in a
                `keras.optimizers.LossScaleOptimizer` (one given already
                wrapped is kept), as Keras does, so that float16 gradients
                neither underflow nor overflow.
        """
        if kwargs:
            raise _compile_argument_error(type(self).__name__, kwargs)
        if (d_optimizer is None) != (g_optimizer is None):
            missing = "d_optimizer" if d_optimizer is None else "g_optimizer"
            raise ValueError(
                f"compile() got one optimizer but not `{missing}`. Pass both "
                "`d_optimizer` and `g_optimizer`, or neither to use the "
                f"paper's: {type(self).__name__}.default_optimizers()."
            )
        if d_optimizer is None:
            d_optimizer, g_optimizer = self.default_optimizers()
        self._requested_jit_compile = jit_compile
        replicas = backend.replicas(self)
        if jit_compile == "auto":
            # As Keras decides: no XLA across tf.distribute replicas.
            jit_compile = backend.COMPILES_WITH_XLA and replicas == 1
        elif jit_compile is True and replicas > 1:
            warnings.warn(
                f"XLA cannot compile a step that tf.distribute runs on {replicas} "
                "replicas (Keras does not either): running it as a tf.function "
                "graph.",
                stacklevel=2,
            )
            jit_compile = False
        scale_loss = auto_scale_loss and any(
            m.dtype_policy.name == "mixed_float16"
            for m in (self, self.generator, self.discriminator)
        )
        self.auto_scale_loss = auto_scale_loss
        if d_optimizer is g_optimizer and not isinstance(d_optimizer, str):
            raise ValueError(
                "`d_optimizer` and `g_optimizer` must be two different "
                "optimizer instances (each keeps its own player's slots). "
                f"Received the same object twice: {d_optimizer}"
            )
        for player, role in ((self.discriminator, "discriminator"), (self.generator, "generator")):
            _check_no_activity_regularizers(player, role)
        self.d_optimizer = _player_optimizer(d_optimizer, "d_optimizer", scale_loss)
        self.g_optimizer = _player_optimizer(g_optimizer, "g_optimizer", scale_loss)
        self.reset_loss_trackers()
        if (
            jit_compile is True
            and self.uses_input_gradients
            and not backend.SUPPORTS_COMPILED_INPUT_GRADIENTS
        ):
            warnings.warn(
                f"{type(self).__name__} differentiates through an input "
                "gradient, which torch.compile cannot do: running eagerly.",
                stacklevel=2,
            )
            jit_compile = False
        super().compile(
            optimizer=self.d_optimizer,
            jit_compile=jit_compile,
            steps_per_execution=steps_per_execution,
            run_eagerly=run_eagerly,
            auto_scale_loss=False,
        )
        self.optimizer = PlayerOptimizers(
            self.d_optimizer, self.g_optimizer, self.discriminator, self.generator
        )
        self.optimizer.build()

    def get_compile_config(self):
        if not self.compiled:
            return {}
        return {
            "d_optimizer": keras.optimizers.serialize(self.d_optimizer),
            "g_optimizer": keras.optimizers.serialize(self.g_optimizer),
            "jit_compile": self._requested_jit_compile,
            "steps_per_execution": self.steps_per_execution,
            "auto_scale_loss": self.auto_scale_loss,
        }

    def compile_from_config(self, config):
        config = dict(config)
        for key in ("d_optimizer", "g_optimizer"):
            config[key] = keras.optimizers.deserialize(config[key])
        self.compile(**config)

    def fit(self, x=None, y=None, batch_size=None, **kwargs):
        """`keras.Model.fit`, after checking the first batch of real data."""
        if not self.compiled:
            raise RuntimeError(
                f"Call {type(self).__name__}.compile() before fit() "
                "(with no arguments it uses the paper's optimizers)."
            )
        first, values = _first_batch(x, batch_size)
        if first is not None:
            self._check_batch(first)
            _warn_if_off_scale(first, _output_range(self.generator))
            if not _all_finite(values):
                raise ValueError(
                    "The training data contain NaN or infinite values. Clean or "
                    "filter them before fit(), e.g. with tf.data: "
                    "`ds.filter(lambda x: tf.reduce_all(tf.math.is_finite(x)))`."
                )
        if isinstance(x, np.ndarray):
            x, y, kwargs = self._full_batches(x, y, batch_size, kwargs)
            batch_size = None
        elif hasattr(x, "element_spec"):
            # A tf.data pipeline shuffles itself (Keras warns otherwise).
            kwargs.setdefault("shuffle", False)
            if self.n_critic > 1 and first is not None:
                # One step takes `n_critic` real batches, one per critic update.
                x = x.rebatch(len(first) * self.n_critic, drop_remainder=True)
        return super().fit(x, y, batch_size=batch_size, **kwargs)

    def _full_batches(self, x, y, batch_size, kwargs):
        """NumPy data as `FullBatches` of `n_critic` critic batches per step,
        after Keras's `validation_split` (the last samples)."""
        kwargs = dict(kwargs)
        split = kwargs.pop("validation_split", None)
        if split:
            at = int(len(x) * (1.0 - split))
            kwargs["validation_data"] = x[at:] if y is None else (x[at:], y[at:])
            x, y = x[:at], None if y is None else y[:at]
        step_size = (batch_size or 32) * self.n_critic
        batches = FullBatches(x, y, step_size, shuffle=kwargs.pop("shuffle", True))
        # FullBatches shuffles the samples itself; Keras would also shuffle
        # the order of its batches, even under `shuffle=False`.
        kwargs["shuffle"] = False
        return batches, None, kwargs

    def _check_batch(self, real, n_critic=1):
        expected = _input_shape(self.discriminator)
        if expected is not None and (
            len(real.shape) != len(expected)
            or any(
                e is not None and r is not None and e != r
                for e, r in zip(expected[1:], real.shape[1:])
            )
        ):
            raise ValueError(
                f"The data's samples have shape {tuple(real.shape[1:])}, but the "
                f"discriminator takes {tuple(expected[1:])}. Resize the data "
                "(e.g. `image_size=` of the gan_zoo.datasets loaders) or build "
                "the generator and discriminator for the data's shape."
            )
        n = real.shape[0]
        if n is not None and n // n_critic < self.min_batch_size:
            split = (
                f" (split into {n_critic} critic batches of {n // n_critic})"
                if n_critic > 1
                else ""
            )
            raise ValueError(
                f"{type(self).__name__} needs batches of at least "
                f"{self.min_batch_size} samples; received a batch of {n}{split}. "
                "Use a larger `batch_size` (and `drop_remainder=True`)."
            )

    def generate(self, n, seed=None, batch_size=256):
        """Draws `n` samples as a NumPy array.

        Args:
            n: number of samples (0 gives an empty array of the samples'
                shape).
            seed: an integer for reproducible noise (per backend), or None.
            batch_size: samples per forward pass.
        """
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
            raise ValueError(f"`n` must be an integer >= 0. Received: n={n!r}")
        if n == 0:
            spec = self.generator.compute_output_spec(
                keras.KerasTensor((1, self.latent_dim))
            )
            return np.zeros((0,) + tuple(spec.shape[1:]), dtype=spec.dtype)
        z = ops.convert_to_numpy(
            keras.random.normal((int(n), self.latent_dim), seed=seed)
        )
        return self.generator.predict(z, batch_size=batch_size, verbose=0)

    def generate_text(self, n, seed=None):
        """Draws `n` text samples, decoded by argmax with the generator's charmap.

        Needs a text generator that holds a `charmap`, such as
        `gan_zoo.models.architectures.CharCNNGenerator`.
        """
        charmap = getattr(self.generator, "charmap", None)
        if charmap is None:
            raise ValueError(
                f"The generator {self.generator.name!r} has no `charmap`, so its "
                "samples are not text: build it with CharCNNGenerator(charmap)."
            )
        return charmap.decode(self.generate(n, seed=seed))

    def get_config(self):
        return {
            "name": self.name,
            "trainable": self.trainable,
            "generator": keras.saving.serialize_keras_object(self.generator),
            "discriminator": keras.saving.serialize_keras_object(self.discriminator),
            "latent_dim": self.latent_dim,
            "n_critic": self.n_critic,
            "n_generator": self.n_generator,
            "seed": self.seed,
            **(
                {"label_smoothing": self.label_smoothing, "minimax": self.minimax}
                if _uses_gan_objective(self)
                else {}
            ),
        }

    @classmethod
    def from_preset(cls, preset, load_weights=True):
        """Loads a trained model from a preset (see `gan_zoo.presets`).

        Args:
            preset: a directory written by `save_to_preset`, a `file://` URL
                of one, an `http(s)://` URL of a `.tar.gz`/`.zip` archive of
                one (cached under `$KERAS_HOME/presets`), or a name of
                `cls.presets`.
            load_weights: `False` gives the same architecture with random
                weights.

        Returns:
            The model, not compiled. The preset's class must be `cls` or a
            subclass: `GAN.from_preset` loads any method.

        Example:
        ```python
        model = DCGAN.from_preset("runs/dcgan_fmnist")
        images = model.generate(16, seed=0)
        ```
        """
        return presets_lib.from_preset(cls, preset, load_weights=load_weights)

    def save_to_preset(self, preset, metadata=None):
        """Writes the model as a preset directory: `config.json`,
        `model.weights.h5` (no optimiser state) and `metadata.json`.

        Args:
            preset: path of the directory (created; files of an existing
                folder other than the preset's are kept).
            metadata: dict of JSON values to record with the versions, e.g.
                dataset, recipe, training steps, measured metrics.

        Example:
        ```python
        model.save_to_preset("runs/dcgan_fmnist", metadata={"dataset": "fashion_mnist"})
        ```
        """
        presets_lib.save_to_preset(self, preset, metadata=metadata)

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for key in ("generator", "discriminator"):
            config[key] = keras.saving.deserialize_keras_object(config[key])
        return cls(**config)


def _player_optimizer(optimizer, name, scale_loss):
    optimizer = keras.optimizers.get(optimizer)
    if scale_loss and not isinstance(optimizer, keras.optimizers.LossScaleOptimizer):
        optimizer = keras.optimizers.LossScaleOptimizer(optimizer)
    optimizer.name = name
    return optimizer


_COMPILE_ARGUMENT_HELP = {
    "optimizer": "A GAN has one optimizer per player: pass `d_optimizer=` and "
    "`g_optimizer=` (two instances), or neither for the paper's.",
    "loss": "The losses are the method's own (its `discriminator_loss` and "
    "`generator_loss`); choose another method or subclass one.",
    "metrics": "A GAN has no targets to compare predictions with: score its "
    "samples during fit with `gan_zoo.callbacks.MetricEvaluator(...)`, or "
    "after with `gan_zoo.metrics.evaluate(...)`.",
}
_COMPILE_ARGUMENT_HELP["loss_weights"] = _COMPILE_ARGUMENT_HELP["loss"]
_COMPILE_ARGUMENT_HELP["weighted_metrics"] = _COMPILE_ARGUMENT_HELP["metrics"]


def _compile_argument_error(class_name, kwargs):
    name = next(iter(kwargs))
    if name in _COMPILE_ARGUMENT_HELP:
        return ValueError(
            f"{class_name}.compile() does not take `{name}`. "
            f"{_COMPILE_ARGUMENT_HELP[name]} Received: {name}={kwargs[name]!r}"
        )
    return TypeError(
        f"{class_name}.compile() got an unexpected keyword argument {name!r}."
    )


def _regularized_weights(player):
    return [v for v in player.trainable_variables if v.regularizer is not None]


def _add_regularization(player, prefix, loss, logs):
    """`(loss, logs)` with the player's weight regularization added and logged."""
    weights = _regularized_weights(player)
    if not weights:
        return loss, logs
    penalty = ops.cast(sum(v.regularizer(v) for v in weights), loss.dtype)
    loss = loss + penalty
    return loss, {**logs, f"{prefix}_loss": loss, f"{prefix}_regularization_loss": penalty}


def _check_no_activity_regularizers(player, role):
    for layer in player._flatten_layers():
        if layer.activity_regularizer is not None:
            raise ValueError(
                f"The {role}'s layer {layer.name!r} has an activity regularizer, "
                "which gan_zoo does not support: a loss calls the player on "
                "several batches, and Keras keeps the regularizer's term of the "
                "last call only. Use a weight regularizer, or add the term in "
                "`discriminator_penalties`."
            )


def _all_finite(values, chunk_bytes=1 << 22):
    """Whether an array holds no NaN or infinity, checked in slices of its own
    dtype (no full-size copy)."""
    values = np.asarray(values)
    if not np.issubdtype(values.dtype, np.inexact):
        return True
    if values.ndim == 0:
        return bool(np.isfinite(values))
    rows = max(1, chunk_bytes // max(1, values[:1].nbytes))
    return all(
        np.isfinite(values[i : i + rows]).all() for i in range(0, len(values), rows)
    )


# The output range of a generator that ends in one of these activations.
_BOUNDED_OUTPUTS = {"tanh": (-1.0, 1.0), "sigmoid": (0.0, 1.0)}


def _output_range(generator):
    """`(low, high)` of a generator whose last layer is tanh or sigmoid
    (through wrappers such as `ReferenceBatch`), else None."""
    layer = generator
    while getattr(layer, "layers", None) or getattr(layer, "layer", None) is not None:
        layer = layer.layers[-1] if getattr(layer, "layers", None) else layer.layer
    activation = getattr(layer, "activation", None)
    return _BOUNDED_OUTPUTS.get(getattr(activation, "__name__", None))


def _warn_if_off_scale(real, output_range):
    """Warns when image data do not span the generator's output range, e.g.
    pixels in [0, 1] or [0, 255] for a tanh generator."""
    if output_range is None or real.ndim < 3 or not np.issubdtype(real.dtype, np.number):
        return
    low, high = output_range
    data_low, data_high = float(np.min(real)), float(np.max(real))
    margin = 0.25 * (high - low)
    if data_low < low - 0.01 or data_high > high + 0.01 or data_low > low + margin or data_high < high - margin:
        warnings.warn(
            f"The data lie in [{data_low:.3g}, {data_high:.3g}], but the "
            f"generator's output is in [{low:g}, {high:g}], so it cannot "
            "match them. Scale the data to the generator's range (the "
            "gan_zoo.datasets loaders take `value_range=`; for pixels in "
            f"[0, 255]: x / 255 * {high - low:g} + {low:g}), or build the "
            "generator for the data's range (e.g. output_activation=).",
            stacklevel=3,
        )


def _uses_gan_objective(model):
    return (
        type(model).discriminator_loss is GAN.discriminator_loss
        and type(model).generator_loss is GAN.generator_loss
        and type(model).compute_discriminator_loss is GAN.compute_discriminator_loss
    )


def _input_shape(model):
    inputs = getattr(model, "inputs", None)
    if not inputs:
        return None
    return tuple(inputs[0].shape)


def _check_players_fit(generator, discriminator, latent_dim):
    g_in, g_out = _input_shape(generator), getattr(generator, "outputs", None)
    d_in = _input_shape(discriminator)
    if g_in is not None and g_in[-1] != latent_dim:
        raise ValueError(
            f"The generator takes noise of size {g_in[-1]}, but "
            f"latent_dim={latent_dim}."
        )
    if g_out and d_in is not None and tuple(g_out[0].shape[1:]) != d_in[1:]:
        raise ValueError(
            f"The generator makes samples of shape {tuple(g_out[0].shape[1:])}, "
            f"but the discriminator takes {d_in[1:]}. Build both for one shape."
        )


def _first_batch(x, batch_size):
    """`(first real batch, values to check for NaN)` without consuming `x`.

    A NumPy array is checked whole; a `tf.data.Dataset` or `PyDataset` by its
    first batch; a Python generator not at all (peeking would consume it).
    """
    if isinstance(x, np.ndarray):
        return x[: batch_size or 32], x
    if hasattr(x, "element_spec") and hasattr(x, "take"):  # tf.data.Dataset
        batch = next(iter(x.take(1)), None)
    elif isinstance(x, keras.utils.PyDataset):
        batch = x[0]
    else:
        return None, None
    if batch is None:
        raise ValueError("The dataset passed to fit() is empty.")
    real, _, _ = keras.utils.unpack_x_y_sample_weight(batch)
    real = np.asarray(real)
    return real, real
