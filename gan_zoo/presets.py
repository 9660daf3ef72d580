"""Presets: a trained GAN as a folder of files, loaded by name, path or URL.

As in KerasHub, a preset is a directory holding
- `config.json`: `keras.saving.serialize_keras_object(model)`, the whole GAN
  with both players (no compile config: a preset holds no optimiser);
- `model.weights.h5`: `model.save_weights` of both players (no optimiser
  state; `model.save("x.keras")` is the checkpoint that resumes training);
- `metadata.json`: the class, gan_zoo, Keras and backend versions, the number
  of parameters and the date, plus what the producer passes (dataset, recipe,
  training steps, measured metrics).

`GAN.from_preset(preset)` takes a local directory, a `file://` URL, an
`http(s)://` or `file://` URL of a `.tar.gz`/`.tgz`/`.tar`/`.zip` archive
holding the three files (at its top level or in one sub-folder), a Hugging
Face Hub handle `hf://owner/repo[@revision]` (through `huggingface_hub`,
imported only then, and its cache; `HF_HUB_OFFLINE=1` reads the cache
alone), or a registered name. Archives are downloaded and unpacked, atomically, into the
Keras cache, `$KERAS_HOME/presets/` (see `gan_zoo.datasets.sources.fetch`);
a registered name's archive must match its SHA-256, ad-hoc URLs are not
checked. A registered name wins over a directory of the same name: write
`./name` for the directory.

Registered presets are data: `models/<method>_presets.py` holds one dict,
name -> `{"metadata": {...}, "url": ..., "sha256": ...}` (an archive) or
`{"metadata": {...}, "files": {file name: sha256}}` (a preset shipped in
the package, in `gan_zoo/pretrained/<name>/`, loaded with no network) or
`{"metadata": {...}, "url": "hf://owner/repo@revision", "sha256": {file
name: sha256}}`; each file's SHA-256 is checked at every load.
`models/__init__.py` passes the dict to `register_presets(PRESETS_DICT,
Method)`. `gan_zoo.list_presets()` lists them all, `Method.presets` those
of one method.

Example:
```python
from gan_zoo.models import DCGAN
model.save_to_preset("runs/dcgan_fmnist", metadata={"dataset": "fashion_mnist"})
model = DCGAN.from_preset("runs/dcgan_fmnist")
```
"""

import datetime
import hashlib
import inspect
import json
import os
import pathlib
import re
import shutil
import tempfile
import urllib.parse
import urllib.request
from typing import NamedTuple

import keras

from gan_zoo.version import __version__

__all__ = [
    "PRESETS",
    "PRETRAINED_DIR",
    "PresetsProperty",
    "RegisteredPreset",
    "TamperedPresetError",
    "from_preset",
    "generator_check",
    "list_presets",
    "register_presets",
    "save_to_preset",
]

PRETRAINED_DIR = pathlib.Path(__file__).parent / "pretrained"
HUB_SCHEME = "hf://"
CONFIG_FILE = "config.json"
WEIGHTS_FILE = "model.weights.h5"
METADATA_FILE = "metadata.json"
ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".tar", ".zip")
# Written by `save_to_preset`; the caller's metadata may not replace them.
RESERVED_METADATA = (
    "class_name",
    "gan_zoo_version",
    "keras_version",
    "backend",
    "parameter_count",
    "date_saved",
)
_NAME = re.compile(r"[a-z0-9]+(_[a-z0-9]+)*")
_SHA256 = re.compile(r"[0-9a-fA-F]{64}")


class RegisteredPreset(NamedTuple):
    """A registered preset: the class it loads as and its entry's data.

    `url` is `None` for a preset shipped in the package; `sha256` is then a
    dict, file name -> SHA-256, else the archive's SHA-256.
    """

    cls: type
    metadata: dict
    url: str
    sha256: object


class TamperedPresetError(ValueError):
    """A shipped preset's file is not the one its registry entry names."""


# name -> RegisteredPreset, filled by `register_presets`.
PRESETS = {}


