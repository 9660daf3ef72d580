"""Tests for `gan_zoo.metrics.fid_inception` and `torch_checkpoint`.

The reference is pytorch-fid's own FID Inception module (its weights are a
download, so both networks get the same random weights through our
converter): the Keras network must give the same pool_3 features and
Inception-score logits.
"""

import collections
import os
import pathlib
import pickle
import unittest.mock

import keras
import numpy as np
import pytest
import torch  # the test extra's pytorch-fid brings it

from gan_zoo.datasets import sources
from gan_zoo.metrics import fid_inception
from gan_zoo.metrics.torch_checkpoint import read_state_dict


def import_pytorch_fid():
    """pytorch-fid's `inception` module, imported on a CPU-only torch.

    torchvision's PyPI wheels hold compiled detection ops built for CUDA
    torch; registering their fake kernels fails on the CPU build. The
    Inception modules are plain Python and need none of them.
    """
    real = torch.library.register_fake
    torch.library.register_fake = lambda *args, **kwargs: (lambda function: function)
    try:
        from pytorch_fid import inception
    finally:
        torch.library.register_fake = real
    return inception


def random_reference():
    """pytorch-fid's network `(features, inception)` with random weights."""
    inception_module = import_pytorch_fid()
    built = []
    # Build without the weight download: keep the Inception3 it would load into.
    with unittest.mock.patch.object(inception_module, "load_state_dict_from_url", lambda *a, **k: None), \
            unittest.mock.patch.object(torch.nn.Module, "load_state_dict", lambda self, *a, **k: built.append(self)):
        features = inception_module.InceptionV3([3], resize_input=False, normalize_input=False)
    (inception,) = built
    generator = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for name, tensor in inception.state_dict().items():
            if name.endswith("num_batches_tracked"):
                continue
            if name.endswith("running_var"):
                values = 0.5 + torch.rand(tensor.shape, generator=generator)
            elif name.endswith(("bn.weight",)):
                values = 0.8 + 0.4 * torch.rand(tensor.shape, generator=generator)
            elif name.endswith((".bias", "running_mean")):
                values = 0.1 * torch.randn(tensor.shape, generator=generator)
            else:  # He-scaled, so activations keep their size through 94 layers
                fan_in = tensor[0].numel()
                values = torch.randn(tensor.shape, generator=generator) * (2 / fan_in) ** 0.5
            tensor.copy_(values)
    return features.eval(), inception.eval()


@pytest.fixture(scope="module")
def reference_and_checkpoint(tmp_path_factory):
    features, inception = random_reference()
    path = tmp_path_factory.mktemp("fid") / "random_inception.pth"
    # The legacy format, as the published 2019 checkpoint.
    torch.save(inception.state_dict(), path, _use_new_zipfile_serialization=False)
    return features, inception, path


def test_keras_network_equals_pytorch_fid_on_random_weights(reference_and_checkpoint):
    """The architecture claim of the module: same pool_3 and logits as the
    reference port, to float32 round-off (~1e-4 relative), on this backend."""
    features, inception, path = reference_and_checkpoint
    model = fid_inception.fid_inception_network()
    fid_inception.load_torch_state_dict(model, read_state_dict(path))
    images = np.random.default_rng(0).uniform(0, 255, (2, 299, 299, 3)).astype("float32")
    pool3, logits = (keras.ops.convert_to_numpy(t) for t in model.predict_on_batch(images))
    with torch.no_grad():
        scaled = torch.from_numpy((images - 128) / 128).permute(0, 3, 1, 2)
        expected_pool3 = features(scaled)[0].flatten(1)
        expected_logits = expected_pool3 @ inception.fc.weight.T
    expected_pool3, expected_logits = expected_pool3.numpy(), expected_logits.numpy()
    assert pool3.shape == (2, 2048) and logits.shape == (2, 1008)
    assert np.abs(expected_pool3).max() > 0.1  # the check is not on vanishing values
    scale = np.abs(expected_pool3).max()
    np.testing.assert_allclose(pool3, expected_pool3, atol=1e-4 * scale, rtol=0)
    scale = np.abs(expected_logits).max()
    np.testing.assert_allclose(logits, expected_logits, atol=1e-4 * scale, rtol=0)


def test_network_stays_float32_under_mixed_precision(policy):
    policy("mixed_float16")
    model = fid_inception.fid_inception_network()
    assert keras.config.dtype_policy().name == "mixed_float16"  # restored
    assert {layer.compute_dtype for layer in model.layers} == {"float32"}


def test_converter_names_missing_and_extra_weights(reference_and_checkpoint):
    _, _, path = reference_and_checkpoint
    state = read_state_dict(path)
    model = fid_inception.fid_inception_network()
    with pytest.raises(ValueError, match="no 'Mixed_7c.branch_pool.conv.weight'"):
        fid_inception.load_torch_state_dict(
            model, {k: v for k, v in state.items() if not k.startswith("Mixed_7c.branch_pool")}
        )
    with pytest.raises(ValueError, match="lacks: \\['aux.weight'\\]"):
        fid_inception.load_torch_state_dict(model, {**state, "aux.weight": np.zeros(3)})


@pytest.mark.parametrize("zip_format", [True, False])
def test_reader_equals_torch_load(tmp_path, zip_format):
    state = collections.OrderedDict(
        conv=torch.randn(4, 3, 2, 2),
        transposed=torch.arange(6.0).reshape(2, 3).t(),  # strided
        view=torch.arange(10.0)[3:7],  # offset into a storage
        half=torch.ones(3, dtype=torch.float16),
        count=torch.tensor(7),
    )
    path = tmp_path / "state.pth"
    torch.save(state, path, _use_new_zipfile_serialization=zip_format)
    read = read_state_dict(path)
    assert list(read) == list(state)
    for name, tensor in state.items():
        assert read[name].dtype == tensor.numpy().dtype
        np.testing.assert_array_equal(read[name], tensor.numpy())


