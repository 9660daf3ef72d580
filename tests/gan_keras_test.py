"""The engine behaves as Keras does for any model: regularizers, mixed
precision, unused weights, evaluate, compile's arguments, fresh critic
batches, the data check's memory."""

import tracemalloc

import keras
import numpy as np
import pytest

from gan_zoo import backend
from gan_zoo.gan import _all_finite
from gan_zoo.models import FOGAN, GAN, WGAN, WGANGP
from gan_zoo.models.architectures import mlp_discriminator, mlp_generator


def toy_model(cls, discriminator=None, generator=None, **kwargs):
    return cls(
        generator or mlp_generator(latent_dim=4, hidden_units=(16,)),
        discriminator or mlp_discriminator(hidden_units=(16,)),
        seed=0,
        **kwargs,
    )


def points(n, seed=0):
    return np.random.default_rng(seed).normal(size=(n, 2)).astype("float32")


def numpy_weights(variables):
    return [keras.ops.convert_to_numpy(v) for v in variables]


def kernels(model):
    return [v for v in model.trainable_variables if "kernel" in v.path]


# 1. Weight regularizers reach their player's loss.


def regularized_mlp(outputs, activation, l2):
    return keras.Sequential(
        [
            keras.Input((2 if outputs == 1 else 4,)),
            keras.layers.Dense(16, activation="relu", kernel_regularizer=keras.regularizers.L2(l2)),
            keras.layers.Dense(outputs, activation=activation),
        ]
    )


def test_weight_regularizers_are_added_to_each_players_loss_and_logged():
    """Protects Keras's `compute_loss` contract: `model.losses` is part of the
    loss. With L2(l) on one kernel W of each player, the logged term of the
    first step is `l * sum(W^2)` at the initial weights, and plain SGD shrinks
    W by the factor `1 - 2 * lr * l` on top of the objective's gradient."""
    l2, lr = 50.0, 1e-3
    discriminator = regularized_mlp(1, None, l2)
    generator = regularized_mlp(2, None, l2)
    model = toy_model(GAN, discriminator, generator)
    model.compile(keras.optimizers.SGD(lr), keras.optimizers.SGD(lr))
    d_kernel, g_kernel = discriminator.layers[0].kernel, generator.layers[0].kernel
    d_before, g_before = numpy_weights([d_kernel, g_kernel])
    history = model.fit(points(8), batch_size=8, epochs=1, verbose=0, shuffle=False)

    logs = {k: v[0] for k, v in history.history.items()}
    np.testing.assert_allclose(logs["d_regularization_loss"], l2 * (d_before**2).sum(), rtol=1e-4)
    np.testing.assert_allclose(logs["g_regularization_loss"], l2 * (g_before**2).sum(), rtol=1e-4)
    # The objective alone is near log 4 (D) and log 2 (G); the logged losses
    # hold the regularization on top.
    assert logs["d_loss"] > logs["d_regularization_loss"] + 1.0
    assert logs["g_loss"] > logs["g_regularization_loss"] + 0.5
    d_after, g_after = numpy_weights([d_kernel, g_kernel])
    shrink = 1 - 2 * lr * l2  # 0.9: far beyond what one objective step moves
    for before, after in ((d_before, d_after), (g_before, g_after)):
        ratio = np.linalg.norm(after) / np.linalg.norm(before)
        assert abs(ratio - shrink) < 0.03, ratio


def test_unregularized_players_log_no_regularization_term():
    model = toy_model(GAN)
    model.compile()
    history = model.fit(points(16), batch_size=8, epochs=1, verbose=0)
    assert set(history.history) == {"d_loss", "g_loss"}


def test_activity_regularizers_are_refused_with_a_clear_error():
    discriminator = keras.Sequential(
        [keras.Input((2,)), keras.layers.Dense(1, activity_regularizer="l2")]
    )
    with pytest.raises(ValueError, match="activity regularizer.*weight regularizer"):
        toy_model(GAN, discriminator).compile()


# 3. Loss scaling under mixed_float16.


def tiny_output_critic():
    """A critic whose output is scaled by 2^-24: the loss's gradient with
    respect to the float16 activations (about 0.06 * 2^-24) is below
    float16's smallest subnormal, 2^-24, unless the loss is scaled."""
    return keras.Sequential(
        [
            keras.Input((2,)),
            keras.layers.Dense(16, activation="relu"),
            keras.layers.Dense(1),
            keras.layers.Rescaling(2.0**-24),
        ]
    )


