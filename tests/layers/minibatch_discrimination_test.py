"""MinibatchDiscrimination against a NumPy form of METHODS.md's formula, its
two memory forms, its errors, a subclass, and what it is for: seeing a
collapsed batch."""

import doctest

import keras
import numpy as np
import pytest
from keras import ops
from layer_contract import LayerContract, random_input, to_numpy

from gan_zoo import backend
from gan_zoo.layers import MinibatchDiscrimination
from gan_zoo.layers import minibatch_discrimination


def numpy_minibatch_discrimination(f, kernel, num_kernels, kernel_dim, include_self):
    """METHODS.md, written out: M_i = f_i T, c_b = exp(-L1), o = sum_j c_b."""
    n = len(f)
    m = f.astype("float64") @ kernel.astype("float64")
    m = m.reshape(n, num_kernels, kernel_dim)
    o = np.zeros((n, num_kernels))
    for i in range(n):
        for j in range(n):
            if i == j and not include_self:
                continue
            o[i] += np.exp(-np.abs(m[i] - m[j]).sum(axis=-1))
    return np.concatenate([f, o], axis=-1)


class TestMinibatchDiscriminationContract(LayerContract):
    layer_cls = MinibatchDiscrimination
    init_kwargs = {
        "num_kernels": 4,
        "kernel_dim": 3,
        "include_self": False,
        "memory_efficient": True,
        "kernel_initializer": keras.initializers.RandomNormal(stddev=0.3, seed=1),
    }
    input_shape = (7, 5)
    expected_output_shape = (7, 9)
    expected_num_trainable_weights = 1


class TestNaiveFormContract(TestMinibatchDiscriminationContract):
    init_kwargs = {
        **TestMinibatchDiscriminationContract.init_kwargs,
        "memory_efficient": False,
    }


@pytest.mark.parametrize("memory_efficient", [True, False], ids=["blocks", "naive"])
@pytest.mark.parametrize("include_self", [False, True], ids=["others", "with_self"])
@pytest.mark.parametrize("n", [2, 9, 12])
def test_matches_numpy_formula(n, include_self, memory_efficient):
    # n = 9 is not a multiple of kernel_dim: the last block is padded.
    layer = MinibatchDiscrimination(
        num_kernels=5,
        kernel_dim=4,
        include_self=include_self,
        memory_efficient=memory_efficient,
        kernel_initializer=keras.initializers.RandomNormal(stddev=0.2, seed=3),
    )
    f = random_input((n, 6), seed=n)
    outputs = to_numpy(layer(f))
    expected = numpy_minibatch_discrimination(
        f, to_numpy(layer.kernel), 5, 4, include_self
    )
    np.testing.assert_allclose(outputs, expected, rtol=1e-5, atol=1e-5)


