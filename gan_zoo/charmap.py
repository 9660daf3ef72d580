"""`Charmap`: the characters of the character-level text GANs, as indices.

Pure Python and NumPy, so that a model holding a charmap
(`CharCNNGenerator`) builds and decodes its samples without TensorFlow on
the JAX and torch backends; the `tf.data` pipeline that feeds `fit` is
`gan_zoo.datasets.text`, which re-exports everything here.

Text is compared in Unicode normal form NFC (composed characters): "é" may
be written as one code point (U+00E9) or as "e" plus a combining acute
accent (U+0301), and both must be one character of the charmap, one
position of the sequence and one n-gram symbol. Every line is normalised
before it is cut to length, counted or encoded.
"""

import collections
import unicodedata

import numpy as np

from gan_zoo.arguments import check_positive_int

SEQUENCE_LENGTH = 32
MAX_CHARMAP_SIZE = 2048  # the unknown token + at most 2,047 characters
PAD = "`"
UNKNOWN = "\ufffd"
NORMALIZATION = "NFC"


def normalize(line):
    """`line` in Unicode normal form NFC: "e" + U+0301 becomes "é" (U+00E9).

    >>> normalize("e\\u0301") == "\\u00e9"
    True
    """
    return unicodedata.normalize(NORMALIZATION, line)


def fit_line(line, sequence_length, pad=PAD):
    """`line` normalised, then cut or padded with `pad` to `sequence_length`.

    >>> fit_line("caf" + "e\\u0301" + " au lait", 6)
    'café a'
    """
    return normalize(line)[:sequence_length].ljust(sequence_length, pad)


class Charmap:
    """Maps characters to indices: 0 is the unknown token, then `characters`.

    Save it with the model: `CharCNNGenerator` keeps it in its config, so a
    `.keras` file decodes its own samples. Lines are normalised to NFC
    before they are counted or encoded (see the module docstring).

    Args:
        characters: sequence of distinct one-character strings (most
            frequent first, as `from_lines` orders them).
        pad: the character lines are padded with; must be in `characters`.

    Example:

    >>> charmap = Charmap.from_lines(["caf\\u00e9", "cafe\\u0301"], sequence_length=4)
    >>> charmap.encode(["caf\\u00e9"]).tolist() == charmap.encode(["cafe\\u0301"]).tolist()
    True
    >>> charmap.decode(charmap.encode(["cafe\\u0301"])) == ["caf\\u00e9"]
    True
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

        Characters are counted in the lines as the model sees them
        (normalised to NFC, truncated and padded to `sequence_length`);
        ties are broken by the character, so the same lines always give the
        same charmap.
        """
        check_positive_int("sequence_length", sequence_length)
        if not 2 <= size <= MAX_CHARMAP_SIZE:
            raise ValueError(
                f"`size` must be between 2 and {MAX_CHARMAP_SIZE}. Received: {size}"
            )
        counts = collections.Counter()
        for line in lines:
            counts.update(fit_line(line, sequence_length, pad))
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
                [self.index.get(c, 0) for c in fit_line(line, sequence_length, self.pad)]
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
