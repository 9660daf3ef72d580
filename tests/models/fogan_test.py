"""FOGAN and PWGAN: the critic loss against a NumPy form of the formula
(METHODS.md, "First Order GAN"), the perturbed points, and the step."""

import keras
import numpy as np
import pytest
from keras import ops

from gan_zoo import losses
from gan_zoo.models import FOGAN, PWGAN
from gan_zoo.models.architectures import mlp_discriminator, mlp_generator


def tanh_critic(dim, hidden, seed):
    """f(x) = v . tanh(W x + b) + c, with NumPy weights for the reference."""
    rng = np.random.default_rng(seed)
    weights = [
        rng.normal(size=(dim, hidden)).astype("float32"),
        rng.normal(size=hidden).astype("float32") * 0.1,
        rng.normal(size=(hidden, 1)).astype("float32") * 0.5,
        np.array([0.2], "float32"),
    ]
    critic = keras.Sequential(
        [keras.Input((dim,)), keras.layers.Dense(hidden, "tanh"), keras.layers.Dense(1)]
    )
    critic.set_weights(weights)
    return critic, [w.astype("float64") for w in weights]


def numpy_critic(weights, x):
    w, b, v, c = weights
    h = np.tanh(x @ w + b)
    value = (h @ v)[:, 0] + c[0]
    gradient = ((1.0 - h**2) * v[:, 0]) @ w.T  # d f / d x, per sample
    return value, gradient


def numpy_first_order_loss(weights, x, x_tilde, lam, mu):
    """The formula of METHODS.md, one pair at a time."""
    f_x, _ = numpy_critic(weights, x)
    f_t, grad_t = numpy_critic(weights, x_tilde)
    n = len(x)
    lipschitz, gradient = [], []
    for i in range(n):
        d = np.linalg.norm(x[i] - x_tilde[i])
        lipschitz.append(0.0 if d < 1e-8 else (f_x[i] - f_t[i]) ** 2 / d)
        total, inverse = np.zeros(x.shape[1]), 0.0
        for j in range(n):
            dist = np.linalg.norm(x[j] - x_tilde[i]) + 1e-6
            total += (x[j] - x_tilde[i]) * (f_x[j] - f_t[i]) / dist**3
            inverse += 1.0 / dist
        target = np.linalg.norm(total / n) / (inverse / n)
        gradient.append((np.linalg.norm(grad_t[i]) - target) ** 2)
    return (
        f_t.mean() - f_x.mean() + lam * np.mean(lipschitz) + mu * np.mean(gradient)
    )


@pytest.mark.parametrize("lam,mu", [(0.1, 1.0), (0.5, 1.0), (0.1, 0.0)])
def test_critic_loss_matches_numpy_formula(lam, mu):
    rng = np.random.default_rng(3)
    critic, weights = tanh_critic(dim=5, hidden=7, seed=4)
    x = rng.normal(size=(12, 5)).astype("float32")
    fake = rng.normal(size=(12, 5)).astype("float32")
    a = rng.uniform(0, 0.01, size=(12, 1)).astype("float32")
    x_tilde = fake + a * (x - fake)
    x_tilde[3] = x[3]  # a pair at distance 0: no Lipschitz term
    loss, terms = losses.first_order_critic_loss(
        critic, x, x_tilde, lipschitz_weight=lam, gradient_weight=mu
    )
    expected = numpy_first_order_loss(
        weights, x.astype("float64"), x_tilde.astype("float64"), lam, mu
    )
    np.testing.assert_allclose(float(loss), expected, rtol=1e-4, atol=1e-4)
    assert ("gradient_penalty" in terms) == (mu > 0)


def test_target_slope_on_images_is_nonnegative_and_per_sample():
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (6, 4, 4, 3)).astype("float32")
    x_tilde = rng.uniform(-1, 1, (6, 4, 4, 3)).astype("float32")
    slope = ops.convert_to_numpy(
        losses.first_order_target_slope(
            x, x_tilde, rng.normal(size=6).astype("float32"), np.zeros((6, 1), "float32")
        )
    )
    assert slope.shape == (6,)
    assert np.all(np.isfinite(slope)) and np.all(slope >= 0)


def test_critic_loss_rejects_unpaired_batches():
    critic, _ = tanh_critic(dim=3, hidden=2, seed=0)
    with pytest.raises(ValueError, match="same shape"):
        losses.first_order_critic_loss(
            critic, np.zeros((4, 3), "float32"), np.zeros((5, 3), "float32")
        )


def toy_model(cls, **kwargs):
    return cls(
        mlp_generator(latent_dim=4, hidden_units=(16,)),
        mlp_discriminator(hidden_units=(16,)),
        seed=0,
        **kwargs,
    )


def test_perturbed_points_lie_just_next_to_the_generated_ones():
    model = toy_model(FOGAN, max_perturbation=0.01)
    rng = np.random.default_rng(0)
    real = rng.normal(size=(500, 2)).astype("float32")
    fake = rng.normal(size=(500, 2)).astype("float32")
    x_tilde = ops.convert_to_numpy(model.perturb(real, fake))
    a = (x_tilde - fake) / (real - fake)
    np.testing.assert_allclose(a[:, 0], a[:, 1], atol=1e-4)  # one a per sample
    assert -1e-4 <= a.min() and a.max() <= 0.01 + 1e-4
    assert a.max() > 0.008 and a.min() < 0.002  # U[0, 0.01], not a constant


@pytest.mark.parametrize("cls", [FOGAN, PWGAN])
def test_step_logs_the_terms_and_moves_both_players(cls):
    model = toy_model(cls)
    model.compile()
    g_before = [ops.convert_to_numpy(v) for v in model.generator.trainable_variables]
    d_before = [ops.convert_to_numpy(v) for v in model.discriminator.trainable_variables]
    data = np.random.default_rng(0).normal(size=(64, 2)).astype("float32")
    logs = model.fit(data, batch_size=32, epochs=1, verbose=0).history
    assert set(logs) == set(cls.log_names)
    assert all(np.isfinite(v[-1]) for v in logs.values())
    for before, player in ((g_before, model.generator), (d_before, model.discriminator)):
        after = [ops.convert_to_numpy(v) for v in player.trainable_variables]
        assert any(not np.allclose(b, a) for b, a in zip(before, after))


def test_defaults_are_the_reference_code_settings():
    model = toy_model(FOGAN)
    d_optimizer, g_optimizer = FOGAN.default_optimizers()
    assert (model.lipschitz_weight, model.gradient_weight, model.n_critic) == (0.1, 1.0, 1)
    assert float(d_optimizer.learning_rate) == pytest.approx(3e-4)
    assert float(g_optimizer.learning_rate) == pytest.approx(1e-4)
    assert (g_optimizer.beta_1, g_optimizer.beta_2) == (0.5, 0.9)


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"lipschitz_weight": -1.0}, "lipschitz_weight"),
        ({"gradient_weight": -0.5}, "gradient_weight"),
        ({"max_perturbation": 0.0}, "max_perturbation"),
    ],
)
def test_bad_weights_are_rejected(kwargs, match):
    with pytest.raises(ValueError, match=match):
        toy_model(FOGAN, **kwargs)


def test_pwgan_has_no_gradient_term():
    with pytest.raises(ValueError, match="FOGAN"):
        toy_model(PWGAN, gradient_weight=1.0)
    config = toy_model(PWGAN).get_config()
    assert "gradient_weight" not in config
    assert PWGAN.from_config(config).gradient_weight == 0.0
