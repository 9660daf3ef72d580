"""Any folder of images, through `keras.utils.image_dataset_from_directory`.

Without labels every image under the folder (sub-folders included) is used;
with labels each sub-folder is a class (files directly in the folder are
then ignored, as Keras does), numbered in alphabetical order. Images are
decoded in a parallel file-path pipeline (so memory stays flat), converted
to RGB, centre-cropped to a square (`crop_to_aspect_ratio=True`) and resized
to `image_size`: by default the images' own size when they all share one
(the shorter side), else 64. Every file's header is read first, so that a
file that is not an image is named before training starts. Formats: those
Keras reads (jpeg, png, bmp, gif).
"""

import os
import warnings

import keras
import tensorflow as tf
from PIL import Image

from gan_zoo.datasets import pipeline
from gan_zoo.datasets.sources import CorruptDataError
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
    skip_bad_files=False,
):
    """Batched `tf.data.Dataset` of the images in `directory`.

    Args:
        directory: path of the folder.
        batch_size: int, batch size. Defaults to `64`.
        image_size: int or `None`, height and width of the centre square
            crop after resizing; `None` means the images' own size when
            they all share one (the shorter side), else 64 (with a
            warning).
        value_range: pair `(low, high)`. Defaults to `(-1, 1)`.
        with_labels: bool, yield `(images, labels)`, a class per sub-folder.
            Defaults to `False`.
        shuffle: bool, shuffle the images (file order once, then a
            1,024-image buffer every epoch, as Keras does). Defaults to
            `True`.
        seed: int or `None`, seed of the shuffle order.
        drop_remainder: bool, drop the last partial batch. Defaults to
            `True`.
        skip_bad_files: bool, leave out files that cannot be decoded
            instead of raising `CorruptDataError` (with a warning naming
            them). Defaults to `False`.

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
    how = (
        f"Put images ({_FORMATS}) in it"
        + (", one sub-folder per class (with_labels=True)" if with_labels else "")
        + ", or pass another folder."
    )
    if not os.path.isdir(directory):
        raise MissingDataError(
            f"Dataset 'folder': {directory} is not a folder. {how}"
        )

    def images_of_size(size):
        try:
            return keras.utils.image_dataset_from_directory(
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

    ds = images_of_size(image_size or NATIVE_SIZE)
    sizes, bad = _image_sizes(ds.file_paths)
    if bad:
        listed = ", ".join(bad[:5]) + (f" and {len(bad) - 5} more" if len(bad) > 5 else "")
        if not skip_bad_files:
            raise CorruptDataError(
                f"Dataset 'folder': {len(bad)} file(s) in {directory} are not "
                f"images that can be read: {listed}. Remove or fix them, or "
                "pass skip_bad_files=True to leave them out."
            )
        warnings.warn(f"Dataset 'folder': leaving out unreadable files: {listed}.", stacklevel=2)
    if image_size is None:
        image_size = _common_size(sizes, directory)
        if image_size != NATIVE_SIZE:
            ds = images_of_size(image_size)
    num_images = len(ds.file_paths) - len(bad)
    class_names = ds.class_names
    if bad:
        ds = ds.ignore_errors()
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


def _image_sizes(paths):
    """`(sizes, bad)`: the `(width, height)` of each readable image (from its
    header) and the paths of the files that are not readable images."""
    sizes, bad = [], []
    for path in paths:
        try:
            with Image.open(path) as image:
                sizes.append(image.size)
        except (OSError, SyntaxError, ValueError):
            bad.append(path)
    return sizes, bad


def _common_size(sizes, directory):
    """The side of the centre square of images that share one size, else
    `NATIVE_SIZE` with a warning."""
    distinct = sorted(set(sizes))
    if len(distinct) == 1:
        return min(distinct[0])
    examples = ", ".join(f"{w}x{h}" for w, h in distinct[:3])
    warnings.warn(
        f"Dataset 'folder': the images in {directory} have {len(distinct)} "
        f"different sizes (e.g. {examples}); each is centre-cropped to a "
        f"square and resized to {NATIVE_SIZE}x{NATIVE_SIZE}. Pass image_size= "
        "to choose the size.",
        stacklevel=3,
    )
    return NATIVE_SIZE