class PresetsProperty:
    """`Method.presets`: the presets registered for `Method` and its subclasses."""

    def __get__(self, instance, owner):
        return list_presets(owner)


def register_presets(presets, cls):
    """Registers a method's presets, as its `models/<method>_presets.py` lists them.

    Args:
        presets: dict, name -> `{"metadata": dict, "url": str, "sha256": str}`.
            Names are lowercase words joined by `_` and carry no
            hyperparameters (`"dcgan_fashion_mnist"`); the URL is an
            `http(s)://` or `file://` archive (`.tar.gz`, `.tgz`, `.tar`,
            `.zip`) and `sha256` its hex SHA-256.
        cls: the `GAN` subclass the presets load as.

    Example:
    ```python
    register_presets(DCGAN_PRESETS, DCGAN)  # in models/__init__.py
    DCGAN.presets  # {"dcgan_fashion_mnist": {"metadata": ..., "url": ..., ...}}
    ```
    """
    if not _is_gan_class(cls):
        raise TypeError(f"`cls` must be a subclass of gan_zoo.GAN. Received: cls={cls!r}")
    checked = {}
    for name, entry in presets.items():
        where = f"Preset {name!r} of {cls.__name__}"
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise ValueError(
                f"{where}: a preset name is lowercase letters and digits joined "
                "by `_` (e.g. 'dcgan_fashion_mnist'), so it cannot be mistaken "
                "for a path or URL."
            )
        shipped = isinstance(entry, dict) and set(entry) == {"metadata", "files"}
        if not shipped and (not isinstance(entry, dict) or set(entry) != {"metadata", "url", "sha256"}):
            raise ValueError(
                f"{where}: the entry must be a dict with exactly the keys "
                f"'metadata', 'url' and 'sha256' (an archive), or 'metadata' "
                f"and 'files' (shipped in gan_zoo/pretrained/). Received: {entry!r}"
            )
        if not isinstance(entry["metadata"], dict):
            raise ValueError(f"{where}: 'metadata' must be a dict.")
        if shipped:
            files = _file_digests(entry["files"], where, "files")
            _add(name, RegisteredPreset(cls, dict(entry["metadata"]), None, files), where, checked)
            continue
        if str(entry["url"]).startswith(HUB_SCHEME):
            _hub_handle(entry["url"])
            files = _file_digests(entry["sha256"], where, "sha256")
            registered = RegisteredPreset(cls, dict(entry["metadata"]), entry["url"], files)
            _add(name, registered, where, checked)
            continue
        if not isinstance(entry["sha256"], str) or not _SHA256.fullmatch(entry["sha256"]):
            raise ValueError(
                f"{where}: 'sha256' must be 64 hex digits. Received: {entry['sha256']!r}"
            )
        scheme = urllib.parse.urlsplit(entry["url"]).scheme
        if scheme not in ("http", "https", "file") or not _is_archive(entry["url"]):
            raise ValueError(
                f"{where}: 'url' must be an http(s):// or file:// URL of a "
                f"{'/'.join(ARCHIVE_SUFFIXES)} archive. Received: {entry['url']!r}"
            )
        registered = RegisteredPreset(cls, dict(entry["metadata"]), entry["url"], entry["sha256"])
        _add(name, registered, where, checked)
    PRESETS.update(checked)


def _file_digests(files, where, key):
    if (
        not isinstance(files, dict)
        or not {CONFIG_FILE, WEIGHTS_FILE} <= set(files)
        or not all(isinstance(v, str) and _SHA256.fullmatch(v) for v in files.values())
    ):
        raise ValueError(
            f"{where}: '{key}' must map {CONFIG_FILE}, {WEIGHTS_FILE} (and "
            f"{METADATA_FILE}) to their 64-hex-digit SHA-256. Received: {files!r}"
        )
    return dict(files)


def _add(name, registered, where, checked):
    known = PRESETS.get(name)
    if known is not None and known != registered:
        raise ValueError(
            f"{where}: the name is already registered for {known.cls.__name__} "
            f"({known.url or 'shipped'}). Preset names are global: choose another."
        )
    checked[name] = registered


