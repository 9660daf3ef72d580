"""Any folder of images, via `keras.utils.image_dataset_from_directory`."""

import numpy as np
import pytest
from PIL import Image

from gan_zoo import datasets
from gan_zoo.datasets import CorruptDataError
from gan_zoo.datasets import MissingDataError


def banded(width=60, height=20):
    """Red, green and blue vertical thirds: the centre square is green."""
    pixels = np.zeros((height, width, 3), np.uint8)
    third = width // 3
    pixels[:, :third, 0] = 255
    pixels[:, third : 2 * third, 1] = 255
    pixels[:, 2 * third :, 2] = 255
    return pixels


@pytest.fixture
def images(tmp_path):
    root = tmp_path / "images"
    for cls, count in [("cats", 3), ("dogs", 5)]:
        (root / cls).mkdir(parents=True)
        for i in range(count):
            Image.fromarray(banded()).save(root / cls / f"{i}.png")
    Image.fromarray(np.full((30, 30), 128, np.uint8)).save(root / "grey.png")
    return root


def test_every_image_below_the_folder_is_served_as_rgb(images):
    ds = datasets.load("folder", batch_size=1, image_size=8, data_dir=images)
    batches = [b.numpy() for b in ds]
    assert len(batches) == 9  # 8 in class folders + 1 at the top.
    assert all(b.shape == (1, 8, 8, 3) and b.dtype == np.float32 for b in batches)


def test_images_are_centre_cropped_to_a_square(images):
    ds = datasets.folder(images / "cats", batch_size=3, image_size=16, value_range=(0, 1))
    batch = next(iter(ds)).numpy()
    np.testing.assert_allclose(batch[..., 1], 1.0, atol=1e-5)
    np.testing.assert_allclose(batch[..., [0, 2]], 0.0, atol=1e-5)


def test_subfolders_are_classes_with_labels(images):
    ds = datasets.load(
        "folder", batch_size=8, image_size=8, with_labels=True, data_dir=images, seed=0
    )
    assert ds.class_names == ["cats", "dogs"]
    batch, labels = next(iter(ds))
    assert tuple(batch.shape) == (8, 8, 8, 3)
    assert labels.dtype.name == "int32"
    assert sorted(labels.numpy().tolist()) == [0, 0, 0, 1, 1, 1, 1, 1]


def test_default_size_is_64_and_values_in_range(images):
    with pytest.warns(UserWarning, match="different sizes"):
        batch = next(iter(datasets.folder(images, batch_size=4, seed=1))).numpy()
    assert batch.shape == (4, 64, 64, 3)
    assert batch.min() >= -1.0 and batch.max() <= 1.0


def test_images_of_one_size_keep_it(tmp_path):
    root = tmp_path / "small"
    root.mkdir()
    for i in range(4):
        Image.fromarray(np.full((32, 32, 3), 40 * i, np.uint8)).save(root / f"{i}.jpg")
    batch = next(iter(datasets.load("folder", batch_size=4, data_dir=root))).numpy()
    assert batch.shape == (4, 32, 32, 3)


def test_images_of_several_sizes_are_resized_to_64_with_a_warning(images):
    with pytest.warns(UserWarning, match="2 different sizes.*resized to 64x64"):
        ds = datasets.folder(images, batch_size=4, seed=1)
    assert next(iter(ds)).shape == (4, 64, 64, 3)


def test_a_file_that_is_not_an_image_is_named_before_training(images):
    (images / "cats" / "notes.jpg").write_text("not a picture")
    with pytest.raises(CorruptDataError, match="notes.jpg.*skip_bad_files=True"):
        datasets.load("folder", batch_size=2, image_size=8, data_dir=images)
    with pytest.warns(UserWarning, match="leaving out unreadable files: .*notes.jpg"):
        ds = datasets.folder(images, batch_size=1, image_size=8, skip_bad_files=True)
    assert sum(1 for _ in ds) == 9  # the 9 images, the bad file left out


def test_empty_folder_is_a_clear_error(tmp_path):
    (tmp_path / "empty" / "sub").mkdir(parents=True)
    with pytest.raises(MissingDataError) as error:
        datasets.load("folder", data_dir=tmp_path / "empty")
    message = str(error.value)
    assert (
        "Dataset 'folder': found no images in it or its sub-folders: "
        f"{tmp_path / 'empty'}"
    ) in message
    assert ".png" in message


def test_missing_folder_and_no_folder_are_clear_errors(tmp_path):
    with pytest.raises(MissingDataError, match=f"{tmp_path / 'nope'} is not a folder"):
        datasets.load("folder", data_dir=tmp_path / "nope")
    with pytest.raises(ValueError, match="needs the folder of images: pass it as `data_dir=`"):
        datasets.load("folder")


def test_batch_larger_than_the_folder_is_refused(images):
    with pytest.raises(ValueError, match=r"\(.*cats: 3\).*batch_size=4"):
        datasets.folder(images / "cats", batch_size=4)
