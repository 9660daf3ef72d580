"""Reads the tensors of a PyTorch checkpoint (`.pth`) without torch, safely.

`read_state_dict(path)` returns `{name: numpy array}` from a file written
by `torch.save(state_dict)`, in either of torch's formats:

- the zip format (torch >= 1.6): `<archive>/data.pkl` plus one entry
  `<archive>/data/<key>` of raw little-endian bytes per storage;
- the legacy format (older torch, e.g. the 2019 FID Inception weights): a
  stream of pickles (magic number, protocol, system info, the object, the
  storage keys) followed by each storage as an 8-byte element count and
  its raw bytes.

The pickle is read by an unpickler that knows exactly the globals a state
dict needs (`collections.OrderedDict`, `torch._utils._rebuild_tensor_v2`,
`torch._utils._rebuild_parameter` and the typed storages such as
`torch.FloatStorage`) and refuses every other one, so a checkpoint can
never run code: `pickle.UnpicklingError` names the refused global.
"""

import collections
import io
import pickle
import struct
import typing
import zipfile

import numpy as np

LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
STORAGE_DTYPES = {
    "DoubleStorage": "<f8",
    "FloatStorage": "<f4",
    "HalfStorage": "<f2",
    "LongStorage": "<i8",
    "IntStorage": "<i4",
    "ShortStorage": "<i2",
    "CharStorage": "i1",
    "ByteStorage": "u1",
    "BoolStorage": "?",
}


class _StorageType:
    def __init__(self, name):
        self.dtype = np.dtype(STORAGE_DTYPES[name])


class _StorageRef(typing.NamedTuple):
    key: str
    dtype: np.dtype
    view: tuple  # legacy views: (offset, size) into the storage, or ()


class _TensorRef(typing.NamedTuple):
    storage: _StorageRef
    offset: int
    size: tuple
    stride: tuple


def _rebuild_tensor(storage, offset, size, stride, *unused):
    """`torch._utils._rebuild_tensor_v2`, deferred: the bytes come later."""
    return _TensorRef(storage, offset, tuple(size), tuple(stride))


def _rebuild_parameter(data, *unused):
    return data


class _StateDictUnpickler(pickle.Unpickler):
    """Unpickles tensors, storages and ordered dicts; refuses anything else."""

    def find_class(self, module, name):
        if (module, name) == ("collections", "OrderedDict"):
            return collections.OrderedDict
        if (module, name) == ("torch._utils", "_rebuild_tensor_v2"):
            return _rebuild_tensor
        if (module, name) == ("torch._utils", "_rebuild_parameter"):
            return _rebuild_parameter
        if module == "torch" and name in STORAGE_DTYPES:
            return _StorageType(name)
        raise pickle.UnpicklingError(
            f"Refusing to load the global {module}.{name}: a checkpoint of "
            "tensors needs none (it could run code)."
        )

    def persistent_load(self, saved_id):
        if not (isinstance(saved_id, tuple) and saved_id and saved_id[0] == "storage"):
            raise pickle.UnpicklingError(f"Unknown persistent id {saved_id!r}.")
        storage_type = saved_id[1]
        if not isinstance(storage_type, _StorageType):
            raise pickle.UnpicklingError(f"Not a storage type: {storage_type!r}.")
        view = saved_id[5] if len(saved_id) > 5 and saved_id[5] is not None else ()
        return _StorageRef(str(saved_id[2]), storage_type.dtype, tuple(view[1:]))


def _array(tensor, storages):
    """The NumPy array of a `_TensorRef`, copied out of its storage's bytes."""
    ref = tensor.storage
    storage = np.frombuffer(storages[ref.key], dtype=ref.dtype)
    if ref.view:
        offset, size = ref.view
        storage = storage[offset : offset + size]
    itemsize = ref.dtype.itemsize
    needed = tensor.offset + sum((n - 1) * s for n, s in zip(tensor.size, tensor.stride)) + 1
    if min(tensor.size, default=1) > 0 and needed > len(storage):
        raise ValueError("A tensor reaches past the end of its storage.")
    view = np.lib.stride_tricks.as_strided(
        storage[tensor.offset :],
        shape=tensor.size,
        strides=tuple(s * itemsize for s in tensor.stride),
        writeable=False,
    )
    return np.array(view)


def _read_zip(path):
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        pickles = [n for n in names if n.endswith("data.pkl")]
        if len(pickles) != 1:
            raise ValueError(f"{path}: not a torch checkpoint (no single data.pkl).")
        root = pickles[0][: -len("data.pkl")]
        if root + "byteorder" in names and archive.read(root + "byteorder") != b"little":
            raise ValueError(f"{path}: big-endian checkpoints are not supported.")
        state = _StateDictUnpickler(io.BytesIO(archive.read(pickles[0]))).load()
        keys = {t.storage.key for t in _tensors(state)}
        storages = {key: archive.read(f"{root}data/{key}") for key in keys}
    return state, storages


def _read_legacy(path):
    with open(path, "rb") as stream:
        magic, _, system = (_StateDictUnpickler(stream).load() for _ in range(3))
        if magic != LEGACY_MAGIC:
            raise ValueError(f"{path}: not a torch checkpoint (bad magic number).")
        if not system.get("little_endian", True):
            raise ValueError(f"{path}: big-endian checkpoints are not supported.")
        state = _StateDictUnpickler(stream).load()
        dtypes = {t.storage.key: t.storage.dtype for t in _tensors(state)}
        storages = {}
        for key in _StateDictUnpickler(stream).load():
            (count,) = struct.unpack("<q", stream.read(8))
            size = count * dtypes.get(str(key), np.dtype("u1")).itemsize
            storages[str(key)] = stream.read(size)
            if len(storages[str(key)]) != size:
                raise ValueError(f"{path}: the file ends inside a tensor (truncated).")
    return state, storages


def _tensors(state):
    if not isinstance(state, dict):
        raise ValueError(f"The checkpoint holds a {type(state).__name__}, not a state dict.")
    return [v for v in state.values() if isinstance(v, _TensorRef)]


def read_state_dict(path):
    """`{name: numpy array}` of a `torch.save`d state dict, read without torch.

    Args:
        path: the `.pth` file (zip or legacy format).

    Returns:
        A dict of NumPy arrays (entries that are not tensors are dropped).

    Raises:
        pickle.UnpicklingError: when the pickle names anything but tensors,
            storages and ordered dicts.
        ValueError: when the file is not a complete torch state dict.
    """
    try:
        read = _read_zip if zipfile.is_zipfile(path) else _read_legacy
        state, storages = read(path)
    except (EOFError, KeyError, struct.error, zipfile.BadZipFile) as error:
        raise ValueError(f"{path}: not a complete torch checkpoint ({error}).") from error
    return {name: _array(t, storages) for name, t in state.items() if isinstance(t, _TensorRef)}
