"""Tests for `gan_zoo.images` (PNG grids and scatter plots)."""

import numpy as np
import pytest
from PIL import Image

from gan_zoo.images import save_image_grid
from gan_zoo.images import save_scatter


def _load(path):
    return np.asarray(Image.open(path))


def test_grid_size_and_tile_positions(tmp_path):
    # Image i is filled with the value i / 10, so each tile is identifiable.
    images = np.stack([np.full((4, 5, 1), i / 10.0) for i in range(5)])
    path = tmp_path / "a" / "b" / "grid.png"
    assert save_image_grid(images, path, nrow=3, value_range=(0, 1)) == path
    grid = _load(path)
    assert grid.shape == (2 * (4 + 1) + 1, 3 * (5 + 1) + 1)  # grey: 2-D
    for i in range(5):
        top, left = 1 + (i // 3) * 5, 1 + (i % 3) * 6
        tile = grid[top : top + 4, left : left + 5]
        np.testing.assert_array_equal(tile, round(255 * i / 10))
    # Padding lines and the missing sixth tile are white.
    assert np.all(grid[0] == 255) and np.all(grid[:, 0] == 255)
    assert np.all(grid[5] == 255) and np.all(grid[:, 6] == 255)
    assert np.all(grid[6:10, 13:18] == 255)


def test_grid_default_nrow_is_square_root(tmp_path):
    grid = _load(save_image_grid(np.zeros((9, 2, 2, 1)), tmp_path / "g.png"))
    assert grid.shape == (3 * 3 + 1, 3 * 3 + 1)


def test_grid_rgb(tmp_path):
    images = np.zeros((2, 3, 3, 3))
    images[1, ..., 0] = 1.0  # red
    grid = _load(save_image_grid(images, tmp_path / "rgb.png", nrow=2))
    assert grid.shape == (5, 9, 3)
    np.testing.assert_array_equal(grid[2, 2], [128, 128, 128])  # 0 in (-1, 1)
    np.testing.assert_array_equal(grid[2, 6], [255, 128, 128])


def test_grid_value_range_scales_and_clips(tmp_path):
    values = np.array([-2.0, -1.0, 0.0, 0.5, 1.0, 3.0, np.nan]).reshape(1, 1, 7, 1)
    grid = _load(save_image_grid(values, tmp_path / "v.png", value_range=(-1, 1)))
    np.testing.assert_array_equal(grid[1, 1:8], [0, 0, 128, 191, 255, 255, 0])


def test_grid_value_range_none_uses_data_range(tmp_path):
    values = np.array([2.0, 3.0, 4.0]).reshape(1, 1, 3, 1)
    grid = _load(save_image_grid(values, tmp_path / "v.png", value_range=None))
    np.testing.assert_array_equal(grid[1, 1:4], [0, 128, 255])


@pytest.mark.parametrize(
    "shape", [(4, 4, 1), (2, 4, 4, 2), (2, 4, 4, 4), (0, 4, 4, 1), (1, 2, 4, 4, 1)]
)
def test_grid_bad_shapes_raise(tmp_path, shape):
    with pytest.raises(ValueError, match="images.shape"):
        save_image_grid(np.zeros(shape), tmp_path / "x.png")
    assert not (tmp_path / "x.png").exists()


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"nrow": 0}, "nrow"),
        ({"value_range": (1, 1)}, "low < high"),
        ({"value_range": "ab"}, "value_range"),
    ],
)
def test_grid_bad_arguments_raise(tmp_path, kwargs, message):
    with pytest.raises(ValueError, match=message):
        save_image_grid(np.zeros((1, 2, 2, 1)), tmp_path / "x.png", **kwargs)


def _blue(pixels):
    return np.all(pixels == [31, 119, 180], axis=-1)


def _orange(pixels):
    return np.all(pixels == [255, 127, 14], axis=-1)


def test_scatter_dots_at_given_limits(tmp_path):
    # With limits (0, 1, 0, 1) on 101 pixels, (x, y) is at column 100 x and
    # row 100 (1 - y): the y axis points up.
    points = [[0.0, 0.0], [1.0, 1.0], [0.25, 0.75]]
    path = save_scatter(points, tmp_path / "s" / "p.png", size=101, limits=(0, 1, 0, 1))
    pixels = _load(path)
    assert pixels.shape == (101, 101, 3)
    for row, col in [(100, 0), (0, 100), (25, 25)]:
        assert _blue(pixels[row, col]), (row, col)
    assert _blue(pixels).sum() < 3 * 10  # small dots, nothing else drawn
    assert np.all(pixels[50, 50] == 255) and np.all(pixels[75, 75] == 255)


def test_scatter_reference_in_other_colour_behind_points(tmp_path):
    path = save_scatter(
        [[0.5, 0.5]],
        tmp_path / "p.png",
        reference=[[0.5, 0.5], [0.0, 1.0]],
        size=101,
        limits=(0, 1, 0, 1),
    )
    pixels = _load(path)
    assert _blue(pixels[50, 50]) and _orange(pixels[0, 0])
    assert not _orange(pixels[50, 50])


def test_scatter_automatic_limits_contain_all_points(tmp_path):
    points = np.array([[-3.0, 10.0], [5.0, 12.0], [1.0, 11.0]])
    pixels = _load(save_scatter(points, tmp_path / "p.png", size=64))
    assert pixels.shape == (64, 64, 3)
    rows, cols = np.nonzero(_blue(pixels))
    assert rows.min() > 0 and cols.min() > 0
    assert rows.max() < 63 and cols.max() < 63
    # One scale for both axes: the x span 8 is the window, the y span 2 is
    # a quarter of it, centred.
    assert cols.max() - cols.min() > 3 * (rows.max() - rows.min())
    assert abs((rows.max() + rows.min()) / 2 - 31.5) < 3


def test_scatter_skips_points_outside_limits_and_nan(tmp_path):
    points = [[5.0, 5.0], [np.nan, 0.0]]
    path = save_scatter(points, tmp_path / "p.png", size=32, limits=(0, 1, 0, 1))
    pixels = _load(path)
    assert np.all(pixels == 255)


@pytest.mark.parametrize("shape", [(3,), (3, 3), (2, 2, 2)])
def test_scatter_bad_shapes_raise(tmp_path, shape):
    with pytest.raises(ValueError, match=r"points.shape"):
        save_scatter(np.zeros(shape), tmp_path / "p.png")
    with pytest.raises(ValueError, match=r"reference.shape"):
        save_scatter(np.zeros((2, 2)), tmp_path / "p.png", reference=np.zeros(shape))


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"size": 4}, "size"),
        ({"limits": (0, 1, 1, 0)}, "ymin < ymax"),
        ({"limits": (0, 1)}, "limits"),
    ],
)
def test_scatter_bad_arguments_raise(tmp_path, kwargs, message):
    with pytest.raises(ValueError, match=message):
        save_scatter(np.zeros((2, 2)), tmp_path / "p.png", **kwargs)
