"""Shared test setup: a private KERAS_HOME, the `slow` marker, and the
offline sample data (`$GAN_ZOO_TEST_DATA`)."""

import os
import pathlib
import tempfile

import pytest

# Keras reads KERAS_HOME when it is first imported: set it before that.
os.environ.setdefault("KERAS_HOME", tempfile.mkdtemp(prefix="gan_zoo_keras_home_"))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "slow: trains a model for many steps (deselect with -m 'not slow')"
    )


@pytest.fixture
def test_data():
    """`$GAN_ZOO_TEST_DATA` as a path; fails (never skips) when unusable."""
    root = os.environ.get("GAN_ZOO_TEST_DATA")
    if not root:
        pytest.fail(
            "GAN_ZOO_TEST_DATA is not set. Point it at the offline sample data "
            "(e.g. `GAN_ZOO_TEST_DATA=$(pwd)/../shared/data`, as .ci/run does)."
        )
    root = pathlib.Path(root)
    for sub in ("mnist", "celeba", "lm1b"):
        if not (root / sub).is_dir():
            pytest.fail(f"GAN_ZOO_TEST_DATA={root} has no {sub}/ folder; see its README.")
    return root
