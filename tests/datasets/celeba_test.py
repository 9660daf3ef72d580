"""CelebA on the 32 shared aligned crops, plus partition/attribute files."""

import numpy as np
import pytest
import tensorflow as tf

from gan_zoo import datasets
from gan_zoo.datasets import CorruptDataError
from gan_zoo.datasets import MissingDataError

NAMES = [f"{i:06d}.jpg" for i in range(1, 13)]
PARTITION = {n: (0 if i < 6 else 1 if i < 9 else 2) for i, n in enumerate(NAMES)}


def attributes_of(index):
    return [(index + k) % 3 == 0 for k in range(40)]


@pytest.fixture
def layout(test_data, tmp_path):
    """The published layout: `celeba/img_align_celeba/*.jpg` and the text files."""
    root = tmp_path / "root"
    images = root / "celeba" / "img_align_celeba"
    images.mkdir(parents=True)
    for name in NAMES:
        (images / name).symlink_to(test_data / "celeba" / name)
    lines = [f"{n} {PARTITION[n]}" for n in NAMES]
    (root / "celeba" / "list_eval_partition.txt").write_text("\n".join(lines) + "\n")
    header = " ".join(f"Attribute_{k}" for k in range(40))
    rows = [
        f"{n} " + " ".join("1" if v else "-1" for v in attributes_of(i))
        for i, n in enumerate(NAMES)
    ]
    (root / "celeba" / "list_attr_celeba.txt").write_text(
        "\n".join([str(len(NAMES)), header] + rows) + "\n"
    )
    return root


def test_shared_crops_give_64x64_batches_in_range(test_data):
    ds = datasets.load("celeba", batch_size=8, data_dir=test_data / "celeba", seed=0)
    batches = [b.numpy() for b in ds]
    assert len(batches) == 32 // 8
    for batch in batches:
        assert batch.shape == (8, 64, 64, 3) and batch.dtype == np.float32
        assert batch.min() >= -1.0 and batch.max() <= 1.0
    assert batches[0].std() > 0.1  # Faces, not a constant.


def test_image_is_the_resized_centre_square(test_data):
    path = str(test_data / "celeba" / "000001.jpg")
    full = tf.io.decode_jpeg(tf.io.read_file(path)).numpy()
    assert full.shape == (218, 178, 3)
    square = full[20:198].astype("float32")  # Rows (218 - 178) / 2 = 20 on.
    expected = tf.image.resize(square, (32, 32), antialias=True).numpy()
    ds = datasets.celeba(
        batch_size=1, image_size=32, value_range=(0, 255),
        data_dir=test_data / "celeba", shuffle=False,
    )
    np.testing.assert_allclose(next(iter(ds)).numpy()[0], expected, atol=1e-3)


def test_found_under_gan_zoo_data(test_data, monkeypatch):
    monkeypatch.setenv("GAN_ZOO_DATA", str(test_data))
    ds = datasets.load("celeba", batch_size=32, image_size=16)
    assert tuple(next(iter(ds)).shape) == (32, 16, 16, 3)


@pytest.mark.parametrize(
    "split, expected", [("train", 6), ("validation", 3), ("test", 3), ("all", 12)]
)
def test_partition_file_selects_the_split(layout, split, expected):
    ds = datasets.celeba(split, batch_size=1, image_size=8, data_dir=layout)
    assert int(ds.cardinality()) == expected


def test_attributes_are_the_labels(layout):
    ds = datasets.celeba(
        "validation", batch_size=3, image_size=8, with_labels=True,
        data_dir=layout, shuffle=False,
    )
    images, labels = next(iter(ds))
    assert tuple(images.shape) == (3, 8, 8, 3)
    assert labels.dtype == tf.int32
    np.testing.assert_array_equal(
        labels.numpy(), np.array([attributes_of(i) for i in (6, 7, 8)], dtype="int32")
    )


def test_without_partition_file_train_is_every_image(test_data):
    ds = datasets.celeba("train", batch_size=1, image_size=8, data_dir=test_data / "celeba")
    assert int(ds.cardinality()) == 32
    with pytest.raises(MissingDataError, match="split 'test': needs list_eval_partition.txt"):
        datasets.celeba("test", data_dir=test_data / "celeba")


def test_labels_need_the_attribute_file(test_data):
    with pytest.raises(MissingDataError, match="with_labels=True needs list_attr_celeba.txt"):
        datasets.celeba(with_labels=True, data_dir=test_data / "celeba")


def test_attribute_file_must_cover_every_image(layout):
    path = layout / "celeba" / "list_attr_celeba.txt"
    path.write_text("\n".join(path.read_text().splitlines()[:-1]) + "\n")
    with pytest.raises(CorruptDataError, match="no attributes for 1 images .first: 000012.jpg"):
        datasets.celeba("test", batch_size=1, with_labels=True, data_dir=layout)


@pytest.mark.parametrize(
    "file, text, problem",
    [
        ("list_eval_partition.txt", "000001.jpg 7\n", "line 1 of .* is '000001.jpg 7'"),
        ("list_attr_celeba.txt", "1\nA B\n", "names 2 attributes, expected 40"),
        ("list_attr_celeba.txt", "1\n" + " ".join("x" * 40) + "\n000001.jpg 1\n",
         "line 3 of .* does not hold a file name and 40 values"),
    ],
)
def test_malformed_text_files_are_refused(layout, file, text, problem):
    (layout / "celeba" / file).write_text(text)
    with pytest.raises(CorruptDataError, match=problem):
        datasets.celeba("train", batch_size=1, with_labels=True, data_dir=layout)


def test_empty_folder_lists_places_and_how_to_get_the_files(tmp_path):
    with pytest.raises(MissingDataError) as error:
        datasets.load("celeba", data_dir=tmp_path)
    message = str(error.value)
    assert message.startswith("Dataset 'celeba', split 'train': found no *.jpg files.")
    assert f"data_dir {tmp_path}: no *.jpg files" in message
    assert f"data_dir {tmp_path / 'img_align_celeba'}: no such folder" in message
    assert "$GAN_ZOO_DATA: not set" in message and "Keras cache" in message
    assert "img_align_celeba.zip" in message and "46fb8944" in message


def test_batch_larger_than_the_split_is_refused(test_data):
    with pytest.raises(ValueError, match=r"\(split 'train' in .*: 32\).*batch_size=64"):
        datasets.celeba(data_dir=test_data / "celeba")
