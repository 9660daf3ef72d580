"""Tests for the `gan-zoo` command (`gan_zoo.cli.main`), run in-process."""

import csv
import json
import subprocess
import sys

import keras
import numpy as np
import pytest

from gan_zoo.cli import main
from gan_zoo.recipes import TOY_LATENT_DIM

FAST = ["--epochs", "1", "--steps-per-epoch", "2", "--batch-size", "16"]
TINY_IMAGES = ["--dataset", "digits", "--image-size", "16", "--base-filters", "4"]


def _csv_header(path):
    with open(path, newline="") as f:
        return next(csv.reader(f))


def _check_run(out, epochs=1):
    for name in ("config.json", "model.weights.h5", "metadata.json", "model.keras"):
        assert (out / name).is_file()
    pictures = sorted(p.name for p in (out / "samples").iterdir())
    assert pictures == [f"epoch_{e:03d}.png" for e in range(1, epochs + 1)]
    header = _csv_header(out / "log.csv")
    assert {"epoch", "d_loss", "g_loss"} <= set(header)
    return header


def test_train_gan_on_ring(tmp_path, capsys):
    out = tmp_path / "ring"
    assert main(["train", "gan", "--dataset", "ring", "--out", str(out), *FAST]) == 0
    _check_run(out)
    printed = capsys.readouterr().out
    assert "Coverage (2000 samples): " in printed and " modes, high-quality" in printed
    assert str(out / "model.keras") in printed
    model = keras.saving.load_model(out / "model.keras")
    assert type(model).__name__ == "GAN" and model.latent_dim == TOY_LATENT_DIM
    # 2-D data trains with the measured toy recipe, not the paper's optimiser.
    assert np.isclose(float(model.d_optimizer.learning_rate), 1e-3)


def test_train_pgan_on_rotated_gaussians_reports_arm_coverage(tmp_path, capsys):
    out = tmp_path / "pgan"
    main(["train", "pgan", "--dataset", "rotated_gaussians", "--out", str(out), *FAST])
    _check_run(out)
    assert " arms, on-arm fraction " in capsys.readouterr().out
    model = keras.saving.load_model(out / "model.keras")
    # The toy recipe: an MLP encoder with a 2-D bottleneck, 5 encoder steps.
    assert model.encoder.output_shape == (None, 2) and model.n_critic == 5
    metrics = json.loads((out / "metadata.json").read_text())["metrics"]
    assert set(metrics) == {"arms_covered_of_5", "on_arm_fraction",
                            "outside_core_fraction", "num_samples"}


def test_train_wgan_on_ring_uses_the_toy_clip_value(tmp_path):
    out = tmp_path / "wgan"
    main(["train", "wgan", "--dataset", "ring", "--out", str(out), *FAST])
    assert keras.saving.load_model(out / "model.keras").clip_value == 0.1


def test_train_on_rgb_files_from_data_dir(tmp_path, test_data):
    out = tmp_path / "celeba"
    main(["train", "wgan_gp", "--dataset", "celeba", "--data-dir",
          str(test_data / "celeba"), "--image-size", "16", "--base-filters", "4",
          "--out", str(out), *FAST])
    _check_run(out)
    model = keras.saving.load_model(out / "model.keras")
    assert model.generator.output_shape == (None, 16, 16, 3)


def test_evaluate_rgb_defaults_to_fid_inception_and_says_what_it_needs_offline(
    tmp_path, test_data, monkeypatch
):
    """RGB data has no shipped classifier: `auto` takes the FID Inception
    network; offline, one line says what to download and what works offline."""
    from gan_zoo.datasets import sources

    def offline(*args, **kwargs):
        raise OSError("[Errno -3] Temporary failure in name resolution")

    out = tmp_path / "celeba"
    main(["train", "dcgan", "--dataset", "celeba", "--data-dir", str(test_data / "celeba"),
          "--image-size", "16", "--base-filters", "4", "--out", str(out), *FAST])
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(sources, "fetch", offline)
    with pytest.raises(SystemExit) as error:
        main_evaluate(["--model", str(out / "model.keras"), "--dataset", "celeba",
                       "--data-dir", str(test_data / "celeba"), "--num-samples", "8"])
    message = str(error.value)
    assert message.startswith("gan-zoo: The FID Inception weights")
    assert "pt_inception-2015-12-05-6726825d.pth" in message and "name resolution" in message
    assert "fashion_mnist" in message and "--extractor" in message and "\n" not in message


