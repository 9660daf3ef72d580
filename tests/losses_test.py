"""The objectives against hand-computed values and NumPy forms of the papers'
formulas (METHODS.md)."""

import keras
import numpy as np
import pytest
from keras import ops

from gan_zoo import backend
from gan_zoo import losses
from gan_zoo.models import FOGAN, WGANGP


def softplus(x):
    return np.logaddexp(0.0, x)


def logsumexp(x):
    return np.log(np.sum(np.exp(x - x.max()))) + x.max()


REAL = np.array([1.0, -2.0, 0.5, 3.0], "float32")
FAKE = np.array([-1.0, 0.25, 2.0, -0.5], "float32")

# (name, function of (real, fake), NumPy formula of (real, fake))
CASES = [
    (
        "gan_d",
        lambda r, f: losses.gan_discriminator_loss(r, f),
        lambda r, f: softplus(-r).mean() + softplus(f).mean(),
    ),
    (
        "gan_d_smoothed",
        lambda r, f: losses.gan_discriminator_loss(r, f, label_smoothing=0.1),
        lambda r, f: (0.9 * softplus(-r) + 0.1 * softplus(r)).mean() + softplus(f).mean(),
    ),
    (
        "gan_g",
        lambda r, f: losses.gan_generator_loss(f),
        lambda r, f: softplus(-f).mean(),
    ),
    (
        "gan_g_minimax",
        lambda r, f: losses.gan_generator_loss(f, minimax=True),
        lambda r, f: np.log(1.0 - 1.0 / (1.0 + np.exp(-f))).mean(),
    ),
    (
        "lsgan_d",
        losses.least_squares_discriminator_loss,
        lambda r, f: 0.5 * ((r - 1) ** 2).mean() + 0.5 * (f**2).mean(),
    ),
    (
        "lsgan_g",
        lambda r, f: losses.least_squares_generator_loss(f),
        lambda r, f: 0.5 * ((f - 1) ** 2).mean(),
    ),
    (
        "wasserstein_d",
        losses.wasserstein_discriminator_loss,
        lambda r, f: f.mean() - r.mean(),
    ),
    (
        "wasserstein_g",
        lambda r, f: losses.wasserstein_generator_loss(f),
        lambda r, f: -f.mean(),
    ),
    (
        "softmax_d",
        losses.softmax_discriminator_loss,
        # Cross-entropy of softmax over B against 1/|B+| on each real sample.
        lambda r, f: -np.sum(
            np.concatenate([np.full(len(r), 1 / len(r)), np.zeros(len(f))])
            * np.log(np.exp(np.concatenate([r, f])) / np.exp(np.concatenate([r, f])).sum())
        ),
    ),
    (
        "softmax_g",
        losses.softmax_generator_loss,
        lambda r, f: -np.mean(
            np.log(np.exp(np.concatenate([r, f])) / np.exp(np.concatenate([r, f])).sum())
        ),
    ),
]
IDS = [c[0] for c in CASES]


@pytest.mark.parametrize("name,loss,formula", CASES, ids=IDS)
def test_loss_matches_formula(name, loss, formula):
    value = float(loss(ops.convert_to_tensor(REAL), ops.convert_to_tensor(FAKE)))
    np.testing.assert_allclose(value, formula(REAL.astype("float64"), FAKE.astype("float64")), rtol=1e-5)


@pytest.mark.parametrize("name,loss,formula", CASES, ids=IDS)
def test_loss_accepts_column_logits(name, loss, formula):
    value = float(loss(ops.convert_to_tensor(REAL[:, None]), ops.convert_to_tensor(FAKE[:, None])))
    np.testing.assert_allclose(value, formula(REAL.astype("float64"), FAKE.astype("float64")), rtol=1e-5)


