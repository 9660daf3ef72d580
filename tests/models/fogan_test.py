"""FOGAN and PWGAN: the critic loss and its weight gradient against a NumPy
form of the formula (METHODS.md, "First Order GAN"), the engine's
outputs-and-input-gradient pass the loss is built on, the perturbed points,
and the step."""

import keras
import numpy as np
import pytest
from keras import ops

from gan_zoo import backend
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


def numpy_first_order_loss(weights, x, x_tilde, lam, mu, slope_weights=None):
    """The formula of METHODS.md, one pair at a time. The target slopes carry
    no gradient: they use the critic's values under `slope_weights` (default
    `weights`), fixed while differentiating with respect to `weights`."""
    f_x, _ = numpy_critic(weights, x)
    f_t, grad_t = numpy_critic(weights, x_tilde)
    if slope_weights is None:
        s_x, s_t = f_x, f_t
    else:
        s_x, s_t = numpy_critic(slope_weights, x)[0], numpy_critic(slope_weights, x_tilde)[0]
    n = len(x)
    lipschitz, gradient = [], []
    for i in range(n):
        d = np.linalg.norm(x[i] - x_tilde[i])
        lipschitz.append(0.0 if d < 1e-8 else (f_x[i] - f_t[i]) ** 2 / d)
        total, inverse = np.zeros(x.shape[1]), 0.0
        for j in range(n):
            dist = np.linalg.norm(x[j] - x_tilde[i]) + 1e-6
            total += (x[j] - x_tilde[i]) * (s_x[j] - s_t[i]) / dist**3
            inverse += 1.0 / dist
        target = np.linalg.norm(total / n) / (inverse / n)
        gradient.append((np.linalg.norm(grad_t[i]) - target) ** 2)
    return (
        f_t.mean() - f_x.mean() + lam * np.mean(lipschitz) + mu * np.mean(gradient)
    )


def real_and_perturbed(rng, n, dim):
    """Real rows `x` and `x~ = G + a (x - G)`, `a ~ U(0, 0.01)`, G random."""
    x = rng.normal(size=(n, dim)).astype("float32")
    fake = rng.normal(size=(n, dim)).astype("float32")
    a = rng.uniform(0, 0.01, size=(n, 1)).astype("float32")
    return x, fake + a * (x - fake)


@pytest.mark.parametrize("lam,mu", [(0.1, 1.0), (0.5, 1.0), (0.1, 0.0)])
def test_critic_loss_matches_numpy_formula(lam, mu):
    rng = np.random.default_rng(3)
    critic, weights = tanh_critic(dim=5, hidden=7, seed=4)
    x, x_tilde = real_and_perturbed(rng, 12, 5)
    x_tilde[3] = x[3]  # a pair at distance 0: no Lipschitz term
    loss, terms = losses.first_order_critic_loss(
        critic, x, x_tilde, lipschitz_weight=lam, gradient_weight=mu
    )
    expected = numpy_first_order_loss(
        weights, x.astype("float64"), x_tilde.astype("float64"), lam, mu
    )
    np.testing.assert_allclose(float(loss), expected, rtol=1e-4, atol=1e-4)
    assert ("gradient_penalty" in terms) == (mu > 0)


class CriticStep(keras.Model):
    """One `backend.update` of `critic` by SGD(1) inside the engine's
    `train_step`: the weights move by minus the gradient of `loss_fn(x)`."""

    def __init__(self, critic, loss_fn):
        super().__init__()
        self.critic = critic
        self.loss_fn = loss_fn
        self.built = True

    def train_step(self, *args):
        return backend.train_step(self, self._step, *args)

    def _step(self, data):
        x, _, _ = keras.utils.unpack_x_y_sample_weight(data)
        loss, _ = backend.update(
            lambda: (self.loss_fn(x), {}), self.critic.trainable_variables, self.optimizer
        )
        return {"loss": loss}


def weight_gradient(critic, loss_fn, x):
    """The gradient of `loss_fn(x)` with respect to `critic`'s trainable
    weights, from one compiled (XLA on JAX and TF) engine step; the weights
    are put back afterwards."""
    before = critic.get_weights()
    trainable = [ops.convert_to_numpy(v) for v in critic.trainable_variables]
    step = CriticStep(critic, loss_fn)
    step.compile(keras.optimizers.SGD(1.0), jit_compile=backend.COMPILES_WITH_XLA)
    step.fit(x, batch_size=len(x), epochs=1, shuffle=False, verbose=0)
    after = [ops.convert_to_numpy(v) for v in critic.trainable_variables]
    critic.set_weights(before)
    return [b.astype("float64") - a for b, a in zip(trainable, after)]