@pytest.mark.parametrize("auto_scale_loss", [True, False])
def test_float16_gradients_survive_only_with_loss_scaling(policy, auto_scale_loss):
    policy("mixed_float16")
    model = toy_model(GAN, tiny_output_critic())
    # Adam moves each weight by about its learning rate whatever the size of a
    # non-zero gradient (these are about 1e-9), and not at all for a zero one.
    adam = lambda: keras.optimizers.Adam(1e-3, epsilon=1e-15)  # noqa: E731
    model.compile(adam(), adam(), auto_scale_loss=auto_scale_loss)
    assert isinstance(model.d_optimizer, keras.optimizers.LossScaleOptimizer) is auto_scale_loss
    before = numpy_weights(kernels(model.discriminator))
    model.fit(points(8), batch_size=8, epochs=1, verbose=0)
    after = numpy_weights(kernels(model.discriminator))
    assert all(np.all(np.isfinite(w)) for w in after)
    moved = [not np.array_equal(b, a) for b, a in zip(before, after)]
    # Unscaled, every float16 gradient underflows to 0 and nothing moves.
    assert all(moved) if auto_scale_loss else not any(moved)


def test_a_users_loss_scale_optimizer_is_kept(policy):
    policy("mixed_float16")
    model = toy_model(WGANGP)
    mine = keras.optimizers.LossScaleOptimizer(keras.optimizers.Adam(1e-4), initial_scale=2.0**10)
    model.compile(mine, keras.optimizers.Adam(1e-4))
    assert model.d_optimizer is mine
    assert isinstance(model.g_optimizer, keras.optimizers.LossScaleOptimizer)
    history = model.fit(points(32), batch_size=4, epochs=1, verbose=0)
    assert all(np.isfinite(v).all() for v in history.history.values())


def test_bfloat16_trains_without_loss_scaling(policy):
    policy("mixed_bfloat16")
    model = toy_model(WGANGP)
    model.compile()
    assert not isinstance(model.d_optimizer, keras.optimizers.LossScaleOptimizer)
    history = model.fit(points(32), batch_size=4, epochs=1, verbose=0)
    assert all(np.isfinite(v).all() for v in history.history.values())


# 4. A weight the loss does not use gets a zero gradient.


class CriticWithAuxiliaryHead(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.body = keras.layers.Dense(8, activation="relu")
        self.score = keras.layers.Dense(1)
        self.auxiliary = keras.layers.Dense(3)  # trained by nothing here

    def build(self, input_shape):
        self.body.build(input_shape)
        self.score.build((None, 8))
        self.auxiliary.build((None, 8))

    def call(self, x):
        return self.score(self.body(x))


@pytest.mark.parametrize("cls", [GAN, WGANGP], ids=["GAN", "WGANGP"])
def test_unused_trainable_weights_get_zero_gradients(cls):
    critic = CriticWithAuxiliaryHead()
    critic.build((None, 2))
    model = toy_model(cls, critic)
    model.compile()
    auxiliary = numpy_weights(critic.auxiliary.trainable_variables)
    score = numpy_weights(critic.score.trainable_variables)
    model.fit(points(40), batch_size=4, epochs=1, verbose=0)
    for before, after in zip(auxiliary, numpy_weights(critic.auxiliary.trainable_variables)):
        np.testing.assert_array_equal(before, after)
    assert not np.array_equal(score[0], numpy_weights(critic.score.trainable_variables)[0])


# 5. evaluate() and validation data.


@pytest.mark.parametrize("cls", [GAN, WGANGP, FOGAN], ids=["GAN", "WGANGP", "FOGAN"])
def test_evaluate_reports_the_losses_without_updating(cls):
    model = toy_model(cls)
    model.compile()
    model.fit(points(40), batch_size=4, epochs=1, verbose=0)
    weights = numpy_weights(model.weights)
    iterations = int(model.d_optimizer.iterations), int(model.g_optimizer.iterations)
    results = model.evaluate(points(32, seed=1), batch_size=8, verbose=0, return_dict=True)
    assert set(results) == set(cls.log_names)
    assert all(np.isfinite(v) for v in results.values())
    # Trainable and non-trainable weights alike; the seed generator's state
    # is the one weight evaluation advances (fresh noise per batch).
    for variable, before in zip(model.weights, weights):
        if "seed_generator" not in variable.path:
            np.testing.assert_array_equal(before, keras.ops.convert_to_numpy(variable))
    assert (int(model.d_optimizer.iterations), int(model.g_optimizer.iterations)) == iterations


def test_evaluate_puts_the_players_in_inference_mode():
    """Batch norm's moving statistics stay put: no player runs in training
    mode during evaluation."""
    generator = keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(8), keras.layers.BatchNormalization(), keras.layers.Dense(2)]
    )
    model = toy_model(GAN, generator=generator)
    model.compile()
    moving = numpy_weights(generator.non_trainable_variables)
    model.evaluate(points(32), batch_size=8, verbose=0)
    for before, after in zip(moving, numpy_weights(generator.non_trainable_variables)):
        np.testing.assert_array_equal(before, after)