@pytest.mark.parametrize("name,loss,formula", CASES, ids=IDS)
def test_loss_finite_at_extreme_logits(name, loss, formula):
    big = ops.convert_to_tensor(np.array([1e4, -1e4, 1e4, -1e4], "float32"))
    assert np.isfinite(float(loss(big, -big)))


@pytest.mark.parametrize("n_real,n_fake", [(4, 4), (5, 3), (2, 7)])
def test_softmax_losses_match_numpy_with_uneven_split(n_real, n_fake):
    rng = np.random.default_rng(n_real * 10 + n_fake)
    real = rng.normal(size=n_real).astype("float32")
    fake = rng.normal(size=n_fake).astype("float32")
    batch = np.concatenate([real, fake]).astype("float64")
    expected_d = -real.mean() + logsumexp(batch)
    expected_g = -batch.mean() + logsumexp(batch)
    np.testing.assert_allclose(
        float(losses.softmax_discriminator_loss(real, fake)), expected_d, rtol=1e-5
    )
    np.testing.assert_allclose(
        float(losses.softmax_generator_loss(real, fake)), expected_g, rtol=1e-5
    )


def test_softmax_generator_loss_is_log_batch_size_for_equal_logits():
    value = float(losses.softmax_generator_loss(np.ones(3, "float32"), np.ones(5, "float32")))
    np.testing.assert_allclose(value, np.log(8.0), rtol=1e-6)


def test_label_smoothing_out_of_range_raises():
    with pytest.raises(ValueError, match="label_smoothing"):
        losses.gan_discriminator_loss(REAL, FAKE, label_smoothing=1.0)


@pytest.mark.parametrize("norm", [1e-3, 0.5, 1.0, 3.0, 100.0])
def test_gradient_penalty_of_linear_critic_is_closed_form(norm):
    """For f(x) = w.x + b the input gradient is w everywhere: GP = (||w|| - 1)^2."""
    rng = np.random.default_rng(0)
    w = rng.normal(size=(6, 1)).astype("float32")
    w *= norm / np.linalg.norm(w)
    critic = keras.Sequential([keras.Input((6,)), keras.layers.Dense(1)])
    critic.layers[0].set_weights([w, np.array([0.3], "float32")])
    real = rng.normal(size=(16, 6)).astype("float32")
    fake = rng.normal(size=(16, 6)).astype("float32")
    penalty = losses.wasserstein_gradient_penalty(critic, real, fake, seed=1)
    np.testing.assert_allclose(float(penalty), (norm - 1.0) ** 2, rtol=1e-6, atol=1e-7)


def test_gradient_penalty_rejects_mismatched_shapes():
    critic = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    with pytest.raises(ValueError, match="same sample shape"):
        losses.wasserstein_gradient_penalty(
            critic, np.zeros((2, 3), "float32"), np.zeros((2, 4), "float32")
        )


def dead_relu_critic(kernel):
    """`f(x) = sum_k relu(x . kernel_k)`, with the kernel as an input."""
    return lambda x: ops.sum(ops.relu(ops.matmul(x, kernel)), axis=1)


PENALTIES = [
    (
        "wasserstein_gradient_penalty",
        lambda critic, real, fake: losses.wasserstein_gradient_penalty(
            critic, real, fake, seed=0
        ),
    ),
    (
        "first_order_critic_loss",
        lambda critic, real, fake: losses.first_order_critic_loss(
            critic, real, fake + 0.01 * (real - fake)
        )[0],
    ),
]


