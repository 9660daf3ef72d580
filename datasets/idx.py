"""Reader of the IDX format of MNIST and Fashion-MNIST (`.gz` or plain).

An IDX file is a 4-byte magic number, `0x00 0x00 <type> <ndim>`, then `ndim`
big-endian uint32 sizes, then the values in row-major order. Both datasets
use unsigned bytes (type `0x08`): images have magic `0x00000803` (3 dims:
count, rows, columns) and labels `0x00000801` (1 dim: count).

Reference:
    LeCun, Cortes and Burges, "The MNIST database of handwritten digits",
    section "File formats for the MNIST database",
    http://yann.lecun.com/exdb/mnist/
"""

import numpy as np

from gan_zoo.datasets.sources import CorruptDataError
from gan_zoo.datasets.sources import check_sha256
from gan_zoo.datasets.sources import read_bytes

IMAGES_MAGIC = 0x00000803
LABELS_MAGIC = 0x00000801


def parse_idx(data, magic, path, dataset):
    """Parses IDX bytes of unsigned bytes into a uint8 array.

    Args:
        data: the (decompressed) bytes of the file.
        magic: the expected magic number (`IMAGES_MAGIC` or `LABELS_MAGIC`).
        path: the file, for error messages.
        dataset: the dataset's name, for error messages.

    Returns:
        A uint8 NumPy array with the file's shape.

    Raises:
        CorruptDataError: on a wrong magic number, or a size that does not
            match the header.
    """
    ndim = magic & 0xFF
    header = 4 + 4 * ndim
    found = int.from_bytes(data[:4], "big") if len(data) >= 4 else None
    if found != magic:
        shown = "none (the file is shorter than 4 bytes)" if found is None else f"0x{found:08x}"
        kind = "images" if magic == IMAGES_MAGIC else "labels"
        raise CorruptDataError(
            f"Dataset '{dataset}': {path} is not an IDX {kind} file: wrong "
            f"magic number {shown}, expected 0x{magic:08x}. Check that the "
            "file is the published one and that images and labels are not "
            "swapped."
        )
    shape = tuple(int(d) for d in np.frombuffer(data[4:header], ">u4"))
    expected = header + int(np.prod(shape))
    if len(shape) != ndim or len(data) != expected:
        raise CorruptDataError(
            f"Dataset '{dataset}': {path} is truncated or padded: its header "
            f"says shape {shape} ({expected} bytes), but the file has "
            f"{len(data)} bytes. Replace it with the published file."
        )
    return np.frombuffer(data, np.uint8, offset=header).reshape(shape)


def read_idx(path, magic, dataset, sha256=None):
    """Reads one IDX file, checking the SHA-256 of its decompressed bytes.

    Args:
        path: the `.gz` or plain IDX file.
        magic: the expected magic number.
        dataset: the dataset's name, for error messages.
        sha256: hex SHA-256 of the decompressed bytes, or `None`.

    Returns:
        A uint8 NumPy array.

    Raises:
        CorruptDataError: for a truncated gzip stream, a wrong magic number,
            a size mismatch or a checksum mismatch.
    """
    data = read_bytes(path, dataset)
    array = parse_idx(data, magic, path, dataset)
    check_sha256(dataset, path, data, sha256, what="decompressed bytes")
    return array
