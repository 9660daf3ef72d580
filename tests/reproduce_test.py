"""`tools/reproduce/`: each claim's script runs at its smallest setting from
the command line's entry point and writes a table with finite numbers, its
curves and its figure (docs/reproductions.md has the runs at full scale)."""

import csv
import math

import pytest


@pytest.mark.slow  # two tiny text GANs, 1 step each: ~10-25 s
def test_fogan_text_writes_curves_table_and_figure(load_tool, test_data, tmp_path, capsys):
    load_tool("reproduce/fogan_text.py").main([
        "--corpus", str(test_data / "lm1b"), "--steps", "1", "--eval-every", "1",
        "--width", "8", "--blocks", "1", "--samples", "32", "--out", str(tmp_path),
    ])
    with open(tmp_path / "curves.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(r["method"], int(r["step"])) for r in rows] == [
        (m, s) for m in ("WGANGP", "FOGAN") for s in (0, 1)
    ]
    for row in rows:
        assert all(math.isfinite(float(row[k])) for k in ("seconds", "jsd4", "jsd6"))
        assert 0.0 <= float(row["jsd4"]) <= 1.0
    table = (tmp_path / "table.md").read_text().splitlines()
    assert table[0] == "| | WGANGP | FOGAN |"
    assert any(line.startswith("| seconds per generator step |") for line in table)
    assert (tmp_path / "jsd.png").stat().st_size > 1000
    assert "equal wall time" in capsys.readouterr().out


@pytest.mark.slow  # two tiny DCGANs of 2 steps and two ring runs of 2 steps: ~10-20 s
def test_softmax_gan_stability_writes_runs_table_and_samples(load_tool, tmp_path):
    tool = load_tool("reproduce/softmax_gan_stability.py")
    settings = ["(b) ReLU in D, data in [0, 1]", "(c2) 5 G updates per D update"]
    tool.main(["--epochs", "1", "--steps-per-epoch", "5", "--seeds", "0", "--samples", "100",
               "--ring-steps", "2", "--settings", *settings, "--out", str(tmp_path)])
    with open(tmp_path / "runs.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(r["setting"], r["method"]) for r in rows] == [
        (s, m) for s in settings for m in ("GAN", "SoftmaxGAN")
    ]
    for row in rows:
        assert math.isfinite(float(row["fid"])) and 1 <= int(row["distinct_classes"]) <= 10
    table = (tmp_path / "table.md").read_text()
    assert table.count("| (b) ReLU in D, data in [0, 1] |") == 2 and "- SoftmaxGAN: (" in table
    assert table.count("| (c2) 5 G updates per D update |") == 2
    assert len(list((tmp_path / "samples").glob("*.png"))) == 4


