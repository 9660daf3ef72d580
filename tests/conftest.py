"""Shared test setup: a private KERAS_HOME, the `slow` marker, the offline
sample data (`$GAN_ZOO_TEST_DATA`), local HTTP servers for downloads and a
global dtype policy."""

import functools
import http.server
import importlib.util
import os
import pathlib
import sys
import tempfile
import threading

import pytest

# Keras reads KERAS_HOME when it is first imported: set it before that.
os.environ.setdefault("KERAS_HOME", tempfile.mkdtemp(prefix="gan_zoo_keras_home_"))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# Under pytest-xdist each worker gets one core. torch's intra-op threads
# would busy-wait on the other worker's core: on CI's two cores the torch
# run took 995 s in one process and 632 s in two single-threaded workers
# (2026-12-01). Set before torch is first imported, which reads it.
if os.environ.get("PYTEST_XDIST_WORKER") and os.environ.get("KERAS_BACKEND") == "torch":
    os.environ.setdefault("OMP_NUM_THREADS", "1")


@pytest.fixture(scope="session")
def load_tool():
    """`load_tool("reproduce/fogan_text.py")`: a script under `tools/`,
    imported as a module (the scripts are not a package)."""

    def load(relative_path):
        path = pathlib.Path(__file__).resolve().parent.parent / "tools" / relative_path
        if str(path.parent) not in sys.path:  # as when run: its folder's modules import
            sys.path.insert(0, str(path.parent))
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    return load


@pytest.fixture
def policy():
    """Sets a global dtype policy for the test and restores float32 after."""
    import keras

    yield keras.config.set_dtype_policy
    keras.config.set_dtype_policy("float32")


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


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class _TruncatingHandler(http.server.BaseHTTPRequestHandler):
    """Promises 1,000,000 bytes, sends 10, closes: an interrupted transfer."""

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "1000000")
        self.end_headers()
        self.wfile.write(b"0123456789")
        self.wfile.flush()
        self.close_connection = True

    def log_message(self, *args):
        pass


def _serve(handler):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    return server, thread


@pytest.fixture
def http_folder():
    """`serve(folder) -> base URL` of a local HTTP server on 127.0.0.1."""
    running = []

    def serve(folder):
        server, thread = _serve(functools.partial(_QuietHandler, directory=str(folder)))
        running.append((server, thread))
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield serve
    for server, thread in running:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def truncating_server():
    """Base URL of a local server whose every transfer stops early."""
    server, thread = _serve(_TruncatingHandler)
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()
    thread.join()