class RunsCode:
    def __reduce__(self):
        return (os.system, ("echo this must never run",))


@pytest.mark.parametrize("zip_format", [True, False])
def test_reader_refuses_code(tmp_path, zip_format):
    path = tmp_path / "evil.pth"
    torch.save({"weight": torch.ones(2), "payload": RunsCode()}, path,
               _use_new_zipfile_serialization=zip_format)
    with pytest.raises(pickle.UnpicklingError, match="Refusing to load the global posix.system"):
        read_state_dict(path)


def test_reader_refuses_what_is_not_a_checkpoint(tmp_path):
    path = tmp_path / "notes.pth"
    path.write_bytes(b"not a checkpoint")
    with pytest.raises((ValueError, pickle.UnpicklingError)):
        read_state_dict(path)
    truncated = tmp_path / "truncated.pth"
    torch.save({"weight": torch.ones(1000)}, truncated, _use_new_zipfile_serialization=False)
    truncated.write_bytes(truncated.read_bytes()[:-100])
    with pytest.raises(ValueError, match="truncated"):
        read_state_dict(truncated)


def test_weights_download_checks_sha256_then_converts_once(
    reference_and_checkpoint, tmp_path, monkeypatch
):
    """The download path: a file:// URL stands for GitHub. A checkpoint with
    another SHA-256 is refused and nothing is cached; the right one is
    converted once into $KERAS_HOME/models."""
    _, _, path = reference_and_checkpoint
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(fid_inception, "WEIGHTS_URL", path.as_uri())
    monkeypatch.setattr(fid_inception, "WEIGHTS_SHA256", "0" * 64)
    with pytest.raises(sources.CorruptDataError, match="SHA-256"):
        fid_inception.fid_weights_path()
    models = tmp_path / "home" / "models"
    assert not models.exists() or not any(models.iterdir())

    monkeypatch.setattr(fid_inception, "WEIGHTS_SHA256", fid_inception._sha256(path))
    converted = fid_inception.fid_weights_path()
    assert converted == models / fid_inception.CONVERTED_NAME
    assert sorted(p.name for p in models.iterdir()) == sorted(
        [path.name, fid_inception.CONVERTED_NAME]
    )
    before = converted.stat().st_mtime_ns
    assert fid_inception.fid_weights_path(download=False) == converted
    assert converted.stat().st_mtime_ns == before


def test_checkpoint_given_by_hand_is_checked(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "home"))
    other = tmp_path / "pt_inception-2015-12-05-6726825d.pth"
    torch.save({"weight": torch.ones(2)}, other)
    with pytest.raises(sources.CorruptDataError, match="refusing to convert"):
        fid_inception.fid_weights_path(checkpoint=other)


def test_tf1_bilinear_resize_matches_tensorflow_1():
    """The reference graph's resize (`tf.compat.v1.image.resize_bilinear`,
    align_corners=False, no half-pixel centres), up and down."""
    import tensorflow as tf  # a dependency of gan_zoo on every backend
    images = np.random.default_rng(1).uniform(0, 255, (2, 13, 7, 3)).astype("float32")
    for size in (29, 5):
        expected = tf.compat.v1.image.resize_bilinear(images, (size, size)).numpy()
        np.testing.assert_allclose(
            fid_inception.tf1_resize_bilinear(images, size), expected, atol=1e-3
        )


def test_tf1_bilinear_matrix_by_hand():
    # 2 -> 4: positions 0, 0.5, 1, 1.5; the last clamps to the edge pixel.
    expected = [[1, 0], [0.5, 0.5], [0, 1], [0, 1]]
    np.testing.assert_allclose(fid_inception.tf1_bilinear_matrix(2, 4), expected)


def test_extractor_quantises_to_uint8_and_resizes_as_tensorflow_1():
    extractor = fid_inception.fid_inception_extractor(weights=None, batch_size=2)
    assert "random-weight" in extractor.name and "not comparable" in extractor.name
    rng = np.random.default_rng(2)
    full = rng.uniform(-1, 1, (1, 299, 299, 3)).astype("float32")
    levels = extractor.preprocess(full)  # already 299: only quantised
    np.testing.assert_array_equal(levels, np.round((full + 1) * 127.5))
    grey = rng.uniform(-1, 1, (2, 7, 7, 1)).astype("float32")
    expected = fid_inception.tf1_resize_bilinear(np.repeat(np.round((grey + 1) * 127.5), 3, -1), 299)
    np.testing.assert_allclose(extractor.preprocess(grey), expected, atol=1e-3)
    features, probabilities = extractor(grey)
    assert features.shape == (2, 2048) and probabilities.shape == (2, 1008)
    assert np.all(np.isfinite(features))


def test_default_extractor_offline_names_the_file_and_offline_choices(tmp_path, monkeypatch):
    """evaluate's default is the FID Inception network; without network the
    error says in one line what to download and where, and nothing is left."""
    from gan_zoo.metrics import evaluate
    from gan_zoo.metrics.features import WeightsUnavailableError

    def offline(*args, **kwargs):
        raise OSError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(sources, "fetch", offline)
    images = np.zeros((4, 8, 8, 3), "float32")
    with pytest.raises(WeightsUnavailableError) as error:
        evaluate(images, images)
    message = str(error.value)
    assert fid_inception.WEIGHTS_URL in message and str(tmp_path / "home" / "models") in message
    assert "fashion_mnist" in message and "\n" not in message
    assert not (tmp_path / "home" / "models").exists()
