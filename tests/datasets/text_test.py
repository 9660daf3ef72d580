"""The text pipeline: charmap, one-hot batches, reading lines (lm1b shard)."""

import sys

import keras
import numpy as np
import pytest
import tensorflow as tf

from gan_zoo import datasets
from gan_zoo.datasets import text
from gan_zoo.datasets.sources import MissingDataError
from gan_zoo.datasets.text import (
    PAD,
    UNKNOWN,
    Charmap,
    lm1b,
    lm1b_lines,
    read_lines,
    text_dataset,
    utf8_normalizer,
)
from gan_zoo.models import FOGAN
from gan_zoo.models.architectures import CharCNNCritic, CharCNNGenerator


def test_charmap_orders_by_frequency_and_keeps_the_pad():
    charmap = Charmap.from_lines(["aab", "ab"], sequence_length=4)
    # counted on the padded lines "aab`", "ab``": ` 3, a 3, b 2
    assert charmap.characters == [PAD, "a", "b"]
    assert len(charmap) == 4  # + the unknown token, index 0


def test_charmap_keeps_at_most_size_minus_one_characters():
    charmap = Charmap.from_lines(["abcdefgh"], sequence_length=8, size=4)
    assert len(charmap) == 4 and PAD in charmap.characters


def test_encode_decode_round_trip_with_unknown_characters():
    charmap = Charmap.from_lines(["hello world"], sequence_length=16)
    indices = charmap.encode(["hello", "wolf!"], sequence_length=8)
    assert indices.shape == (2, 8)
    assert charmap.decode(indices) == ["hello", f"wol{UNKNOWN}{UNKNOWN}"]
    one_hot = np.eye(len(charmap))[indices]
    assert charmap.decode(one_hot) == charmap.decode(indices)


def test_charmap_config_round_trip():
    charmap = Charmap.from_lines(["some text"], sequence_length=12)
    assert Charmap.from_config(charmap.get_config()) == charmap


@pytest.mark.parametrize(
    "characters,pad,match",
    [([], PAD, "non-empty"), (["a", "a", PAD], PAD, "distinct"), (["a"], PAD, "pad")],
)
def test_bad_charmaps_are_rejected(characters, pad, match):
    with pytest.raises(ValueError, match=match):
        Charmap(characters, pad=pad)


def test_dataset_one_hot_matches_encode():
    lines = ["first line", "second, longer line of text that is cut", "é ü"]
    charmap = Charmap.from_lines(lines[:2], sequence_length=16)
    batch = next(iter(text_dataset(lines, charmap, batch_size=3, sequence_length=16,
                                   shuffle=False))).numpy()
    assert batch.shape == (3, 16, len(charmap))
    np.testing.assert_array_equal(batch.argmax(-1), charmap.encode(lines, 16))
    np.testing.assert_array_equal(batch.sum(-1), 1.0)


COMPOSED = "caf\u00e9 cr\u00e8me"  # é, è as one code point each
DECOMPOSED = "cafe\u0301 cre\u0300me"  # e + U+0301, e + U+0300


@pytest.mark.parametrize("tensorflow_text", [True, False])
def test_composed_and_decomposed_accents_give_the_same_batches(
    tensorflow_text, monkeypatch
):
    if tensorflow_text:
        pytest.importorskip("tensorflow_text")
    else:  # the fallback: Python's unicodedata inside the graph
        monkeypatch.setitem(sys.modules, "tensorflow_text", None)
    assert (utf8_normalizer() is text._normalize_in_python) != tensorflow_text
    lines = [COMPOSED, DECOMPOSED]
    charmap = Charmap.from_lines([DECOMPOSED], sequence_length=12)
    streamed = tf.data.Dataset.from_tensor_slices(
        [line.encode() for line in lines] + [b"not utf-8: \xff"]
    )
    expected = charmap.encode(lines + ["not utf-8: \ufffd"], sequence_length=12)
    for source in (lines + ["not utf-8: \ufffd"], streamed):
        batch = next(iter(text_dataset(source, charmap, batch_size=3,
                                       sequence_length=12, shuffle=False))).numpy()
        np.testing.assert_array_equal(batch.argmax(-1), expected)
        np.testing.assert_array_equal(batch[0], batch[1])
    assert charmap.decode(expected[:2]) == [COMPOSED, COMPOSED]


