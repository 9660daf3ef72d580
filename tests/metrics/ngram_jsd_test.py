"""n-gram JSD: its bounds, a hand-computed case and its errors."""

import numpy as np
import pytest

from gan_zoo.metrics import ngram_jsd
from gan_zoo.metrics.text import ngram_counts


def test_identical_corpora_give_zero():
    lines = ["the cat sat on the mat", "a dog ."]
    assert ngram_jsd(lines, list(reversed(lines)), n=4) == 0.0


def test_disjoint_corpora_give_one():
    assert ngram_jsd(["aaaaaa"], ["bbbbbb", "cccccc"], n=4) == 1.0


def test_hand_computed_case():
    # unigrams: p = {a: 1/2, b: 1/2}, q = {a: 1/2, c: 1/2}, m = {a: 1/2, b: 1/4, c: 1/4}
    # KL(p||m) = 1/2 log2(1) + 1/2 log2(2) = 1/2 = KL(q||m), so JSD = 1/2.
    assert ngram_jsd(["ab"], ["ac"], n=1) == pytest.approx(0.5, abs=1e-12)
    # bigrams: p = {ab: 1/2, bc: 1/2}, q = {ab: 1}: m = {ab: 3/4, bc: 1/4}
    expected = 0.5 * (0.5 * np.log2(0.5 / 0.75) + 0.5 * np.log2(2.0)) + 0.5 * np.log2(
        1 / 0.75
    )
    assert ngram_jsd(["abc"], ["ab"], n=2) == pytest.approx(expected, abs=1e-12)


def test_ngrams_do_not_cross_lines():
    assert ngram_counts(["ab", "cd"], 2) == {"ab": 1, "cd": 1}


def test_lines_shorter_than_n_are_an_error():
    with pytest.raises(ValueError, match="samples"):
        ngram_jsd(["ab"], ["abcdef"], n=4)
