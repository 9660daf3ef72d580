"""`tools/gpu_check.py` (run on GPU machines, rarely lent): it must work
when one is. Here on CPU at the smallest setting: both frameworks measure,
the table lines them up, and the plain PyTorch reference has the same
networks as gan_zoo (same parameters)."""

import os
import pathlib
import subprocess
import sys

import keras
import pytest

TOOL = pathlib.Path(__file__).resolve().parent.parent / "tools" / "gpu_check.py"


def test_pytorch_reference_has_the_same_networks(load_tool):
    torch = pytest.importorskip("torch")  # noqa: F841  (installed with the test extra)
    tool = load_tool("gpu_check.py")
    for network in tool.keras_networks():
        reference = tool.torch_network(network)
        assert sum(p.numel() for p in reference.parameters()) == sum(
            int(w.numpy().size) if hasattr(w, "numpy") else int(keras.ops.size(w))
            for w in network.trainable_weights
        )


@pytest.mark.slow  # two small training runs in subprocesses: ~30 s on 2 cores
def test_both_frameworks_measure_and_the_table_lines_them_up(tmp_path):
    results = tmp_path / "results.jsonl"
    small = ["--batches", "2", "--warmup", "1", "--steps", "1", "--precisions", "float32"]
    for framework in ("gan_zoo", "pytorch"):
        subprocess.run(
            [sys.executable, str(TOOL), "--framework", framework, "--results", str(results), *small],
            check=True, env=dict(os.environ), capture_output=True,
        )
    table = subprocess.run(
        [sys.executable, str(TOOL), "--table", str(results)],
        check=True, capture_output=True, text=True,
    ).stdout
    rows = [line.split("|")[1:-1] for line in table.splitlines() if line.startswith("| gan_zoo")
            or line.startswith("| pytorch")]
    assert [r[0].strip() for r in rows] == ["gan_zoo", "pytorch"]
    for row in rows:
        assert float(row[4]) > 0 and float(row[7]) > 0  # images/s, model TFLOP/s
    assert float(rows[1][6]) == 1.0 and float(rows[0][6]) > 0  # ratio to plain PyTorch
