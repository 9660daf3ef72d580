"""PGAN (Eghbal-zadeh & Widmer 2017): the mixture fitted in D's step, the
likelihoods it logs, saving, mixed precision, the frozen generator's
vanishing gradient, and learning on the digits."""

import keras
import numpy as np
import pytest

from gan_zoo import backend
from gan_zoo import datasets
from gan_zoo.metrics import classifier_extractor
from gan_zoo.metrics import confident_fraction
from gan_zoo.models import PGAN
from gan_zoo.models.architectures import gmm_discriminator
from gan_zoo.models.architectures import pgan_encoder
from gan_zoo.models.architectures import pgan_mlp_encoder
from gan_zoo.models.architectures import pgan_generator


def pgan(image_size=8, latent_dim=4, variance_floor=0.1, **kwargs):
    return PGAN(
        pgan_generator(image_size, latent_dim=latent_dim),
        gmm_discriminator(pgan_encoder(image_size), variance_floor=variance_floor),
        seed=0,
        **kwargs,
    )


def images(n=16, size=8, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (n, size, size, 1)).astype("float32")


def numpy(x):
    return keras.ops.convert_to_numpy(x)


def test_bad_arguments_name_what_to_change():
    with pytest.raises(ValueError, match="`em_iterations` must be a positive integer"):
        pgan(em_iterations=0)
    with pytest.raises(ValueError, match="last layer is that layer"):
        PGAN(pgan_generator(8, latent_dim=4), pgan_encoder(8))
    with pytest.raises(ValueError, match="`dense_units` must be a positive integer"):
        pgan_encoder(8, dense_units=0)


def test_dense_units_sets_the_width_of_both_dense_layers():
    """The paper's 1024 by default; narrower for small presets."""
    generator = pgan_generator(8, latent_dim=4, dense_units=16)
    encoder = pgan_encoder(8, dense_units=16)
    assert generator.get_layer("dense_0").units == 16 and encoder.get_layer("dense").units == 16
    assert pgan_generator(8, latent_dim=4).get_layer("dense_0").units == 1024


def test_mlp_encoder_ends_in_a_batch_normalised_bottleneck():
    """The toys' encoder: an MLP, then the MNIST encoder's bottleneck."""
    encoder = pgan_mlp_encoder(hidden_units=(8, 8), bottleneck=2)
    assert encoder.output_shape == (None, 2)
    assert [layer.name for layer in encoder.layers[-3:]] == [
        "bottleneck", "bottleneck_bn", "bottleneck_lrelu"]
    with pytest.raises(ValueError, match="`hidden_units` must be a list or tuple"):
        pgan_mlp_encoder(hidden_units=8)


def test_toy_players_pass_discriminator_options_to_the_mixture():
    from gan_zoo.recipes import toy_players

    _, discriminator = toy_players(PGAN, discriminator_options={"variance_floor": 1e-6})
    assert discriminator.layers[-1].variance_floor == 1e-6
    assert toy_players(PGAN)[1].layers[-1].variance_floor == 0.1


