"""The engine: the step, state threading, saving, compilation and errors."""

import json
import os
import subprocess
import sys
import warnings

import keras
import numpy as np
import pytest

from gan_zoo import datasets
from gan_zoo.models import (
    DCGAN,
    FOGAN,
    GAN,
    LSGAN,
    PGAN,
    PWGAN,
    WGAN,
    WGANGP,
    ImprovedGAN,
    SoftmaxGAN,
)
from gan_zoo.models.architectures import (
    dcgan_discriminator,
    dcgan_generator,
    gmm_discriminator,
    mlp_discriminator,
    mlp_generator,
    pgan_encoder,
)

BACKEND = keras.backend.backend()
METHODS = [GAN, DCGAN, LSGAN, SoftmaxGAN, WGAN, WGANGP, FOGAN, PWGAN, ImprovedGAN, PGAN]
IDS = [m.__name__ for m in METHODS]
# ImprovedGAN with every technique on, so that the engine's tests cover them
# all: feature matching, historical averaging of both players, label
# smoothing, virtual batch norm in G and minibatch discrimination in D.
IMPROVED_GAN = {
    "method": dict(
        feature_matching=True,
        d_historical_averaging=0.1,
        g_historical_averaging=0.1,
        label_smoothing=0.1,
    ),
    "generator": dict(batch_norm="virtual", reference_size=4, seed=0),
    "discriminator": dict(minibatch_kernels=3, minibatch_kernel_dim=2),
}


def image_model(cls, **kwargs):
    """A tiny 8x8 DCGAN pair (batch norm in G; in D unless its penalties are
    per sample); PGAN's D is its encoder and a Gaussian mixture."""
    options = IMPROVED_GAN if cls is ImprovedGAN else {}
    if cls is PGAN:
        discriminator = gmm_discriminator(pgan_encoder(8))
    else:
        discriminator = dcgan_discriminator(
            8,
            1,
            base_filters=4,
            batch_norm=not cls.per_sample_critic,
            **options.get("discriminator", {}),
        )
    return cls(
        dcgan_generator(8, 1, latent_dim=4, base_filters=4, **options.get("generator", {})),
        discriminator,
        seed=0,
        **{**options.get("method", {}), **kwargs},
    )


def toy_model(cls, **kwargs):
    return cls(
        mlp_generator(latent_dim=4, hidden_units=(16,)),
        mlp_discriminator(hidden_units=(16,)),
        seed=0,
        **kwargs,
    )


def images(n=16, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (n, 8, 8, 1)).astype("float32")


def numpy_weights(variables):
    return [keras.ops.convert_to_numpy(v) for v in variables]


@pytest.mark.parametrize("cls", METHODS, ids=IDS)
def test_step_updates_both_players_and_all_state(cls):
    model = image_model(cls)
    model.compile()
    # Kernels: a Wasserstein critic's output bias gets no gradient, rightly.
    kernels = lambda m: [v for v in m.trainable_variables if "kernel" in v.path]  # noqa: E731
    g_before = numpy_weights(kernels(model.generator))
    d_before = numpy_weights(kernels(model.discriminator))
    # Batch-norm statistics (a virtual-batch-norm G has none; its reference
    # batch is fixed).
    statistics = lambda: [v for v in model.generator.non_trainable_variables if "moving" in v.path]  # noqa: E731
    bn_before = numpy_weights(statistics())
    history = model.fit(images(16 * model.n_critic), batch_size=8, epochs=1, verbose=0)

    # Both optimizers' state is threaded through the step (JAX included);
    # each critic update takes its own batch of 8.
    assert int(model.d_optimizer.iterations) == 2 * model.n_critic
    assert int(model.g_optimizer.iterations) == 2
    for before, after in zip(g_before, numpy_weights(kernels(model.generator))):
        assert not np.array_equal(before, after)
    for before, after in zip(d_before, numpy_weights(kernels(model.discriminator))):
        assert not np.array_equal(before, after)
    # The generator's batch-norm statistics move (during both players' steps).
    for before, after in zip(bn_before, numpy_weights(statistics())):
        assert not np.array_equal(before, after)
    assert set(history.history) == set(model.log_names)
    for values in history.history.values():
        assert np.all(np.isfinite(values))