def test_read_lines_normalises_to_composed_characters(tmp_path):
    (tmp_path / "corpus.txt").write_text(f"{DECOMPOSED}\n{COMPOSED}\n", encoding="utf-8")
    assert read_lines(tmp_path / "corpus.txt") == [COMPOSED, COMPOSED]


def test_too_few_lines_for_a_batch():
    charmap = Charmap.from_lines(["ab"])
    with pytest.raises(ValueError, match="batch_size"):
        text_dataset(["ab"], charmap, batch_size=2)


def test_lm1b_test_split_is_the_heldout_shard(test_data):
    lines = lm1b_lines("test", data_dir=test_data / "lm1b")
    assert len(lines) == 6075 == datasets.info("lm1b")["size"]["test"]
    assert lines == read_lines(test_data / "lm1b")
    charmap = Charmap.from_lines(lines)
    assert charmap.characters[:2] == [" ", "e"]
    ds = lm1b("test", charmap=charmap, data_dir=test_data / "lm1b", seed=0)
    assert sum(1 for _ in ds) == 6075 // 64
    assert lm1b_lines("test", data_dir=test_data / "lm1b", max_lines=10) == lines[:10]


def test_lm1b_through_load_and_the_environment(test_data, monkeypatch):
    monkeypatch.setenv("GAN_ZOO_DATA", str(test_data))  # finds $GAN_ZOO_DATA/lm1b
    batch = next(iter(datasets.load("lm1b", split="test", batch_size=8, download=False)))
    charmap = Charmap.from_lines(lm1b_lines("test"))
    assert batch.shape == (8, 32, len(charmap))


def test_lm1b_missing_files_say_where_we_looked(tmp_path):
    with pytest.raises(MissingDataError, match="(?s)lm1b.*split 'train'.*data_dir"):
        lm1b_lines("train", data_dir=tmp_path, download=False)
    with pytest.raises(ValueError, match="split"):
        lm1b_lines("validation")


def test_lm1b_feeds_fit_of_a_text_gan(test_data):
    charmap = Charmap.from_lines(lm1b_lines("test", data_dir=test_data / "lm1b"))
    model = FOGAN(
        CharCNNGenerator(charmap, width=8, num_blocks=1, latent_dim=4),
        CharCNNCritic(len(charmap), width=8, num_blocks=1),
        seed=0,
    )
    model.compile()
    data = datasets.load("lm1b", split="test", batch_size=16, data_dir=test_data / "lm1b")
    history = model.fit(data, steps_per_epoch=2, epochs=1, verbose=0).history
    assert np.isfinite(history["d_loss"][-1])
    assert keras.ops.convert_to_numpy(model.generate(2)).shape == (2, 32, len(charmap))


def test_read_lines_drops_the_byte_order_mark(tmp_path):
    (tmp_path / "bom.txt").write_bytes("\ufeffHello\nWorld\n".encode())
    lines = read_lines(tmp_path / "bom.txt")
    assert lines == ["Hello", "World"]
    assert "\ufeff" not in Charmap.from_lines(lines).characters


def test_read_lines_counts_bytes_that_are_not_utf8(tmp_path):
    (tmp_path / "latin1.txt").write_bytes("café crème\n".encode("latin-1"))
    with pytest.warns(UserWarning, match=r"2 byte sequence\(s\) are not UTF-8.*iconv"):
        lines = read_lines(tmp_path / "latin1.txt")
    assert lines == ["caf\ufffd cr\ufffdme"]


def test_read_lines_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing"):
        read_lines(tmp_path / "missing")
    (tmp_path / "blank.txt").write_text("\n  \n")
    with pytest.raises(ValueError, match="No text lines"):
        read_lines(tmp_path)
