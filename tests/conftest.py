"""Shared test setup: a private KERAS_HOME and the `slow` marker."""

import os
import tempfile

# Keras reads KERAS_HOME when it is first imported: set it before that.
os.environ.setdefault("KERAS_HOME", tempfile.mkdtemp(prefix="gan_zoo_keras_home_"))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "slow: trains a model for many steps (deselect with -m 'not slow')"
    )
