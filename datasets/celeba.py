"""CelebA aligned faces: JPEGs centre-cropped to a square and resized (64x64).

The canonical files are the folder `img_align_celeba/` of 202,599 aligned
178x218 JPEGs named `000001.jpg`..., plus the optional text files
`list_eval_partition.txt` (`<file> <0|1|2>`: train, validation, test) and
`list_attr_celeba.txt` (a count line, a line of 40 attribute names, then
`<file>` and 40 values in {-1, 1} per line). The JPEGs may also sit directly
in the folder given. Each image is decoded in a parallel `tf.data` map, only
within its centre square (`tf.io.decode_and_crop_jpeg`: 178x178 for the
aligned images), then resized (bilinear, antialiased), so memory stays flat
whatever the number of images.

Splits: with `list_eval_partition.txt`, `"train"` (162,770), `"validation"`
(19,867) and `"test"` (19,962); without it every image found is in
`"train"`. `"all"` is every image. Labels (`with_labels=True`) are the 40
attributes as int32 0/1, read from `list_attr_celeba.txt`.

There is no automatic download: the files are on Google Drive, which serves
a confirmation page instead of large files to scripts.

Reference:
    Liu, Luo, Wang and Tang, 2015, "Deep Learning Face Attributes in the
    Wild", ICCV, https://mmlab.ie.cuhk.edu.hk/projects/CelebA.html
    Licence: non-commercial research and educational use only.
"""

import os

import numpy as np
import tensorflow as tf

from gan_zoo.datasets import pipeline
from gan_zoo.datasets.sources import CorruptDataError
from gan_zoo.datasets.sources import MissingDataError
from gan_zoo.datasets.sources import Source
from gan_zoo.datasets.sources import locate_folder

SPLITS = ("train", "validation", "test", "all")
NUM_EXAMPLES = {"train": 162_770, "validation": 19_867, "test": 19_962, "all": 202_599}
NATIVE_SIZE = 64
NUM_ATTRIBUTES = 40
PARTITION_FILE = "list_eval_partition.txt"
ATTRIBUTE_FILE = "list_attr_celeba.txt"
_PARTITION_CODES = {"train": 0, "validation": 1, "test": 2}

SOURCE = Source(
    dataset="celeba",
    homepage="https://mmlab.ie.cuhk.edu.hk/projects/CelebA.html "
    "(non-commercial research use only)",
    instructions="Download img_align_celeba.zip (1,443,490,838 bytes, "
    "SHA-256 46fb89443c578308acf364d7d379fe1b9efb793042c0af734b6112e4fd3a8c74) "
    f"and optionally {PARTITION_FILE} and {ATTRIBUTE_FILE} from the "
    "homepage's Google Drive, and unzip the images next to those files.",
    subdirs=("img_align_celeba",),
)


def _find_text_file(folder, name):
    for candidate in (folder, os.path.dirname(folder)):
        path = os.path.join(candidate, name)
        if os.path.isfile(path):
            return path
    return None


def _read_partition(path):
    partition = {}
    with open(path) as stream:
        for number, line in enumerate(stream, 1):
            fields = line.split()
            if not fields:
                continue
            if len(fields) != 2 or fields[1] not in ("0", "1", "2"):
                raise CorruptDataError(
                    f"Dataset 'celeba': line {number} of {path} is {line.strip()!r}; "
                    "expected '<file> <0|1|2>'. Replace it with the published file."
                )
            partition[fields[0]] = int(fields[1])
    return partition


def _read_attributes(path):
    with open(path) as stream:
        lines = stream.read().splitlines()
    names = lines[1].split() if len(lines) > 1 else []
    if len(names) != NUM_ATTRIBUTES:
        raise CorruptDataError(
            f"Dataset 'celeba': line 2 of {path} names {len(names)} attributes, "
            f"expected {NUM_ATTRIBUTES}. Replace it with the published file."
        )
    attributes = {}
    for number, line in enumerate(lines[2:], 3):
        fields = line.split()
        if not fields:
            continue
        values = fields[1:]
        if len(values) != NUM_ATTRIBUTES or not set(values) <= {"-1", "1"}:
            raise CorruptDataError(
                f"Dataset 'celeba': line {number} of {path} does not hold a file "
                f"name and {NUM_ATTRIBUTES} values in {{-1, 1}}. Replace it "
                "with the published file."
            )
        attributes[fields[0]] = [v == "1" for v in values]
    return names, attributes


