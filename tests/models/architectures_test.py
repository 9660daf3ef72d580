"""Tests for `gan_zoo.models.architectures` (DCGAN and MLP builders)."""

import re

import keras
import numpy as np
import pytest

from gan_zoo.layers import MinibatchDiscrimination
from gan_zoo.layers import ReferenceBatch
from gan_zoo.layers import VirtualBatchNorm
from gan_zoo.models.architectures import dcgan_discriminator
from gan_zoo.models.architectures import dcgan_generator
from gan_zoo.models.architectures import dcgan_sizes
from gan_zoo.models.architectures import mlp_discriminator
from gan_zoo.models.architectures import mlp_generator

TINY = {"base_filters": 8}
SIZES = [(8, 4, 1), (16, 4, 2), (28, 7, 2), (32, 4, 3), (64, 4, 4)]


def _of_type(model, cls):
    return [layer for layer in model.layers if isinstance(layer, cls)]


def _convs(model):
    return _of_type(model, (keras.layers.Conv2D, keras.layers.Conv2DTranspose))


def _numpy(x):
    return keras.ops.convert_to_numpy(x)


@pytest.mark.parametrize("image_size,start,num", SIZES)
def test_sizes_halve_to_start_size(image_size, start, num):
    assert dcgan_sizes(image_size) == (start, num)


@pytest.mark.parametrize("channels", [1, 3])
@pytest.mark.parametrize("image_size", [s for s, _, _ in SIZES])
def test_dcgan_output_shapes(image_size, channels):
    g = dcgan_generator(image_size, channels, latent_dim=5, **TINY)
    d = dcgan_discriminator(image_size, channels, **TINY)
    images = g(np.random.normal(size=(2, 5)).astype("float32"))
    assert tuple(images.shape) == (2, image_size, image_size, channels)
    assert tuple(d(images).shape) == (2, 1)
    num = dcgan_sizes(image_size)[1]
    assert len(_convs(g)) == num and len(_convs(d)) == num


def test_dcgan_kernel_size_5():
    g = dcgan_generator(28, kernel_size=5, **TINY)
    d = dcgan_discriminator(28, kernel_size=5, **TINY)
    assert all(c.kernel_size == (5, 5) for c in _convs(g) + _convs(d))
    assert tuple(d(g(np.zeros((1, 100), "float32"))).shape) == (1, 1)


def test_dcgan_filters_halve_in_generator_and_double_in_discriminator():
    g = dcgan_generator(64, 3, **TINY)
    d = dcgan_discriminator(64, 3, **TINY)
    assert g.get_layer("reshape").output.shape[-1] == 64
    assert [c.filters for c in _convs(g)] == [32, 16, 8, 3]
    assert [c.filters for c in _convs(d)] == [8, 16, 32, 64]
    g28 = dcgan_generator(28, **TINY)  # 28 -> 7x7 with 2 * 8, then 8, then 1
    assert g28.get_layer("reshape").output.shape[-1] == 16
    assert [c.filters for c in _convs(g28)] == [8, 1]


def test_constant_filters_keeps_base_filters_everywhere():
    g = dcgan_generator(64, 3, constant_filters=True, **TINY)
    d = dcgan_discriminator(64, 3, constant_filters=True, **TINY)
    assert g.get_layer("reshape").output.shape[-1] == 8
    assert [c.filters for c in _convs(g)] == [8, 8, 8, 3]
    assert [c.filters for c in _convs(d)] == [8, 8, 8, 8]


def test_batch_norm_placement_follows_dcgan_guidelines():
    g = dcgan_generator(32, **TINY)
    d = dcgan_discriminator(32, **TINY)
    bn = keras.layers.BatchNormalization
    # G: BN after the dense and each hidden deconv, none after the output one.
    assert len(_of_type(g, bn)) == 3
    last_conv = g.layers.index(_convs(g)[-1])
    assert not any(isinstance(l, bn) for l in g.layers[last_conv - 1 :])
    assert isinstance(g.layers[last_conv - 1], keras.layers.ReLU)
    # D: no BN on the input layer's block, BN on every later block.
    assert len(_of_type(d, bn)) == 2
    first, second = (d.layers.index(c) for c in _convs(d)[:2])
    assert not any(isinstance(l, bn) for l in d.layers[: second])
    assert isinstance(d.layers[second + 1], bn)
    # Layers followed by BN carry no bias; the others do.
    assert g.get_layer("dense").bias is None
    assert _convs(g)[-1].bias is not None
    assert d.layers[first].bias is not None and d.layers[second].bias is None


