"""The presets shipped with gan_zoo (`gan_zoo/pretrained/`, registered in
`models/<method>_presets.py`): each loads by name with no network on this
backend and gives the generator outputs recorded when it was shipped (the
same NumPy noise on every backend); a changed file is refused."""

import shutil

import numpy as np
import pytest

from gan_zoo import GAN
from gan_zoo import list_presets
from gan_zoo import presets
from gan_zoo.models import DCGAN

SHIPPED = {name: entry for name, entry in list_presets().items() if entry["url"] is None}


def test_the_shipped_presets_are_registered_and_small():
    assert "dcgan_fashion_mnist" in SHIPPED
    size = sum(p.stat().st_size for p in presets.PRETRAINED_DIR.rglob("*") if p.is_file())
    assert size < 20e6  # the budget for all shipped presets together


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_shipped_preset_loads_by_name_with_its_recorded_outputs(name):
    entry = SHIPPED[name]
    model = GAN.from_preset(name)
    assert type(model).__name__ == entry["class_name"]
    np.testing.assert_allclose(
        presets.generator_check(model), entry["metadata"]["generator_check"], atol=1e-4
    )


def test_a_changed_file_is_refused(tmp_path, monkeypatch):
    shutil.copytree(presets.PRETRAINED_DIR, tmp_path / "pretrained")
    weights = tmp_path / "pretrained" / "dcgan_fashion_mnist" / "model.weights.h5"
    data = bytearray(weights.read_bytes())
    data[-1] ^= 1
    weights.write_bytes(bytes(data))
    monkeypatch.setattr(presets, "PRETRAINED_DIR", tmp_path / "pretrained")
    with pytest.raises(presets.TamperedPresetError, match="model.weights.h5 has SHA-256"):
        DCGAN.from_preset("dcgan_fashion_mnist")
    weights.unlink()
    with pytest.raises(FileNotFoundError, match="is missing. Reinstall gan_zoo"):
        DCGAN.from_preset("dcgan_fashion_mnist")


def test_unknown_name_lists_the_registered_ones():
    with pytest.raises(ValueError, match="Known presets: .*dcgan_fashion_mnist"):
        DCGAN.from_preset("dcgan_nope")


# Image presets whose card gives a classifier FID: (preset, dataset, the
# folder of $GAN_ZOO_TEST_DATA holding it or None for the system's copy,
# the card's FID).
IMAGE_CARDS = [
    ("dcgan_fashion_mnist", "fashion_mnist", None, 4.8323),
    ("pgan_mnist", "mnist", "mnist", 75.6988),
]


@pytest.mark.slow  # 10,000 samples and 10,000 test images through the classifier: ~25 s
@pytest.mark.parametrize("name, dataset, folder, fid", IMAGE_CARDS, ids=[c[0] for c in IMAGE_CARDS])
def test_the_card_metric_is_reproduced_by_its_command(name, dataset, folder, fid, test_data, capsys):
    """docs/presets/<name>.md: `gan-zoo evaluate` printed the card's FID.
    The noise is NumPy's and the generator's outputs agree across backends,
    so the same command must give it again on every backend, up to float
    rounding (1%)."""
    from gan_zoo.cli import main

    flags = ["--data-dir", str(test_data / folder)] if folder else []
    main(["evaluate", "--preset", name, "--dataset", dataset, "--no-download",
          *flags, "--metric", "fid", "--metric", "class_statistics"])
    lines = capsys.readouterr().out.splitlines()
    printed = next(line for line in lines if line.startswith(f"FID ({dataset} classifier"))
    assert float(printed.split(": ")[1].split()[0]) == pytest.approx(fid, rel=0.01)
    assert any(line.startswith(f"distinct classes ({dataset} classifier features): 10 ")
               for line in lines)


def test_the_semi_supervised_card_error_is_reproduced_by_its_command(
    load_tool, test_data, capsys
):
    """docs/presets/semi_supervised_mnist.md: the tool's `--preset` printed a
    held-out error of 0.0670 on the last 2,000 test digits, on jax and
    torch. Weights and digits are the same on every backend, so it must
    print it again up to float rounding: at most 4 digits (0.2%) flipped."""
    error = load_tool("reproduce/semi_supervised_mnist.py").main(["--data-dir", str(test_data / "mnist"),
                       "--preset", "semi_supervised_mnist"])
    assert error == pytest.approx(0.0670, abs=0.002)
    assert "held-out error 0.06" in capsys.readouterr().out


def test_the_text_card_jsd_is_reproduced_by_its_command(load_tool, test_data):
    """docs/presets/fogan_lm1b.md: the tool's `--preset` printed a 4-gram JSD
    of 0.6896 on jax and 0.6916 on torch (the samples' noise is each
    backend's). The card promises the figure within 0.01."""
    jsd4, jsd6 = load_tool("reproduce/fogan_text.py").main(
        ["--corpus", str(test_data / "lm1b"), "--preset", "fogan_lm1b"]
    )
    assert jsd4 == pytest.approx(0.690, abs=0.01) and jsd6 == pytest.approx(0.961, abs=0.01)
