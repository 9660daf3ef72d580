"""gan_zoo: a Keras 3 model zoo of generative adversarial networks."""

import pathlib

from setuptools import setup

HERE = pathlib.Path(__file__).parent
VERSION = {}
exec((HERE / "gan_zoo" / "version.py").read_text(), VERSION)

BACKENDS = {
    "tensorflow": ["tensorflow==2.21.0", "tensorflow-text==2.21.1"],
    "jax": ["jax==0.10.2"],
    "torch": ["torch==2.13.0"],
}
TEST = ["pytest>=8"]

setup(
    name="gan_zoo",
    version=VERSION["__version__"],
    description="GANs exact to their papers, on every Keras 3 backend.",
    long_description=(HERE / "README.md").read_text(),
    long_description_content_type="text/markdown",
    python_requires=">=3.10",
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
    # The offline feature classifiers of gan_zoo.metrics (tools/train_classifier.py).
    package_data={"gan_zoo.metrics": ["classifiers/*/*.json", "classifiers/*/*.h5"]},
    install_requires=[
        "keras==3.15.1",
        # tf.data feeds `fit` on every backend (datasets/ builds pipelines).
        "tensorflow==2.21.0",
        "scikit-learn==1.9.1",
        "numpy",
        "pillow",
    ],
    extras_require={
        **BACKENDS,
        "test": TEST,
        "all": sorted({p for ps in BACKENDS.values() for p in ps} | set(TEST)),
    },
    entry_points={"console_scripts": ["gan-zoo=gan_zoo.cli:main"]},
)
