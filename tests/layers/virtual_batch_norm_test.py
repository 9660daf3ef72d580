"""VirtualBatchNorm against a NumPy form of METHODS.md's statistics, its
independence from the other examples of a batch, ReferenceBatch (how the
reference reaches every VBN layer), errors and a subclass."""

import doctest
import os

import keras
import numpy as np
import pytest
from layer_contract import LayerContract, random_input, to_numpy

from gan_zoo.gan import GAN
from gan_zoo.layers import ReferenceBatch, VirtualBatchNorm
from gan_zoo.layers import virtual_batch_norm

R = 5  # reference rows


def numpy_vbn(x, reference_size, axis=-1, epsilon=1e-3, gamma=1.0, beta=0.0):
    """METHODS.md with E[x] and E[x^2]: reference rows by the reference's
    statistics, each example by those of reference ∪ {example}, weight
    1/(N+1) for the example."""
    x = np.moveaxis(x.astype("float64"), axis, -1)  # features last
    reference, examples = x[:reference_size], x[reference_size:]
    over_reference = tuple(range(x.ndim - 1))
    over_example = tuple(range(x.ndim - 2))
    ref_mean = reference.mean(axis=over_reference)
    ref_square = np.square(reference).mean(axis=over_reference)
    outputs = [(reference - ref_mean) / np.sqrt(ref_square - ref_mean**2 + epsilon)]
    w = 1.0 / (reference_size + 1)
    for example in examples:
        mean = (1 - w) * ref_mean + w * example.mean(axis=over_example)
        square = (1 - w) * ref_square + w * np.square(example).mean(axis=over_example)
        outputs.append(((example - mean) / np.sqrt(square - mean**2 + epsilon))[None])
    y = np.concatenate(outputs, axis=0) * gamma + beta
    return np.moveaxis(y, -1, axis)


class TestVirtualBatchNormContract(LayerContract):
    layer_cls = VirtualBatchNorm
    init_kwargs = {"reference_size": R, "axis": -1, "epsilon": 1e-3}
    input_shape = (R + 3, 4, 4, 3)
    expected_output_shape = (R + 3, 4, 4, 3)
    expected_num_trainable_weights = 2

    def input_data(self):
        return random_input(self.input_shape) * 3.0 + 2.0


class TestVirtualBatchNormDenseContract(TestVirtualBatchNormContract):
    init_kwargs = {"reference_size": R, "center": False, "scale": True}
    input_shape = (R + 2, 6)
    expected_output_shape = (R + 2, 6)
    expected_num_trainable_weights = 1


@pytest.mark.parametrize(
    "shape, axis",
    [((R + 4, 6), -1), ((R + 4, 3, 3, 2), -1), ((R + 4, 2, 3, 3), 1)],
    ids=["dense", "channels_last", "channels_first"],
)
def test_matches_numpy_reference(shape, axis):
    x = random_input(shape, seed=1) * 3.0 + 2.0
    layer = VirtualBatchNorm(R, axis=axis)
    layer.build(shape)
    features = shape[axis]
    gamma = random_input((features,), seed=2)
    beta = random_input((features,), seed=3)
    layer.set_weights([gamma, beta])
    expected = numpy_vbn(x, R, axis=axis, gamma=gamma, beta=beta)
    np.testing.assert_allclose(to_numpy(layer(x)), expected, rtol=1e-5, atol=1e-5)


