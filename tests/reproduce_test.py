"""`tools/reproduce/`: each claim's script runs at its smallest setting from
the command line's entry point and writes a table with finite numbers, its
curves and its figure (docs/reproductions.md has the runs at full scale)."""

import csv
import importlib.util
import math
import pathlib

import pytest

TOOLS = pathlib.Path(__file__).resolve().parent.parent / "tools" / "reproduce"


def load(name):
    spec = importlib.util.spec_from_file_location(name, TOOLS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow  # two tiny text GANs, 2 steps each: ~10-20 s
def test_fogan_text_writes_curves_table_and_figure(test_data, tmp_path, capsys):
    load("fogan_text").main([
        "--corpus", str(test_data / "lm1b"), "--steps", "2", "--eval-every", "1",
        "--width", "8", "--blocks", "1", "--samples", "32", "--out", str(tmp_path),
    ])
    with open(tmp_path / "curves.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(r["method"], int(r["step"])) for r in rows] == [
        (m, s) for m in ("WGANGP", "FOGAN") for s in (0, 1, 2)
    ]
    for row in rows:
        assert all(math.isfinite(float(row[k])) for k in ("seconds", "jsd4", "jsd6"))
        assert 0.0 <= float(row["jsd4"]) <= 1.0
    table = (tmp_path / "table.md").read_text().splitlines()
    assert table[0] == "| | WGANGP | FOGAN |"
    assert any(line.startswith("| seconds per generator step |") for line in table)
    assert (tmp_path / "jsd.png").stat().st_size > 1000
    assert "equal wall time" in capsys.readouterr().out