def list_presets(cls=None):
    """The registered presets that load as `cls` (all when `None`).

    Returns `{name: {"class_name", "metadata", "url", "sha256"}}`; `url` is
    `None` and `sha256` a dict of file digests for a preset shipped in the
    package. A preset registered for a subclass of `cls` is included.
    """
    return {
        name: {
            "class_name": p.cls.__name__,
            "metadata": dict(p.metadata),
            "url": p.url,
            "sha256": dict(p.sha256) if isinstance(p.sha256, dict) else p.sha256,
        }
        for name, p in sorted(PRESETS.items())
        if cls is None or issubclass(p.cls, cls)
    }


def save_to_preset(model, preset, metadata=None):
    """Writes `model` as a preset directory (see the module docstring).

    The files are written into a hidden sibling folder first, from a copy of
    the model rebuilt from `config.json` (so what is written is what
    `from_preset` loads, and no optimiser state is kept); the folder is then
    renamed to `preset`. If `preset` already exists (a folder of a training
    run, say), the three files are moved into it, each replaced atomically,
    and its other files are kept. Whatever fails before that leaves `preset`
    as it was.

    Args:
        model: a `gan_zoo.GAN`.
        preset: path of the directory.
        metadata: dict of JSON-serialisable values to record (dataset,
            recipe, training steps, measured metrics); NumPy scalars and
            arrays are converted.

    Example:
    ```python
    model.save_to_preset("runs/dcgan_fmnist",
                         metadata={"dataset": "fashion_mnist", "steps": 4690})
    ```
    """
    if not _is_gan_class(type(model)):
        raise TypeError(f"save_to_preset() saves a gan_zoo.GAN. Received: {model!r}")
    metadata = dict(metadata or {})
    reserved = sorted(set(metadata) & set(RESERVED_METADATA))
    if reserved:
        raise ValueError(
            f"metadata keys {reserved} are written by save_to_preset itself; "
            "use other names."
        )
    config = _model_config(model)
    metadata = {
        "class_name": type(model).__name__,
        "gan_zoo_version": __version__,
        "keras_version": keras.version(),
        "backend": keras.backend.backend(),
        "parameter_count": int(model.count_params()),
        "date_saved": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        **metadata,
    }
    try:
        metadata_text = json.dumps(metadata, indent=2, default=_numpy_to_json)
    except (TypeError, ValueError) as error:
        raise ValueError(f"`metadata` must be JSON-serialisable: {error}") from error

    preset = os.path.abspath(os.fspath(preset))
    if os.path.exists(preset) and not os.path.isdir(preset):
        raise FileExistsError(f"{preset} exists and is not a directory.")
    parent, base = os.path.split(preset)
    os.makedirs(parent, exist_ok=True)
    staging = tempfile.mkdtemp(prefix=f".{base}.", suffix=".partial", dir=parent)
    try:
        with open(os.path.join(staging, CONFIG_FILE), "w") as stream:
            json.dump(config, stream, indent=2)
        with open(os.path.join(staging, METADATA_FILE), "w") as stream:
            stream.write(metadata_text)
        # Through a copy built from config.json: proves the config loads, and
        # leaves the optimisers out of the weights file.
        full = os.path.join(staging, "full.weights.h5")
        model.save_weights(full)
        rebuilt = _build(config, staging)
        rebuilt.load_weights(full)
        os.remove(full)
        rebuilt.save_weights(os.path.join(staging, WEIGHTS_FILE))
        try:
            os.rename(staging, preset)  # all three files appear at once
            return
        except OSError:
            if not os.path.isdir(preset):
                raise
        # An existing folder: replace the files one by one, config.json last.
        for name in (WEIGHTS_FILE, METADATA_FILE, CONFIG_FILE):
            os.replace(os.path.join(staging, name), os.path.join(preset, name))
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def from_preset(cls, preset, load_weights=True):
    """Builds a `cls` from a preset: a directory, a URL or a registered name.

    Args:
        cls: the class asked for; the preset's class must be it or a subclass
            (`GAN` loads any method).
        preset: a directory (str or path), a `file://` URL of one, an
            `http(s)://` or `file://` URL of an archive, a Hugging Face Hub
            handle `hf://owner/repo[@revision]`, or a name of `cls.presets`.
        load_weights: `False` gives the architecture with fresh random weights.

    Returns:
        The model, not compiled: call `compile()` before `fit`.

    Example:
    ```python
    model = DCGAN.from_preset("runs/dcgan_fmnist")
    images = model.generate(16, seed=0)
    ```
    """
    if isinstance(preset, os.PathLike):
        preset = os.fspath(preset)
    directory = _resolve(cls, preset)
    config_path = os.path.join(directory, CONFIG_FILE)
    weights_path = os.path.join(directory, WEIGHTS_FILE)
    needed = [config_path] + ([weights_path] if load_weights else [])
    missing = [os.path.basename(p) for p in needed if not os.path.isfile(p)]
    if missing:
        raise FileNotFoundError(
            f"The preset directory {directory} has no {' or '.join(missing)}. A "
            f"preset holds {CONFIG_FILE}, {WEIGHTS_FILE} and {METADATA_FILE}, "
            "as `save_to_preset` writes them."
        )
    try:
        with open(config_path) as stream:
            config = json.load(stream)
    except (ValueError, UnicodeDecodeError) as error:
        raise ValueError(f"{config_path} is not valid JSON: {error}") from error
    found = _preset_class(config, config_path)
    if not issubclass(found, cls):
        raise ValueError(
            f"The preset {preset!r} holds a {found.__name__}, which is not a "
            f"{cls.__name__}. Load it with `{found.__name__}.from_preset(...)` "
            "(or `gan_zoo.GAN.from_preset(...)`, which loads any method)."
        )
    model = _build(config, directory)
    if load_weights:
        try:
            model.load_weights(weights_path)
        except (ValueError, OSError) as error:
            raise ValueError(
                f"Cannot load {weights_path} into the {found.__name__} built "
                f"from {config_path}: {error}"
            ) from error
    return model