def test_n_generator_runs_that_many_generator_updates_per_step_each_with_fresh_noise():
    """The ratio 1:5 of Lin 2017 (section 4): one D update, then five of G."""
    x = np.random.default_rng(0).normal(size=(16, 2)).astype("float32")
    compiled = toy_model(GAN, n_generator=3)
    compiled.compile()  # XLA on jax and tensorflow
    compiled.fit(x, batch_size=8, epochs=1, verbose=0)
    assert int(compiled.d_optimizer.iterations) == 2
    assert int(compiled.g_optimizer.iterations) == 6
    model = toy_model(GAN, n_generator=3)
    seen = []
    sample_noise = model.sample_noise
    model.sample_noise = lambda n: seen.append(1) or sample_noise(n)  # noqa: E731
    model.compile(run_eagerly=True)
    g_before = numpy_weights(model.generator.trainable_variables)
    model.fit(x, batch_size=8, epochs=1, verbose=0)
    assert int(model.g_optimizer.iterations) == 6
    # Per step: one draw for D's update and one for each of G's three.
    assert len(seen) == 2 * (1 + 3)
    assert not all(
        np.array_equal(a, b)
        for a, b in zip(g_before, numpy_weights(model.generator.trainable_variables))
    )
    assert GAN.from_config(model.get_config()).n_generator == 3
    with pytest.raises(ValueError, match="n_generator"):
        toy_model(GAN, n_generator=0)


def test_jit_compile_is_xla_by_default_on_tensorflow_and_jax():
    model = toy_model(GAN)
    model.compile()
    assert model.jit_compile is (BACKEND in ("tensorflow", "jax"))


def test_input_gradient_methods_compile_with_xla_but_not_torch_compile():
    import warnings

    model = toy_model(WGANGP)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.compile(jit_compile=True)
    on_torch = BACKEND == "torch"
    assert model.jit_compile is not on_torch
    assert any("torch.compile" in str(w.message) for w in caught) is on_torch


def test_wgan_critic_weights_clipped_after_step():
    model = toy_model(WGAN, clip_value=0.02)
    model.compile(keras.optimizers.SGD(1.0), keras.optimizers.SGD(1e-3))
    model.fit(datasets.sample_ring(64), batch_size=8, epochs=1, verbose=0)
    for w in numpy_weights(model.discriminator.trainable_variables):
        assert np.abs(w).max() <= 0.02 + 1e-7
    assert any(np.isclose(np.abs(w).max(), 0.02) for w in numpy_weights(model.discriminator.trainable_variables))


def test_gradient_penalty_gradient_reaches_critic_weights():
    """One WGAN-GP critic step with SGD on a linear critic f(x) = w.x + b and a
    generator whose output is a constant c: the update is exactly
    `w -= lr * (c - mean(x) + lambda * 2 (||w|| - 1) w / ||w||)`."""
    dim, lr, lam = 3, 0.1, 10.0
    w = np.array([[0.5], [-1.0], [2.0]], "float32")
    c = np.array([0.2, -0.3, 0.4], "float32")
    critic = keras.Sequential([keras.Input((dim,)), keras.layers.Dense(1)])
    critic.set_weights([w, np.zeros(1, "float32")])
    generator = keras.Sequential(
        [keras.Input((2,)), keras.layers.Dense(dim, kernel_initializer="zeros")]
    )
    generator.set_weights([np.zeros((2, dim), "float32"), c])
    model = WGANGP(generator, critic, n_critic=1, gradient_penalty_weight=lam, seed=0)
    model.compile(keras.optimizers.SGD(lr), keras.optimizers.SGD(0.0))
    x = np.random.default_rng(0).normal(size=(8, dim)).astype("float32")
    model.fit(x, batch_size=8, epochs=1, verbose=0, shuffle=False)
    norm = np.linalg.norm(w)
    grad = (c - x.mean(0))[:, None] + lam * 2 * (norm - 1) * w / norm
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(critic.weights[0]), w - lr * grad, rtol=1e-4, atol=1e-5
    )


def test_softmax_gan_losses_use_the_actual_batch_sizes():
    model = toy_model(SoftmaxGAN)
    rng = np.random.default_rng(1)
    real, fake = rng.normal(size=(5, 2)).astype("float32"), rng.normal(size=(3, 2)).astype("float32")
    logits = keras.ops.convert_to_numpy(model.discriminator(np.concatenate([real, fake])))[:, 0]
    lse = np.log(np.exp(logits.astype("float64")).sum())
    d_loss, _ = model.compute_discriminator_loss(real, fake)
    g_loss, _ = model.compute_generator_loss(real, fake)
    np.testing.assert_allclose(float(d_loss), -logits[:5].mean() + lse, rtol=1e-5)
    np.testing.assert_allclose(float(g_loss), -logits.mean() + lse, rtol=1e-5)


