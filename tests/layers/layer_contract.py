"""The contract every gan_zoo layer keeps, as a mixin of pytest tests.

Modelled on Keras's `run_layer_test` (keras/src/testing/test_case.py): config
and serialisation round trips, weight counts, symbolic and eager shapes, the
layer inside Sequential, functional and subclassed models, one compiled `fit`
step (XLA on TensorFlow and JAX), a `.keras` round trip and the mixed
precision policies. A layer's test module subclasses `LayerContract` as
`Test<Layer>Contract` and sets the class attributes.
"""

import os

import keras
import numpy as np
import pytest
from keras import ops

BACKEND = keras.backend.backend()
# XLA on TensorFlow and JAX; torch runs the step eagerly (Keras's "auto").
JIT_COMPILE = BACKEND != "torch"


def to_numpy(x):
    return ops.convert_to_numpy(x)


def random_input(shape, seed=0, dtype="float32"):
    return np.random.default_rng(seed).normal(size=shape).astype(dtype)


class LayerContract:
    layer_cls = None
    init_kwargs = {}
    input_shape = None  # with a concrete batch size
    expected_output_shape = None
    expected_num_trainable_weights = 0
    expected_num_non_trainable_weights = 0

    def make_layer(self, **overrides):
        return self.layer_cls(**{**self.init_kwargs, **overrides})

    def input_data(self):
        return random_input(self.input_shape)

    def prepare(self, layer):
        """Sets non-default state on a built layer (e.g. a fitted mixture)."""

    def built_layer(self, **overrides):
        keras.utils.set_random_seed(0)
        layer = self.make_layer(**overrides)
        layer.build(self.input_shape)
        self.prepare(layer)
        return layer

    def test_config_round_trip(self):
        layer = self.make_layer()
        config = layer.get_config()
        for key, value in self.init_kwargs.items():
            assert key in config, f"get_config() lacks the argument {key!r}"
        assert self.layer_cls.from_config(config).get_config() == config

    def test_serialization_needs_no_custom_objects(self):
        layer = self.make_layer()
        serialized = keras.saving.serialize_keras_object(layer)
        assert serialized["registered_name"] == f"gan_zoo>{self.layer_cls.__name__}"
        restored = keras.saving.deserialize_keras_object(serialized)
        assert type(restored) is self.layer_cls
        assert restored.get_config() == layer.get_config()

    def test_build_creates_the_expected_weights(self):
        layer = self.built_layer()
        assert len(layer.trainable_weights) == self.expected_num_trainable_weights
        assert (
            len(layer.non_trainable_weights)
            == self.expected_num_non_trainable_weights
        )

    def test_symbolic_and_eager_shapes_agree(self):
        layer = self.make_layer()
        batch, *sample = self.input_shape
        symbolic = layer(keras.Input(tuple(sample), batch_size=batch))
        assert tuple(symbolic.shape) == self.expected_output_shape
        assert layer.compute_output_shape(self.input_shape) == self.expected_output_shape
        unknown_batch = self.make_layer()(keras.Input(tuple(sample)))
        assert tuple(unknown_batch.shape) == (None,) + self.expected_output_shape[1:]
        self.prepare(layer)
        outputs = layer(self.input_data())
        assert tuple(outputs.shape) == self.expected_output_shape
        assert keras.backend.standardize_dtype(outputs.dtype) == "float32"
        assert np.all(np.isfinite(to_numpy(outputs)))

    def test_sequential_functional_and_subclassed_models_agree(self):
        layer = self.built_layer()
        x = self.input_data()
        expected = to_numpy(layer(x))
        sample = self.input_shape[1:]

        class Subclassed(keras.Model):
            def __init__(self, inner):
                super().__init__()
                self.inner = inner

            def call(self, inputs):
                return self.inner(inputs)

        inputs = keras.Input(sample)
        models = {
            "sequential": keras.Sequential([keras.Input(sample), layer]),
            "functional": keras.Model(inputs, layer(inputs)),
            "subclassed": Subclassed(layer),
        }
        for name, model in models.items():
            np.testing.assert_allclose(
                to_numpy(model(x)), expected, rtol=1e-6, atol=1e-6, err_msg=name
            )
            np.testing.assert_allclose(
                model.predict(x, batch_size=len(x), verbose=0),
                expected,
                rtol=1e-5,
                atol=1e-5,
                err_msg=f"{name} (compiled predict)",
            )

    def trainable_model(self, layer):
        """A Dense layer before `layer`, so that a gradient must cross it."""
        sample = self.input_shape[1:]
        return keras.Sequential(
            [keras.Input(sample), keras.layers.Dense(sample[-1]), layer]
        )

    def fit_one_step(self, model):
        x = self.input_data()
        y = np.zeros(self.expected_output_shape, "float32")
        optimizer = keras.optimizers.Adam(1e-3)
        if keras.config.dtype_policy().name == "mixed_float16":
            # Keras's first loss scale, 2^15, overflows float16 gradients of
            # outputs of order 10 (e.g. a log likelihood) and skips the first
            # steps by design; one step must update here.
            optimizer = keras.optimizers.LossScaleOptimizer(optimizer, initial_scale=16.0)
        model.compile(optimizer=optimizer, loss="mse", jit_compile=JIT_COMPILE)
        before = to_numpy(model.layers[0].kernel)
        history = model.fit(x, y, batch_size=len(x), epochs=1, shuffle=False, verbose=0)
        loss = history.history["loss"][0]
        assert np.isfinite(loss), loss
        moved = np.abs(to_numpy(model.layers[0].kernel) - before).max()
        assert moved > 0, f"no update reached the layer before it (loss {loss})"
        return model

    def test_one_compiled_fit_step(self):
        layer = self.built_layer()
        self.fit_one_step(self.trainable_model(layer))

    def test_keras_file_round_trip(self, tmp_path):
        layer = self.built_layer()
        model = self.fit_one_step(self.trainable_model(layer))
        path = os.path.join(tmp_path, "model.keras")
        model.save(path)
        restored = keras.saving.load_model(path)
        x = self.input_data()
        np.testing.assert_allclose(
            to_numpy(restored(x)), to_numpy(model(x)), rtol=1e-6, atol=1e-6
        )
        for saved, loaded in zip(layer.weights, restored.layers[-1].weights):
            np.testing.assert_array_equal(to_numpy(saved), to_numpy(loaded))

    @pytest.mark.parametrize("policy", ["mixed_float16", "mixed_bfloat16"])
    def test_mixed_precision(self, policy):
        reference = self.built_layer()
        layer = self.built_layer(dtype=policy)
        layer.set_weights(reference.get_weights())
        compute = policy.split("_")[1]
        assert all(
            keras.backend.standardize_dtype(w.dtype) == "float32" for w in layer.weights
        )
        x = self.input_data()
        outputs = layer(x)
        assert keras.backend.standardize_dtype(outputs.dtype) == compute
        values = to_numpy(ops.cast(outputs, "float32"))
        assert np.all(np.isfinite(values))
        # bfloat16 keeps 8 bits of mantissa, float16 11.
        tolerance = 0.1 if compute == "bfloat16" else 0.02
        np.testing.assert_allclose(
            values, to_numpy(reference(x)), rtol=tolerance, atol=tolerance
        )

    @pytest.mark.parametrize("policy", ["mixed_float16", "mixed_bfloat16"])
    def test_compiled_fit_step_under_global_mixed_policy(self, policy):
        previous = keras.config.dtype_policy()
        keras.config.set_dtype_policy(policy)
        try:
            layer = self.built_layer()
            assert layer.compute_dtype == policy.split("_")[1]
            self.fit_one_step(self.trainable_model(layer))
        finally:
            keras.config.set_dtype_policy(previous)
