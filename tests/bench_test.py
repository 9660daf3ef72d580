"""`tools/bench.py step` on the current backend, at its smallest: both sides
run, the numbers are finite and positive, and the table shows the ratio."""

import math
import pathlib
import sys

import keras

TOOLS = pathlib.Path(__file__).resolve().parent.parent / "tools"


def _bench():
    if str(TOOLS) not in sys.path:
        sys.path.insert(0, str(TOOLS))
    import bench

    return bench


def test_step_measures_ours_and_the_reference(capsys):
    backend = keras.backend.backend()
    # XLA where the backend has it; torch.compile takes a minute to compile.
    jit = "off" if backend == "torch" else "on"
    argv = ["step", "--backend", backend, "--methods", "dcgan28", "--steps", "1",
            "--warmup", "1", "--repeats", "1", "--batch-size", "8", "--jit", jit]
    rows = _bench().main(argv)
    out = capsys.readouterr().out
    assert len(rows) == 1, out
    row = rows[0]
    for key in ("ours_steps_per_s", "ref_steps_per_s"):
        assert math.isfinite(row[key]) and row[key] > 0, (key, out)
    header = next(line for line in out.splitlines() if line.startswith("method"))
    assert "ours/ref" in header.split(), header
    ratio = row["ours_steps_per_s"] / row["ref_steps_per_s"]
    table_line = next(line for line in out.splitlines() if line.startswith("dcgan28"))
    assert f"{ratio:.3g}" in table_line.split(), table_line
    if backend == "jax":  # XLA's cost analysis of the reference step
        assert row["flops"] > 0, out


def test_joint_critic_times_both_forms(capsys):
    backend = keras.backend.backend()
    rows = _bench().main(["joint-critic", "--backend", backend, "--steps", "1",
                          "--repeats", "1", "--batch-size", "2"])
    out = capsys.readouterr().out
    assert [r["critic"] for r in rows] == ["28x28x1", "64x64x3"], out
    for row in rows:
        for form in ("two calls", "one call"):
            assert math.isfinite(row[form]) and row[form] > 0, (form, out)
    assert "one/two" in out.splitlines()[1].split(), out