@pytest.mark.parametrize("cls", METHODS, ids=IDS)
def test_keras_file_round_trip_keeps_generator_config_and_optimizers(cls, tmp_path):
    model = image_model(cls)
    model.compile()
    model.fit(images(16 * model.n_critic), batch_size=8, epochs=1, verbose=0)
    path = str(tmp_path / "model.keras")
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert type(loaded) is cls
    assert loaded.get_config().keys() == model.get_config().keys()
    z = np.random.default_rng(0).normal(size=(4, 4)).astype("float32")
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(loaded.generator(z)),
        keras.ops.convert_to_numpy(model.generator(z)),
        atol=1e-6,
    )
    assert int(loaded.g_optimizer.iterations) == int(model.g_optimizer.iterations)
    # Training goes on from the loaded state.
    loaded.fit(images(16 * model.n_critic), batch_size=8, epochs=1, verbose=0)
    assert int(loaded.g_optimizer.iterations) == int(model.g_optimizer.iterations) + 2


@pytest.mark.parametrize("cls", METHODS, ids=IDS)
def test_preset_round_trip_gives_the_same_samples(cls, tmp_path):
    model = image_model(cls)
    model.compile()
    model.fit(images(16 * model.n_critic), batch_size=8, epochs=1, verbose=0)
    model.save_to_preset(tmp_path / "preset", metadata={"dataset": "noise"})
    loaded = cls.from_preset(tmp_path / "preset")
    assert type(loaded) is cls and type(GAN.from_preset(tmp_path / "preset")) is cls
    np.testing.assert_allclose(
        loaded.generate(4, seed=0), model.generate(4, seed=0), atol=1e-6
    )
    for a, b in zip(numpy_weights(model.weights), numpy_weights(loaded.weights)):
        np.testing.assert_array_equal(a, b)


def test_weights_round_trip(tmp_path):
    model = image_model(DCGAN)
    model.compile()
    model.fit(images(), batch_size=8, epochs=1, verbose=0)
    path = str(tmp_path / "model.weights.h5")
    model.save_weights(path)
    other = image_model(DCGAN)
    other.load_weights(path)
    for a, b in zip(numpy_weights(model.weights), numpy_weights(other.weights)):
        np.testing.assert_array_equal(a, b)


CROSS_BACKEND_SCRIPT = """
import json, sys
import keras, numpy as np
from tests.gan_test import image_model
from gan_zoo import models
model = image_model(getattr(models, sys.argv[3]))
model.load_weights(sys.argv[1])
fake = model.generator(np.load(sys.argv[2]))
print(json.dumps([keras.ops.convert_to_numpy(x).tolist() for x in (fake, model.discriminator(fake))]))
"""


@pytest.mark.slow
@pytest.mark.parametrize("cls", [DCGAN, PGAN], ids=["DCGAN", "PGAN"])
def test_weights_load_on_the_other_backends_with_identical_outputs(cls, tmp_path):
    # Both players' outputs; PGAN's D output needs the fitted mixture.
    model = image_model(cls)
    model.compile()
    model.fit(images(), batch_size=8, epochs=1, verbose=0)
    weights, noise = str(tmp_path / "model.weights.h5"), str(tmp_path / "z.npy")
    model.save_weights(weights)
    z = np.random.default_rng(0).normal(size=(4, 4)).astype("float32")
    np.save(noise, z)
    fake = model.generator(z)
    expected = [keras.ops.convert_to_numpy(x) for x in (fake, model.discriminator(fake))]
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for other in {"jax", "tensorflow", "torch"} - {BACKEND}:
        env = {**os.environ, "KERAS_BACKEND": other, "PYTHONPATH": root}
        out = subprocess.run(
            [sys.executable, "-c", CROSS_BACKEND_SCRIPT, weights, noise, cls.__name__],
            env=env, cwd=root, capture_output=True, text=True, check=True,
        )
        got = json.loads(out.stdout.strip().splitlines()[-1])
        for name, value, want in zip(("generator", "discriminator"), got, expected):
            np.testing.assert_allclose(
                np.array(value, "float32"), want, atol=1e-5, err_msg=f"{other}: {name}"
            )


