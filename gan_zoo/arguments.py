"""Argument checks shared by builders, loaders and callbacks.

Each raises a `ValueError` that names the argument and echoes the value
received, as Keras does.
"""

import numpy as np


def check_positive_int(argument, value):
    """Raises unless `value` is an integer >= 1 (bools are not integers)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(
            f"`{argument}` must be a positive integer. Received: {argument}={value!r}"
        )


def check_value_range(value_range):
    """`(low, high)` as floats, raising unless `value_range` is a pair with low < high."""
    try:
        low, high = (float(v) for v in value_range)
    except (TypeError, ValueError):
        raise ValueError(
            "`value_range` must be a pair (low, high) of numbers. "
            f"Received: value_range={value_range!r}"
        ) from None
    if not low < high:
        raise ValueError(
            "`value_range` must satisfy low < high. "
            f"Received: value_range={value_range!r}"
        )
    return low, high
