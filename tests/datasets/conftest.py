"""Fixtures of the dataset tests: hermetic sources and real data.

Every test runs with `GAN_ZOO_DATA` unset and its own empty Keras cache
(`KERAS_HOME`), so only the folders a test names are searched. Tests on
real files take them from `$GAN_ZOO_TEST_DATA` (`.ci/run` points it at
`../shared/data`) and fail, saying so, when it is unset.
"""

import pathlib
import pickle
import urllib.error

import numpy as np
import pytest

from gan_zoo.datasets import sources

FASHION_DIR = pathlib.Path("/usr/share/datasets/fashion-mnist")


@pytest.fixture(autouse=True)
def hermetic_sources(monkeypatch, tmp_path):
    """No `$GAN_ZOO_DATA`, and a fresh, empty Keras cache per test."""
    monkeypatch.delenv(sources.DATA_ENV, raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    return tmp_path / "keras_home" / "datasets"


@pytest.fixture
def fashion_dir():
    """Debian's Fashion-MNIST folder; fails with the install command if absent."""
    names = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
             "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]
    missing = [n for n in names if not (FASHION_DIR / n).is_file()]
    if missing:
        pytest.fail(
            f"{FASHION_DIR} lacks {missing}: run `apt-get install -y "
            "dataset-fashion-mnist` (as .ci/run does)."
        )
    return FASHION_DIR


@pytest.fixture
def offline(monkeypatch):
    """Every download attempt fails as it does without a network."""
    attempts = []

    def urlopen(url, *args, **kwargs):
        attempts.append(url)
        raise urllib.error.URLError("[Errno 101] Network is unreachable (test)")

    monkeypatch.setattr(sources.urllib.request, "urlopen", urlopen)
    return attempts


@pytest.fixture
def list_files():
    """`list_files(folder)`: every file below it (hidden ones too), sorted."""

    def files_under(folder):
        folder = pathlib.Path(folder)
        if not folder.exists():
            return []
        return sorted(
            str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()
        )

    return files_under


def write_cifar_batch(path, images, labels, label=b"training batch"):
    """A batch as the published files have it: a protocol-2 pickle of a dict
    with bytes keys, the pixels as (n, 3072) rows of channel planes."""
    batch = {
        b"batch_label": label,
        b"labels": [int(v) for v in labels],
        b"data": images.transpose(0, 3, 1, 2).reshape(len(images), 3072),
        b"filenames": [f"img_{i}.png".encode() for i in range(len(images))],
    }
    with open(path, "wb") as stream:
        pickle.dump(batch, stream, protocol=2)


@pytest.fixture
def cifar(tmp_path):
    """`(root, {split: (images, labels)})`: `root/cifar-10-batches-py/` holds
    `data_batch_1..5` (6 random images each) and `test_batch` (10)."""
    rng = np.random.default_rng(0)
    folder = tmp_path / "cifar" / "cifar-10-batches-py"
    folder.mkdir(parents=True)
    parts = []
    for i in range(1, 6):
        images = rng.integers(0, 256, (6, 32, 32, 3), dtype=np.uint8)
        labels = rng.integers(0, 10, 6)
        write_cifar_batch(folder / f"data_batch_{i}", images, labels)
        parts.append((images, labels))
    arrays = {"train": tuple(np.concatenate(p) for p in zip(*parts))}
    images = rng.integers(0, 256, (10, 32, 32, 3), dtype=np.uint8)
    labels = np.arange(10) % 10
    write_cifar_batch(folder / "test_batch", images, labels, b"testing batch")
    arrays["test"] = (images, labels)
    return tmp_path / "cifar", arrays


def write_svhn_mat(path, images, labels):
    """As published: X is (32, 32, 3, n) uint8, y is (n, 1) with 10 for 0."""
    from scipy import io

    y = np.where(labels == 0, 10, labels).astype(np.uint8)[:, None]
    io.savemat(path, {"X": images.transpose(1, 2, 3, 0), "y": y})


@pytest.fixture
def svhn(tmp_path):
    """`(folder, {split: (images, labels)})` of small `*_32x32.mat` files."""
    rng = np.random.default_rng(0)
    folder = tmp_path / "svhn"
    folder.mkdir()
    arrays = {}
    for split, n in [("train", 12), ("test", 7), ("extra", 5)]:
        images = rng.integers(0, 256, (n, 32, 32, 3), dtype=np.uint8)
        labels = np.arange(n) % 10
        write_svhn_mat(folder / f"{split}_32x32.mat", images, labels)
        arrays[split] = (images, labels)
    return folder, arrays
