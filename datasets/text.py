"""Character-level text for the text GANs: a charmap and one-hot batches.

Lines are normalised to Unicode NFC (so a composed "é" and "e" followed by
a combining accent are one character), truncated or padded (with a pad
character) to a fixed length, each character becomes an index into a
`Charmap` (index 0 is the unknown token),
and batches are one-hot float32 tensors of shape
`(batch, sequence_length, len(charmap))`, the form the critic reads real
text in and the generator's softmax writes it in (Gulrajani et al. 2017,
https://arxiv.org/abs/1704.00028, section 5.3; Seward et al. 2018,
https://arxiv.org/abs/1802.04591).
"""

import pathlib
import warnings

import numpy as np
import tensorflow as tf

from gan_zoo.arguments import check_positive_int

# The charmap is pure Python (models hold one and must build without
# TensorFlow); its public names stay importable from here.
from gan_zoo.charmap import MAX_CHARMAP_SIZE  # noqa: F401
from gan_zoo.charmap import NORMALIZATION
from gan_zoo.charmap import PAD  # noqa: F401
from gan_zoo.charmap import SEQUENCE_LENGTH
from gan_zoo.charmap import UNKNOWN  # noqa: F401
from gan_zoo.charmap import Charmap
from gan_zoo.charmap import normalize
from gan_zoo.datasets.pipeline import check_split
from gan_zoo.datasets.sources import Download, Source, locate


def read_lines(path):
    """The non-empty lines of a UTF-8 text file, or of every file in a folder.

    A folder's files are read in name order (not recursively); a UTF-8
    byte-order mark is dropped, bytes that are not UTF-8 become U+FFFD (with
    a warning that counts them), and lines are normalised to NFC (see
    `gan_zoo.charmap`).
    """
    path = pathlib.Path(path)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file())
    elif path.is_file():
        files = [path]
    else:
        raise FileNotFoundError(f"No text file or folder at {path}.")
    lines = [
        normalize(line)
        for file in files
        for line in _decode(file).splitlines()
        if line.strip()
    ]
    if not lines:
        raise ValueError(f"No text lines in {path}: give a file or folder of text.")
    return lines


def _decode(file):
    """The text of a UTF-8 file without its byte-order mark; undecodable
    bytes become U+FFFD, and a warning says how many."""
    data = file.read_bytes()
    text = data.decode("utf-8-sig", errors="replace")
    replaced = text.count("\ufffd") - data.count("\ufffd".encode())
    if replaced:
        warnings.warn(
            f"{file}: {replaced} byte sequence(s) are not UTF-8 and were read "
            "as U+FFFD. Convert the file to UTF-8 first (e.g. from Latin-1: "
            "`iconv -f latin1 -t utf-8`).",
            stacklevel=3,
        )
    return text


def text_dataset(
    lines,
    charmap,
    batch_size=64,
    sequence_length=SEQUENCE_LENGTH,
    shuffle=True,
    seed=None,
    drop_remainder=True,
):
    """Batched one-hot text: `(batch_size, sequence_length, len(charmap))`.

    Args:
        lines: a list of strings, or a `tf.data.Dataset` of string scalars
            (e.g. `tf.data.TextLineDataset`, to stream large corpora). Both
            are normalised to NFC: a list in Python, a stream in the graph,
            by tensorflow-text's `normalize_utf8` where it is installed and
            by Python's `unicodedata` otherwise (same result, see
            `utf8_normalizer`).
        charmap: a `Charmap`.
        batch_size: int, lines per batch; the last partial batch is dropped.
        sequence_length: int, characters per line after truncation/padding.
        shuffle: bool, reshuffle every epoch (a buffer of 10,000 lines for a
            streamed dataset, all lines for a list).
        seed: int or `None`, seed of the shuffle order.
        drop_remainder: bool, drop the last partial batch. Defaults to `True`.

    Returns:
        A `tf.data.Dataset` of float32 one-hot batches.
    """
    check_positive_int("batch_size", batch_size)
    check_positive_int("sequence_length", sequence_length)
    if isinstance(lines, tf.data.Dataset):
        ds, buffer, normalize_batch = lines, 10_000, utf8_normalizer()
    else:
        lines = [normalize(line) for line in lines]
        normalize_batch = None
        if drop_remainder and len(lines) < batch_size:
            raise ValueError(
                f"{len(lines)} lines make no batch of {batch_size}: lower "
                "`batch_size` or give more text."
            )
        ds, buffer = tf.data.Dataset.from_tensor_slices(tf.constant(lines)), len(lines)
    if shuffle:
        ds = ds.shuffle(buffer, seed=seed, reshuffle_each_iteration=True)
    table = tf.lookup.StaticHashTable(
        tf.lookup.KeyValueTensorInitializer(
            tf.constant([ord(c) for c in charmap.characters], tf.int32),
            tf.range(1, len(charmap), dtype=tf.int32),
        ),
        default_value=0,
    )
    depth, pad = len(charmap), ord(charmap.pad)

    def one_hot(batch):
        if normalize_batch is not None:
            batch = normalize_batch(batch)
        codes = tf.strings.unicode_decode(batch, "UTF-8", errors="replace")
        codes = codes[:, :sequence_length].to_tensor(
            default_value=pad, shape=(None, sequence_length)
        )
        return tf.one_hot(table.lookup(codes), depth, dtype=tf.float32)

    ds = ds.batch(batch_size, drop_remainder=drop_remainder)
    ds = ds.map(one_hot, num_parallel_calls=tf.data.AUTOTUNE)
    return ds.prefetch(tf.data.AUTOTUNE)