def test_discriminator_loss_fits_the_mixture_to_the_real_embeddings_first():
    model = pgan()
    real, fake = images(8, seed=1), images(8, seed=2)
    # Both batches through E in one call, in training mode: batch norm over both.
    embeddings = numpy(model.encoder(np.concatenate([real, fake]), training=True))
    loss, logs = model.compute_discriminator_loss(real, fake)
    mean = embeddings[:8].mean(axis=0)
    variance = np.maximum(embeddings[:8].var(axis=0), 0.1)  # the default floor
    np.testing.assert_allclose(numpy(model.mixture.means)[0], mean, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(numpy(model.mixture.variances)[0], variance, rtol=1e-4)
    real_l = np.exp(-0.5 * (embeddings[:8] - mean) ** 2 / variance).sum(axis=1)
    fake_l = np.exp(-0.5 * (embeddings[8:] - mean) ** 2 / variance).sum(axis=1)
    expected = 0.5 * np.mean((real_l - 1) ** 2) + 0.5 * np.mean(fake_l**2)
    np.testing.assert_allclose(float(loss), expected, rtol=1e-4)
    np.testing.assert_allclose(float(logs["fake_likelihood"]), fake_l.mean(), rtol=1e-4)
    # Evaluation scores with the stored mixture and fits nothing.
    before = numpy(model.mixture.means)
    model.compute_discriminator_loss(images(8, seed=3), fake, training=False)
    np.testing.assert_array_equal(numpy(model.mixture.means), before)


def test_generator_is_scored_by_the_discriminator_as_it_stands():
    model = pgan()
    moving = lambda: [numpy(v) for v in model.encoder.non_trainable_variables]  # noqa: E731
    before = moving()
    fake = images(8, seed=2)
    loss, _ = model.compute_generator_loss(images(8, seed=1), fake)
    # Batch norm in inference mode: G cannot move the batch statistics.
    for a, b in zip(before, moving()):
        np.testing.assert_array_equal(a, b)
    likelihood = numpy(model.discriminator(fake, training=False))
    np.testing.assert_allclose(float(loss), 0.5 * np.mean((likelihood - 1) ** 2), rtol=1e-5)


def test_training_logs_likelihoods_in_the_unit_interval():
    model = pgan()
    model.compile()
    history = model.fit(images(32), batch_size=8, epochs=2, verbose=0).history
    assert set(history) == {"d_loss", "g_loss", "real_likelihood", "fake_likelihood"}
    for name in ("real_likelihood", "fake_likelihood"):
        assert all(0 < value <= 1 for value in history[name]), history[name]


def test_frozen_generator_keeps_its_weights():
    model = pgan(freeze_generator=True)
    model.compile()
    before = [numpy(v) for v in model.generator.trainable_variables]
    model.fit(images(32), batch_size=8, epochs=1, verbose=0)
    assert int(model.g_optimizer.iterations) == 0
    for a, v in zip(before, model.generator.trainable_variables):
        np.testing.assert_array_equal(a, numpy(v))


def test_saved_model_keeps_the_fitted_mixture(tmp_path):
    model = pgan()
    model.compile()
    model.fit(images(32), batch_size=8, epochs=1, verbose=0)
    model.save(tmp_path / "pgan.keras")
    loaded = keras.saving.load_model(tmp_path / "pgan.keras")
    for name in ("mixture_weights", "means", "variances"):
        np.testing.assert_array_equal(
            numpy(getattr(loaded.mixture, name)), numpy(getattr(model.mixture, name))
        )
    assert float(numpy(model.mixture.variances)[0, 0]) != 1.0  # fitted, not initial
    x = images(4, seed=5)
    np.testing.assert_allclose(numpy(loaded.discriminator(x)), numpy(model.discriminator(x)))


@pytest.mark.parametrize("name", ["mixed_float16", "mixed_bfloat16"])
def test_likelihood_stays_in_the_unit_interval_under_mixed_precision(policy, name):
    policy(name)
    model = pgan()
    model.compile()
    history = model.fit(images(32), batch_size=8, epochs=2, verbose=0).history
    for key in ("real_likelihood", "fake_likelihood", "d_loss", "g_loss"):
        assert np.all(np.isfinite(history[key])), (key, history[key])
    for key in ("real_likelihood", "fake_likelihood"):
        assert all(0 < v <= 1 for v in history[key]), (key, history[key])
    likelihood = model.discriminator(images(8, seed=4), training=False)
    assert keras.backend.standardize_dtype(likelihood.dtype) == "float32"
    values = numpy(likelihood)
    assert np.all((values >= 0) & (values <= 1)), values


def generator_gradient_norm(model, fake):
    """Mean norm over samples of d L_G / d G(z): what G's update receives."""
    def loss_per_sample(x):
        return 0.5 * keras.ops.square(model.discriminator(x, training=False) - 1.0)

    fake = keras.ops.convert_to_tensor(fake)
    _, gradient = backend.outputs_and_input_gradient(loss_per_sample, fake)
    gradient = numpy(gradient).reshape(len(fake), -1)
    return float(np.mean(np.linalg.norm(gradient, axis=1)))


def frozen_generator_gradient_norms(variance_floor, steps=(1, 2, 4, 8, 16, 32, 64)):
    """G's gradient norm after each number of D steps of `steps`."""
    keras.utils.set_random_seed(0)
    model = pgan(16, latent_dim=32, variance_floor=variance_floor, freeze_generator=True)
    model.compile()
    data = datasets.digits(batch_size=64, image_size=16, seed=0).repeat()
    fake = model.generate(256, seed=1)
    norms, done = [], 0
    for step in steps:
        model.fit(data, epochs=1, steps_per_epoch=step - done, verbose=0)
        done = step
        norms.append(generator_gradient_norm(model, fake))
    print("variance floor", variance_floor, "generator gradient norms", norms)
    return norms


@pytest.mark.slow
def test_frozen_generators_gradient_switches_off_without_the_variance_floor():
    # The paper's on/off account: against a fixed G, E learns to separate
    # its samples and G's gradient fades. Without a floor on the mixture's
    # variances it switches off completely: the likelihood of G's samples
    # underflows to 0 (measured: jax 0.017 after one D step, 1.5e-8 after
    # 4, exactly 0 from 16 on; tensorflow 0.19 after 2, 0 from 16 on).
    paper = frozen_generator_gradient_norms(1e-6)
    assert max(paper) > 0 and paper[-1] == 0.0, paper
    # The default floor keeps it on, so that G can still learn (measured
    # after 64 steps: jax 1.5% of its largest value, tensorflow 94%).
    floored = frozen_generator_gradient_norms(0.1)
    assert floored[-1] > max(floored) / 1000, floored


@pytest.mark.slow
def test_pgan_learns_digits_while_the_real_likelihood_stays_high():
    # Learning, read by the shipped digits classifier: the share of samples
    # it recognises with p > 0.9 (0.87 for the real digits) goes from 0 to
    # about 0.3-0.4 (tools/pgan_digits.py, the same schedule: jax 0.24-0.35
    # from epoch 18, torch 0.38-0.43 from 24, tensorflow 0.32-0.39 from 33).
    # Real samples keep a likelihood near 1 (0.85-0.99) and generated ones
    # stay above 0, so G keeps a gradient. The generated likelihood, the
    # paper's quality signal, rises (the issue's "measured at the start
    # and the end"): its mean over the last 9 epochs against epochs 4-9
    # was 21.5x on jax, 2.8x on tensorflow and 2.05x on torch (2026-12-01,
    # with spikes on the last two); the bar, 1.5x, sits below all three.
    keras.utils.set_random_seed(0)
    model = pgan(16, latent_dim=32)
    model.compile()
    classifier = classifier_extractor("digits")
    shares, fake, real = [], [], []
    for epoch in range(3, 43, 3):
        data = datasets.digits(batch_size=64, image_size=16, seed=epoch)
        history = model.fit(data, epochs=3, verbose=0).history
        fake += history["fake_likelihood"]
        real += history["real_likelihood"]
        shares.append(confident_fraction(classifier(model.generate(500, seed=0))[1]))
        if len(shares) >= 3 and np.mean(shares[-3:]) > 0.15:
            break  # learned: no need to train on to epoch 42
    print("shares", np.round(shares, 3).tolist(), "fake", np.round(fake, 4).tolist(),
          "real", np.round(real, 3).tolist())
    assert shares[0] < 0.05 and np.mean(shares[-3:]) > 0.15, shares
    assert np.mean(real[-9:]) > 0.8, real
    assert min(fake) > 0, fake
    rise = np.mean(fake[-9:]) / np.mean(fake[3:9])
    print("generated likelihood, last 9 epochs / epochs 4-9:", rise)
    assert rise > 1.5, fake