def test_example_output_does_not_depend_on_the_other_examples():
    x = random_input((R + 6, 4), seed=0) * 2.0 + 1.0
    reference, examples = x[:R], x[R:]
    layer = VirtualBatchNorm(R)
    batch_norm = keras.layers.BatchNormalization()
    outputs = to_numpy(layer(x))[R:]
    bn_outputs = to_numpy(batch_norm(x, training=True))[R:]

    permutation = np.random.default_rng(0).permutation(len(examples))
    shuffled = to_numpy(layer(np.concatenate([reference, examples[permutation]])))[R:]
    np.testing.assert_allclose(shuffled, outputs[permutation], rtol=1e-6, atol=1e-6)

    # The first example with new companions, and alone.
    others = random_input((3, 4), seed=9) * 5.0
    changed = to_numpy(layer(np.concatenate([reference, examples[:1], others])))[R]
    alone = to_numpy(layer(np.concatenate([reference, examples[:1]])))[R]
    np.testing.assert_allclose(changed, outputs[0], rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(alone, outputs[0], rtol=1e-6, atol=1e-6)

    # Batch normalisation, by contrast, moves with the batch.
    bn_changed = to_numpy(
        batch_norm(np.concatenate([reference, examples[:1], others]), training=True)
    )[R]
    assert np.abs(bn_changed - bn_outputs[0]).max() > 0.1


def test_reference_rows_are_batch_normalised_by_the_reference():
    x = random_input((R + 2, 3, 3, 4), seed=4) * 2.0 - 1.0
    outputs = to_numpy(VirtualBatchNorm(R, epsilon=1e-3)(x))[:R]
    batch_norm = keras.layers.BatchNormalization(epsilon=1e-3)
    np.testing.assert_allclose(
        outputs, to_numpy(batch_norm(x[:R], training=True)), rtol=1e-5, atol=1e-5
    )


def vbn_generator(latent_dim=4, reference_size=R):
    return keras.Sequential(
        [
            keras.Input((latent_dim,)),
            keras.layers.Dense(8),
            VirtualBatchNorm(reference_size),
            keras.layers.ReLU(),
            keras.layers.Dense(6),
            VirtualBatchNorm(reference_size),
            keras.layers.ReLU(),
            keras.layers.Dense(2),
        ]
    )


def wrapped(generator, reference_size=R, seed=0):
    z = keras.Input(generator.inputs[0].shape[1:])
    return keras.Model(z, ReferenceBatch(generator, reference_size, seed=seed)(z))


class TestReferenceBatchContract(LayerContract):
    layer_cls = ReferenceBatch
    init_kwargs = {"reference_size": R, "seed": 0}
    input_shape = (3, 4)
    expected_output_shape = (3, 2)
    # The generator's 3 kernels, 3 biases, 2 gammas and 2 betas; the reference.
    expected_num_trainable_weights = 10
    expected_num_non_trainable_weights = 1

    def make_layer(self, **overrides):
        # The wrapped generator follows the wrapper's dtype policy.
        dtype = overrides.get("dtype")
        previous = keras.config.dtype_policy()
        if dtype is not None:
            keras.config.set_dtype_policy(dtype)
        try:
            generator = vbn_generator()
        finally:
            keras.config.set_dtype_policy(previous)
        return ReferenceBatch(generator, **{**self.init_kwargs, **overrides})


def test_reference_batch_runs_through_the_current_weights():
    generator = vbn_generator()
    model = wrapped(generator)
    wrapper = model.layers[1]
    z = random_input((3, 4), seed=1)

    def direct():
        full = generator(np.concatenate([to_numpy(wrapper.reference), z]))
        return to_numpy(full)[R:]

    np.testing.assert_allclose(to_numpy(model(z)), direct(), rtol=1e-6, atol=1e-6)
    # New weights before the VBN layers: the reference statistics follow.
    before = to_numpy(model(z))
    kernel = generator.layers[0].kernel
    kernel.assign(kernel * 2.0 + 0.5)
    after = to_numpy(model(z))
    assert np.abs(after - before).max() > 1e-3
    np.testing.assert_allclose(after, direct(), rtol=1e-6, atol=1e-6)


def test_generated_sample_does_not_depend_on_its_batch():
    model = wrapped(vbn_generator())
    z = random_input((6, 4), seed=2)
    outputs = to_numpy(model(z))
    reversed_batch = to_numpy(model(z[::-1]))[::-1]
    np.testing.assert_allclose(reversed_batch, outputs, rtol=1e-5, atol=1e-6)
    alone = to_numpy(model(z[2:3]))
    np.testing.assert_allclose(alone, outputs[2:3], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(
        model.predict(z, batch_size=4, verbose=0), outputs, rtol=1e-5, atol=1e-6
    )


def test_reference_is_drawn_once_and_saved_with_the_model(tmp_path):
    model = wrapped(vbn_generator(), seed=3)
    reference = to_numpy(model.layers[1].reference)
    assert reference.shape == (R, 4)
    assert model.layers[1].reference.trainable is False
    z = random_input((3, 4))
    path = os.path.join(tmp_path, "generator.keras")
    model.save(path)
    restored = keras.saving.load_model(path)
    np.testing.assert_array_equal(to_numpy(restored.layers[1].reference), reference)
    np.testing.assert_allclose(to_numpy(restored(z)), to_numpy(model(z)), rtol=1e-6)

    # Weights alone restore it into a model drawn with another seed.
    other = wrapped(vbn_generator(), seed=4)
    assert np.abs(to_numpy(other.layers[1].reference) - reference).max() > 0
    weights = os.path.join(tmp_path, "generator.weights.h5")
    model.save_weights(weights)
    other.load_weights(weights)
    np.testing.assert_array_equal(to_numpy(other.layers[1].reference), reference)


def test_set_reference_stores_a_given_batch():
    model = wrapped(vbn_generator())
    wrapper = model.layers[1]
    new = random_input((R, 4), seed=8)
    wrapper.set_reference(new)
    np.testing.assert_array_equal(to_numpy(wrapper.reference), new)
    with pytest.raises(ValueError, match=r"\(5, 4\).*reference.shape=\(4, 4\)"):
        wrapper.set_reference(new[:4])


def test_gan_trains_a_vbn_generator_in_one_compiled_step():
    generator = wrapped(vbn_generator())
    discriminator = keras.Sequential(
        [
            keras.Input((2,)),
            keras.layers.Dense(8, activation="relu"),
            keras.layers.Dense(1),
        ]
    )
    gan = GAN(generator, discriminator, seed=0)
    gan.compile()
    before = [to_numpy(v) for v in generator.trainable_variables]
    reference = to_numpy(generator.layers[1].reference)
    history = gan.fit(random_input((16, 2)), batch_size=8, epochs=1, verbose=0)
    assert all(np.isfinite(v[-1]) for v in history.history.values())
    moved = [
        np.abs(to_numpy(v) - b).max() > 0
        for v, b in zip(generator.trainable_variables, before)
    ]
    assert all(moved)
    np.testing.assert_array_equal(to_numpy(generator.layers[1].reference), reference)


def test_inputs_of_another_shape_than_the_reference_are_refused():
    model = wrapped(vbn_generator())
    with pytest.raises(ValueError, match="incompatible"):
        model.layers[1](random_input((3, 5)))


def test_mismatched_reference_size_is_refused():
    with pytest.raises(ValueError, match="reference_size=4.*reference_size=5"):
        ReferenceBatch(vbn_generator(reference_size=R), reference_size=4)


def test_batch_without_examples_is_refused():
    with pytest.raises(ValueError, match="at least one example.*ReferenceBatch"):
        VirtualBatchNorm(R)(random_input((R, 3)))


@pytest.mark.parametrize("shape", [(7,), ()])
def test_rank_below_two_is_refused(shape):
    with pytest.raises(ValueError, match="rank >= 2"):
        VirtualBatchNorm(R).build(shape)


def test_unknown_feature_dimension_is_refused():
    with pytest.raises(ValueError, match="known size of the feature axis"):
        VirtualBatchNorm(R)(keras.Input((None,)))


@pytest.mark.parametrize("axis", [0, 2, -3])
def test_axis_must_name_a_feature_axis(axis):
    with pytest.raises(ValueError, match=f"axis={axis}"):
        VirtualBatchNorm(R, axis=axis).build((None, 3))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"reference_size": 0}, "`reference_size` must be a positive integer"),
        ({"reference_size": 4, "epsilon": 0.0}, "`epsilon` must be > 0"),
        ({"reference_size": 4, "axis": 1.0}, "`axis` must be an integer"),
    ],
)
def test_bad_arguments_name_the_argument(kwargs, message):
    with pytest.raises(ValueError, match=message):
        VirtualBatchNorm(**kwargs)