def test_both_forms_give_the_same_gradients():
    kwargs = dict(
        num_kernels=6,
        kernel_dim=3,
        kernel_initializer=keras.initializers.RandomNormal(stddev=0.3, seed=0),
    )
    blocks = MinibatchDiscrimination(memory_efficient=True, **kwargs)
    naive = MinibatchDiscrimination(memory_efficient=False, **kwargs)
    x = ops.convert_to_tensor(random_input((10, 4), seed=1))
    blocks.build(x.shape)
    naive.build(x.shape)
    naive.set_weights(blocks.get_weights())
    # A nonlinear readout, so that every o_b gets its own weight.
    readout = ops.convert_to_tensor(random_input((10, 10), seed=2))

    def grad(layer):
        _, gradient = backend.outputs_and_input_gradient(
            lambda v: ops.square(layer(v)) * readout, x
        )
        return to_numpy(gradient)

    np.testing.assert_allclose(grad(blocks), grad(naive), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("include_self, expected", [(False, 5.0), (True, 6.0)])
def test_identical_samples_give_batch_size_minus_one(include_self, expected):
    layer = MinibatchDiscrimination(
        num_kernels=3, kernel_dim=2, include_self=include_self
    )
    batch = np.repeat(random_input((1, 4)), 6, axis=0)
    o = to_numpy(layer(batch))[:, 4:]
    np.testing.assert_allclose(o, expected, rtol=1e-6)


def _batches(rng, num_batches, n, collapsed):
    """`num_batches` batches of `n` 2-D samples, diverse or one sample repeated."""
    if collapsed:
        samples = rng.normal(size=(num_batches, 1, 2)).repeat(n, axis=1)
    else:
        samples = rng.normal(size=(num_batches, n, 2))
    return samples.reshape(num_batches * n, 2).astype("float32")


def _train_batch_classifier(with_layer, rng, n=16, num_batches=64):
    """Trains D to tell collapsed batches (label 1) from diverse ones (0);
    returns its accuracy on fresh batches."""
    keras.utils.set_random_seed(0)
    layers = [keras.Input((2,)), keras.layers.Dense(8, activation="tanh")]
    if with_layer:
        layers.append(MinibatchDiscrimination(num_kernels=8, kernel_dim=3))
    layers.append(keras.layers.Dense(1))
    model = keras.Sequential(layers)
    model.compile(
        optimizer=keras.optimizers.Adam(0.02),
        loss=keras.losses.BinaryCrossentropy(from_logits=True),
        jit_compile=backend.COMPILES_WITH_XLA,
    )

    def data(num):
        # Whole batches alternate: collapsed, diverse, collapsed, ...
        x = np.stack(
            [_batches(rng, 1, n, collapsed=i % 2 == 0) for i in range(num)]
        ).reshape(-1, 2)
        y = np.repeat(np.arange(num) % 2 == 0, n).astype("float32")[:, None]
        return x, y

    x, y = data(num_batches)
    # shuffle=False keeps every batch of n rows whole.
    model.fit(x, y, batch_size=n, epochs=3, shuffle=False, verbose=0)
    x, y = data(40)
    logits = model.predict(x, batch_size=n, verbose=0)
    return float(np.mean((logits > 0) == (y > 0.5)))


def test_discriminator_with_the_layer_sees_collapsed_batches():
    # Each sample of a collapsed batch is drawn from the same distribution as
    # a diverse batch's, so a per-sample discriminator is at chance; with
    # minibatch features it sees o = N - 1 and separates them.
    with_layer = _train_batch_classifier(True, np.random.default_rng(0))
    without_layer = _train_batch_classifier(False, np.random.default_rng(0))
    assert with_layer >= 0.95, with_layer
    assert without_layer <= 0.7, without_layer


@keras.saving.register_keras_serializable(package="gan_zoo_tests")
class GaussianMinibatchDiscrimination(MinibatchDiscrimination):
    """Squared L2 distance and a Gaussian kernel, through the two hooks."""

    def distance(self, a, b):
        return ops.sum(ops.square(a - b), axis=-1)

    def similarity(self, distance):
        return ops.exp(-0.5 * distance)


@pytest.mark.parametrize("memory_efficient", [True, False], ids=["blocks", "naive"])
def test_subclass_changes_distance_and_similarity(memory_efficient):
    layer = GaussianMinibatchDiscrimination(
        num_kernels=3,
        kernel_dim=2,
        memory_efficient=memory_efficient,
        kernel_initializer=keras.initializers.RandomNormal(stddev=0.3, seed=0),
    )
    f = random_input((5, 4))
    outputs = to_numpy(layer(f))
    m = (f @ to_numpy(layer.kernel)).reshape(5, 3, 2)
    c = np.exp(-0.5 * np.square(m[:, None] - m[None]).sum(-1))
    o = (c * (1 - np.eye(5))[:, :, None]).sum(1)
    np.testing.assert_allclose(outputs[:, 4:], o, rtol=1e-5, atol=1e-6)
    restored = keras.saving.deserialize_keras_object(
        keras.saving.serialize_keras_object(layer)
    )
    assert type(restored) is GaussianMinibatchDiscrimination


def test_batch_of_one_is_refused():
    with pytest.raises(ValueError, match="at least 2 samples.*batch of 1"):
        MinibatchDiscrimination()(np.ones((1, 4), "float32"))


@pytest.mark.parametrize("shape", [(4,), (4, 3, 2)])
def test_wrong_rank_is_refused(shape):
    with pytest.raises(ValueError, match="rank 2.*Flatten"):
        MinibatchDiscrimination().build(shape)


def test_unknown_feature_dimension_is_refused():
    with pytest.raises(ValueError, match="known feature dimension"):
        MinibatchDiscrimination()(keras.Input((None,)))


@pytest.mark.parametrize(
    "kwargs, name",
    [({"num_kernels": 0}, "num_kernels"), ({"kernel_dim": 2.5}, "kernel_dim")],
)
def test_bad_arguments_name_the_argument(kwargs, name):
    with pytest.raises(ValueError, match=f"`{name}` must be a positive integer"):
        MinibatchDiscrimination(**kwargs)


def test_docstring_examples():
    result = doctest.testmod(
        minibatch_discrimination,
        extraglobs={"keras": keras, "MinibatchDiscrimination": MinibatchDiscrimination},
    )
    assert result.attempted > 0 and result.failed == 0