def test_missing_dataset_files_exit_with_where_we_looked(tmp_path, monkeypatch):
    monkeypatch.delenv("GAN_ZOO_DATA", raising=False)
    with pytest.raises(SystemExit, match="(?s)mnist.*split 'test'.*Looked in") as caught:
        main(["train", "dcgan", "--dataset", "mnist", "--split", "test",
              "--no-download", "--data-dir", str(tmp_path), "--out", str(tmp_path / "out"), *FAST])
    assert "download: not tried" in str(caught.value)


def test_train_dcgan_on_digits(tmp_path, capsys):
    out = tmp_path / "digits"
    main(["train", "dcgan", *TINY_IMAGES, "--latent-dim=8", "--out", str(out), *FAST])
    _check_run(out)
    assert "Coverage (" not in capsys.readouterr().out
    model = keras.saving.load_model(out / "model.keras")
    assert type(model).__name__ == "DCGAN"
    assert model.generator.output_shape == (None, 16, 16, 1)
    assert model.latent_dim == 8
    # digits has one split: evaluate scores against it, in its classifier's features.
    results = main_evaluate(["--preset", str(out), "--dataset", "digits",
                             "--num-samples", "32", "--metric", "class_statistics"])
    printed = capsys.readouterr().out
    assert "against digits (train) at 16x16 in digits classifier features" in printed
    assert 1 <= results["distinct_classes"] <= 10


def main_evaluate(argv):
    from gan_zoo.cli import _evaluate
    from gan_zoo_cli import parse_args

    return _evaluate(parse_args(["evaluate", *argv]))


def test_wgan_gp_critic_has_no_batch_norm(tmp_path):
    out = tmp_path / "wgan_gp"
    main(["train", "wgan_gp", *TINY_IMAGES, "--out", str(out), *FAST])
    assert "gradient_penalty" in _check_run(out)
    critic = keras.saving.load_model(out / "model.keras").discriminator
    layers = [type(layer).__name__ for layer in critic.layers]
    assert "BatchNormalization" not in layers and "Conv2D" in layers


def test_train_pgan_logs_the_likelihoods(tmp_path):
    out = tmp_path / "pgan"
    main(["train", "pgan", "--dataset", "digits", "--image-size", "8", "--latent-dim", "8",
          "--out", str(out), *FAST])
    assert {"real_likelihood", "fake_likelihood"} <= set(_check_run(out))
    model = keras.saving.load_model(out / "model.keras")
    assert type(model).__name__ == "PGAN"
    assert type(model.discriminator.layers[-1]).__name__ == "GMMLikelihood"


def test_train_improved_gan_with_every_technique(tmp_path):
    out = tmp_path / "improved"
    main(["train", "improved_gan", *TINY_IMAGES, "--feature-matching",
          "--minibatch-discrimination", "--virtual-batch-norm",
          "--historical-averaging", "0.01", "--label-smoothing", "0.1",
          "--out", str(out), *FAST])
    header = _check_run(out)
    assert {"d_historical_averaging", "g_historical_averaging"} <= set(header)
    model = keras.saving.load_model(out / "model.keras")
    assert type(model).__name__ == "ImprovedGAN" and model.feature_matching
    assert model.label_smoothing == 0.1 and model.g_historical_averaging == 0.01
    assert "minibatch_discrimination" in [layer.name for layer in model.discriminator.layers]
    assert "reference_batch" in [layer.name for layer in model.generator.layers]


def test_train_semi_supervised_reports_the_classification_error(tmp_path, capsys):
    out = tmp_path / "semi"
    main(["train", "semi_supervised", *TINY_IMAGES, "--labels-per-class", "3",
          "--out", str(out), *FAST])
    header = _check_run(out)
    assert {"supervised_loss", "unsupervised_loss", "accuracy"} <= set(header)
    assert "Classification error on digits (train): " in capsys.readouterr().out
    metadata = json.loads((out / "metadata.json").read_text())
    assert 0.0 <= metadata["metrics"]["classification_error_train"] <= 1.0
    model = keras.saving.load_model(out / "model.keras")
    assert model.discriminator.output_shape == (None, 10)


