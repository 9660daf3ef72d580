"""Any folder of images, through `keras.utils.image_dataset_from_directory`.

Without labels every image under the folder (sub-folders included) is used;
with labels each sub-folder is a class (files directly in the folder are
then ignored, as Keras does), numbered in alphabetical order. Images are
decoded in a parallel file-path pipeline (so memory stays flat), converted
to RGB, centre-cropped to a square (`crop_to_aspect_ratio=True`) and resized
to `image_size` (64 when `None`). Formats: those Keras reads (jpeg, png, bmp,
gif).
"""

import os

import keras
import tensorflow as tf

from gan_zoo.datasets import pipeline
from gan_zoo.datasets.sources import MissingDataError

NATIVE_SIZE = 64
_FORMATS = ".jpeg, .jpg, .png, .bmp, .gif"


def folder(
    directory,
    batch_size=64,
    image_size=None,
    value_range=(-1, 1),
    with_labels=False,
    shuffle=True,
    seed=None,
    drop_remainder=True,
):
    """Batched `tf.data.Dataset` of the images in `directory`.

    Args:
        directory: path of the folder.
        batch_size: int, batch size. Defaults to `64`.
        image_size: int or `None`, height and width of the centre square
            crop after resizing; `None` means 64.
        value_range: pair `(low, high)`. Defaults to `(-1, 1)`.
        with_labels: bool, yield `(images, labels)`, a class per sub-folder.
            Defaults to `False`.
        shuffle: bool, shuffle the images (file order once, then a
            1,024-image buffer every epoch, as Keras does). Defaults to
            `True`.
        seed: int or `None`, seed of the shuffle order.
        drop_remainder: bool, drop the last partial batch. Defaults to
            `True`.

    Returns:
        A `tf.data.Dataset` of float32 `(batch_size, s, s, 3)` batches (with
        int32 labels when `with_labels`). Its `class_names` attribute lists
        the sub-folders when `with_labels`.

    Raises:
        ValueError: for an invalid argument.
        MissingDataError: if `directory` does not exist or holds no images.
    """
    low, high = pipeline.check_image_args(batch_size, image_size, value_range)
    if directory is None:
        raise ValueError(
            "Dataset 'folder' needs the folder of images: pass it as "
            "`data_dir=` (to `load`) or `directory=` (on the command line: "
            "--data-dir DIR). Received: None"
        )
    directory = os.fspath(directory)
    size = NATIVE_SIZE if image_size is None else image_size
    how = (
        f"Put images ({_FORMATS}) in it"
        + (", one sub-folder per class (with_labels=True)" if with_labels else "")
        + ", or pass another folder."
    )
    if not os.path.isdir(directory):
        raise MissingDataError(
            f"Dataset 'folder': {directory} is not a folder. {how}"
        )
    try:
        ds = keras.utils.image_dataset_from_directory(
            directory,
            labels="inferred" if with_labels else None,
            label_mode="int" if with_labels else None,
            color_mode="rgb",
            batch_size=None,
            image_size=(size, size),
            shuffle=shuffle,
            seed=seed,
            interpolation="bilinear",
            crop_to_aspect_ratio=True,
            data_format="channels_last",
            verbose=False,
        )
    except ValueError as error:
        if "No images found" not in str(error):
            raise
        where = "in its sub-folders" if with_labels else "in it or its sub-folders"
        raise MissingDataError(
            f"Dataset 'folder': found no images {where}: {directory}. {how}"
        ) from error
    num_images = len(ds.file_paths)
    class_names = ds.class_names
    pipeline.check_batch_fits(
        "folder", directory, batch_size, num_images, drop_remainder
    )
    ds = ds.batch(batch_size, drop_remainder=drop_remainder)

    def scale(images, *labels):
        images = pipeline.to_float(images, None, low, high)
        images = tf.clip_by_value(images, low, high)
        if labels:
            return images, tf.cast(labels[0], tf.int32)
        return images

    ds = ds.map(scale, num_parallel_calls=tf.data.AUTOTUNE)
    ds = ds.prefetch(tf.data.AUTOTUNE)
    ds.class_names = class_names
    return ds