def test_batch_norm_false_removes_every_batch_norm():
    bn = keras.layers.BatchNormalization
    g = dcgan_generator(32, batch_norm=False, **TINY)
    d = dcgan_discriminator(32, batch_norm=False, **TINY)
    assert not _of_type(g, bn) and not _of_type(d, bn)
    assert all(c.bias is not None for c in _convs(g) + _convs(d))


@pytest.mark.parametrize(
    "activation,cls,absent",
    [
        ("leaky_relu", keras.layers.LeakyReLU, keras.layers.ReLU),
        ("relu", keras.layers.ReLU, keras.layers.LeakyReLU),
    ],
)
def test_discriminator_activation_switch(activation, cls, absent):
    d = dcgan_discriminator(16, activation=activation, **TINY)
    assert len(_of_type(d, cls)) == 2 and not _of_type(d, absent)
    if activation == "leaky_relu":
        assert all(
            abs(l.negative_slope - 0.2) < 1e-7 for l in _of_type(d, cls)
        )


def test_generator_uses_relu_and_discriminator_returns_raw_logits():
    g = dcgan_generator(16, **TINY)
    d = dcgan_discriminator(16, **TINY)
    assert not _of_type(g, keras.layers.LeakyReLU)
    assert isinstance(d.layers[-1], keras.layers.Dense)
    assert d.layers[-1].activation is keras.activations.linear
    logits = _numpy(d(np.random.normal(0, 50, (64, 16, 16, 1)).astype("float32")))
    assert logits.min() < 0.0 or logits.max() > 1.0


@pytest.mark.parametrize(
    "output_activation,low,high", [("tanh", -1, 1), ("sigmoid", 0, 1)]
)
def test_output_activation_range(output_activation, low, high):
    g = dcgan_generator(16, output_activation=output_activation, latent_dim=4, **TINY)
    z = np.random.normal(0, 100, (16, 4)).astype("float32")
    images = _numpy(g(z, training=True))
    assert images.min() >= low and images.max() <= high
    assert g.layers[-1].get_config()["activation"] == output_activation
    if output_activation == "tanh":
        assert images.min() < 0.0  # tanh reaches negative values
    else:
        assert images.min() > 0.0


def test_initial_weights_follow_dcgan_init():
    g = dcgan_generator(28, **TINY)
    d = dcgan_discriminator(28, **TINY)
    kernels = [
        _numpy(l.kernel).ravel()
        for m in (g, d)
        for l in m.layers
        if isinstance(l, (keras.layers.Dense, keras.layers.Conv2D))
    ]
    kernels = np.concatenate(kernels)
    assert abs(kernels.mean()) < 2e-3
    assert abs(kernels.std() - 0.02) < 1e-3
    gammas = np.concatenate(
        [_numpy(l.gamma) for l in _of_type(g, keras.layers.BatchNormalization)]
    )
    assert abs(gammas.mean() - 1.0) < 5e-3 and 0.01 < gammas.std() < 0.03


@pytest.mark.parametrize(
    "builder,kwargs,inputs",
    [
        (dcgan_generator, {"image_size": 16, "latent_dim": 4, **TINY}, (3, 4)),
        (dcgan_discriminator, {"image_size": 16, "channels": 3, **TINY}, (3, 16, 16, 3)),
        (mlp_generator, {"latent_dim": 4, "batch_norm": True}, (3, 4)),
        (mlp_discriminator, {}, (3, 2)),
    ],
)
def test_serialization_round_trip_gives_same_outputs(builder, kwargs, inputs):
    model = builder(**kwargs)
    config = keras.saving.serialize_keras_object(model)
    restored = keras.saving.deserialize_keras_object(config)
    restored.set_weights(model.get_weights())
    x = np.random.normal(size=inputs).astype("float32")
    np.testing.assert_allclose(
        _numpy(model(x, training=False)),
        _numpy(restored(x, training=False)),
        rtol=1e-5,
        atol=1e-6,
    )
    assert restored.name == model.name


