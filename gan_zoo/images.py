"""PNG grids of generated images.

Pure NumPy and Pillow, so they run on every backend.
`gan_zoo.callbacks.SampleGrid` uses them during `fit`; 2-D points are
plotted by `gan_zoo.plots.scatter_2d`.
"""

import math
import pathlib

import numpy as np
from PIL import Image

from gan_zoo.arguments import check_positive_int
from gan_zoo.arguments import check_value_range

# Grey level of the 1-px lines between grid tiles (white shows tiles apart
# on the dark backgrounds of digit-like data).
_PAD_VALUE = 255


def _as_array(name, x):
    try:
        return np.asarray(x, dtype="float64")
    except (TypeError, ValueError):
        raise ValueError(
            f"`{name}` must be a numeric array. Received: {name}={x!r}"
        ) from None


def _prepare_path(path):
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def save_image_grid(images, path, nrow=None, value_range=(-1, 1)):
    """Writes a batch of images as one tiled PNG grid.

    Pixel values are mapped linearly from `value_range` to 0..255 and
    clipped (NaN becomes `low`):

    ```
    pixel = round(255 * (clip(x, low, high) - low) / (high - low))
    ```

    Tiles fill the grid row by row; a 1-px white line separates them and
    frames the grid, so the PNG is `rows * (H + 1) + 1` pixels high and
    `nrow * (W + 1) + 1` wide. Missing tiles in the last row stay white.

    Args:
        images: array of shape `(N, H, W, C)` with `C` 1 (grey) or 3 (RGB).
        path: str or `pathlib.Path` of the PNG; parent folders are created.
        nrow: int >= 1, images per row. Defaults to `ceil(sqrt(N))`.
        value_range: pair `(low, high)`, the range of the data (`(-1, 1)`
            for a tanh generator, `(0, 1)` for a sigmoid one), or `None` for
            the batch's own minimum and maximum. Defaults to `(-1, 1)`.

    Returns:
        The `pathlib.Path` written.

    Raises:
        ValueError: if `images` is not 4-D with 1 or 3 channels, is empty,
            or `nrow` or `value_range` is invalid.

    Example:

    >>> import numpy as np
    >>> from PIL import Image
    >>> path = save_image_grid(np.zeros((6, 8, 8, 1)), "/tmp/grid.png", nrow=3)
    >>> Image.open(path).size  # (3 * 9 + 1, 2 * 9 + 1)
    (28, 19)
    """
    images = _as_array("images", images)
    if images.ndim != 4 or images.shape[-1] not in (1, 3) or 0 in images.shape:
        raise ValueError(
            "`images` must have shape (num_images, height, width, channels) "
            "with channels 1 or 3 and no empty dimension. "
            f"Received: images.shape={images.shape}"
        )
    n, h, w, c = images.shape
    if nrow is None:
        nrow = math.ceil(math.sqrt(n))
    check_positive_int("nrow", nrow)
    if value_range is None:
        finite = images[np.isfinite(images)]
        low, high = (finite.min(), finite.max()) if finite.size else (0.0, 1.0)
        high = high if high > low else low + 1.0
    else:
        low, high = check_value_range(value_range)
    scaled = (np.clip(np.nan_to_num(images, nan=low), low, high) - low) / (high - low)
    pixels = np.round(255.0 * scaled).astype("uint8")

    nrow = min(int(nrow), n)
    rows = math.ceil(n / nrow)
    grid = np.full((rows * (h + 1) + 1, nrow * (w + 1) + 1, c), _PAD_VALUE, "uint8")
    for i in range(n):
        top, left = 1 + (i // nrow) * (h + 1), 1 + (i % nrow) * (w + 1)
        grid[top : top + h, left : left + w] = pixels[i]
    image = Image.fromarray(grid[..., 0] if c == 1 else grid, "L" if c == 1 else "RGB")
    path = _prepare_path(path)
    image.save(path, format="PNG")
    return path