def test_validation_data_feeds_early_stopping_and_best_checkpoints(tmp_path):
    model = toy_model(GAN)
    model.compile()
    path = str(tmp_path / "best.keras")
    history = model.fit(
        points(32),
        batch_size=8,
        epochs=3,
        verbose=0,
        validation_data=points(16, seed=1),
        callbacks=[
            keras.callbacks.EarlyStopping(monitor="val_d_loss", patience=1, mode="min"),
            keras.callbacks.ModelCheckpoint(
                path, monitor="val_g_loss", mode="min", save_best_only=True
            ),
        ],
    )
    assert {"val_d_loss", "val_g_loss"} <= set(history.history)
    assert (tmp_path / "best.keras").is_file()


# 6. Each critic update takes its own real batch.


class RecordingWGAN(WGAN):
    """Keeps the real batch of every critic update (eager runs only)."""

    seen = None

    def compute_discriminator_loss(self, real, fake, labels=None, training=True):
        self.seen.append(keras.ops.convert_to_numpy(real))
        return super().compute_discriminator_loss(real, fake, labels, training)


def test_each_critic_update_of_a_step_sees_a_fresh_real_batch():
    """WGAN's Algorithm 1 draws a new real minibatch for each of the
    `n_critic` critic iterations: one step consumes `n_critic` batches."""
    model = toy_model(RecordingWGAN)
    model.seen = []
    model.compile(run_eagerly=True)
    data = np.arange(40, dtype="float32").reshape(20, 2)
    model.fit(data, batch_size=4, epochs=1, verbose=0, shuffle=False)
    assert len(model.seen) == 5 and all(batch.shape == (4, 2) for batch in model.seen)
    np.testing.assert_array_equal(np.concatenate(model.seen), data)
    assert int(model.g_optimizer.iterations) == 1


def test_a_tf_data_pipeline_is_rebatched_to_n_critic_batches_per_step():
    import tensorflow as tf

    model = toy_model(RecordingWGAN, n_critic=2)
    model.seen = []
    model.compile(run_eagerly=True)
    data = np.arange(48, dtype="float32").reshape(24, 2)
    model.fit(tf.data.Dataset.from_tensor_slices(data).batch(4), epochs=1, verbose=0)
    assert [len(b) for b in model.seen] == [4] * 6
    np.testing.assert_array_equal(np.concatenate(model.seen), data)
    assert int(model.g_optimizer.iterations) == 3


def test_wgan_warmup_runs_100_critic_updates_per_early_generator_update():
    """The reference code's schedule: 100 critic iterations for each of the
    first 25 generator iterations; 25 steps of 5 give 125 critic updates and
    one generator update."""
    model = toy_model(WGAN, warmup=True)
    model.compile()
    model.fit(points(250), batch_size=2, epochs=1, verbose=0)
    assert int(model.d_optimizer.iterations) == 125
    assert int(model.g_optimizer.iterations) == 1


def test_wgan_defaults_follow_the_reference_rmsprop():
    d_optimizer, _ = WGAN.default_optimizers()
    settings = float(d_optimizer.learning_rate), d_optimizer.rho, d_optimizer.epsilon
    np.testing.assert_allclose(settings, (5e-5, 0.99, 1e-8))


# 7. The NaN check of fit() makes no full-size copy.