# Bad input: each error says what to change.


def test_wrong_data_shape_names_both_shapes():
    model = image_model(DCGAN)
    model.compile()
    wrong = np.zeros((16, 16, 16, 1), "float32")
    with pytest.raises(ValueError, match=r"\(16, 16, 1\).*\(8, 8, 1\).*image_size"):
        model.fit(wrong, batch_size=8, epochs=1, verbose=0)


def test_wrong_data_shape_in_a_dataset_is_caught():
    model = toy_model(GAN)
    model.compile()
    ds = datasets.digits(batch_size=8, image_size=8)
    with pytest.raises(ValueError, match="discriminator takes"):
        model.fit(ds, epochs=1, verbose=0)


def test_batch_of_one_asks_for_larger_batches():
    model = toy_model(SoftmaxGAN)
    model.compile()
    with pytest.raises(ValueError, match="at least 2 samples.*batch_size"):
        model.fit(datasets.sample_ring(8), batch_size=1, epochs=1, verbose=0)


def test_nan_in_data_is_reported():
    model = toy_model(GAN)
    model.compile()
    data = datasets.sample_ring(64)
    data[5, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        model.fit(data, batch_size=16, epochs=1, verbose=0)


def test_nan_in_first_dataset_batch_is_reported():
    import tensorflow as tf

    model = toy_model(GAN)
    model.compile()
    data = datasets.sample_ring(64)
    data[0, 0] = np.inf
    with pytest.raises(ValueError, match="NaN or infinite"):
        model.fit(tf.data.Dataset.from_tensor_slices(data).batch(16), epochs=1, verbose=0)


@pytest.mark.parametrize("given", ["d_optimizer", "g_optimizer"])
def test_compile_with_one_optimizer_names_the_missing_one(given):
    model = toy_model(GAN)
    missing = {"d_optimizer", "g_optimizer"} - {given}
    with pytest.raises(ValueError, match=f"not `{missing.pop()}`"):
        model.compile(**{given: keras.optimizers.Adam()})


def test_compile_with_one_optimizer_object_twice_raises():
    model = toy_model(GAN)
    adam = keras.optimizers.Adam()
    with pytest.raises(ValueError, match="two different"):
        model.compile(adam, adam)


def test_fit_before_compile_says_to_compile():
    with pytest.raises(RuntimeError, match="compile"):
        toy_model(GAN).fit(datasets.sample_ring(16), batch_size=8, verbose=0)


def test_players_of_different_shapes_are_rejected():
    with pytest.raises(ValueError, match="generator makes samples of shape"):
        GAN(mlp_generator(data_dim=3), mlp_discriminator(data_dim=2))


def test_gan_objective_options_are_rejected_by_other_objectives():
    with pytest.raises(ValueError, match="label_smoothing"):
        toy_model(LSGAN, label_smoothing=0.1)


def test_generate_is_reproducible_with_a_seed():
    model = toy_model(GAN)
    np.testing.assert_array_equal(model.generate(5, seed=3), model.generate(5, seed=3))
    assert model.generate(5, seed=3).shape == (5, 2)


def test_generate_zero_gives_an_empty_array_of_the_sample_shape():
    model = image_model(DCGAN)
    samples = model.generate(0)
    assert samples.shape == (0, 8, 8, 1) and samples.dtype == np.float32
    with pytest.raises(ValueError, match="`n` must be an integer >= 0"):
        model.generate(-1)


@pytest.mark.parametrize(
    "low, high, warned",
    [(0.0, 1.0, True), (0.0, 255.0, True), (-1.0, 1.0, False), (-0.9, 0.95, False)],
)
def test_fit_warns_once_when_images_are_off_the_generators_scale(low, high, warned):
    """A tanh generator cannot match pixels in [0, 1] or [0, 255]."""
    model = image_model(DCGAN)
    model.compile()
    x = np.random.default_rng(0).uniform(low, high, (16, 8, 8, 1)).astype("float32")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(x, batch_size=8, epochs=2, verbose=0)
    scale = [w for w in caught if "generator's output is in [-1, 1]" in str(w.message)]
    assert len(scale) == (1 if warned else 0), [str(w.message) for w in caught]
    if warned:
        assert "value_range=" in str(scale[0].message)