def test_train_on_a_folder_keeps_the_images_size(tmp_path):
    from PIL import Image

    folder = tmp_path / "pictures"
    folder.mkdir()
    for i in range(8):
        Image.fromarray(np.full((16, 16, 3), 30 * i, np.uint8)).save(folder / f"{i}.png")
    out = tmp_path / "folder"
    main(["train", "dcgan", "--dataset", "folder", "--data-dir", str(folder),
          "--base-filters", "4", "--out", str(out), "--epochs", "1", "--batch-size", "4"])
    model = keras.saving.load_model(out / "model.keras")
    assert model.generator.output_shape == (None, 16, 16, 3)


def test_several_epochs_write_one_picture_each(tmp_path):
    out = tmp_path / "rotated"
    main(
        ["train", "lsgan", "--dataset", "rotated_gaussians", "--out", str(out)]
        + ["--epochs", "2", "--steps-per-epoch", "1", "--batch-size", "8"]
    )
    _check_run(out, epochs=2)


@pytest.mark.parametrize(
    "argv,message",
    [
        (
            ["train", "nope"],
            "invalid choice: 'nope' (choose from 'dcgan', 'fogan', 'gan', "
            "'improved_gan', 'lsgan', 'pgan', 'pwgan', 'semi_supervised', "
            "'softmax_gan', 'wgan', 'wgan_gp')",
        ),
        (
            ["train", "dcgan", "--feature-matching"],
            "--feature-matching applies to improved_gan only, not dcgan",
        ),
        (
            ["train", "semi_supervised", "--label-smoothing", "0.1"],
            "--label-smoothing applies to improved_gan only",
        ),
        (
            ["train", "semi_supervised", "--dataset", "ring"],
            "semi_supervised needs a dataset with classes; 'ring' has none",
        ),
        (["train", "improved_gan", "--historical-averaging", "-1"], "expected a number >= 0"),
        (["train", "gan", "--dataset", "cifar"], "argument --dataset: invalid choice"),
        (["train", "gan", "--epochs", "0"], "--epochs: expected an integer >= 1"),
        (["train", "gan", "--batch-size", "x"], "expected an integer, got 'x'"),
        (["train", "dcgan", "--image-size", "9"], "`image_size` must halve"),
        (["train", "gan", "--batch-size", "5000"], "`batch_size` must be"),
        (
            ["train", "gan", "--dataset", "ring", "--image-size", "16"],
            "--image-size applies to image datasets only",
        ),
        (["train", "gan", "--dataset", "folder"], "--dataset folder needs --data-dir DIR"),
        (["train", "pgan", "--base-filters", "8"], "pgan uses the paper's networks"),
        (["train", "pgan", "--image-size", "10"], "`image_size` must be divisible by 4"),
        ([], "the following arguments are required: COMMAND"),
    ],
)
def test_bad_arguments_exit_with_message(tmp_path, capsys, argv, message):
    if argv:
        argv = argv + ["--out", str(tmp_path / "run")]
    with pytest.raises(SystemExit) as error:
        main(argv)
    assert error.value.code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "run").exists()


