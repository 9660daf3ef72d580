"""TensorFlow stays out of model code: only data pipelines may import it.

On the JAX and torch backends, building and running a model must not load
TensorFlow, which only `tf.data` needs (its import alone takes 3.5 s and
836 MB on a 2-core machine). Two checks, as in keras_hub's
`src/tests/import_test.py`: a fresh Python imports the public modules,
builds models and generates samples with `tensorflow` never in
`sys.modules`; and no source file outside the allowlists below imports
TensorFlow, or the `gan_zoo.datasets` package (whose `__init__` imports
every pipeline, and so TensorFlow), at module level.
"""

import ast
import os
import pathlib
import subprocess
import sys
import textwrap

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
# The installed package (`gan_zoo`, with `models/` and `datasets/` mapped
# into it) and the scripts of `tools/`.
SOURCE_FOLDERS = ("gan_zoo", "models", "datasets", "tools")
# Module-level imports allowed only in these files or folders (relative to
# the repository root), with the reason.
ALLOWED = {
    "tensorflow": (
        "datasets/",  # tf.data pipelines
        "gan_zoo/backend/tensorflow.py",  # the TensorFlow backend's gradients
        "tools/train_classifier.py",  # a script training on tf.data
        "tools/benchmarks/references_tf.py",  # a reference step for TensorFlow only
    ),
    # tensorflow_text imports tensorflow.
    "tensorflow_text": ("datasets/",),
    "gan_zoo.datasets": (
        "datasets/",
        "gan_zoo/cli.py",  # `gan-zoo train/evaluate` reads datasets
        "tools/",  # scripts that train or benchmark on datasets
    ),
    # Only gan_zoo.plots draws, importing matplotlib when called (Keras
    # imports matplotlib.pyplot itself when it is installed, though).
    "matplotlib": (),
}

NO_TENSORFLOW_SCRIPT = textwrap.dedent(
    """
    import sys

    import gan_zoo
    import gan_zoo.callbacks
    import gan_zoo.layers
    import gan_zoo.losses
    import gan_zoo.metrics
    import gan_zoo.models
    import gan_zoo.models.architectures
    import gan_zoo.presets
    from gan_zoo.charmap import Charmap
    from gan_zoo.models import DCGAN, FOGAN
    from gan_zoo.models.architectures import (
        CharCNNCritic, CharCNNGenerator, dcgan_discriminator, dcgan_generator,
    )

    model = DCGAN(dcgan_generator(8, channels=1, latent_dim=4, base_filters=4),
                  dcgan_discriminator(8, channels=1, base_filters=4))
    assert model.generate(2, seed=0).shape == (2, 8, 8, 1)
    charmap = Charmap.from_lines(["hello world"], sequence_length=8)
    text = FOGAN(CharCNNGenerator(charmap, sequence_length=8, width=4,
                                  num_blocks=1, latent_dim=4),
                 CharCNNCritic(len(charmap), sequence_length=8, width=4,
                               num_blocks=1))
    assert len(text.generate_text(2)) == 2
    print(sorted(m for m in sys.modules if m.split(".")[0] == "tensorflow"))
    """
)


@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_building_models_does_not_import_tensorflow(backend, tmp_path):
    env = {**os.environ, "KERAS_BACKEND": backend}
    result = subprocess.run(
        [sys.executable, "-c", NO_TENSORFLOW_SCRIPT],
        cwd=tmp_path,  # the installed gan_zoo, as a user imports it
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    loaded = result.stdout.strip().splitlines()[-1]
    assert loaded == "[]", f"TensorFlow modules loaded on {backend}: {loaded[:500]}"


def _source_files():
    for folder in SOURCE_FOLDERS:
        yield from sorted((ROOT / folder).rglob("*.py"))


def _module_level_imports(tree):
    """(line, module name) of every import run when the module is imported.

    Walks the module body, `if`/`try`/`with` blocks and class bodies; skips
    function bodies, whose imports run only when called (lazy imports).
    """
    stack = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            yield node.lineno, node.module
            # `from gan_zoo import datasets` imports the package too.
            yield from (
                (node.lineno, f"{node.module}.{alias.name}") for alias in node.names
            )
        stack.extend(ast.iter_child_nodes(node))


def _is_within(module, package):
    return module == package or module.startswith(package + ".")


def test_source_files_are_found():
    files = [p.relative_to(ROOT).as_posix() for p in _source_files()]
    assert "gan_zoo/gan.py" in files and "models/architectures/char_cnn.py" in files
    assert "datasets/text.py" in files


def test_no_module_level_tensorflow_import_outside_the_allowlist():
    offending = {}  # "path:line" -> the first forbidden module it imports
    for path in _source_files():
        relative = path.relative_to(ROOT).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=relative)
        for line, module in _module_level_imports(tree):
            for package, allowed in ALLOWED.items():
                if _is_within(module, package) and not any(
                    relative == a or (a.endswith("/") and relative.startswith(a))
                    for a in allowed
                ):
                    offending.setdefault(f"{relative}:{line}", module)
    assert not offending, (
        "Module-level imports of TensorFlow (or of gan_zoo.datasets, which "
        "imports it) outside data pipelines, or of matplotlib; import inside "
        "the function that needs it instead:\n"
        + "\n".join(f"{where} imports {module}" for where, module in offending.items())
    )