def generator_check(model, count=16):
    """`count` values of `model.generator(z)` in inference mode, evenly
    spaced over its flattened output, `z` = NumPy
    `default_rng(0).standard_normal((2, latent_dim))`: the same noise on
    every backend. Registered presets record them
    (`metadata["generator_check"]`) and tests compare them on each backend.
    A text generator's outputs are character probabilities, almost all
    below 1e-6; their logarithms (floored at 1e-30) are checked instead.
    """
    import numpy as np

    z = np.random.default_rng(0).standard_normal((2, model.latent_dim)).astype("float32")
    outputs = np.asarray(model.generator.predict_on_batch(z), dtype="float64").reshape(-1)
    if getattr(model.generator, "charmap", None) is not None:
        outputs = np.log(np.maximum(outputs, 1e-30))
    spaced = outputs[np.linspace(0, outputs.size - 1, count).astype(int)]
    return [round(float(v), 6) for v in spaced]


# Helpers.


def _is_gan_class(cls):
    # A `gan_zoo.GAN` subclass, known by the descriptor the engine puts on
    # `GAN.presets`: the engine depends on this module, not back.
    return isinstance(cls, type) and isinstance(
        inspect.getattr_static(cls, "presets", None), PresetsProperty
    )


def _numpy_to_json(value):
    if hasattr(value, "tolist"):  # NumPy scalars and arrays
        return value.tolist()
    raise TypeError(f"{type(value).__name__} {value!r} is not JSON-serialisable")


def _model_config(model):
    config = keras.saving.serialize_keras_object(model)
    # A preset is a model, not a training state (as in KerasHub).
    config.pop("compile_config", None)
    return config