def test_finite_check_of_a_large_array_allocates_a_small_fraction_of_it():
    data = np.zeros((4096, 32, 32), "float32")  # 16 MB
    data[-1, -1, -1] = np.nan
    tracemalloc.start()
    try:
        assert not _all_finite(data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < data.nbytes / 2  # a float64 copy would take 2x the array
    assert _all_finite(np.zeros((10, 3), "uint8"))


# 9. compile() speaks of a GAN's arguments; learning rates have readable names.


@pytest.mark.parametrize(
    "argument, match",
    [
        ({"optimizer": "adam"}, "d_optimizer.*g_optimizer"),
        ({"metrics": ["accuracy"]}, "MetricEvaluator"),
        ({"loss": "mse"}, "discriminator_loss"),
    ],
)
def test_compile_explains_keras_arguments_a_gan_does_not_take(argument, match):
    with pytest.raises(ValueError, match=match):
        toy_model(GAN).compile(**argument)


def test_compile_rejects_unknown_arguments():
    with pytest.raises(TypeError, match="unexpected keyword argument 'optimiser'"):
        toy_model(GAN).compile(optimiser="adam")


def test_learning_rates_are_logged_under_the_players_names():
    model = toy_model(GAN)
    model.compile()
    history = model.fit(
        points(16),
        batch_size=8,
        epochs=1,
        verbose=0,
        callbacks=[keras.callbacks.LearningRateScheduler(lambda epoch, lr: lr)],
    )
    assert {"learning_rate_d_optimizer", "learning_rate_g_optimizer"} <= set(history.history)


# NumPy data comes in full steps.


def test_numpy_data_is_cut_into_full_steps_reshuffled_each_epoch():
    """A batch smaller than a step would split into critic batches too small
    to estimate anything (or empty): the leftover samples are dropped."""
    model = toy_model(RecordingWGAN, n_critic=2)
    model.seen = []
    model.compile(run_eagerly=True)
    data = np.arange(46, dtype="float32").reshape(23, 2)  # 2 steps of 2 x 4, 7 left
    model.fit(data, batch_size=4, epochs=2, verbose=0)
    assert [len(b) for b in model.seen] == [4] * 8
    epochs = [np.concatenate(model.seen[:4]), np.concatenate(model.seen[4:])]
    assert all(len(np.unique(e, axis=0)) == 16 for e in epochs)
    assert not np.array_equal(epochs[0], epochs[1])


def test_shuffle_false_feeds_the_samples_in_order():
    """`fit(shuffle=False)` keeps the data's order: Keras would otherwise
    shuffle the order of the full batches."""
    model = toy_model(RecordingWGAN, n_critic=1)
    model.seen = []
    model.compile(run_eagerly=True)
    data = np.arange(64, dtype="float32").reshape(32, 2)
    model.fit(data, batch_size=4, epochs=1, verbose=0, shuffle=False)
    np.testing.assert_array_equal(np.concatenate(model.seen), data)


class CountingGAN(GAN):
    """Counts the Python runs of its steps: under jit, one per trace."""

    def _train_step(self, data):
        self.traces["train"] += 1
        return super()._train_step(data)

    def _test_step(self, data):
        self.traces["test"] += 1
        return super()._test_step(data)


@pytest.mark.parametrize("n_critic", [1, 5])
def test_the_compiled_step_is_traced_in_the_first_epoch_only(n_critic):
    """Protects the speed claim of issue 18: after the first epoch no step is
    traced again (each retrace compiles the whole step anew), in training
    and in validation."""
    model = toy_model(CountingGAN, n_critic=n_critic)
    model.traces = {"train": 0, "test": 0}
    model.compile()
    model.fit(points(640), batch_size=32, epochs=1, validation_data=points(96, 1), verbose=0)
    first = dict(model.traces)
    model.fit(points(640), batch_size=32, epochs=3, validation_data=points(96, 1), verbose=0)
    if backend.COMPILES_WITH_XLA:
        assert 1 <= first["train"] <= 2 and 1 <= first["test"] <= 2, first
        assert model.traces == first, (first, model.traces)
    else:
        # torch runs the step eagerly: one Python run a step, none cached.
        steps = 640 // (32 * n_critic)
        assert first["train"] == steps and model.traces["train"] == 4 * steps


def test_numpy_data_smaller_than_one_step_says_so():
    model = toy_model(WGAN)
    model.compile()
    with pytest.raises(ValueError, match="fewer than one training step takes"):
        model.fit(points(16), batch_size=4, verbose=0)


def test_validation_split_takes_the_last_samples():
    model = toy_model(GAN)
    model.compile()
    history = model.fit(points(40), batch_size=8, validation_split=0.2, verbose=0)
    assert {"val_d_loss", "val_g_loss"} <= set(history.history)


def test_a_saved_model_loads_in_a_new_process_after_import_gan_zoo(tmp_path):
    """`import gan_zoo` registers every class, as `import keras_hub` does."""
    import os
    import subprocess
    import sys

    model = toy_model(WGAN, warmup=True)
    model.compile()
    model.save(tmp_path / "wgan.keras")
    script = (
        "import gan_zoo, keras, sys; "
        f"m = keras.saving.load_model({str(tmp_path / 'wgan.keras')!r}); "
        "print(type(m).__name__, m.warmup)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True,
        env={**os.environ, "KERAS_BACKEND": keras.backend.backend()},
    )
    assert result.stdout.split() == ["WGAN", "True"], result.stderr[-2000:]
