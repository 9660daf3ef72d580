"""The charmap without TensorFlow: Unicode normalisation and its examples."""

import doctest

import pytest

from gan_zoo import charmap as charmap_module
from gan_zoo.charmap import PAD, Charmap, fit_line, normalize

COMPOSED = "caf\u00e9 cr\u00e8me"  # é, è as one code point each
DECOMPOSED = "cafe\u0301 cre\u0300me"  # e + U+0301, e + U+0300


def test_docstring_examples():
    result = doctest.testmod(charmap_module)
    assert result.attempted > 0 and result.failed == 0


def test_composed_and_decomposed_accents_are_one_character():
    assert COMPOSED != DECOMPOSED and normalize(DECOMPOSED) == COMPOSED
    charmap = Charmap.from_lines([DECOMPOSED], sequence_length=16)
    assert "\u00e9" in charmap.characters and "\u0301" not in charmap.characters
    assert charmap == Charmap.from_lines([COMPOSED], sequence_length=16)
    encoded = charmap.encode([COMPOSED, DECOMPOSED], sequence_length=16)
    assert encoded[0].tolist() == encoded[1].tolist() and 0 not in encoded
    assert charmap.decode(encoded) == [COMPOSED, COMPOSED]


@pytest.mark.parametrize("line", [COMPOSED, DECOMPOSED])
def test_lines_are_normalised_before_they_are_cut(line):
    # Cut first, "cafe" + U+0301 would lose its accent at length 4.
    assert fit_line(line, 4) == "caf\u00e9"
    assert fit_line(line, 12) == COMPOSED + PAD * 2