def list_images(split="train", data_dir=None, with_labels=False):
    """The image paths of one split, and their attributes.

    Args:
        split: `"train"`, `"validation"`, `"test"` or `"all"`.
        data_dir: folder with the JPEGs (or `img_align_celeba/`).
        with_labels: whether to read `list_attr_celeba.txt`.

    Returns:
        A tuple `(paths, attributes)`: sorted paths, and int32 0/1
        attributes `(n, 40)` or `None`.

    Raises:
        MissingDataError: no JPEGs, or a needed text file is missing.
        CorruptDataError: a text file is malformed or lacks an image.
    """
    pipeline.check_split("celeba", split, SPLITS)
    folder, names = locate_folder(SOURCE, "*.jpg", data_dir, what=f"split {split!r}")
    if split != "all":
        partition_path = _find_text_file(folder, PARTITION_FILE)
        if partition_path is not None:
            partition = _read_partition(partition_path)
            code = _PARTITION_CODES[split]
            names = [n for n in names if partition.get(n) == code]
        elif split != "train":
            raise MissingDataError(
                f"Dataset 'celeba', split {split!r}: needs {PARTITION_FILE}, "
                f"found neither in {folder} nor in its parent folder. Put the "
                "published file there, or use split='train' or 'all' (every "
                f"image). {SOURCE.instructions}"
            )
    attributes = None
    if with_labels:
        attribute_path = _find_text_file(folder, ATTRIBUTE_FILE)
        if attribute_path is None:
            raise MissingDataError(
                f"Dataset 'celeba': with_labels=True needs {ATTRIBUTE_FILE}, "
                f"found neither in {folder} nor in its parent folder. Put the "
                f"published file there, or use with_labels=False. {SOURCE.instructions}"
            )
        _, table = _read_attributes(attribute_path)
        lacking = [n for n in names if n not in table]
        if lacking:
            raise CorruptDataError(
                f"Dataset 'celeba': {attribute_path} has no attributes for "
                f"{len(lacking)} images (first: {lacking[0]}). Use the "
                "published file for the published images."
            )
        attributes = np.array([table[n] for n in names], dtype="int32")
    return [os.path.join(folder, n) for n in names], attributes


def decode_square(path, image_size):
    """Reads a JPEG, decodes its centre square only, resizes it.

    Returns:
        float32 `(image_size, image_size, 3)` with values 0..255.
    """
    data = tf.io.read_file(path)
    shape = tf.io.extract_jpeg_shape(data)
    side = tf.minimum(shape[0], shape[1])
    window = tf.stack([(shape[0] - side) // 2, (shape[1] - side) // 2, side, side])
    image = tf.io.decode_and_crop_jpeg(data, window, channels=3)
    image = tf.image.resize(
        tf.cast(image, tf.float32),
        (image_size, image_size),
        method="bilinear",
        antialias=True,
    )
    return tf.ensure_shape(image, (image_size, image_size, 3))


def celeba(
    split="train",
    batch_size=64,
    image_size=None,
    value_range=(-1, 1),
    with_labels=False,
    data_dir=None,
    shuffle=True,
    seed=None,
    drop_remainder=True,
    download=True,
):
    """Batched `tf.data.Dataset` of CelebA aligned faces.

    Args:
        split: `"train"`, `"validation"`, `"test"` or `"all"` (see the
            module docstring). Defaults to `"train"`.
        batch_size: int, batch size. Defaults to `64`.
        image_size: int or `None`, height and width of the resized centre
            square; `None` means 64.
        value_range: pair `(low, high)`. Defaults to `(-1, 1)`.
        with_labels: bool, yield `(images, attributes)` with int32 0/1
            attributes `(batch_size, 40)`. Defaults to `False`.
        data_dir: folder holding the JPEGs (or `img_align_celeba/`), searched
            first. Defaults to `None`.
        shuffle: bool, reshuffle the file order every epoch. Defaults to
            `True`.
        seed: int or `None`, seed of the shuffle order.
        drop_remainder: bool, drop the last partial batch. Defaults to
            `True`.
        download: bool, accepted for a uniform signature; CelebA has no
            automatic download.

    Returns:
        A `tf.data.Dataset` of float32 `(batch_size, s, s, 3)` batches.

    Raises:
        ValueError: for an invalid argument.
        MissingDataError: no JPEGs found, or a needed text file is missing.
        CorruptDataError: a malformed text file.
    """
    del download  # No automatic download (see the module docstring).
    low, high = pipeline.check_image_args(batch_size, image_size, value_range)
    size = NATIVE_SIZE if image_size is None else image_size
    paths, attributes = list_images(split, data_dir, with_labels)
    pipeline.check_batch_fits(
        "celeba", f"split {split!r} in {os.path.dirname(paths[0])}", batch_size,
        len(paths), drop_remainder,
    )
    data = (paths, attributes) if with_labels else paths
    ds = tf.data.Dataset.from_tensor_slices(data)
    if shuffle:
        ds = ds.shuffle(len(paths), seed=seed, reshuffle_each_iteration=True)
    scale = (high - low) / 255.0

    def load(path, *labels):
        image = tf.clip_by_value(decode_square(path, size) * scale + low, low, high)
        return (image, *labels) if labels else image

    ds = ds.map(load, num_parallel_calls=tf.data.AUTOTUNE)
    ds = ds.batch(batch_size, drop_remainder=drop_remainder)
    return ds.prefetch(tf.data.AUTOTUNE)