def test_mlp_shapes_and_switches():
    g = mlp_generator(data_dim=3, latent_dim=5, hidden_units=(16, 8))
    d = mlp_discriminator(data_dim=3, hidden_units=(16,), activation="relu")
    x = g(np.random.normal(size=(4, 5)).astype("float32"))
    assert tuple(x.shape) == (4, 3) and tuple(d(x).shape) == (4, 1)
    assert [l.units for l in _of_type(g, keras.layers.Dense)] == [16, 8, 3]
    assert g.layers[-1].activation is keras.activations.linear
    assert d.layers[-1].activation is keras.activations.linear
    assert not _of_type(g, keras.layers.BatchNormalization)
    g_bn = mlp_generator(hidden_units=(16, 8), batch_norm=True)
    assert len(_of_type(g_bn, keras.layers.BatchNormalization)) == 2
    assert g.name == "generator" and d.name == "discriminator"


@pytest.mark.parametrize(
    "builder,kwargs,argument",
    [
        (dcgan_generator, {"image_size": 3}, "image_size"),
        (dcgan_generator, {"image_size": 6}, "image_size"),
        (dcgan_generator, {"image_size": 27}, "image_size"),
        (dcgan_discriminator, {"image_size": 2}, "image_size"),
        (dcgan_generator, {"channels": 0}, "channels"),
        (dcgan_discriminator, {"channels": 0}, "channels"),
        (dcgan_generator, {"latent_dim": 0}, "latent_dim"),
        (dcgan_generator, {"base_filters": 0}, "base_filters"),
        (dcgan_generator, {"output_activation": "relu"}, "output_activation"),
        (dcgan_generator, {"kernel_size": 3}, "kernel_size"),
        (dcgan_discriminator, {"activation": "elu"}, "activation"),
        (mlp_generator, {"data_dim": 0}, "data_dim"),
        (mlp_generator, {"hidden_units": (16, -1)}, "hidden_units"),
        (mlp_generator, {"activation": "nope"}, "activation"),
        (mlp_discriminator, {"activation": "nope"}, "activation"),
    ],
)
def test_bad_arguments_raise_value_error_naming_them(builder, kwargs, argument):
    (value,) = kwargs.values()
    with pytest.raises(ValueError, match=re.escape(f"{argument}={value!r}")):
        builder(**kwargs)


# Improved-GAN switches (Salimans et al. 2016): all off by default.

# Layer names of default builds, as computed before the switches existed
# (saved weights depend on them).
DEFAULT_NAMES = [
    (
        mlp_generator,
        {},
        ["z", "dense_0", "dense_0_activation", "dense_1", "dense_1_activation",
         "dense_2", "dense_2_activation", "output"],
    ),
    (
        mlp_generator,
        {"hidden_units": (8, 8), "batch_norm": True},
        ["z", "dense_0", "dense_0_bn", "dense_0_activation", "dense_1",
         "dense_1_bn", "dense_1_activation", "output"],
    ),
    (mlp_discriminator, {}, ["x", "dense_0", "dense_1", "dense_2", "output"]),
    (
        dcgan_generator,
        {"base_filters": 4},
        ["z", "dense", "dense_bn", "dense_relu", "reshape", "deconv_1",
         "deconv_1_bn", "deconv_1_relu", "output_deconv", "output"],
    ),
    (
        dcgan_generator,
        {"image_size": 32, "base_filters": 4, "batch_norm": False},
        ["z", "dense", "dense_relu", "reshape", "deconv_1", "deconv_1_relu",
         "deconv_2", "deconv_2_relu", "output_deconv", "output"],
    ),
    (
        dcgan_discriminator,
        {"image_size": 32, "base_filters": 4},
        ["image", "conv_0", "conv_0_leaky_relu", "conv_1", "conv_1_bn",
         "conv_1_leaky_relu", "conv_2", "conv_2_bn", "conv_2_leaky_relu",
         "flatten", "logit"],
    ),
]

IMPROVED_LAYERS = (
    MinibatchDiscrimination,
    VirtualBatchNorm,
    ReferenceBatch,
    keras.layers.GaussianNoise,
)


def _last_hidden(model):
    """The layer feature matching reads by default: the last layer before the
    output that is not minibatch discrimination, noise or dropout."""
    skip = (MinibatchDiscrimination, keras.layers.GaussianNoise, keras.layers.Dropout)
    return [l for l in model.layers[:-1] if not isinstance(l, skip)][-1]


@pytest.mark.parametrize("builder,kwargs,names", DEFAULT_NAMES)
def test_default_builds_keep_their_layer_names(builder, kwargs, names):
    model = builder(**kwargs)
    assert [l.name for l in model.layers] == names
    assert not _of_type(model, IMPROVED_LAYERS)


