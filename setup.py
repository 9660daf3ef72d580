"""gan_zoo: a Keras 3 model zoo of generative adversarial networks."""

import pathlib

from setuptools import setup

HERE = pathlib.Path(__file__).parent
VERSION = {}
exec((HERE / "gan_zoo" / "version.py").read_text(), VERSION)

# Compatible ranges, so gan_zoo installs beside what users already have. The
# floors are the oldest releases the tests were run with (tensorflow 2.18,
# numpy 1.26, scikit-learn 1.4.2, pillow 10.4, jax 0.4.38) or, for torch, the
# oldest Keras supports; CI installs the exact releases of constraints.txt
# (`pip install -c constraints.txt -e ".[all]"`).
BACKENDS = {
    "tensorflow": [
        "tensorflow>=2.18,<3",
        # In-graph Unicode normalisation of streamed text (datasets/text.py
        # falls back to Python's unicodedata without it); no Windows wheels.
        'tensorflow-text>=2.18,<3; sys_platform != "win32"',
    ],
    "jax": ["jax>=0.4.38"],
    "torch": ["torch>=2.1"],
}
# hf://owner/repo presets (gan_zoo.presets imports it only for such a handle).
HUB = ["huggingface_hub>=0.20"]
# pytest-xdist: CI runs each backend's tests in 2 processes (`-n 2`).
# pytorch-fid: the reference FID Inception architecture that
# tests/metrics/fid_inception_test.py compares ours with (on every backend).
TEST = ["pytest>=8", "pytest-xdist>=3.8", "pytorch-fid>=0.3", *HUB]

setup(
    name="gan_zoo",
    version=VERSION["__version__"],
    description="GANs exact to their papers, on every Keras 3 backend.",
    long_description=(HERE / "README.md").read_text(),
    long_description_content_type="text/markdown",
    python_requires=">=3.11",  # as keras 3.15
    # One import namespace: the top-level folders `models/` and `datasets/`
    # are installed as `gan_zoo.models` and `gan_zoo.datasets`.
    package_dir={
        "gan_zoo": "gan_zoo",
        "gan_zoo.models": "models",
        "gan_zoo.models.architectures": "models/architectures",
        "gan_zoo.datasets": "datasets",
    },
    packages=[
        "gan_zoo",
        "gan_zoo.backend",
        "gan_zoo.layers",
        "gan_zoo.metrics",
        "gan_zoo.models",
        "gan_zoo.models.architectures",
        "gan_zoo.datasets",
    ],
    # The `gan-zoo` launcher (gan_zoo_cli.py): outside the package, so that
    # `--help` and `--backend` run before Keras is imported.
    py_modules=["gan_zoo_cli"],
    # The offline feature classifiers of gan_zoo.metrics (tools/train_classifier.py).
    package_data={
        "gan_zoo.metrics": ["classifiers/*/*.json", "classifiers/*/*.h5"],
        # The registered presets, loaded offline (tools/ship_preset.py).
        "gan_zoo": ["pretrained/*/*.json", "pretrained/*/*.h5"],
    },
    install_requires=[
        "keras>=3.15,<4",
        # tf.data feeds `fit` on every backend (datasets/ builds pipelines).
        "tensorflow>=2.18,<3",
        "scikit-learn>=1.4.2",
        "numpy>=1.26",
        "ml-dtypes>=0.5",  # bfloat16 rounding in models/architectures/char_cnn.py
        "pillow>=10.4",
        # Plots of `gan-zoo train` (gan_zoo/plots.py). 3.8.4 is the oldest that
        # imports with numpy 2 (3.8.0 fails); tests/plots_test.py passed on it.
        "matplotlib>=3.8.4",
    ],
    extras_require={
        **BACKENDS,
        "hub": HUB,
        "test": TEST,
        "all": sorted({p for ps in BACKENDS.values() for p in ps} | set(TEST)),
    },
    entry_points={"console_scripts": ["gan-zoo=gan_zoo_cli:main"]},
)