@keras.saving.register_keras_serializable(package="gan_zoo_tests")
class ReferenceOnlyBatchNorm(VirtualBatchNorm):
    """Normalises the examples by the reference statistics alone."""

    def example_statistics(self, examples, reference, mean, variance):
        return mean, variance


def test_subclass_changes_the_statistics():
    x = random_input((R + 3, 4), seed=5) * 2.0 + 1.0
    outputs = to_numpy(ReferenceOnlyBatchNorm(R, epsilon=1e-3)(x))
    reference = x[:R].astype("float64")
    expected = (x - reference.mean(0)) / np.sqrt(reference.var(0) + 1e-3)
    np.testing.assert_allclose(outputs, expected, rtol=1e-5, atol=1e-5)
    restored = keras.saving.deserialize_keras_object(
        keras.saving.serialize_keras_object(ReferenceOnlyBatchNorm(R))
    )
    assert type(restored) is ReferenceOnlyBatchNorm


def test_large_offsets_stay_accurate_in_float32():
    # At an offset of 1e4, E[x^2] - E[x]^2 in float32 is off by about 10
    # (float32's spacing at 1e8) for a variance of about 1; centred on mu_R,
    # only the float32 rounding of mu_R (~1e-3) is left.
    x = random_input((R + 2, 8), seed=6) + 1e4
    outputs = to_numpy(VirtualBatchNorm(R, epsilon=1e-6)(x))
    expected = numpy_vbn(x.astype("float64"), R, epsilon=1e-6)
    np.testing.assert_allclose(outputs, expected, rtol=0.02, atol=0.02)


def test_docstring_examples():
    result = doctest.testmod(
        virtual_batch_norm,
        extraglobs={
            "keras": keras,
            "VirtualBatchNorm": VirtualBatchNorm,
            "ReferenceBatch": ReferenceBatch,
        },
    )
    assert result.attempted > 0 and result.failed == 0