def test_outputs_and_input_gradient_are_the_call_and_its_input_gradient():
    critic, weights = tanh_critic(dim=5, hidden=7, seed=1)
    x = np.random.default_rng(2).normal(size=(9, 5)).astype("float32")
    outputs, gradient = backend.outputs_and_input_gradient(critic, ops.convert_to_tensor(x))
    value, expected_gradient = numpy_critic(weights, x.astype("float64"))
    np.testing.assert_allclose(
        ops.convert_to_numpy(outputs), ops.convert_to_numpy(critic(x)), rtol=1e-6, atol=1e-6
    )
    np.testing.assert_allclose(ops.convert_to_numpy(outputs)[:, 0], value, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(
        ops.convert_to_numpy(gradient), expected_gradient, rtol=1e-5, atol=1e-5
    )


@pytest.mark.parametrize("with_gradient", [False, True], ids=["outputs", "outputs+gradient"])
def test_returned_outputs_have_the_weight_gradient_of_a_separate_call(with_gradient):
    """A loss on the returned outputs differentiates, with respect to the
    weights, as the same loss on a call of its own: the outputs keep their
    path to the weights (on JAX, out of the inner VJP's scope)."""
    critic, _ = tanh_critic(dim=4, hidden=6, seed=5)
    x = np.random.default_rng(6).normal(size=(10, 4)).astype("float32")

    def loss(outputs, gradient):
        value = ops.mean(ops.square(outputs - 0.3))
        if with_gradient:
            norm = ops.sqrt(ops.sum(ops.square(gradient), axis=1))
            value = value + ops.mean(ops.square(norm - 0.5))
        return value

    def shared(x):
        return loss(*backend.outputs_and_input_gradient(critic, x))

    def separate(x):
        _, gradient = backend.outputs_and_input_gradient(critic, x)
        return loss(critic(x), gradient)

    got = weight_gradient(critic, shared, x)
    expected = weight_gradient(critic, separate, x)
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e, rtol=1e-4, atol=1e-6)
    assert all(np.abs(e).max() > 1e-3 for e in expected)


def test_state_updates_of_the_call_are_kept_once():
    """Batch-norm statistics move once per call, as after `critic(x)` (on JAX
    they come out of the VJP as auxiliary values, into the step's state)."""
    critic = keras.Sequential(
        [keras.Input((3,)), keras.layers.BatchNormalization(momentum=0.9), keras.layers.Dense(1)]
    )
    x = np.random.default_rng(7).normal(2.0, 3.0, size=(16, 3)).astype("float32")

    def shared(x):
        outputs, gradient = backend.outputs_and_input_gradient(
            lambda v: critic(v, training=True), x
        )
        return ops.mean(outputs) + ops.mean(ops.square(gradient))

    step = CriticStep(critic, shared)
    step.compile(keras.optimizers.SGD(0.1), jit_compile=backend.COMPILES_WITH_XLA)
    step.fit(x, batch_size=len(x), epochs=1, shuffle=False, verbose=0)
    bn = critic.layers[0]
    np.testing.assert_allclose(
        ops.convert_to_numpy(bn.moving_mean), 0.1 * x.mean(0), rtol=1e-4, atol=1e-5
    )
    np.testing.assert_allclose(
        ops.convert_to_numpy(bn.moving_variance), 0.9 + 0.1 * x.var(0), rtol=1e-4
    )


@pytest.mark.parametrize("mu", [1.0, 0.0], ids=["FOGAN", "PWGAN"])
def test_critic_loss_weight_gradient_matches_numpy_formula(mu):
    """The critic's gradient, taken in the engine's step, against central
    differences of the NumPy formula (the target slopes held fixed)."""
    lam = 0.5
    rng = np.random.default_rng(8)
    critic, weights = tanh_critic(dim=3, hidden=4, seed=9)
    x, x_tilde = real_and_perturbed(rng, 8, 3)

    def loss(real):
        value, _ = losses.first_order_critic_loss(
            lambda v: critic(v, training=True), real, x_tilde, lam, mu
        )
        return value

    got = weight_gradient(critic, loss, x)
    x64, x_tilde64 = x.astype("float64"), x_tilde.astype("float64")
    h = 1e-6
    for k, w in enumerate(weights):
        expected = np.zeros_like(w)
        for index in np.ndindex(w.shape):
            shifted = []
            for sign in (1.0, -1.0):
                moved = [v.copy() for v in weights]
                moved[k][index] += sign * h
                shifted.append(
                    numpy_first_order_loss(moved, x64, x_tilde64, lam, mu, weights)
                )
            expected[index] = (shifted[0] - shifted[1]) / (2 * h)
        np.testing.assert_allclose(got[k], expected, rtol=2e-3, atol=2e-4)


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


def numpy_target_slope(x, x_tilde, f_x, f_tilde):
    """The target slope in float64 from direct differences."""
    difference = x[None, :, :] - x_tilde[:, None, :]
    d = np.sqrt((difference**2).sum(-1)) + 1e-6
    weights = (f_x[None, :] - f_tilde[:, None]) / d**3
    direction = (weights[:, :, None] * difference).mean(1)
    return np.linalg.norm(direction, axis=1) / (1.0 / d).mean(1)


@pytest.mark.parametrize("block_floats", [1 << 24, 64])
def test_target_slope_is_exact_for_points_next_to_real_ones(block_floats, monkeypatch):
    """Protects against float32 cancellation (issue 19): generated points
    1e-4 from real points of a ring of radius 2, as when G sits on the data.
    From ||a||^2 + ||b||^2 - 2 a.b the distances rounded to 0 and the slope
    came out 1e4-1e5 times too large. Also in blocks of rows (64 floats)."""
    monkeypatch.setattr(losses, "_PAIRWISE_BLOCK_FLOATS", block_floats)
    rng = np.random.default_rng(0)
    angles = rng.uniform(0, 2 * np.pi, 64)
    x = 2.0 * np.stack([np.cos(angles), np.sin(angles)], 1)
    x_tilde = x[rng.permutation(64)] + rng.normal(scale=1e-4, size=(64, 2))
    slope_of = lambda p: 0.3 * p[:, 0] - 0.2 * p[:, 1]  # noqa: E731  a linear critic, |grad| 0.36
    # The inputs as float32, and the reference from the same rounded values.
    inputs = [a.astype("float32") for a in (x, x_tilde, slope_of(x), slope_of(x_tilde))]
    got = ops.convert_to_numpy(losses.first_order_target_slope(*inputs))
    expected = numpy_target_slope(*(a.astype("float64") for a in inputs))
    np.testing.assert_allclose(got, expected, rtol=1e-4)
    assert got.max() < 0.5


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
