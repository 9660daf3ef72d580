"""The character-level CNN pair: shapes, saving with the charmap, text out."""

import keras
import numpy as np
import pytest

from gan_zoo.datasets.text import Charmap, text_dataset
from gan_zoo.models import FOGAN, WGANGP
from gan_zoo.models.architectures import CharCNNCritic, CharCNNGenerator

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
    assert len([l for l in generator.layers if isinstance(l, keras.layers.Add)]) == 5


def test_batch_norm_only_where_asked():
    with_bn, _ = small_pair(batch_norm=True)
    without, critic = small_pair()
    has_bn = lambda m: any(isinstance(l, keras.layers.BatchNormalization) for l in m.layers)  # noqa: E731
    assert has_bn(with_bn) and not has_bn(without) and not has_bn(critic)


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
