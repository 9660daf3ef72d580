"""GMMLikelihood against METHODS.md's likelihood in NumPy and its EM fit
against scikit-learn's GaussianMixture, inside and outside a compiled step."""

import doctest
import os

import keras
import numpy as np
import pytest
from keras import ops
from layer_contract import JIT_COMPILE, LayerContract, random_input, to_numpy
from sklearn.mixture import GaussianMixture

from gan_zoo import backend
from gan_zoo.layers import GMMLikelihood
from gan_zoo.layers import gmm_likelihood


def three_clusters(seed=0):
    """600 2-D points from three Gaussians of different shapes and sizes."""
    rng = np.random.default_rng(seed)
    x = np.concatenate(
        [
            rng.normal([0.0, 0.0], [1.0, 0.5], (300, 2)),
            rng.normal([6.0, 3.0], [0.5, 2.0], (200, 2)),
            rng.normal([-5.0, 5.0], [0.3, 0.3], (100, 2)),
        ]
    )
    return rng.permutation(x).astype("float32")


def numpy_log_likelihood(e, weights, means, variances):
    """log sum_k pi_k exp(-0.5 sum_d (e_d - mu_kd)^2 / var_kd), in float64."""
    e = e.astype("float64")[:, None, :]
    terms = np.log(weights) - 0.5 * np.sum((e - means) ** 2 / variances, axis=-1)
    top = terms.max(axis=1, keepdims=True)
    return (top + np.log(np.exp(terms - top).sum(axis=1, keepdims=True)))[:, 0]


def set_mixture(layer, weights, means, variances):
    layer.mixture_weights.assign(weights)
    layer.means.assign(means)
    layer.variances.assign(variances)


class TestGMMLikelihoodContract(LayerContract):
    layer_cls = GMMLikelihood
    init_kwargs = {"num_components": 2, "covariance": "diag", "log": False}
    input_shape = (6, 3)
    expected_output_shape = (6, 1)
    expected_num_non_trainable_weights = 3

    def prepare(self, layer):
        set_mixture(
            layer,
            np.array([0.3, 0.7], "float32"),
            random_input((2, 3), seed=5),
            np.array([[1.0, 2.0, 0.5], [3.0, 1.0, 1.5]], "float32"),
        )


class TestGMMLogLikelihoodContract(TestGMMLikelihoodContract):
    init_kwargs = {"num_components": 2, "covariance": "spherical", "log": True}


@pytest.mark.parametrize("log", [False, True], ids=["likelihood", "log"])
def test_matches_numpy_formula(log):
    layer = GMMLikelihood(num_components=3, log=log)
    e = random_input((8, 4), seed=1) * 2.0
    layer.build(e.shape)
    weights = np.array([0.2, 0.5, 0.3], "float32")
    means = random_input((3, 4), seed=2)
    variances = np.exp(random_input((3, 4), seed=3)).astype("float32")
    set_mixture(layer, weights, means, variances)
    expected = numpy_log_likelihood(e, weights, means, variances)[:, None]
    outputs = to_numpy(layer(e))
    if log:
        np.testing.assert_allclose(outputs, expected, rtol=1e-5, atol=1e-5)
    else:
        np.testing.assert_allclose(outputs, np.exp(expected), rtol=1e-5, atol=1e-7)
        assert np.all((outputs > 0) & (outputs <= 1))


def test_likelihood_is_one_at_the_mean_of_one_component():
    layer = GMMLikelihood()
    layer.build((None, 2))
    set_mixture(layer, np.ones(1, "float32"), [[1.0, -2.0]], [[0.01, 4.0]])
    np.testing.assert_allclose(to_numpy(layer(np.array([[1.0, -2.0]], "float32"))), 1.0)


@pytest.mark.parametrize("log", [False, True], ids=["likelihood", "log"])
def test_far_away_points_stay_finite_with_finite_gradients(log):
    layer = GMMLikelihood(num_components=2, log=log)
    layer.build((None, 3))
    set_mixture(layer, [0.5, 0.5], [[0.0] * 3, [1.0] * 3], [[1e-2] * 3, [1.0] * 3])
    e = ops.convert_to_tensor(np.full((4, 3), 1e3, "float32") * [[1], [-1], [2], [0.5]])
    outputs = to_numpy(layer(e))
    _, grads = backend.outputs_and_input_gradient(layer, e)
    grads = to_numpy(grads)
    assert np.all(np.isfinite(outputs)) and np.all(np.isfinite(grads))
    if log:
        assert np.all(outputs < -1e5)
    else:
        assert np.all((outputs >= 0) & (outputs <= 1))