def test_python_dash_m_runs_the_command():
    result = subprocess.run(
        [sys.executable, "-m", "gan_zoo", "train", "--help"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "usage: gan-zoo train" in result.stdout
    assert "softmax_gan" in result.stdout


@pytest.fixture(scope="module")
def fashion_model(tmp_path_factory):
    """A DCGAN trained for 2 steps on Fashion-MNIST test images, as model.keras."""
    out = tmp_path_factory.mktemp("fashion")
    main(["train", "dcgan", "--dataset", "fashion_mnist", "--split", "test",
          "--no-download", "--base-filters", "4", "--latent-dim", "8",
          "--out", str(out), *FAST])
    return out / "model.keras"


def test_evaluate_prints_metrics_named_after_the_classifier(fashion_model, capsys):
    results = _evaluate_fashion(fashion_model, "--metric", "fid", "--metric", "kid")
    printed = capsys.readouterr().out
    assert "in fashion_mnist classifier features" in printed
    fid_line = next(line for line in printed.splitlines() if line.startswith("FID"))
    assert fid_line.startswith("FID (fashion_mnist classifier features): ")
    assert "[64 samples vs 128 reference]" in fid_line
    assert "KID (fashion_mnist classifier features): " in printed
    assert results["fid"] > 0 and np.isfinite(results["kid"])


def test_evaluate_a_preset_written_by_train(fashion_model, capsys):
    preset = fashion_model.parent
    metadata = json.loads((preset / "metadata.json").read_text())
    assert metadata["class_name"] == "DCGAN" and metadata["dataset"] == "fashion_mnist"
    assert metadata["generator_steps"] == 2
    assert metadata["recipe"]["d_optimizer"]["learning_rate"] == 2e-4
    from_preset = _evaluate_fashion(preset, flag="--preset")
    from_file = _evaluate_fashion(fashion_model, flag="--weights")
    assert f"Evaluating DCGAN from preset {preset} against" in capsys.readouterr().out
    assert from_preset["fid"] == pytest.approx(from_file["fid"], rel=1e-5)


def test_evaluate_defaults_to_fid_and_is_seeded(fashion_model):
    first = _evaluate_fashion(fashion_model, "--seed", "3")
    assert set(first) == {"fid", "extractor", "num_samples", "num_reference"}
    assert _evaluate_fashion(fashion_model, "--seed", "3")["fid"] == first["fid"]
    assert _evaluate_fashion(fashion_model, "--seed", "4")["fid"] != first["fid"]


def test_evaluate_saves_then_reuses_reference_statistics(fashion_model, tmp_path, capsys):
    """--reference-statistics: computed and saved on the first run, read on
    the next (the same FID), refused for another feature space or for KID."""
    path = tmp_path / "stats" / "fashion_test.npz"
    first = _evaluate_fashion(fashion_model, "--reference-statistics", str(path))
    assert "Saved the reference statistics of 128 images" in capsys.readouterr().out
    again = _evaluate_fashion(fashion_model, "--reference-statistics", str(path))
    assert f"Reference statistics from {path} (128 images)" in capsys.readouterr().out
    assert again["fid"] == pytest.approx(first["fid"], rel=1e-6)
    # Metrics without a reference go with the statistics.
    both = _evaluate_fashion(fashion_model, "--reference-statistics", str(path),
                             "--metric", "fid", "--metric", "class_statistics")
    assert both["fid"] == pytest.approx(first["fid"], rel=1e-6) and "class_kl" in both
    for extra, message in [
        (["--extractor", "mnist"], "hold fashion_mnist (test) at 28x28 in fashion_mnist "
                                   "classifier features, not fashion_mnist (test) at 28x28 "
                                   "in mnist classifier features"),
        (["--metric", "kid"], "--metric kid needs the images: drop one of them"),
    ]:
        with pytest.raises(SystemExit) as error:
            _evaluate_fashion(fashion_model, "--reference-statistics", str(path), *extra)
        assert error.value.code == 2
        assert message in capsys.readouterr().err


def _evaluate_fashion(model_path, *extra, flag="--model"):
    return main_evaluate(
        [flag, str(model_path), "--dataset", "fashion_mnist", "--no-download",
         "--num-samples", "64", "--num-reference", "128", "--batch-size", "64", *extra]
    )


@pytest.mark.parametrize(
    "argv,message",
    [
        (["evaluate", "--dataset", "mnist"],
         "one of the arguments --preset --weights/--model is required"),
        (["evaluate", "--preset", "p", "--weights", "m.keras", "--dataset", "mnist"],
         "argument --weights/--model: not allowed with argument --preset"),
        (["evaluate", "--model", "nope.keras", "--dataset", "mnist"], "--weights: no such file"),
        (["evaluate", "--preset", "no_such_preset", "--dataset", "mnist"],
         "--preset: "),
        (["evaluate", "--model", "m.keras", "--dataset", "ring"], "argument --dataset"),
        (["evaluate", "--model", "m.keras", "--dataset", "mnist", "--metric", "fd"],
         "argument --metric: invalid choice: 'fd'"),
        (["evaluate", "--model", "m.keras", "--dataset", "mnist", "--extractor", "x"],
         "argument --extractor: invalid choice"),
    ],
)
def test_evaluate_bad_arguments_exit_with_message(capsys, argv, message):
    with pytest.raises(SystemExit) as error:
        main(argv)
    assert error.value.code == 2
    assert message in capsys.readouterr().err


def test_evaluate_help_names_the_feature_spaces(capsys):
    with pytest.raises(SystemExit):
        main(["evaluate", "--help"])
    printed = capsys.readouterr().out
    assert "usage: gan-zoo evaluate" in printed
    assert "ImageNet" in printed and "fashion_mnist" in printed and "--preset" in printed


def test_evaluate_offline_says_in_one_line_what_inception_needs(fashion_model, monkeypatch):
    """No network: one line naming the weights and the offline extractors,
    not the download's traceback."""

    def offline(*args, **kwargs):
        raise Exception("URL fetch failure on https://storage.googleapis.com/...: "
                        "None -- [Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(keras.applications, "InceptionV3", offline)
    with pytest.raises(SystemExit) as error:
        _evaluate_fashion(fashion_model, "--extractor", "inception")
    message = str(error.value)
    assert message.startswith("gan-zoo: The InceptionV3 ImageNet weights")
    assert "Temporary failure in name resolution" in message
    assert "fashion_mnist" in message and "--extractor" in message
    assert "\n" not in message


def test_presets_lists_the_shipped_ones(capsys):
    main(["presets"])
    printed = capsys.readouterr().out
    assert "dcgan_fashion_mnist: DCGAN on fashion_mnist; " in printed
    assert "shipped with gan_zoo" in printed


def test_sample_writes_a_grid_from_a_registered_preset(tmp_path, capsys):
    from PIL import Image

    path = tmp_path / "grid" / "samples.png"
    main(["sample", "--preset", "dcgan_fashion_mnist", "--n", "16", "--out", str(path)])
    assert f"Wrote 16 samples of DCGAN from preset dcgan_fashion_mnist to {path}" in (
        capsys.readouterr().out
    )
    assert Image.open(path).size == (4 * 29 + 1, 4 * 29 + 1)  # 4x4 tiles of 28 + lines


def test_sample_draws_flat_vector_generators_as_square_images(tmp_path, capsys):
    """The semi-supervised MNIST preset's MLP generator gives 784 values a
    sample: drawn as 28x28 tiles, as its card shows them."""
    from PIL import Image

    path = tmp_path / "semi.png"
    main(["sample", "--preset", "semi_supervised_mnist", "--n", "4", "--out", str(path)])
    assert "Wrote 4 samples of SemiSupervisedGAN" in capsys.readouterr().out
    assert Image.open(path).size == (2 * 29 + 1, 2 * 29 + 1)


def test_sample_refuses_points_of_a_toy_generator(tmp_path):
    from gan_zoo.models import GAN
    from gan_zoo.models.architectures import mlp_discriminator, mlp_generator

    model = GAN(mlp_generator(latent_dim=4, hidden_units=(8,)), mlp_discriminator(hidden_units=(8,)))
    model.save(tmp_path / "toy.keras")
    with pytest.raises(SystemExit):
        main(["sample", "--weights", str(tmp_path / "toy.keras"), "--out", str(tmp_path / "x.png")])
    assert not (tmp_path / "x.png").exists()


def test_sample_prints_lines_of_a_text_gan(tmp_path, capsys):
    from gan_zoo.charmap import Charmap
    from gan_zoo.models import FOGAN
    from gan_zoo.models.architectures import CharCNNCritic
    from gan_zoo.models.architectures import CharCNNGenerator

    charmap = Charmap.from_lines(["a cat", "a dog"], sequence_length=8)
    model = FOGAN(
        CharCNNGenerator(charmap, sequence_length=8, width=4, num_blocks=1, latent_dim=4),
        CharCNNCritic(len(charmap), sequence_length=8, width=4, num_blocks=1),
    )
    model.save(tmp_path / "text.keras")
    main(["sample", "--weights", str(tmp_path / "text.keras"), "--n", "3", "--seed", "1"])
    lines = capsys.readouterr().out.splitlines()
    assert lines == model.generate_text(3, seed=1)
