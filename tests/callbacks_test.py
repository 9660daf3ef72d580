"""Tests for `gan_zoo.callbacks.SampleGrid`."""

import numpy as np
import pytest
from PIL import Image

from gan_zoo.callbacks import SampleGrid
from gan_zoo.models import GAN
from gan_zoo.models.architectures import dcgan_discriminator
from gan_zoo.models.architectures import dcgan_generator
from gan_zoo.models.architectures import mlp_discriminator
from gan_zoo.models.architectures import mlp_generator

LATENT_DIM = 4


def _tiny_gan(kind):
    if kind == "images":
        generator = dcgan_generator(8, 1, LATENT_DIM, base_filters=4)
        discriminator = dcgan_discriminator(8, 1, base_filters=4)
        data = np.random.default_rng(0).uniform(-1, 1, (32, 8, 8, 1))
    else:
        generator = mlp_generator(2, LATENT_DIM, hidden_units=(8,))
        discriminator = mlp_discriminator(2, hidden_units=(8,))
        data = np.random.default_rng(0).normal(size=(32, 2))
    model = GAN(generator, discriminator, seed=0)
    model.compile()
    return model, data.astype("float32")


@pytest.mark.parametrize("kind", ["images", "points"])
def test_writes_one_png_per_epoch(tmp_path, kind):
    model, data = _tiny_gan(kind)
    reference = data[:10] if kind == "points" else None
    callback = SampleGrid(
        tmp_path / "samples" / "epoch_{epoch:03d}.png",
        num_samples=9,
        reference=reference,
    )
    model.fit(data, batch_size=8, epochs=2, callbacks=[callback], verbose=0)
    written = sorted(p.name for p in (tmp_path / "samples").iterdir())
    assert written == ["epoch_001.png", "epoch_002.png"]
    size = Image.open(tmp_path / "samples" / "epoch_002.png").size
    assert size == ((3 * 9 + 1, 3 * 9 + 1) if kind == "images" else (512, 512))


def test_every_n_epochs(tmp_path):
    model, data = _tiny_gan("points")
    callback = SampleGrid(tmp_path / "e{epoch}.png", every_n_epochs=2)
    model.fit(data, batch_size=8, epochs=3, callbacks=[callback], verbose=0)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e2.png"]


@pytest.mark.parametrize("kind", ["images", "points"])
def test_fixed_noise_gives_identical_pictures_without_training(tmp_path, kind):
    model, data = _tiny_gan(kind)
    callback = SampleGrid(tmp_path / "e{epoch}.png", num_samples=16, seed=3)
    model.fit(data, batch_size=8, epochs=1, callbacks=[callback], verbose=0)
    noise = callback.noise
    assert noise.shape == (16, LATENT_DIM)
    first = callback.write(10)
    second = callback.write(11)
    assert first.read_bytes() == second.read_bytes()
    # Training again starts from the same noise.
    model.fit(data, batch_size=8, epochs=1, callbacks=[callback], verbose=0)
    np.testing.assert_array_equal(callback.noise, noise)


def test_different_seeds_draw_different_noise():
    model, _ = _tiny_gan("points")
    noises = []
    for seed in (0, 1):
        callback = SampleGrid("e{epoch}.png", seed=seed)
        callback.set_model(model)
        callback.on_train_begin()
        noises.append(callback.noise)
    assert not np.allclose(noises[0], noises[1])


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"path": "e{step}.png"}, "only field is `epoch`"),
        ({"path": "e{}.png"}, "only field is `epoch`"),
        ({"every_n_epochs": 0}, "every_n_epochs"),
        ({"num_samples": 1.5}, "num_samples"),
        ({"reference": np.zeros((4, 3))}, "reference.shape"),
    ],
)
def test_bad_arguments_raise(kwargs, message):
    kwargs = {"path": "e{epoch}.png", **kwargs}
    with pytest.raises(ValueError, match=message):
        SampleGrid(**kwargs)
