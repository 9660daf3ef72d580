"""Tests for the `gan-zoo` launcher (`gan_zoo_cli`): help without heavy
imports, --backend and --verbose, and its name lists against gan_zoo's
registries. Subprocesses run in a temporary folder, on the installed
module, as a user runs the command."""

import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import textwrap

import keras
import pytest

import gan_zoo_cli

HEAVY = ("keras", "numpy", "tensorflow", "jax", "torch", "gan_zoo", "matplotlib")


def _python(code, tmp_path, **env):
    """Runs `code` in a fresh Python; `env` values of None are unset."""
    environ = {**os.environ, **{k: v for k, v in env.items() if v is not None}}
    for key in [k for k, v in env.items() if v is None]:
        environ.pop(key, None)
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=tmp_path,
        env=environ,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.parametrize("argv", [["--help"], ["train", "--help"], ["evaluate", "--help"]])
def test_help_imports_no_heavy_module(argv, tmp_path):
    result = _python(
        f"""
        import sys, gan_zoo_cli
        try:
            gan_zoo_cli.main({argv!r})
        except SystemExit as exit:
            assert exit.code == 0, exit.code
        print([m for m in sys.modules if m.split(".")[0] in {HEAVY!r}])
        """,
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "[]"
    assert "KERAS_BACKEND" in result.stdout and "--backend" in result.stdout


def test_console_script_help_is_quiet(tmp_path):
    script = shutil.which("gan-zoo", path=str(pathlib.Path(sys.executable).parent))
    assert script, "no gan-zoo next to this Python: pip install -e ."
    result = subprocess.run(
        [script, "--help"], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and result.stderr == ""
    assert "KERAS_BACKEND" in result.stdout and "--verbose" in result.stdout


def _other_backend():
    return next(b for b in gan_zoo_cli.BACKENDS if b != keras.backend.backend())


def test_backend_is_set_before_keras_is_imported(tmp_path):
    backend = _other_backend()
    result = _python(
        f"""
        import os, sys, gan_zoo_cli
        gan_zoo_cli.parse_args(["--backend", "{backend}", "train", "gan"])
        assert "keras" not in sys.modules
        print(os.environ["KERAS_BACKEND"])
        import keras
        print(keras.backend.backend())
        """,
        tmp_path,
        KERAS_BACKEND=keras.backend.backend(),  # the flag wins over the variable
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.split() == [backend, backend]


def test_global_options_go_before_or_after_the_command():
    parse = gan_zoo_cli.parser().parse_args
    assert parse(["train", "gan"]).backend is None
    assert not parse(["train", "gan"]).verbose
    for argv in (["--backend", "jax", "--verbose", "train", "gan"],
                 ["train", "gan", "--backend", "jax", "--verbose"],
                 ["evaluate", "--backend", "jax", "--verbose", "--preset", "p",
                  "--dataset", "digits"]):
        args = parse(argv)
        assert args.backend == "jax" and args.verbose


def test_bad_backend_exits_with_the_choices(capsys):
    with pytest.raises(SystemExit) as error:
        gan_zoo_cli.main(["--backend", "tf", "train", "gan"])
    assert error.value.code == 2
    assert (
        "argument --backend: invalid choice: 'tf' (choose from 'jax', "
        "'tensorflow', 'torch')" in capsys.readouterr().err
    )


def test_backend_other_than_the_imported_one_is_an_error(capsys, monkeypatch):
    current = keras.backend.backend()
    monkeypatch.setenv("KERAS_BACKEND", current)
    args = gan_zoo_cli.parse_args(["--backend", current, "--verbose", "train", "gan"])
    assert args.backend == current
    with pytest.raises(SystemExit) as error:
        gan_zoo_cli.parse_args(["--backend", _other_backend(), "--verbose", "train", "gan"])
    assert error.value.code == 2
    assert f"Keras is already imported with the {current} backend" in capsys.readouterr().err
    assert os.environ["KERAS_BACKEND"] == current


@pytest.mark.parametrize(
    "argv,preset,expected",
    [
        (["train", "gan"], None, "3 40"),  # TF_CPP_MIN_LOG_LEVEL 3, loggers at ERROR
        (["train", "gan"], "1", "1 40"),  # the user's level stays
        (["--verbose", "train", "gan"], None, "None 0"),  # logs left alone
    ],
)
def test_logs_are_quiet_unless_verbose(argv, preset, expected, tmp_path):
    result = _python(
        f"""
        import logging, os, gan_zoo_cli
        gan_zoo_cli.parse_args({argv!r})
        levels = {{logging.getLogger(n).level for n in ("tensorflow", "absl")}}
        assert len(levels) == 1, levels
        print(os.environ.get("TF_CPP_MIN_LOG_LEVEL"), levels.pop())
        """,
        tmp_path,
        TF_CPP_MIN_LOG_LEVEL=preset,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


NATIVE_LOGS = """
import os, sys, gan_zoo_cli
LINES = [
    "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR",
    "I0000 00:00:1796065317.626512   29107 port.cc:153] oneDNN custom operations are on.",
    "E0000 00:00:1796065331.451686   29151 cuda_platform.cc:52] failed call to cuInit",
    "2025-09-17 14:44:05.157831: I external/cudart_stub.cc:32] Could not find cuda",
]
with gan_zoo_cli._without_native_logs():
    for line in LINES:
        os.write(2, line.encode() + b"\\n")
    print("a warning of our own", file=sys.stderr)
    if len(sys.argv) > 1:
        raise RuntimeError("import failed")
"""


def test_tensorflow_load_logs_are_left_out_but_nothing_else(tmp_path):
    result = _python(NATIVE_LOGS, tmp_path)
    assert result.returncode == 0 and result.stderr == "a warning of our own\n"
    # On an error, everything is shown.
    failed = subprocess.run(
        [sys.executable, "-c", NATIVE_LOGS, "fail"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )
    assert failed.returncode == 1
    assert "cuInit" in failed.stderr and "oneDNN" in failed.stderr
    assert "a warning of our own" in failed.stderr and "import failed" in failed.stderr


def test_a_run_prints_no_tensorflow_logs_and_uses_the_backend(tmp_path):
    backend = keras.backend.backend()
    out = tmp_path / "run"
    result = _python(
        f"""
        import gan_zoo_cli
        gan_zoo_cli.main(["--backend", "{backend}", "train", "gan", "--dataset",
                          "ring", "--epochs", "1", "--steps-per-epoch", "1",
                          "--batch-size", "16", "--out", {str(out)!r}])
        """,
        tmp_path,
        TF_CPP_MIN_LOG_LEVEL=None,
        KERAS_BACKEND=None,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"({backend} backend)" in result.stdout
    for noise in ("absl::InitializeLog", "cuInit", "cudart_stub", "oneDNN"):
        assert noise not in result.stderr, result.stderr[-3000:]
    assert not re.search(r"^[IWE]\d{4} ", result.stderr, re.M), result.stderr[-3000:]
    assert json.loads((out / "metadata.json").read_text())["backend"] == backend


def test_name_lists_match_gan_zoo_registries():
    from gan_zoo import cli
    from gan_zoo import datasets
    from gan_zoo import recipes
    from gan_zoo.metrics.evaluate import METRICS
    from gan_zoo.metrics.features import available_classifiers

    def kind(name):
        return tuple(sorted(n for n, about in datasets.DATASETS.items() if about.kind == name))

    assert gan_zoo_cli.METHODS == tuple(sorted(cli.METHODS))
    assert gan_zoo_cli.IMAGE_DATASETS == kind("image") == tuple(cli.IMAGE_DATASETS)
    assert gan_zoo_cli.POINT_DATASETS == kind("points") == tuple(sorted(cli.POINT_DATASETS))
    assert gan_zoo_cli.METRICS == tuple(sorted(METRICS))
    assert gan_zoo_cli.CLASSIFIERS == tuple(available_classifiers())
    assert gan_zoo_cli.TOY_LATENT_DIM == recipes.TOY_LATENT_DIM
