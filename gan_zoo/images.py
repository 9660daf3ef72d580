"""PNG writers for generated samples: image grids and 2-D scatter plots.

Pure NumPy and Pillow, so they run on every backend and add no plotting
dependency. `gan_zoo.callbacks.SampleGrid` uses them during `fit`.
"""

import math
import pathlib

import numpy as np
from PIL import Image
from PIL import ImageDraw

from gan_zoo.arguments import check_positive_int
from gan_zoo.arguments import check_value_range

# Grey level of the 1-px lines between grid tiles (white shows tiles apart
# on the dark backgrounds of digit-like data).
_PAD_VALUE = 255
_BACKGROUND = (255, 255, 255)
_POINT_COLOR = (31, 119, 180)  # blue
_REFERENCE_COLOR = (255, 127, 14)  # orange
# Fraction of the data's span added on each side when limits are automatic.
_MARGIN = 0.05


def _as_array(name, x):
    try:
        return np.asarray(x, dtype="float64")
    except (TypeError, ValueError):
        raise ValueError(
            f"`{name}` must be a numeric array. Received: {name}={x!r}"
        ) from None


def _check_points(name, points):
    points = _as_array(name, points)
    if points.ndim != 2 or points.shape[1] != 2:
        raise ValueError(
            f"`{name}` must have shape (num_points, 2). "
            f"Received: {name}.shape={points.shape}"
        )
    return points


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


def _limits_from_data(arrays):
    finite = np.concatenate([a[np.all(np.isfinite(a), axis=1)] for a in arrays])
    if not len(finite):
        return -1.0, 1.0, -1.0, 1.0
    low, high = finite.min(axis=0), finite.max(axis=0)
    center = (low + high) / 2.0
    # One span for both axes, so circles stay circles.
    half = max(float(np.max(high - low)) / 2.0, 1e-6) * (1.0 + 2.0 * _MARGIN)
    return center[0] - half, center[0] + half, center[1] - half, center[1] + half


def save_scatter(points, path, reference=None, size=512, limits=None):
    """Writes 2-D points as a square PNG scatter plot.

    Each point is a dot; `reference` points (e.g. real data) are drawn first
    in orange, `points` on top in blue, on a white background. The y axis
    points up: `(xmin, ymax)` is the top-left pixel's centre and
    `(xmax, ymin)` the bottom-right one's. Points outside the limits and
    non-finite points are not drawn.

    Args:
        points: array of shape `(N, 2)`.
        path: str or `pathlib.Path` of the PNG; parent folders are created.
        reference: optional array of shape `(M, 2)`.
        size: int >= 8, width and height of the PNG in pixels.
            Defaults to `512`.
        limits: `(xmin, xmax, ymin, ymax)`, or `None` to fit all finite
            points (both arrays) in one square window with a 5% margin.
            Defaults to `None`.

    Returns:
        The `pathlib.Path` written.

    Raises:
        ValueError: if `points` or `reference` is not of shape `(num, 2)`,
            or `size` or `limits` is invalid.

    Example:

    >>> from PIL import Image
    >>> path = save_scatter([[0.0, 0.0], [1.0, 1.0]], "/tmp/points.png", size=64)
    >>> Image.open(path).size
    (64, 64)
    """
    points = _check_points("points", points)
    arrays, colors = [points], [_POINT_COLOR]
    if reference is not None:
        arrays.insert(0, _check_points("reference", reference))
        colors.insert(0, _REFERENCE_COLOR)
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 8:
        raise ValueError(f"`size` must be an integer >= 8. Received: size={size!r}")
    if limits is None:
        limits = _limits_from_data(arrays)
    try:
        xmin, xmax, ymin, ymax = (float(v) for v in limits)
    except (TypeError, ValueError):
        raise ValueError(
            "`limits` must be (xmin, xmax, ymin, ymax) or None. "
            f"Received: limits={limits!r}"
        ) from None
    if not (xmin < xmax and ymin < ymax):
        raise ValueError(
            "`limits` must satisfy xmin < xmax and ymin < ymax. "
            f"Received: limits={limits!r}"
        )

    image = Image.new("RGB", (size, size), _BACKGROUND)
    draw = ImageDraw.Draw(image)
    radius = max(1, size // 256)
    for array, color in zip(arrays, colors):
        inside = (
            np.all(np.isfinite(array), axis=1)
            & (array[:, 0] >= xmin)
            & (array[:, 0] <= xmax)
            & (array[:, 1] >= ymin)
            & (array[:, 1] <= ymax)
        )
        array = array[inside]
        px = np.round((array[:, 0] - xmin) / (xmax - xmin) * (size - 1))
        py = np.round((ymax - array[:, 1]) / (ymax - ymin) * (size - 1))
        for x, y in zip(px.tolist(), py.tolist()):
            draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=color)
    path = _prepare_path(path)
    image.save(path, format="PNG")
    return path