def test_one_component_fit_is_the_closed_form():
    e = random_input((50, 3), seed=4) * [1.0, 2.0, 0.5] + [1.0, -1.0, 3.0]
    layer = GMMLikelihood()
    mean_log_density = layer.fit(e)
    np.testing.assert_allclose(to_numpy(layer.mixture_weights), [1.0])
    np.testing.assert_allclose(
        to_numpy(layer.means), e.mean(0, keepdims=True), rtol=1e-5, atol=1e-6
    )
    np.testing.assert_allclose(
        to_numpy(layer.variances), e.var(0, keepdims=True), rtol=1e-5
    )
    expected = GaussianMixture(1, covariance_type="diag", reg_covar=0.0).fit(e).score(e)
    np.testing.assert_allclose(float(mean_log_density), expected, rtol=1e-5)


def sorted_mixture(weights, means, variances):
    order = np.argsort(means[:, 0])
    return weights[order], means[order], variances[order]


@pytest.mark.parametrize("covariance", ["diag", "spherical"])
def test_em_fit_matches_sklearn(covariance):
    e = three_clusters()
    layer = GMMLikelihood(num_components=3, covariance=covariance, variance_floor=1e-6)
    mean_log_density = float(layer.fit(e, iterations=60))
    reference = GaussianMixture(
        3,
        covariance_type=covariance,
        reg_covar=1e-6,
        tol=1e-10,
        max_iter=1000,
        random_state=0,
    ).fit(e)
    sk_variances = reference.covariances_
    if covariance == "spherical":
        sk_variances = np.repeat(sk_variances[:, None], 2, axis=1)
    ours = sorted_mixture(
        to_numpy(layer.mixture_weights), to_numpy(layer.means), to_numpy(layer.variances)
    )
    theirs = sorted_mixture(reference.weights_, reference.means_, sk_variances)
    # Both run EM to convergence from different starts: the same optimum.
    np.testing.assert_allclose(ours[0], theirs[0], atol=1e-4)
    np.testing.assert_allclose(ours[1], theirs[1], atol=1e-3)
    np.testing.assert_allclose(ours[2], theirs[2], rtol=1e-3)
    # The normalised log likelihood (whose constant `call` drops): within 1%
    # as the issue asks, and in fact to 1e-5.
    sk_score = reference.score(e)
    assert abs(mean_log_density - sk_score) <= 0.01 * abs(sk_score)
    np.testing.assert_allclose(mean_log_density, sk_score, rtol=1e-5)
    np.testing.assert_allclose(float(ops.mean(layer.log_prob(e))), sk_score, rtol=1e-5)
    np.testing.assert_allclose(
        to_numpy(layer.log_prob(e)), reference.score_samples(e), rtol=1e-4, atol=1e-4
    )


def test_warm_start_continues_from_the_stored_mixture():
    e = three_clusters(seed=1)
    cold = GMMLikelihood(num_components=3)
    cold.fit(e, iterations=60)
    warm = GMMLikelihood(num_components=3)
    warm.fit(e, iterations=30)
    warm.fit(e, iterations=30, warm_start=True)
    for a, b in zip(cold.weights, warm.weights):
        np.testing.assert_allclose(to_numpy(a), to_numpy(b), rtol=1e-4, atol=1e-4)


def test_variances_are_floored():
    e = random_input((20, 2), seed=3)
    e[:, 1] = 4.0  # a collapsed dimension
    layer = GMMLikelihood(num_components=2, variance_floor=1e-3)
    layer.fit(e, iterations=5)
    variances = to_numpy(layer.variances)
    np.testing.assert_allclose(variances[:, 1], 1e-3)
    assert np.all(variances[:, 0] > 1e-3)
    assert np.all(np.isfinite(to_numpy(layer(e))))


def test_no_gradient_flows_through_the_fit():
    layer = GMMLikelihood(num_components=2)
    e = ops.convert_to_tensor(random_input((10, 2)))
    # The zero term keeps `x` in the graph for backends that refuse a
    # gradient of an output that does not depend on the input.
    _, grads = backend.outputs_and_input_gradient(
        lambda x: layer.fit(x, iterations=3) + 0.0 * ops.sum(x), e
    )
    grads = to_numpy(grads)
    np.testing.assert_array_equal(grads, 0.0)


class FitStep(keras.Model):
    """A training step that only fits the mixture, as PGAN's D step does first."""

    def __init__(self, iterations):
        super().__init__()
        self.gmm = GMMLikelihood(num_components=3)
        self.iterations = iterations

    def build(self, input_shape):
        self.gmm.build(input_shape)

    def call(self, inputs):
        return self.gmm(inputs)

    def train_step(self, *args):
        return backend.train_step(self, self._step, *args)

    def _step(self, data):
        e, _, _ = keras.utils.unpack_x_y_sample_weight(data)
        return {"log_density": self.gmm.fit(e, iterations=self.iterations)}


def test_fit_runs_inside_a_compiled_train_step():
    e = three_clusters()
    model = FitStep(iterations=60)
    model.build(e.shape)
    model.compile(optimizer="sgd", jit_compile=JIT_COMPILE)
    history = model.fit(e, batch_size=len(e), epochs=1, shuffle=False, verbose=0)
    eager = GMMLikelihood(num_components=3)
    expected = float(eager.fit(e, iterations=60))
    np.testing.assert_allclose(history.history["log_density"][0], expected, rtol=1e-4)
    for compiled, direct in zip(model.gmm.weights, eager.weights):
        np.testing.assert_allclose(
            to_numpy(compiled), to_numpy(direct), rtol=1e-3, atol=1e-4
        )