@pytest.mark.parametrize("dtype", ["float32", "float16", "bfloat16"])
@pytest.mark.parametrize("name,penalty", PENALTIES, ids=[p[0] for p in PENALTIES])
def test_weight_gradient_is_finite_where_input_gradient_is_zero(name, penalty, dtype):
    """Units die where `x_0 < 0` (kernel `[[1], [0]]`): real points, at
    `x_0` in [0.1, 1], are alive; generated ones, at `x_0 ~ -10`, and the
    points between them with `eps < 0.9` (all of FOGAN's `x~`) are dead, so
    their input gradient is exactly 0 while the target (1, or `t_i > 0`) is
    not. The norm's derivative there must be finite; it is taken in float32,
    as the epsilon would underflow in float16."""
    rng = np.random.default_rng(0)
    real = np.stack([rng.uniform(0.1, 1.0, 6), rng.normal(size=6)], axis=1)
    fake = np.stack([rng.uniform(-10.0, -9.0, 6), rng.normal(size=6)], axis=1)
    kernel = np.array([[1.0] * 4, [0.0] * 4])
    real, fake, kernel = (ops.convert_to_tensor(v, dtype) for v in (real, fake, kernel))
    _, gradient = backend.outputs_and_input_gradient(
        lambda k: penalty(dead_relu_critic(k), real, fake), kernel
    )
    assert np.all(np.isfinite(ops.convert_to_numpy(ops.cast(gradient, "float32"))))


def half_dead_critic_and_constant_generator():
    """A ReLU critic `f(x) = 4 relu(x_0) + 0.5` whose input gradient is
    exactly 0 wherever `x_0 <= 0`, and a generator that always gives
    `(-1, 0)`: every generated point, and every point between it and a real
    one with `x_0 = -1`, has a zero input gradient."""
    critic = keras.Sequential(
        [keras.Input((2,)), keras.layers.Dense(4, "relu"), keras.layers.Dense(1)]
    )
    critic.set_weights(
        [
            np.array([[1.0] * 4, [0.0] * 4], "float32"),
            np.zeros(4, "float32"),
            np.ones((4, 1), "float32"),
            np.array([0.5], "float32"),
        ]
    )
    generator = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2)])
    generator.set_weights([np.zeros((2, 2), "float32"), np.array([-1.0, 0.0], "float32")])
    real = np.stack([np.repeat([-1.0, 1.0], 4), np.linspace(-1, 1, 8)], 1)
    return critic, generator, real.astype("float32")


@pytest.mark.parametrize(
    "cls,kwargs",
    [(WGANGP, {"n_critic": 1}), (FOGAN, {})],
    ids=["wasserstein_gradient_penalty", "first_order_critic_loss"],
)
def test_critic_step_stays_finite_with_dead_relu_units(cls, kwargs):
    """One compiled critic step on a critic with dead ReLU units keeps its
    weights finite (with `sqrt(sum g^2)` they all became NaN) and moves them."""
    critic, generator, real = half_dead_critic_and_constant_generator()
    model = cls(generator, critic, seed=0, **kwargs)
    model.compile(keras.optimizers.SGD(0.1), keras.optimizers.SGD(0.0))
    before = critic.get_weights()
    logs = model.fit(real, batch_size=len(real), epochs=1, verbose=0).history
    after = [ops.convert_to_numpy(v) for v in critic.trainable_variables]
    assert all(np.all(np.isfinite(v)) for values in logs.values() for v in values)
    assert all(np.all(np.isfinite(w)) for w in after)
    assert any(not np.allclose(b, a) for b, a in zip(before, after))


def test_lipschitz_term_has_a_finite_gradient_at_zero_distance():
    """A pair at distance 0 adds no Lipschitz term, and no NaN to the loss's
    gradient with respect to the batch (the square root is not taken at 0;
    TF's square-root gradient is 0 where the incoming one is, JAX's and
    torch's are NaN)."""
    critic = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    rng = np.random.default_rng(0)
    real = rng.normal(size=(4, 3)).astype("float32")
    perturbed = real + 0.01 * rng.normal(size=(4, 3)).astype("float32")
    perturbed[1] = real[1]

    def loss(x):
        value, _ = losses.first_order_critic_loss(critic, x, perturbed, gradient_weight=0.0)
        return value

    _, gradient = backend.outputs_and_input_gradient(loss, ops.convert_to_tensor(real))
    assert np.all(np.isfinite(ops.convert_to_numpy(gradient)))
