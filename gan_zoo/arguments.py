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


def check_feature_shape(input_shape, layer, what="feature"):
    """The last dimension of a `(batch, dim)` input shape, raising otherwise.

    Args:
        input_shape: the shape a layer is built or called with.
        layer: the layer's name, for the message.
        what: what the rows are (`"feature"`, `"embedding"`).
    """
    if len(input_shape) != 2:
        raise ValueError(
            f"{layer} takes {what} vectors of shape (batch, dim), rank 2. Received: "
            f"input_shape={tuple(input_shape)}. Flatten them first (e.g. with "
            "keras.layers.Flatten())."
        )
    if input_shape[-1] is None:
        raise ValueError(
            f"{layer} needs a known {what} dimension to build its weights. "
            f"Received: input_shape={tuple(input_shape)}."
        )
    return int(input_shape[-1])