def utf8_normalizer():
    """A function normalising a string tensor to NFC inside a `tf.data` graph.

    tensorflow-text's `normalize_utf8` (ICU, a graph op: parallel, no
    Python) where it is installed (`pip install gan_zoo[tensorflow]`; it has
    no Windows wheels). Otherwise Python's `unicodedata` through
    `tf.numpy_function`: the same strings, but it holds the GIL and makes
    the streamed pipeline about 4 times slower (`tools/bench.py text-pipeline`,
    lm1b lines, 2 CPU cores: 4.6 us a line without normalisation, 4.2 with
    tensorflow-text, 16.1 with the fallback; still far below a training
    step's time per line). Bytes
    that are not UTF-8 pass through unchanged either way (the one-hot
    encoding reads them as the unknown token).
    """
    try:
        import tensorflow_text
    except ImportError:
        return _normalize_in_python
    return lambda strings: tensorflow_text.normalize_utf8(strings, NORMALIZATION)


def _normalize_in_python(strings):
    def normalize_array(array):
        return np.array(
            [
                normalize(s.decode("utf-8", "surrogateescape")).encode(
                    "utf-8", "surrogateescape"
                )
                for s in array.reshape(-1)
            ],
            dtype=object,
        ).reshape(array.shape)

    normalized = tf.numpy_function(normalize_array, [strings], tf.string, stateful=False)
    return tf.ensure_shape(normalized, strings.shape)


# The One Billion Word benchmark (Chelba et al. 2013,
# https://arxiv.org/abs/1312.3005): tokenized news sentences, one per line.
_LM1B_ROOT = "1-billion-word-language-modeling-benchmark-r13output"
_LM1B_DOWNLOAD = Download(
    "http://www.statmt.org/lm-benchmark/" + _LM1B_ROOT + ".tar.gz",
    "01ba60381110baf7f189dfd2b8374de371e8c9a340835793f190bdae9e90a34e",
    extract=True,
)
LM1B_SPLITS = {
    "train": tuple(f"news.en-{i:05d}-of-00100" for i in range(1, 100)),
    # The benchmark's test set is held-out shard 0; "heldout" is all 50.
    "test": ("news.en.heldout-00000-of-00050",),
    "heldout": tuple(f"news.en.heldout-{i:05d}-of-00050" for i in range(50)),
}
LM1B_SOURCE = Source(
    dataset="lm1b",
    homepage="https://www.statmt.org/lm-benchmark/",
    instructions=f"Unpack {_LM1B_ROOT}.tar.gz; the shards are in its "
    "training-monolingual.tokenized.shuffled/ and "
    "heldout-monolingual.tokenized.shuffled/ folders.",
    downloads={n: _LM1B_DOWNLOAD for names in LM1B_SPLITS.values() for n in names},
    subdirs=(
        f"{_LM1B_ROOT}/training-monolingual.tokenized.shuffled",
        f"{_LM1B_ROOT}/heldout-monolingual.tokenized.shuffled",
    ),
)


def lm1b_lines(split="test", data_dir=None, download=True, max_lines=None):
    """The sentences of a One Billion Word split, as a list of strings.

    Args:
        split: `"train"` (99 shards, 30M sentences), `"test"` (held-out
            shard 0, the benchmark's test set) or `"heldout"` (all 50
            held-out shards).
        data_dir: folder holding the shard files (searched first, then
            `$GAN_ZOO_DATA/lm1b`, the Keras cache, then the download of
            the benchmark's 1.7 GB archive).
        download: bool, whether downloading is allowed.
        max_lines: int or `None`, read at most this many lines (the
            reference code reads 10 million of the training set).
    """
    check_split("lm1b", split, tuple(LM1B_SPLITS))
    if max_lines is not None:
        check_positive_int("max_lines", max_lines)
    found = locate(
        LM1B_SOURCE, LM1B_SPLITS[split], data_dir, download, what=f"split {split!r}"
    )
    lines = []
    for name in LM1B_SPLITS[split]:
        lines += read_lines(found[name])
        if max_lines is not None and len(lines) >= max_lines:
            return lines[:max_lines]
    return lines


def lm1b(
    split="train",
    batch_size=64,
    sequence_length=SEQUENCE_LENGTH,
    charmap=None,
    data_dir=None,
    shuffle=True,
    seed=None,
    drop_remainder=True,
    download=True,
    max_lines=None,
):
    """One-hot batches of One Billion Word sentences (see `lm1b_lines`).

    `charmap=None` builds it from the split's lines:
    `Charmap.from_lines(lm1b_lines(split, ...), sequence_length)` gives the
    same one to build the generator with.

    Example:

    ```python
    lines = lm1b_lines("test", data_dir="shared/data/lm1b")
    charmap = Charmap.from_lines(lines)
    ds = lm1b("test", charmap=charmap, data_dir="shared/data/lm1b")
    ```
    """
    lines = lm1b_lines(split, data_dir, download, max_lines)
    if charmap is None:
        charmap = Charmap.from_lines(lines, sequence_length)
    return text_dataset(
        lines, charmap, batch_size, sequence_length, shuffle, seed, drop_remainder
    )
