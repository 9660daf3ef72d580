"""Tests for the plots of `gan-zoo train` (`gan_zoo.plots`), its one-line
warnings when a plot fails, and `--tensorboard` (`TensorBoardLogger`)."""

import re

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from gan_zoo import plots
from gan_zoo.cli import main

FAST = ["--epochs", "1", "--steps-per-epoch", "2", "--batch-size", "16"]
COVERAGE_TITLE = r"epoch 1: \d/8 modes, high-quality fraction \d\.\d{3}"


def _is_png(path):
    with Image.open(path) as image:
        image.verify()
        return image.format == "PNG"


def _legend(figure):
    return [text.get_text() for text in figure.axes[0].get_legend().get_texts()]


def test_loss_curves_one_labelled_line_per_logged_loss(tmp_path):
    log = tmp_path / "log.csv"
    log.write_text(
        "epoch,d_loss,g_loss,val_d_loss\n0,1.3,0.7,NA\n1,1.2,0.8,NA\n2,1.1,0.9,NA\n"
    )
    figure = plots.loss_curves(log, tmp_path / "plots" / "loss.png", title="GAN on ring")
    axes = figure.axes[0]
    assert _legend(figure) == ["d_loss", "g_loss"]  # CSVLogger's empty val_ column left out
    assert (axes.get_xlabel(), axes.get_title()) == ("epoch", "GAN on ring")
    assert axes.get_ylabel()
    np.testing.assert_array_equal(axes.lines[1].get_xdata(), [1, 2, 3])
    np.testing.assert_allclose(axes.lines[1].get_ydata(), [0.7, 0.8, 0.9])
    assert _is_png(tmp_path / "plots" / "loss.png")


def test_scatter_2d_axes_legend_and_title(tmp_path):
    real = np.random.default_rng(0).normal(size=(50, 2))
    generated = np.array([[0.0, 0.0], [1.0, 1.0], [np.nan, 0.0], [np.inf, 1.0]])
    figure = plots.scatter_2d(real, generated, tmp_path / "s.png", title="8/8 modes")
    axes = figure.axes[0]
    assert (axes.get_xlabel(), axes.get_ylabel(), axes.get_title()) == ("x", "y", "8/8 modes")
    assert _legend(figure) == ["real", "generated (2 non-finite not shown)"]
    assert [len(c.get_offsets()) for c in axes.collections] == [50, 2]
    assert _is_png(tmp_path / "s.png")
    assert _legend(plots.scatter_2d(None, real, tmp_path / "g.png")) == ["generated"]
    with pytest.raises(ValueError, match=r"real.shape"):
        plots.scatter_2d(np.zeros((3, 3)), real, tmp_path / "bad.png")


def test_landscapes_side_by_side_with_points_and_colour_bars(tmp_path):
    values = np.outer(np.linspace(0, 1, 5), np.ones(7))
    points = {"real": np.zeros((10, 2)), "generated": np.ones((4, 2))}
    panels = [{"title": name, "values": values, "extent": (-1, 1, -2, 2), "label": "D(x)",
               "points": points} for name in ("PGAN", "LSGAN")]
    figure = plots.landscapes(panels, tmp_path / "l.png", title="after 10 steps")
    maps = [a for a in figure.axes if a.get_title() in ("PGAN", "LSGAN")]
    assert [a.get_title() for a in maps] == ["PGAN", "LSGAN"]
    assert len(figure.axes) == 4  # two maps, two colour bars
    assert [len(c.get_offsets()) for c in maps[0].collections] == [10, 4]
    assert maps[0].get_xlim() == (-1, 1) and maps[0].get_ylim() == (-2, 2)
    assert _is_png(tmp_path / "l.png")
    panels[0]["points"] = {"real": np.zeros((3, 3))}
    with pytest.raises(ValueError, match=r"real.shape"):
        plots.landscapes(panels, tmp_path / "bad.png")


def _events(log_dir):
    """`[(step, tag, plugin name, value)]` of the event files in `log_dir`."""
    found = []
    for path in sorted(log_dir.glob("events.out.tfevents.*")):
        for record in tf.data.TFRecordDataset(str(path)):
            event = tf.compat.v1.Event.FromString(record.numpy())
            for value in event.summary.value:
                found.append((event.step, value.tag, value.metadata.plugin_data.plugin_name,
                              tf.make_ndarray(value.tensor)))
    return found


def _check_tensorboard(log_dir, picture):
    events = _events(log_dir)
    scalars = {tag: float(value) for step, tag, plugin, value in events if plugin == "scalars"}
    assert {"d_loss", "g_loss"} <= set(scalars) and all(map(np.isfinite, scalars.values()))
    images = [(step, tag, value) for step, tag, plugin, value in events if plugin == "images"]
    assert len(images) == 1
    step, tag, (width, height, png) = images[0]
    assert (step, tag) == (0, "samples")
    assert png == picture.read_bytes()  # the grid written under samples/, not drawn again
    with Image.open(picture) as image:
        assert (int(width), int(height)) == image.size


def test_ring_run_plots_its_losses_and_samples_with_the_coverage(tmp_path, monkeypatch, capsys):
    titles = []
    scatter_2d = plots.scatter_2d

    def spy(real, generated, png_path, title=None):
        titles.append(title)
        return scatter_2d(real, generated, png_path, title)

    monkeypatch.setattr(plots, "scatter_2d", spy)
    out = tmp_path / "ring"
    assert main(["train", "gan", "--dataset", "ring", "--out", str(out), "--tensorboard",
                 *FAST]) == 0
    assert _is_png(out / "loss_curves.png") and _is_png(out / "samples" / "epoch_001.png")
    assert len(titles) == 1 and re.fullmatch(COVERAGE_TITLE, titles[0]), titles
    printed = capsys.readouterr()
    assert "plotted in loss_curves.png" in printed.out and "warning" not in printed.err
    assert f"tensorboard --logdir {out / 'tensorboard'}" in printed.out
    _check_tensorboard(out / "tensorboard", out / "samples" / "epoch_001.png")


def test_tensorboard_logs_image_grids(tmp_path):
    out = tmp_path / "digits"
    main(["train", "dcgan", "--dataset", "digits", "--image-size", "16",
          "--base-filters", "4", "--latent-dim", "8", "--out", str(out),
          "--tensorboard", *FAST])
    _check_tensorboard(out / "tensorboard", out / "samples" / "epoch_001.png")


def test_failing_plots_only_warn(tmp_path, monkeypatch, capsys):
    def fail(*args, **kwargs):
        raise RuntimeError("no fonts\nat all")

    monkeypatch.setattr(plots, "scatter_2d", fail)
    monkeypatch.setattr(plots, "loss_curves", fail)
    out = tmp_path / "ring"
    assert main(["train", "gan", "--dataset", "ring", "--out", str(out), "--tensorboard",
                 *FAST]) == 0
    assert (out / "model.keras").is_file() and (out / "log.csv").is_file()
    assert not (out / "loss_curves.png").exists()
    printed = capsys.readouterr()
    warnings = [line for line in printed.err.splitlines() if "gan-zoo: warning" in line]
    assert warnings == [
        "gan-zoo: warning: could not draw the samples of epoch 1: RuntimeError: no fonts at all",
        "gan-zoo: warning: could not draw loss_curves.png: RuntimeError: no fonts at all",
    ]
    assert "plotted in" not in printed.out
    # No picture, so no image in TensorBoard; the losses are there.
    tags = {(tag, plugin) for _, tag, plugin, _ in _events(out / "tensorboard")}
    assert tags == {("d_loss", "scalars"), ("g_loss", "scalars")}