@pytest.mark.parametrize(
    "builder,kwargs,inputs,hidden",
    [
        (mlp_discriminator, {"hidden_units": (8, 6)}, (3, 2), "dense_1"),
        (dcgan_discriminator, {"image_size": 8, "base_filters": 4}, (3, 8, 8, 1), "flatten"),
    ],
)
def test_discriminator_output_units_and_minibatch_discrimination(
    builder, kwargs, inputs, hidden
):
    x = np.random.normal(size=inputs).astype("float32")
    output_name = builder(**kwargs).layers[-1].name
    d = builder(output_units=10, **kwargs)
    assert tuple(d(x).shape) == (3, 10) and d.layers[-1].name == output_name
    assert not _of_type(d, MinibatchDiscrimination)

    d = builder(output_units=10, minibatch_kernels=3, minibatch_kernel_dim=2, **kwargs)
    assert tuple(d(x).shape) == (3, 10) and d.layers[-1].name == output_name
    md = d.layers[-2]
    assert isinstance(md, MinibatchDiscrimination)
    assert md.name == "minibatch_discrimination"
    assert (md.num_kernels, md.kernel_dim) == (3, 2)
    assert d.layers[-3].name == hidden and _last_hidden(d).name == hidden
    features = d.get_layer(hidden).output.shape[-1]
    assert md.output.shape[-1] == features + 3
    assert d.layers[-1].kernel.shape == (features + 3, 10)


def test_mlp_discriminator_gaussian_noise_layers():
    d = mlp_discriminator(hidden_units=(8, 6), input_noise=0.3, hidden_noise=0.5)
    assert [l.name for l in d.layers] == [
        "x", "input_noise", "dense_0", "dense_0_noise", "dense_1",
        "dense_1_noise", "output",
    ]
    noise = _of_type(d, keras.layers.GaussianNoise)
    assert [l.stddev for l in noise] == pytest.approx([0.3, 0.5, 0.5])
    assert _last_hidden(d).name == "dense_1"
    x = np.random.normal(size=(4, 2)).astype("float32")
    inference = _numpy(d(x, training=False))
    np.testing.assert_allclose(inference, _numpy(d(x)), rtol=1e-6)
    assert not np.allclose(_numpy(d(x, training=True)), inference)

    only_input = mlp_discriminator(hidden_units=(8,), input_noise=0.3)
    assert [l.name for l in _of_type(only_input, keras.layers.GaussianNoise)] == [
        "input_noise"
    ]
    with_md = mlp_discriminator(hidden_units=(8,), hidden_noise=0.5, minibatch_kernels=2)
    assert [l.name for l in with_md.layers[-4:]] == [
        "dense_0", "dense_0_noise", "minibatch_discrimination", "output"
    ]
    assert _last_hidden(with_md).name == "dense_0"


def test_mlp_generator_output_activation():
    z = np.random.normal(0, 100, (16, 4)).astype("float32")
    g = mlp_generator(latent_dim=4, hidden_units=(8,), output_activation="tanh")
    assert [l.name for l in g.layers][-1] == "output"
    x = _numpy(g(z))
    assert x.min() >= -1 and x.max() <= 1
    linear = mlp_generator(latent_dim=4, hidden_units=(8,))
    assert linear.layers[-1].activation is keras.activations.linear


VIRTUAL = [
    (mlp_generator, {"latent_dim": 4, "hidden_units": (8, 6)}, (2,)),
    (dcgan_generator, {"image_size": 16, "latent_dim": 4, "base_filters": 4}, (16, 16, 1)),
]