def test_fitted_mixture_is_saved_with_the_model(tmp_path):
    e = three_clusters()
    inputs = keras.Input((2,))
    gmm = GMMLikelihood(num_components=3)
    model = keras.Model(inputs, gmm(inputs))
    gmm.fit(e, iterations=20)
    path = os.path.join(tmp_path, "model.keras")
    model.save(path)
    restored = keras.saving.load_model(path)
    for saved, loaded in zip(gmm.weights, restored.layers[-1].weights):
        np.testing.assert_array_equal(to_numpy(saved), to_numpy(loaded))
    np.testing.assert_allclose(
        to_numpy(restored(e[:5])), to_numpy(model(e[:5])), rtol=1e-6
    )


@keras.saving.register_keras_serializable(package="gan_zoo_tests")
class LaplaceMixtureLikelihood(GMMLikelihood):
    """A mixture of Laplace densities with scale b_kd = sqrt(var_kd)."""

    def component_log_density(self, e, means, variances, normalized=False):
        scale = ops.sqrt(variances)
        distance = ops.abs(e[:, None, :] - means[None]) / scale[None]
        log_density = -ops.sum(distance, axis=-1)
        if normalized:
            log_density = log_density - ops.sum(ops.log(2.0 * scale), axis=-1)
        return log_density


def test_subclass_changes_the_density():
    layer = LaplaceMixtureLikelihood(num_components=2, log=True)
    e = random_input((6, 3), seed=7)
    layer.build(e.shape)
    means = random_input((2, 3), seed=8)
    variances = np.array([[1.0, 4.0, 0.25], [2.0, 1.0, 1.0]], "float32")
    set_mixture(layer, [0.4, 0.6], means, variances)
    terms = np.log([0.4, 0.6]) - np.sum(
        np.abs(e[:, None, :] - means) / np.sqrt(variances), axis=-1
    )
    expected = np.log(np.exp(terms).sum(axis=1, keepdims=True))
    np.testing.assert_allclose(to_numpy(layer(e)), expected, rtol=1e-5, atol=1e-6)
    # EM's E-step uses the subclass's (normalised) density.
    e3 = three_clusters()[:, :1].repeat(3, axis=1)
    assert np.isfinite(float(layer.fit(e3, iterations=3)))
    restored = keras.saving.deserialize_keras_object(
        keras.saving.serialize_keras_object(layer)
    )
    assert type(restored) is LaplaceMixtureLikelihood


def test_float16_log_likelihood_is_clipped_not_infinite():
    layer = GMMLikelihood(log=True, dtype="mixed_float16")
    outputs = to_numpy(ops.cast(layer(np.full((2, 2), 1e3, "float32")), "float32"))
    np.testing.assert_allclose(outputs, -65504.0)


@pytest.mark.parametrize("shape", [(4,), (4, 2, 2)])
def test_wrong_rank_is_refused(shape):
    with pytest.raises(ValueError, match="rank 2"):
        GMMLikelihood().build(shape)
    with pytest.raises(ValueError, match="rank 2"):
        GMMLikelihood().fit(np.ones(shape, "float32"))


def test_unknown_dimension_is_refused():
    with pytest.raises(ValueError, match="known embedding dimension"):
        GMMLikelihood()(keras.Input((None,)))


def test_fit_of_the_wrong_dimension_is_refused():
    layer = GMMLikelihood()
    layer.build((None, 3))
    with pytest.raises(ValueError, match=r"dimension 3.*e.shape=\(5, 2\)"):
        layer.fit(np.ones((5, 2), "float32"))


@pytest.mark.parametrize("k, n", [(1, 1), (3, 2)])
def test_fit_on_too_few_samples_is_refused(k, n):
    with pytest.raises(ValueError, match=f"at least {max(2, k)} samples.*batch of {n}"):
        GMMLikelihood(num_components=k).fit(np.ones((n, 2), "float32"))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"num_components": 0}, "`num_components` must be a positive integer"),
        ({"covariance": "full"}, "`covariance` must be one of"),
        ({"variance_floor": 0.0}, "`variance_floor` must be a number > 0"),
    ],
)
def test_bad_arguments_name_the_argument(kwargs, message):
    with pytest.raises(ValueError, match=message):
        GMMLikelihood(**kwargs)


def test_bad_iterations_are_refused():
    with pytest.raises(ValueError, match="`iterations` must be a positive integer"):
        GMMLikelihood(num_components=2).fit(np.ones((4, 2), "float32"), iterations=0)


def test_docstring_examples():
    result = doctest.testmod(
        gmm_likelihood, extraglobs={"keras": keras, "GMMLikelihood": GMMLikelihood}
    )
    assert result.attempted > 0 and result.failed == 0
