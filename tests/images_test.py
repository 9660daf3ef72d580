"""Tests for `gan_zoo.images` (PNG grids)."""

import numpy as np
import pytest
from PIL import Image

from gan_zoo.images import save_image_grid


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