def _preset_class(config, config_path):
    """The `GAN` subclass that `config` describes; raises if it is none."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(
            f"{config_path} does not describe a gan_zoo GAN: expected the "
            "output of `keras.saving.serialize_keras_object(model)` (a dict "
            "with 'class_name' and 'config'), as `save_to_preset` writes it."
        )
    name = config.get("registered_name") or config["class_name"]
    found = keras.saving.get_registered_object(name)
    if found is None and not str(config.get("module", "")).startswith("keras"):
        raise ValueError(
            f"{config_path} describes a {name!r}, which is not a registered "
            "class. A preset holds a gan_zoo GAN; for your own GAN subclass, "
            "import the module that defines it (decorated with "
            "`keras.saving.register_keras_serializable`) before from_preset."
        )
    if found is None or not _is_gan_class(found):
        raise ValueError(
            f"{config_path} describes a {name!r}, which is not a gan_zoo GAN "
            "(a subclass of gan_zoo.GAN): it is not a gan_zoo preset."
        )
    return found


def _build(config, where):
    config = dict(config)
    config.pop("compile_config", None)
    try:
        return keras.saving.deserialize_keras_object(config)
    except (TypeError, ValueError, KeyError) as error:
        raise ValueError(
            f"Cannot build the model of the preset in {where} from its "
            f"{CONFIG_FILE}: {error}"
        ) from error


def _is_archive(url):
    path = urllib.parse.urlsplit(url).path if "://" in url else url
    return path.lower().endswith(ARCHIVE_SUFFIXES)


def _resolve(cls, preset):
    """The local directory of `preset`, downloading an archive if needed."""
    if not isinstance(preset, str):
        raise TypeError(f"`preset` must be a name, a path or a URL. Received: {preset!r}")
    if preset.startswith(HUB_SCHEME):
        return _from_hub(preset)
    if "://" in preset:
        parts = urllib.parse.urlsplit(preset)
        if parts.scheme == "file":
            if parts.netloc not in ("", "localhost"):
                raise ValueError(f"{preset!r}: a file:// URL must name a local path.")
            path = urllib.request.url2pathname(parts.path)
            if os.path.isdir(path):
                return path
            if not os.path.exists(path):
                raise FileNotFoundError(f"{preset!r}: no such directory or file: {path}")
        elif parts.scheme not in ("http", "https"):
            raise ValueError(
                f"{preset!r}: unsupported URL scheme {parts.scheme!r}. A preset "
                "URL is file:// (a directory or an archive) or http(s):// (an "
                "archive)."
            )
        return _download(preset, sha256=None, label=f"Preset {preset!r}")
    if preset in PRESETS:
        registered = PRESETS[preset]
        if not issubclass(registered.cls, cls):
            raise ValueError(
                f"The preset {preset!r} is a {registered.cls.__name__}, which is "
                f"not a {cls.__name__}. Load it with "
                f"`{registered.cls.__name__}.from_preset({preset!r})` (or "
                "`gan_zoo.GAN.from_preset`, which loads any method)."
            )
        if registered.url is None:
            return _verified(preset, PRETRAINED_DIR / preset, registered.sha256)
        if registered.url.startswith(HUB_SCHEME):
            return _verified(preset, _from_hub(registered.url), registered.sha256)
        return _download(
            registered.url,
            registered.sha256,
            label=f"Preset {preset!r}",
            key=f"{preset}_{registered.sha256[:12].lower()}",
        )
    if os.path.isdir(preset):
        return preset
    if os.path.isfile(preset) and _is_archive(preset):
        uri = pathlib.Path(os.path.abspath(preset)).as_uri()
        return _download(uri, sha256=None, label=f"Preset {preset!r}")
    known = ", ".join(list_presets(cls)) or (
        "none are registered yet" if not PRESETS else "none for this class"
    )
    raise ValueError(
        f"Unknown preset {preset!r} for {cls.__name__}: it is neither a "
        f"registered name nor a directory. Known presets: {known}. A preset may "
        f"also be a directory holding {CONFIG_FILE} and {WEIGHTS_FILE} (as "
        "`save_to_preset` writes it), a file:// URL of one, or an http(s):// "
        f"URL of a {'/'.join(ARCHIVE_SUFFIXES)} archive of one."
    )


def _verified(name, folder, files):
    """`folder` of a registered preset, once each file's SHA-256 matches."""
    folder = pathlib.Path(folder)
    shipped = folder.parent == PRETRAINED_DIR
    fix = "Reinstall gan_zoo." if shipped else f"Delete {folder} to download it again."
    for file, expected in files.items():
        path = folder / file
        if not path.is_file():
            raise FileNotFoundError(f"Preset {name!r}: {path} is missing. {fix}")
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest != expected.lower():
            raise TamperedPresetError(
                f"Preset {name!r}: {path} has SHA-256 {digest}, but the "
                f"registry names {expected}: it is not the file that was "
                f"registered. Refusing to load it. {fix}"
            )
    return str(folder)


