"""n-gram Jensen-Shannon divergence between two corpora of text lines."""

import collections

import numpy as np

from gan_zoo.arguments import check_positive_int


def ngram_counts(lines, n):
    """Counts of the character n-grams inside each line (none across lines)."""
    check_positive_int("n", n)
    counts = collections.Counter()
    for line in lines:
        counts.update(line[i : i + n] for i in range(len(line) - n + 1))
    return counts


def ngram_jsd(samples, reference, n=4):
    """Jensen-Shannon divergence (base 2) of the character n-gram distributions.

    With `p`, `q` the n-gram frequencies of `samples` and `reference` over
    the union of their n-grams and `m = (p + q) / 2`:
    ```
    JSD(p, q) = 0.5 * KL(p || m) + 0.5 * KL(q || m),   KL in bits
    ```
    0 for identical distributions, 1 for disjoint ones. The protocol of
    Gulrajani et al. 2017 and Seward et al. 2018 (n = 4 and 6 on 6,400
    argmax-decoded samples; https://arxiv.org/abs/1802.04591, section 5).

    Args:
        samples: iterable of strings (e.g. `model.generate_text(6400)`).
        reference: iterable of strings (e.g. corpus lines, truncated to the
            model's sequence length).
        n: int, n-gram length. Defaults to `4`.

    Returns:
        A float in [0, 1].

    Raises:
        ValueError: if either side has no n-gram (all lines shorter than n).

    >>> ngram_jsd(["abcd"], ["abcd"], n=2)
    0.0
    >>> ngram_jsd(["aaaa"], ["bbbb"], n=2)
    1.0
    """
    p_counts, q_counts = ngram_counts(samples, n), ngram_counts(reference, n)
    for name, counts in (("samples", p_counts), ("reference", q_counts)):
        if not counts:
            raise ValueError(f"`{name}` holds no {n}-gram: its lines are shorter than {n}.")
    grams = list(p_counts.keys() | q_counts.keys())
    p = np.array([p_counts[g] for g in grams], "float64")
    q = np.array([q_counts[g] for g in grams], "float64")
    p, q = p / p.sum(), q / q.sum()
    m = 0.5 * (p + q)

    def kl(a):
        present = a > 0
        return np.sum(a[present] * np.log2(a[present] / m[present]))

    return float(min(max(0.5 * kl(p) + 0.5 * kl(q), 0.0), 1.0))
