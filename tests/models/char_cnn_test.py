"""The character-level CNN pair: shapes, saving with the charmap, text out."""

import keras
import numpy as np
import pytest

from gan_zoo.datasets.text import Charmap, text_dataset
from gan_zoo.models import FOGAN, WGANGP
from gan_zoo.models.architectures import CharCNNCritic, CharCNNGenerator, char_cnn

LINES = ["the quick brown fox", "jumps over the lazy dog", "hello, world"] * 4
CHARMAP = Charmap.from_lines(LINES, sequence_length=8)


def small_pair(batch_norm=False):
    generator = CharCNNGenerator(
        CHARMAP, sequence_length=8, width=8, num_blocks=2, latent_dim=4,
        batch_norm=batch_norm,
    )
    critic = CharCNNCritic(len(CHARMAP), sequence_length=8, width=8, num_blocks=2)
    return generator, critic


def test_shapes_and_softmax_output():
    generator, critic = small_pair()
    text = generator(np.random.default_rng(0).normal(size=(3, 4)).astype("float32"))
    text = keras.ops.convert_to_numpy(text)
    assert text.shape == (3, 8, len(CHARMAP))
    np.testing.assert_allclose(text.sum(-1), 1.0, rtol=1e-5)
    assert tuple(critic(text).shape) == (3, 1)


def test_paper_sizes_by_default():
    generator = CharCNNGenerator(CHARMAP)
    assert generator.output_shape == (None, 32, len(CHARMAP))
    assert generator.get_layer("project").units == 32 * 512
    assert len([l for l in generator.layers if isinstance(l, char_cnn.ScaledAdd)]) == 5


def test_batch_norm_only_where_asked():
    with_bn, _ = small_pair(batch_norm=True)
    without, critic = small_pair()
    has_bn = lambda m: any(isinstance(l, keras.layers.BatchNormalization) for l in m.layers)  # noqa: E731
    assert has_bn(with_bn) and not has_bn(without) and not has_bn(critic)


def _rescaling_then_add(scale, name):
    """The blocks' ending before `ScaledAdd`: `Add()([x, Rescaling(scale)(r)])`."""
    return lambda x, r: keras.layers.Add(name=name)(
        [x, keras.layers.Rescaling(scale, name=f"{name}_scale")(r)]
    )


@pytest.mark.parametrize("policy", ["float32", "mixed_bfloat16"])
def test_scaled_add_computes_rescaling_then_add(policy, monkeypatch):
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(policy)
    try:
        pairs = {}
        for form in ("rescaling", "scaled_add"):
            with monkeypatch.context() as m:
                if form == "rescaling":
                    m.setattr(char_cnn, "ScaledAdd", _rescaling_then_add)
                pairs[form] = small_pair(batch_norm=True)
    finally:
        keras.config.set_dtype_policy(previous)
    (g0, c0), (g1, c1) = pairs["rescaling"], pairs["scaled_add"]
    assert not any(isinstance(l, keras.layers.Rescaling) for l in g1.layers + c1.layers)
    g1.set_weights(g0.get_weights())
    c1.set_weights(c0.get_weights())
    z = np.random.default_rng(0).normal(size=(5, 4)).astype("float32")
    for training in (False, True):
        t0, t1 = (keras.ops.convert_to_numpy(g(z, training=training)) for g in (g0, g1))
        np.testing.assert_array_equal(t1, t0)
        np.testing.assert_array_equal(
            keras.ops.convert_to_numpy(c1(t0)), keras.ops.convert_to_numpy(c0(t0))
        )


def test_scaled_add_trains_as_rescaling_then_add(monkeypatch):
    trained = []
    for form in ("rescaling", "scaled_add"):
        with monkeypatch.context() as m:
            if form == "rescaling":
                m.setattr(char_cnn, "ScaledAdd", _rescaling_then_add)
            generator, critic = small_pair(batch_norm=True)
        if form == "rescaling":
            initial = generator.get_weights(), critic.get_weights()
        else:
            generator.set_weights(initial[0])
            critic.set_weights(initial[1])
        model = FOGAN(generator, critic, seed=0)
        model.compile()
        ds = text_dataset(LINES, CHARMAP, batch_size=4, sequence_length=8, seed=0)
        model.fit(ds, steps_per_epoch=2, epochs=1, verbose=0)
        trained.append(generator.get_weights() + critic.get_weights())
    for a, b in zip(*trained):
        np.testing.assert_array_equal(b, a)


@pytest.mark.parametrize("cls", [WGANGP, FOGAN])
def test_text_gan_trains_saves_and_decodes(cls, tmp_path):
    generator, critic = small_pair(batch_norm=cls is FOGAN)
    model = cls(generator, critic, n_critic=1, seed=0)
    model.compile()
    ds = text_dataset(LINES, CHARMAP, batch_size=4, sequence_length=8, seed=0)
    model.fit(ds, epochs=1, verbose=0)
    samples = model.generate_text(3, seed=0)
    assert len(samples) == 3 and all(len(s) <= 8 for s in samples)
    model.save(tmp_path / "text.keras")
    loaded = keras.saving.load_model(tmp_path / "text.keras")
    assert loaded.generator.charmap == CHARMAP
    assert loaded.generate_text(3, seed=0) == samples


@pytest.mark.parametrize("cls", [WGANGP, FOGAN])
def test_text_gan_trains_under_mixed_precision(cls):
    """The generator's softmax stays float32 while real batches take the
    compute dtype: the engine gives both batches one dtype."""
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy("mixed_bfloat16")
    try:
        model = cls(*small_pair(), n_critic=1, seed=0)
    finally:
        keras.config.set_dtype_policy(previous)
    model.compile()
    ds = text_dataset(LINES, CHARMAP, batch_size=4, sequence_length=8, seed=0)
    history = model.fit(ds, epochs=1, verbose=0).history
    assert all(np.isfinite(values[-1]) for values in history.values())


def test_generate_text_needs_a_charmap():
    from gan_zoo.models.architectures import mlp_discriminator, mlp_generator

    model = WGANGP(mlp_generator(latent_dim=2), mlp_discriminator())
    with pytest.raises(ValueError, match="charmap"):
        model.generate_text(2)


def test_bad_sizes_are_rejected():
    with pytest.raises(ValueError, match="width"):
        CharCNNGenerator(CHARMAP, width=0)
    with pytest.raises(TypeError, match="Charmap"):
        CharCNNGenerator(["a", "b"])