def _hub_handle(handle):
    """`(repo_id, revision or None)` of `hf://owner/repo[@revision]`."""
    repo_id, at, revision = handle[len(HUB_SCHEME):].partition("@")
    parts = repo_id.split("/")
    if len(parts) != 2 or not all(parts) or (at and not revision):
        raise ValueError(
            f"{handle!r}: a Hugging Face Hub preset is hf://owner/repo or "
            "hf://owner/repo@revision."
        )
    return repo_id, revision or None


def _from_hub(handle):
    """The local folder of `hf://owner/repo[@revision]`, through
    huggingface_hub's cache (`HF_HUB_OFFLINE=1` reads only the cache)."""
    repo_id, revision = _hub_handle(handle)
    try:
        import huggingface_hub
    except ImportError as error:
        raise ImportError(
            f"{handle!r}: Hugging Face Hub presets need the huggingface_hub "
            "package: `pip install huggingface_hub` (or gan_zoo[hub])."
        ) from error
    return huggingface_hub.snapshot_download(
        repo_id, revision=revision, allow_patterns=[CONFIG_FILE, WEIGHTS_FILE, METADATA_FILE]
    )


def _find_preset(folder):
    """The folder, or its one sub-folder, holding `config.json`; or None."""
    if os.path.isfile(os.path.join(folder, CONFIG_FILE)):
        return folder
    if not os.path.isdir(folder):
        return None
    found = [
        os.path.join(folder, entry)
        for entry in sorted(os.listdir(folder))
        if not entry.startswith(".")
        and os.path.isfile(os.path.join(folder, entry, CONFIG_FILE))
    ]
    return found[0] if len(found) == 1 else None


def _download(url, sha256, label, key=None):
    """Downloads and unpacks the archive at `url` into the Keras cache, once."""
    from gan_zoo.datasets import sources  # imports TensorFlow: only when needed

    if not _is_archive(url):
        raise ValueError(
            f"{label}: a preset URL must be a directory (file://) or an archive "
            f"({', '.join(ARCHIVE_SUFFIXES)}). Received: {url}"
        )
    if key is None:
        stem = os.path.basename(urllib.parse.urlsplit(url).path)
        for suffix in ARCHIVE_SUFFIXES:
            if stem.lower().endswith(suffix):
                stem = stem[: -len(suffix)]
                break
        stem = re.sub(r"[^A-Za-z0-9_.-]", "_", stem).lstrip(".") or "preset"
        key = f"{stem}_{hashlib.sha256(url.encode()).hexdigest()[:12]}"
    folder = os.path.join(sources.keras_cache_dir("presets"), key)
    directory = _find_preset(folder)
    if directory is not None and os.path.isfile(os.path.join(directory, WEIGHTS_FILE)):
        return directory
    existed = os.path.isdir(folder)
    try:
        sources.fetch(
            sources.Download(url, sha256, extract=True), folder, key, subject=label
        )
    except BaseException:
        if not existed and os.path.isdir(folder) and not os.listdir(folder):
            os.rmdir(folder)
        raise
    directory = _find_preset(folder)
    if directory is None:
        shutil.rmtree(folder, ignore_errors=True)
        raise ValueError(
            f"{label}: the archive {url} holds no {CONFIG_FILE} at its top "
            "level or in one sub-folder, so it is not a preset (nothing was "
            "kept in the cache)."
        )
    return directory