@pytest.mark.slow  # five tiny MLP classifiers, 1 epoch of 200 digits each: ~15-30 s
def test_semi_supervised_mnist_writes_curves_table_figure_and_presets(load_tool, test_data, tmp_path):
    curves = load_tool("reproduce/semi_supervised_mnist.py").main([
        "--data-dir", str(test_data / "mnist"), "--epochs", "1", "--eval-every", "1",
        "--max-digits", "200", "--labels-per-class", "2", "--hidden-units", "16",
        "--batch-size", "50", "--out", str(tmp_path),
    ])
    assert list(curves) == [
        "GAN", "GAN+MBD", "GAN without FM", "GAN+MBD without FM", "labels only"
    ]
    with open(tmp_path / "curves.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(r["variant"], int(r["epoch"])) for r in rows] == [(v, 1) for v in curves]
    assert all(0.0 <= float(r["error"]) <= 1.0 for r in rows)
    table = (tmp_path / "table.md").read_text().splitlines()
    assert table[0] == "| variant | held-out error | seconds |" and len(table) == 9
    assert (tmp_path / "error.png").stat().st_size > 1000
    from gan_zoo import GAN

    model = GAN.from_preset(str(tmp_path / "GAN+MBD_without_FM"))
    assert not model.feature_matching
    assert model.classify(model.generate(3, seed=0)).shape == (3, 10)


@pytest.mark.slow  # five tiny ring runs of 40 steps: ~15-30 s
def test_improved_gan_techniques_writes_runs_table_and_figure(load_tool, tmp_path):
    tool = load_tool("reproduce/improved_gan_techniques.py")
    rows = tool.main(["--steps", "40", "--chunk", "10", "--eval-every", "20", "--seeds", "0",
                      "--out", str(tmp_path)])
    assert [r["variant"] for r in rows] == list(tool.VARIANTS)
    for row in rows:
        assert 0 <= row["modes"] <= 8 and math.isfinite(row["d_loss_std"])
        assert row["d_loss_std"] > 0 and row["g_loss_std"] > 0  # two chunks in the second half
    with open(tmp_path / "curves.csv", newline="") as f:
        assert [int(r["step"]) for r in csv.DictReader(f)] == [20, 40] * len(rows)
    table = (tmp_path / "table.md").read_text()
    assert all(f"| {variant} |" in table for variant in tool.VARIANTS)
    assert (tmp_path / "modes.png").stat().st_size > 1000


@pytest.mark.slow  # three tiny toy runs of 30 steps each: ~10-40 s
def test_pgan_toy_writes_runs_gradients_table_and_figures(load_tool, tmp_path):
    tool = load_tool("reproduce/pgan_toy.py")
    rows = tool.main(["--frozen-steps", "10", "--steps", "20", "--chunk", "10",
                      "--seeds", "0", "--out", str(tmp_path)])
    assert [r["method"] for r in rows] == list(tool.METHODS)
    for row in rows:
        assert 0 <= row["arms"] <= 5
        for key in ("gradient_start", "gradient_frozen_end", "gradient_end"):
            assert math.isfinite(row[key]) and row[key] >= 0, (key, row)
    with open(tmp_path / "gradients.csv", newline="") as f:
        steps = [(r["method"], int(r["step"]), r["phase"]) for r in csv.DictReader(f)]
    assert steps == [(m, s, p) for m in tool.METHODS
                     for s, p in ((0, "frozen"), (10, "frozen"), (20, "released"),
                                  (30, "released"))]
    table = (tmp_path / "table.md").read_text()
    assert all(f"| {name} |" in table for name in tool.METHODS)
    for png in ("landscape.png", "gradient.png"):
        assert (tmp_path / png).stat().st_size > 1000


@pytest.mark.slow  # three tiny PGAN-network runs of 4 steps on 16x16 digits: ~10-30 s
def test_pgan_toy_on_digits_scores_classes_and_draws_no_landscape(load_tool, tmp_path):
    tool = load_tool("reproduce/pgan_toy.py")
    rows = tool.main(["--data", "digits", "--dense-units", "16", "--frozen-steps", "2",
                      "--steps", "2", "--chunk", "2", "--seeds", "0", "--out", str(tmp_path)])
    assert [r["method"] for r in rows] == list(tool.METHODS)
    for row in rows:
        assert 1 <= row["distinct_classes"] <= 10 and 0 <= row["confident_fraction"] <= 1
        assert all(math.isfinite(row[k]) for k in tool.GRADIENT_COLUMNS), row
    table = (tmp_path / "table.md").read_text()
    assert "| classes | share p > 0.9 |" in table and "Digits at 16x16" in table
    assert (tmp_path / "gradient.png").stat().st_size > 1000
    assert not (tmp_path / "landscape.png").exists()


@pytest.mark.slow  # a tiny PGAN, 3 epochs of 16x16 digits, scored 3 times: ~10-30 s
def test_pgan_digits_reports_likelihoods_and_quality_and_saves_a_preset(load_tool, tmp_path, capsys):
    """Claim 2's first part: the generated likelihood beside FID at each report."""
    reports = load_tool("pgan_digits.py").main([
        "--dense-units", "8", "--latent-dim", "4", "--epochs", "3", "--report-every", "1",
        "--samples", "200", "--out", str(tmp_path / "preset")])
    assert len(reports) == 3
    for report in reports:
        assert 0 < report["fake_likelihood"] <= 1 and 0 < report["real_likelihood"] <= 1
        assert math.isfinite(report["fid"]) and 1 <= report["distinct_classes"] <= 10
    assert "correlation of log fake likelihood with FID over 3 reports" in capsys.readouterr().out
    from gan_zoo import GAN

    model = GAN.from_preset(str(tmp_path / "preset"))
    assert model.generate(2, seed=0).shape == (2, 16, 16, 1)
