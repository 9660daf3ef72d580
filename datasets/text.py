"""Character-level text for the text GANs: a charmap and one-hot batches.

Lines are truncated or padded (with a pad character) to a fixed length, each
character becomes an index into a `Charmap` (index 0 is the unknown token),
and batches are one-hot float32 tensors of shape
`(batch, sequence_length, len(charmap))`, the form the critic reads real
text in and the generator's softmax writes it in (Gulrajani et al. 2017,
https://arxiv.org/abs/1704.00028, section 5.3; Seward et al. 2018,
https://arxiv.org/abs/1802.04591).
"""

import collections
import pathlib

import numpy as np
import tensorflow as tf

from gan_zoo.arguments import check_positive_int
from gan_zoo.datasets.pipeline import check_split
from gan_zoo.datasets.sources import Download, Source, locate

SEQUENCE_LENGTH = 32
MAX_CHARMAP_SIZE = 2048  # the unknown token + at most 2,047 characters
PAD = "`"
UNKNOWN = "\ufffd"


class Charmap:
    """Maps characters to indices: 0 is the unknown token, then `characters`.

    Save it with the model: `CharCNNGenerator` keeps it in its config, so a
    `.keras` file decodes its own samples.

    Args:
        characters: sequence of distinct one-character strings (most
            frequent first, as `from_lines` orders them).
        pad: the character lines are padded with; must be in `characters`.
    """

    def __init__(self, characters, pad=PAD):
        characters = list(characters)
        if not characters or any(
            not isinstance(c, str) or len(c) != 1 for c in characters
        ):
            raise ValueError(
                "`characters` must be a non-empty sequence of one-character "
                f"strings. Received: {characters[:10]!r}"
            )
        if len(set(characters)) != len(characters) or UNKNOWN in characters:
            raise ValueError(
                "`characters` must be distinct and must not hold the unknown "
                f"token {UNKNOWN!r}."
            )
        if pad not in characters:
            raise ValueError(f"The pad character {pad!r} must be in `characters`.")
        if len(characters) >= MAX_CHARMAP_SIZE:
            raise ValueError(
                f"A charmap holds at most {MAX_CHARMAP_SIZE - 1} characters. "
                f"Received: {len(characters)}"
            )
        self.characters = characters
        self.pad = pad
        self.index = {c: i + 1 for i, c in enumerate(characters)}

    @classmethod
    def from_lines(
        cls, lines, sequence_length=SEQUENCE_LENGTH, size=MAX_CHARMAP_SIZE, pad=PAD
    ):
        """The unknown token plus the `size - 1` most frequent characters.

        Characters are counted in the lines as the model sees them (truncated
        and padded to `sequence_length`); ties are broken by the character,
        so the same lines always give the same charmap.
        """
        check_positive_int("sequence_length", sequence_length)
        if not 2 <= size <= MAX_CHARMAP_SIZE:
            raise ValueError(
                f"`size` must be between 2 and {MAX_CHARMAP_SIZE}. Received: {size}"
            )
        counts = collections.Counter()
        for line in lines:
            counts.update(_fit(line, sequence_length, pad))
        if not counts:
            raise ValueError("Cannot build a charmap from no lines.")
        counts.setdefault(pad, 0)
        counts.pop(UNKNOWN, None)
        ranked = sorted(counts, key=lambda c: (-counts[c], c))[: size - 1]
        if pad not in ranked:
            ranked[-1] = pad
        return cls(ranked, pad=pad)

    def __len__(self):
        return len(self.characters) + 1

    def __eq__(self, other):
        return (
            isinstance(other, Charmap)
            and other.characters == self.characters
            and other.pad == self.pad
        )

    def encode(self, lines, sequence_length=SEQUENCE_LENGTH):
        """Indices, int32 of shape `(len(lines), sequence_length)`."""
        return np.array(
            [
                [self.index.get(c, 0) for c in _fit(line, sequence_length, self.pad)]
                for line in lines
            ],
            dtype="int32",
        ).reshape(len(lines), sequence_length)

    def decode(self, samples):
        """Strings from indices `(n, length)` or scores `(n, length, len(self))`.

        Scores (one-hot rows, softmax outputs) are decoded by argmax; the
        trailing pad is removed and the unknown token reads as U+FFFD.
        """
        samples = np.asarray(samples)
        if samples.ndim == 3:
            if samples.shape[-1] != len(self):
                raise ValueError(
                    f"Scores over {samples.shape[-1]} symbols do not fit a "
                    f"charmap of {len(self)}."
                )
            samples = samples.argmax(axis=-1)
        if samples.ndim != 2:
            raise ValueError(
                "`samples` must be indices (n, length) or scores (n, length, "
                f"charmap size). Received shape {samples.shape}"
            )
        symbols = np.array([UNKNOWN] + self.characters)
        return ["".join(symbols[row]).rstrip(self.pad) for row in samples]

    def get_config(self):
        return {"characters": "".join(self.characters), "pad": self.pad}

    @classmethod
    def from_config(cls, config):
        return cls(list(config["characters"]), pad=config["pad"])


def _fit(line, sequence_length, pad):
    return line[:sequence_length].ljust(sequence_length, pad)


def read_lines(path):
    """The non-empty lines of a UTF-8 text file, or of every file in a folder.

    A folder's files are read in name order (not recursively); bytes that
    are not UTF-8 become U+FFFD.
    """
    path = pathlib.Path(path)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file())
    elif path.is_file():
        files = [path]
    else:
        raise FileNotFoundError(f"No text file or folder at {path}.")
    lines = [
        line
        for file in files
        for line in file.read_text(encoding="utf-8", errors="replace").splitlines()
        if line.strip()
    ]
    if not lines:
        raise ValueError(f"No text lines in {path}: give a file or folder of text.")
    return lines


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
            (e.g. `tf.data.TextLineDataset`, to stream large corpora).
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
        ds, buffer = lines, 10_000
    else:
        lines = list(lines)
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
        codes = tf.strings.unicode_decode(batch, "UTF-8", errors="replace")
        codes = codes[:, :sequence_length].to_tensor(
            default_value=pad, shape=(None, sequence_length)
        )
        return tf.one_hot(table.lookup(codes), depth, dtype=tf.float32)

    ds = ds.batch(batch_size, drop_remainder=drop_remainder)
    ds = ds.map(one_hot, num_parallel_calls=tf.data.AUTOTUNE)
    return ds.prefetch(tf.data.AUTOTUNE)


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
