"""Presets: save_to_preset / from_preset over directories, URLs and names."""

import hashlib
import json
import os
import pathlib
import shutil
import tarfile
import zipfile

import h5py
import keras
import numpy as np
import pytest

from gan_zoo import presets
from gan_zoo.datasets import CorruptDataError
from gan_zoo.models import DCGAN, FOGAN, GAN, WGANGP
from gan_zoo.models.architectures import (
    dcgan_discriminator,
    dcgan_generator,
    mlp_discriminator,
    mlp_generator,
)


def image_model(cls, **kwargs):
    """A tiny 8x8 DCGAN pair (batch norm in G; in D unless its penalties are per sample)."""
    return cls(
        dcgan_generator(8, 1, latent_dim=4, base_filters=4),
        dcgan_discriminator(8, 1, base_filters=4, batch_norm=not cls.per_sample_critic),
        seed=0,
        **kwargs,
    )


def images(n=16, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (n, 8, 8, 1)).astype("float32")


def numpy_weights(model):
    return [keras.ops.convert_to_numpy(v) for v in model.weights]


def as_json(config):
    return json.loads(json.dumps(config))  # tuples read back as lists


def assert_same_model(loaded, model):
    assert type(loaded) is type(model)
    assert as_json(loaded.get_config()) == as_json(model.get_config())
    for a, b in zip(numpy_weights(loaded), numpy_weights(model), strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(loaded.generate(4, seed=0), model.generate(4, seed=0))


def files_under(folder):
    folder = pathlib.Path(folder)
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def sha256(path):
    return hashlib.sha256(pathlib.Path(path).read_bytes()).hexdigest()


@pytest.fixture
def cache(monkeypatch, tmp_path):
    """A fresh Keras home; returns its preset cache folder."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    return tmp_path / "keras_home" / "presets"


@pytest.fixture
def registry(monkeypatch):
    """An empty preset registry for the test; the real one is restored after."""
    monkeypatch.setattr(presets, "PRESETS", {})
    return presets.PRESETS


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """`(model, directory)` of a DCGAN saved as a preset, shared by the module."""
    model = image_model(DCGAN)
    directory = tmp_path_factory.mktemp("presets") / "dcgan"
    model.save_to_preset(directory, metadata={"dataset": "random", "steps": 0})
    return model, directory


def archive_of(directory, path, folder="dcgan_preset"):
    """A `.tar.gz` (files in `folder/`) or `.zip` (files at the top) of a preset."""
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".zip":
        with zipfile.ZipFile(path, "w") as zipped:
            for name in os.listdir(directory):
                zipped.write(os.path.join(directory, name), name)
    else:
        with tarfile.open(path, "w:gz") as tarred:
            tarred.add(directory, arcname=folder)
    return path


@pytest.mark.parametrize("cls", [DCGAN, WGANGP, FOGAN], ids=lambda c: c.__name__)
def test_round_trip_gives_the_same_model(cls, tmp_path):
    model = image_model(cls)
    model.save_to_preset(tmp_path / "preset", metadata={"dataset": "random"})
    assert sorted(os.listdir(tmp_path)) == ["preset"]  # no staging folder left
    assert sorted(os.listdir(tmp_path / "preset")) == [
        "config.json",
        "metadata.json",
        "model.weights.h5",
    ]
    loaded = cls.from_preset(str(tmp_path / "preset"))
    assert_same_model(loaded, model)
    assert not loaded.compiled
    metadata = json.loads((tmp_path / "preset" / "metadata.json").read_text())
    assert metadata["class_name"] == cls.__name__
    assert metadata["backend"] == keras.backend.backend()
    assert metadata["keras_version"] == keras.version()
    assert metadata["dataset"] == "random"
    assert {"gan_zoo_version", "parameter_count", "date_saved"} <= set(metadata)


def test_fitted_model_reloads_and_trains_on(tmp_path):
    model = image_model(DCGAN)
    model.compile()
    model.fit(images(), batch_size=8, epochs=1, verbose=0)
    model.save_to_preset(
        tmp_path / "preset", metadata={"steps": 2, "fid": np.float32(1.5), "z": np.arange(2)}
    )
    metadata = json.loads((tmp_path / "preset" / "metadata.json").read_text())
    assert (metadata["steps"], metadata["fid"], metadata["z"]) == (2, 1.5, [0, 1])
    # The weights file holds both players (batch-norm statistics included), no optimiser.
    with h5py.File(tmp_path / "preset" / "model.weights.h5") as stored:
        assert set(stored) == {"discriminator", "generator", "vars"}
    config = json.loads((tmp_path / "preset" / "config.json").read_text())
    assert "compile_config" not in config

    loaded = DCGAN.from_preset(tmp_path / "preset")
    assert_same_model(loaded, model)
    loaded.compile()
    before = numpy_weights(loaded.generator)
    history = loaded.fit(images()[:8], batch_size=8, epochs=1, verbose=0)
    assert np.all(np.isfinite(history.history["g_loss"]))
    assert int(loaded.g_optimizer.iterations) == 1
    assert any(not np.array_equal(a, b) for a, b in zip(before, numpy_weights(loaded.generator)))


def test_load_weights_false_gives_the_architecture_with_fresh_weights(saved, tmp_path):
    model, directory = saved
    loaded = DCGAN.from_preset(directory, load_weights=False)
    assert as_json(loaded.get_config()) == as_json(model.get_config())
    assert [w.shape for w in loaded.weights] == [w.shape for w in model.weights]
    kernels = [i for i, w in enumerate(model.weights) if "kernel" in w.path]
    assert all(
        not np.array_equal(numpy_weights(loaded)[i], numpy_weights(model)[i]) for i in kernels
    )
    # The weights file is not needed then.
    (tmp_path / "no_weights").mkdir()
    for name in ("config.json", "metadata.json"):
        (tmp_path / "no_weights" / name).write_bytes((directory / name).read_bytes())
    assert type(DCGAN.from_preset(tmp_path / "no_weights", load_weights=False)) is DCGAN
    with pytest.raises(FileNotFoundError, match="no_weights has no model.weights.h5"):
        DCGAN.from_preset(tmp_path / "no_weights")


def test_the_wrong_class_raises_naming_the_right_one(tmp_path):
    model = image_model(WGANGP)
    model.save_to_preset(tmp_path / "wgan_gp")
    with pytest.raises(ValueError, match=r"holds a WGANGP.*`WGANGP\.from_preset\(\.\.\.\)`"):
        DCGAN.from_preset(tmp_path / "wgan_gp")
    loaded = GAN.from_preset(tmp_path / "wgan_gp")
    assert type(loaded) is WGANGP and loaded.n_critic == model.n_critic
    np.testing.assert_array_equal(loaded.generate(4, seed=0), model.generate(4, seed=0))


def test_unknown_name_lists_the_known_ones(registry, tmp_path):
    message = r"Unknown preset 'dcgan_nope' for DCGAN.*none are registered yet.*directory"
    with pytest.raises(ValueError, match=message):
        DCGAN.from_preset("dcgan_nope")
    assert DCGAN.presets == {} and GAN.presets == {}
    entry = {
        "metadata": {"dataset": "random"},
        "url": "https://example.invalid/a.tar.gz",
        "sha256": "0" * 64,
    }
    presets.register_presets({"dcgan_a": entry, "dcgan_b": entry}, DCGAN)
    presets.register_presets({"wgan_gp_a": entry}, WGANGP)
    assert list(DCGAN.presets) == ["dcgan_a", "dcgan_b"]
    assert DCGAN.presets["dcgan_a"] == {**entry, "class_name": "DCGAN"}
    assert presets.list_presets() == GAN.presets
    assert list(GAN.presets) == ["dcgan_a", "dcgan_b", "wgan_gp_a"]
    with pytest.raises(ValueError, match="Known presets: dcgan_a, dcgan_b. A preset may"):
        DCGAN.from_preset("dcgan_nope")
    # A name registered for another class says which, before any download.
    with pytest.raises(ValueError, match=r"`WGANGP\.from_preset\('wgan_gp_a'\)`"):
        DCGAN.from_preset("wgan_gp_a")
    # A path that is not there is an unknown name too.
    with pytest.raises(ValueError, match="neither a registered name nor a directory"):
        DCGAN.from_preset(str(tmp_path / "missing"))


@pytest.mark.parametrize(
    "presets_dict, message",
    [
        ({"DCGAN/fmnist": {}}, "lowercase letters and digits"),
        ({"dcgan_x": {"url": "https://h/a.tar.gz", "sha256": "0" * 64}}, "exactly the keys"),
        ({"dcgan_x": {"metadata": {}, "url": "https://h/a.tar.gz", "sha256": "00"}}, "64 hex"),
        ({"dcgan_x": {"metadata": {}, "url": "https://h/a.h5", "sha256": "0" * 64}}, "archive"),
        ({"dcgan_x": {"metadata": {}, "files": {"config.json": "0" * 64}}}, "'files' must map"),
        ({"dcgan_x": {"metadata": {}, "files": {"config.json": "0" * 64,
                                                "model.weights.h5": "xyz"}}}, "'files' must map"),
    ],
)
def test_register_presets_checks_entries(registry, presets_dict, message):
    with pytest.raises(ValueError, match=message):
        presets.register_presets(presets_dict, DCGAN)
    assert registry == {}


def test_missing_files_are_named_with_the_path(saved, tmp_path):
    _, directory = saved
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match=r"empty has no config.json or model.weights.h5"):
        DCGAN.from_preset(tmp_path / "empty")
    (tmp_path / "no_config").mkdir()
    (tmp_path / "no_config" / "model.weights.h5").write_bytes(
        (directory / "model.weights.h5").read_bytes()
    )
    with pytest.raises(FileNotFoundError, match=f"{tmp_path / 'no_config'} has no config.json"):
        DCGAN.from_preset(tmp_path / "no_config")


def test_a_config_that_is_not_a_gan_raises(saved, tmp_path):
    _, directory = saved
    folder = tmp_path / "other"
    folder.mkdir()
    (folder / "model.weights.h5").write_bytes((directory / "model.weights.h5").read_bytes())
    sequential = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    (folder / "config.json").write_text(
        json.dumps(keras.saving.serialize_keras_object(sequential))
    )
    with pytest.raises(ValueError, match="'Sequential', which is not a gan_zoo GAN"):
        GAN.from_preset(folder)
    (folder / "config.json").write_text('{"weights": [1, 2]}')
    with pytest.raises(ValueError, match="does not describe a gan_zoo GAN"):
        GAN.from_preset(folder)
    (folder / "config.json").write_text("{not json")
    with pytest.raises(ValueError, match="config.json is not valid JSON"):
        GAN.from_preset(folder)


def test_saving_into_an_existing_folder_keeps_its_other_files(saved, tmp_path):
    model, _ = saved
    run = tmp_path / "run"
    run.mkdir()
    (run / "log.csv").write_text("epoch,d_loss\n")
    model.save_to_preset(run)
    model.save_to_preset(run, metadata={"steps": 5})  # overwrites the preset
    assert sorted(os.listdir(tmp_path)) == ["run"]
    assert sorted(os.listdir(run)) == [
        "config.json", "log.csv", "metadata.json", "model.weights.h5"
    ]
    assert json.loads((run / "metadata.json").read_text())["steps"] == 5
    assert_same_model(DCGAN.from_preset(run), model)


def test_a_failed_save_leaves_nothing(saved, tmp_path, monkeypatch):
    model, _ = saved
    with pytest.raises(ValueError, match="must be JSON-serialisable"):
        model.save_to_preset(tmp_path / "preset", metadata={"dataset": object()})
    with pytest.raises(ValueError, match=r"\['backend'\] are written by save_to_preset"):
        model.save_to_preset(tmp_path / "preset", metadata={"backend": "mine"})

    def failing_save_weights(*args, **kwargs):
        raise OSError("disk full (test)")

    monkeypatch.setattr(DCGAN, "save_weights", failing_save_weights)
    with pytest.raises(OSError, match="disk full"):
        model.save_to_preset(tmp_path / "preset")
    assert os.listdir(tmp_path) == []


def test_file_url_of_a_directory(saved):
    model, directory = saved
    loaded = DCGAN.from_preset(directory.as_uri())
    assert_same_model(loaded, model)


def test_archive_urls_download_once_into_the_keras_cache(saved, tmp_path, cache, http_folder):
    model, directory = saved
    served = tmp_path / "served"
    archive_of(directory, served / "dcgan.tar.gz")  # files in one sub-folder
    archive_of(directory, served / "dcgan.zip")  # files at the top level
    base = http_folder(served)
    for name in ("dcgan.tar.gz", "dcgan.zip"):
        assert_same_model(DCGAN.from_preset(base + name), model)
    cached = files_under(cache)
    assert len(cached) == 6 and all(not p.startswith(".") for p in cached)
    # Found in the cache next time: no download (the files are gone).
    (served / "dcgan.tar.gz").unlink()
    assert_same_model(GAN.from_preset(base + "dcgan.tar.gz"), model)
    assert files_under(cache) == cached
    # A file:// URL or path of an archive is unpacked the same way.
    assert_same_model(DCGAN.from_preset((served / "dcgan.zip").as_uri()), model)
    assert_same_model(DCGAN.from_preset(str(served / "dcgan.zip")), model)


def test_registered_name_checks_the_sha256(saved, tmp_path, cache, registry, http_folder):
    model, directory = saved
    archive = archive_of(directory, tmp_path / "served" / "dcgan.tar.gz")
    url = http_folder(archive.parent) + "dcgan.tar.gz"
    wrong = "f" * 64
    presets.register_presets(
        {
            "dcgan_random": {"metadata": {"dataset": "random"}, "url": url,
                             "sha256": sha256(archive)},
            "dcgan_wrong": {"metadata": {}, "url": url, "sha256": wrong},
        },
        DCGAN,
    )
    with pytest.raises(CorruptDataError) as error:
        DCGAN.from_preset("dcgan_wrong")
    message = str(error.value)
    assert "Preset 'dcgan_wrong'" in message and url in message
    assert sha256(archive) in message and wrong in message
    assert files_under(cache) == [] and not any(cache.rglob("*"))

    assert_same_model(DCGAN.from_preset("dcgan_random"), model)
    assert all(p.startswith("dcgan_random_") for p in files_under(cache))
    assert_same_model(GAN.from_preset("dcgan_random"), model)


def test_an_archive_without_a_preset_keeps_nothing(tmp_path, cache, http_folder):
    served = tmp_path / "served"
    served.mkdir()
    with tarfile.open(served / "empty.tar.gz", "w:gz") as tarred:
        (tmp_path / "readme.txt").write_text("no preset here")
        tarred.add(tmp_path / "readme.txt", arcname="readme.txt")
    with pytest.raises(ValueError, match="holds no config.json"):
        DCGAN.from_preset(http_folder(served) + "empty.tar.gz")
    assert files_under(cache) == []
    with pytest.raises(ValueError, match="must be a directory .file://. or an archive"):
        DCGAN.from_preset(http_folder(served) + "model.weights.h5")
    with pytest.raises(ValueError, match="unsupported URL scheme 'ftp'"):
        DCGAN.from_preset("ftp://someone/dcgan.tar.gz")


def test_toy_model_round_trip(tmp_path):
    model = GAN(
        mlp_generator(latent_dim=4, hidden_units=(16,)),
        mlp_discriminator(hidden_units=(16,)),
        seed=0,
        label_smoothing=0.1,
    )
    model.save_to_preset(tmp_path / "toy")
    loaded = GAN.from_preset(tmp_path / "toy")
    assert_same_model(loaded, model)
    assert loaded.label_smoothing == 0.1


def test_text_model_keeps_its_charmap(tmp_path):
    from gan_zoo.datasets.text import Charmap
    from gan_zoo.models.architectures import CharCNNCritic, CharCNNGenerator

    charmap = Charmap.from_lines(["hello world", "a preset"])
    model = FOGAN(
        CharCNNGenerator(charmap, sequence_length=8, width=8, num_blocks=1, latent_dim=4),
        CharCNNCritic(len(charmap), sequence_length=8, width=8, num_blocks=1),
        seed=0,
    )
    model.save_to_preset(tmp_path / "text")
    loaded = GAN.from_preset(tmp_path / "text")
    assert type(loaded) is FOGAN
    assert loaded.generator.charmap.get_config() == charmap.get_config()
    for a, b in zip(numpy_weights(loaded), numpy_weights(model), strict=True):
        np.testing.assert_array_equal(a, b)


def hub_cache(root, repo_id, directory, revision="main"):
    """A huggingface_hub cache holding `directory`'s files as one commit of
    `repo_id`, laid out as huggingface_hub lays it out: blobs named by
    content, the snapshot's files linked to them, the branch in refs/."""
    commit = hashlib.sha1(repo_id.encode()).hexdigest()
    repo = pathlib.Path(root) / f"models--{repo_id.replace('/', '--')}"
    (repo / "blobs").mkdir(parents=True)
    (repo / "refs").mkdir()
    (repo / "refs" / revision).write_text(commit)
    snapshot = repo / "snapshots" / commit
    snapshot.mkdir(parents=True)
    for name in os.listdir(directory):
        blob = repo / "blobs" / sha256(pathlib.Path(directory) / name)
        shutil.copyfile(pathlib.Path(directory) / name, blob)
        os.symlink(os.path.relpath(blob, snapshot), snapshot / name)
    return commit


@pytest.fixture
def offline_hub(monkeypatch, tmp_path):
    """An empty huggingface_hub cache with HF_HUB_OFFLINE=1 (read before
    huggingface_hub is first imported, so set in a fresh import)."""
    import importlib
    import sys

    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    for module in [m for m in sys.modules if m.split(".")[0] == "huggingface_hub"]:
        monkeypatch.delitem(sys.modules, module)
    importlib.import_module("huggingface_hub")
    return tmp_path / "hub"


def test_hub_handles_load_from_an_offline_cache(saved, offline_hub, registry):
    model, directory = saved
    commit = hub_cache(offline_hub, "someone/dcgan", directory)
    for handle in ("hf://someone/dcgan", f"hf://someone/dcgan@{commit}"):
        assert_same_model(DCGAN.from_preset(handle), model)
    with pytest.raises(OSError, match="outgoing traffic has been disabled"):
        DCGAN.from_preset("hf://someone/missing")
    for bad in ("hf://someone", "hf://a/b/c", "hf://someone/dcgan@"):
        with pytest.raises(ValueError, match="hf://owner/repo or hf://owner/repo@revision"):
            DCGAN.from_preset(bad)
    # Registered: each file's SHA-256 is checked after the cache lookup.
    files = {name: sha256(directory / name) for name in os.listdir(directory)}
    entry = {"metadata": {}, "url": f"hf://someone/dcgan@{commit}", "sha256": files}
    presets.register_presets({"dcgan_hub": entry}, DCGAN)
    assert_same_model(DCGAN.from_preset("dcgan_hub"), model)
    wrong = {**files, "model.weights.h5": "0" * 64}
    presets.register_presets({"dcgan_hub_wrong": {**entry, "sha256": wrong}}, DCGAN)
    with pytest.raises(presets.TamperedPresetError, match="Delete .* to download it again"):
        DCGAN.from_preset("dcgan_hub_wrong")


def test_hub_handle_without_huggingface_hub_says_what_to_install(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "huggingface_hub", None)  # import fails
    with pytest.raises(ImportError, match="pip install huggingface_hub"):
        DCGAN.from_preset("hf://someone/dcgan")