@pytest.mark.parametrize("builder,kwargs,shape", VIRTUAL)
def test_virtual_batch_norm_generator_structure(builder, kwargs, shape):
    g = builder(batch_norm="virtual", reference_size=5, seed=1, name="g", **kwargs)
    assert g.name == "g" and [l.name for l in g.layers] == ["z", "reference_batch"]
    wrapper = g.layers[1]
    assert isinstance(wrapper, ReferenceBatch) and wrapper.reference_size == 5
    assert tuple(wrapper.reference.shape) == (5, 4) and not wrapper.reference.trainable
    body = wrapper.layer
    assert body.name == "g_body"
    # Same layers and names as with batch norm, VBN in place of BN.
    with_bn = builder(batch_norm=True, **kwargs)
    assert [l.name for l in body.layers] == [l.name for l in with_bn.layers]
    assert not _of_type(body, keras.layers.BatchNormalization)
    vbn = _of_type(body, VirtualBatchNorm)
    assert [l.name for l in vbn] == [
        l.name for l in _of_type(with_bn, keras.layers.BatchNormalization)
    ]
    assert all(l.reference_size == 5 for l in vbn)
    for l in vbn:  # the layer before each VBN has no bias
        assert body.layers[body.layers.index(l) - 1].bias is None
    z = np.random.normal(size=(3, 4)).astype("float32")
    assert tuple(g(z).shape) == (3,) + shape
    assert g.output_shape == (None,) + shape


@pytest.mark.parametrize("builder,kwargs,shape", VIRTUAL)
def test_virtual_batch_norm_generator_samples_independently(builder, kwargs, shape):
    g = builder(batch_norm="virtual", reference_size=4, **kwargs)
    z = np.random.normal(size=(6, 4)).astype("float32")
    for training in (True, False):
        np.testing.assert_allclose(
            _numpy(g(z, training=training))[:1],
            _numpy(g(z[:1], training=training)),
            rtol=1e-5,
            atol=1e-5,
        )


@pytest.mark.parametrize("builder,kwargs,shape", VIRTUAL)
def test_virtual_batch_norm_generator_save_and_load(builder, kwargs, shape, tmp_path):
    g = builder(batch_norm="virtual", reference_size=4, **kwargs)
    z = np.random.normal(size=(3, 4)).astype("float32")
    path = str(tmp_path / "generator.keras")
    g.save(path)
    restored = keras.saving.load_model(path)
    assert restored.name == g.name
    np.testing.assert_allclose(
        _numpy(restored.layers[1].reference), _numpy(g.layers[1].reference)
    )
    for training in (True, False):
        np.testing.assert_allclose(
            _numpy(restored(z, training=training)),
            _numpy(g(z, training=training)),
            rtol=1e-5,
            atol=1e-6,
        )


def test_virtual_batch_norm_seed_fixes_the_reference_batch():
    kwargs = {"latent_dim": 4, "hidden_units": (8,), "batch_norm": "virtual"}
    a = mlp_generator(reference_size=3, seed=7, **kwargs).layers[1].reference
    b = mlp_generator(reference_size=3, seed=7, **kwargs).layers[1].reference
    np.testing.assert_allclose(_numpy(a), _numpy(b))


@pytest.mark.parametrize(
    "builder,kwargs,argument",
    [
        (mlp_discriminator, {"output_units": 0}, "output_units"),
        (dcgan_discriminator, {"output_units": 0}, "output_units"),
        (mlp_discriminator, {"minibatch_kernels": -1}, "minibatch_kernels"),
        (dcgan_discriminator, {"minibatch_kernels": 2.0}, "minibatch_kernels"),
        (dcgan_discriminator, {"minibatch_kernels": True}, "minibatch_kernels"),
        (mlp_discriminator, {"minibatch_kernel_dim": 0}, "minibatch_kernel_dim"),
        (dcgan_discriminator, {"minibatch_kernel_dim": 0}, "minibatch_kernel_dim"),
        (mlp_discriminator, {"input_noise": -0.1}, "input_noise"),
        (mlp_discriminator, {"hidden_noise": "0.5"}, "hidden_noise"),
        (mlp_discriminator, {"hidden_noise": float("nan")}, "hidden_noise"),
        (mlp_generator, {"batch_norm": "vbn"}, "batch_norm"),
        (mlp_generator, {"batch_norm": 1}, "batch_norm"),
        (dcgan_generator, {"batch_norm": None}, "batch_norm"),
        (dcgan_generator, {"batch_norm": "Virtual"}, "batch_norm"),
        (mlp_generator, {"reference_size": 0}, "reference_size"),
        (dcgan_generator, {"reference_size": 0}, "reference_size"),
        (mlp_generator, {"seed": 1.5}, "seed"),
        (mlp_generator, {"output_activation": "nope"}, "output_activation"),
    ],
)
def test_bad_improved_gan_arguments_raise_value_error_naming_them(
    builder, kwargs, argument
):
    (value,) = kwargs.values()
    with pytest.raises(ValueError, match=re.escape(f"{argument}={value!r}")):
        builder(**kwargs)
