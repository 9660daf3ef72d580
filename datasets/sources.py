"""Where a dataset's files come from: local folders first, then a download.

Every file-backed loader (`mnist`, `fashion_mnist`, `cifar10`, `svhn`,
`celeba`, and the text loader of `lm1b`) finds its files with `locate`, which
looks, in this order, in:

1. the `data_dir` argument (the folder itself and `data_dir/<dataset>`; a
   `_` in the name may also be `-`, as in Debian's `fashion-mnist`);
2. `$GAN_ZOO_DATA/<dataset>` (the environment variable `GAN_ZOO_DATA`; `-` too);
3. known system folders (Debian's `dataset-fashion-mnist` package installs
   `/usr/share/datasets/fashion-mnist/`);
4. the Keras cache, `$KERAS_HOME/datasets/<dataset>` (`~/.keras` when
   `KERAS_HOME` is unset), plus folders that Keras's own loaders fill;
5. a download of the standard URL, checked against its published SHA-256,
   into the Keras cache.

Inside each of these folders the files may also sit in the dataset's
canonical sub-folders (e.g. `cifar-10-batches-py/`). All files a split needs
must be found in one folder. When none has them and the download fails (no
network) or is off, one `MissingDataError` lists every folder looked at, what
was missing there, and how to supply the files.

Downloads are atomic: bytes go to a hidden temporary file in the cache folder
while their SHA-256 is computed, and only a file whose checksum matches is
renamed into place (an archive is unpacked into a temporary folder and then
moved), so an interrupted, failed or corrupt download leaves nothing behind.

Readers check the content of local files with `check_sha256` (e.g. the
SHA-256 of decompressed IDX bytes, which does not change when a distribution
re-compresses the published `.gz` files).
"""

import glob
import gzip
import hashlib
import http.client
import os
import shutil
import sys
import tarfile
import tempfile
import urllib.parse
import urllib.request
import zipfile
import zlib
from typing import NamedTuple

DATA_ENV = "GAN_ZOO_DATA"
_CHUNK = 1 << 20
_TIMEOUT_S = 60


class MissingDataError(FileNotFoundError):
    """A dataset's files are in none of the places looked at."""


class CorruptDataError(ValueError):
    """A dataset's file is there but unreadable, truncated or not the published one."""


class Download(NamedTuple):
    """One file to download: its URL and the SHA-256 of the bytes served.

    Attributes:
        url: the standard URL (`http(s)://` or `file://`).
        sha256: hex SHA-256 of the file as downloaded (for `.gz` files, of
            the compressed bytes), or `None` to skip the check (ad-hoc URLs
            given by a user, e.g. to `from_preset`).
        extract: whether the file is a `.tar(.gz)`/`.tgz`/`.zip` archive to
            unpack into the cache folder (the archive is then deleted).
    """

    url: str
    sha256: str
    extract: bool = False


class Source(NamedTuple):
    """Where one dataset's files may be found, and how to get them.

    Attributes:
        dataset: the dataset's name (`"mnist"`), also the name of its folder
            under `data_dir`, `$GAN_ZOO_DATA` and the Keras cache.
        homepage: where people get the files by hand.
        instructions: one sentence on supplying the files, appended to the
            error when they are not found.
        downloads: dict, file name -> `Download` that provides it (several
            names may share one archive).
        subdirs: canonical sub-folders that may hold the files inside any
            folder looked at (e.g. `"cifar-10-batches-py"`).
        system_dirs: system folders to look in.
        keras_cache_dirs: folders under `$KERAS_HOME/datasets` besides
            `<dataset>` (those Keras's own loaders fill).
    """

    dataset: str
    homepage: str
    instructions: str = ""
    downloads: dict = {}
    subdirs: tuple = ()
    system_dirs: tuple = ()
    keras_cache_dirs: tuple = ()


def keras_cache_dir(subdir="datasets"):
    """`$KERAS_HOME/<subdir>` (`~/.keras/datasets` when `KERAS_HOME` is unset).

    `subdir` defaults to `"datasets"`; presets use `"presets"`.

    Like `keras.utils.get_file`, falls back to `/tmp/.keras/datasets` when the
    Keras home exists but is not writable.
    """
    home = os.path.expanduser(os.environ.get("KERAS_HOME") or "~/.keras")
    if os.path.isdir(home) and not os.access(home, os.W_OK):
        home = os.path.join(tempfile.gettempdir(), ".keras")
    return os.path.join(home, subdir)


def _with_subdirs(folder, source):
    return [folder] + [os.path.join(folder, sub) for sub in source.subdirs]


def _places(source, data_dir):
    """`(label, folder or None, why-not)` in the order they are searched."""
    name = source.dataset
    # `fashion_mnist/` or, as Debian names it, `fashion-mnist/`.
    names = tuple(dict.fromkeys((name, name.replace("_", "-"))))
    places = []
    if data_dir is None:
        places.append(("data_dir", None, "not given"))
    else:
        data_dir = os.fspath(data_dir)
        for root in (data_dir, *(os.path.join(data_dir, n) for n in names)):
            places += [("data_dir", d, None) for d in _with_subdirs(root, source)]
    env = os.environ.get(DATA_ENV)
    if env:
        for root in (os.path.join(env, n) for n in names):
            places += [(f"${DATA_ENV}", d, None) for d in _with_subdirs(root, source)]
    else:
        places.append((f"${DATA_ENV}", None, "not set"))
    for root in source.system_dirs:
        places += [("system", d, None) for d in _with_subdirs(root, source)]
    cache = keras_cache_dir()
    for sub in (name,) + tuple(source.keras_cache_dirs):
        root = os.path.join(cache, sub)
        places += [("Keras cache", d, None) for d in _with_subdirs(root, source)]
    return places


def _missing(folder, names):
    if not os.path.isdir(folder):
        return None
    return [n for n in names if not os.path.isfile(os.path.join(folder, n))]


def _search(source, names, data_dir, report):
    for label, folder, why in _places(source, data_dir):
        if folder is None:
            report.append(f"{label}: {why}")
            continue
        missing = _missing(folder, names)
        if missing == []:
            return {n: os.path.join(folder, n) for n in names}
        if missing is None:
            report.append(f"{label} {folder}: no such folder")
        else:
            report.append(f"{label} {folder}: missing {', '.join(missing)}")
    return None


def locate(source, names, data_dir=None, download=True, what=None):
    """Local paths of the files `names` of one dataset, downloading if needed.

    Args:
        source: the dataset's `Source`.
        names: file names (relative to the folder that holds them).
        data_dir: path or `None`, a folder given by the user, searched first.
        download: bool, whether to download the files into the Keras cache
            when no folder has them. Defaults to `True`.
        what: str or `None`, what is being loaded, for the error message
            (e.g. `"split 'test'"`).

    Returns:
        A dict, file name -> path, all in one folder.

    Raises:
        MissingDataError: if no folder has all the files and they could not
            be downloaded; the message lists every place looked at.
        CorruptDataError: if a download's SHA-256 differs from the published
            one, or its archive cannot be unpacked (nothing is kept).
    """
    names = list(names)
    report = []
    found = _search(source, names, data_dir, report)
    if found is not None:
        return found
    cause = None
    downloads = {source.downloads[n] for n in names if n in source.downloads}
    if not download:
        report.append("download: not tried (download=False)")
    elif not downloads or len(names) > sum(n in source.downloads for n in names):
        report.append("download: no standard URL for these files")
    else:
        target = os.path.join(keras_cache_dir(), source.dataset)
        for item in sorted(downloads):
            provided = [n for n in names if source.downloads.get(n) == item]
            if _missing(target, provided) == []:
                continue
            try:
                fetch(item, target, source.dataset)
            except (OSError, http.client.HTTPException) as error:
                report.append(f"download {item.url}: failed ({error})")
                cause = error
                break
        else:
            for folder in _with_subdirs(target, source):
                if _missing(folder, names) == []:
                    return {n: os.path.join(folder, n) for n in names}
            missing = [n for n in names if _missing(target, [n])]
            report.append(
                f"download into {target}: the download lacks {', '.join(missing)}"
            )
    subject = f"Dataset '{source.dataset}'" + (f", {what}" if what else "")
    looked = "\n".join(f"  - {line}" for line in report)
    raise MissingDataError(
        f"{subject}: could not find {', '.join(names)}. Looked in:\n{looked}\n"
        f"To supply the files, put them in a folder and pass it as "
        f"`data_dir=`, or put them in ${DATA_ENV}/{source.dataset}/. "
        f"{source.instructions} Files and terms: {source.homepage}"
    ) from cause


def locate_folder(source, pattern, data_dir=None, what=None):
    """The first folder, in search order, with files matching `pattern`.

    For datasets that are a folder of many files (CelebA's JPEGs) rather
    than a fixed list; no download is tried.

    Args:
        source: the dataset's `Source`.
        pattern: a glob for the files, e.g. `"*.jpg"`.
        data_dir: path or `None`, a folder given by the user, searched first.
        what: str or `None`, what is being loaded, for the error message.

    Returns:
        A tuple `(folder, sorted file names matching pattern)`.

    Raises:
        MissingDataError: if no folder has such files; the message lists
            every place looked at.
    """
    report = []
    for label, folder, why in _places(source, data_dir):
        if folder is None:
            report.append(f"{label}: {why}")
        elif not os.path.isdir(folder):
            report.append(f"{label} {folder}: no such folder")
        else:
            names = sorted(
                os.path.basename(p) for p in glob.glob(os.path.join(glob.escape(folder), pattern))
            )
            if names:
                return folder, names
            report.append(f"{label} {folder}: no {pattern} files")
    subject = f"Dataset '{source.dataset}'" + (f", {what}" if what else "")
    looked = "\n".join(f"  - {line}" for line in report)
    raise MissingDataError(
        f"{subject}: found no {pattern} files. Looked in:\n{looked}\n"
        f"To supply them, pass their folder as `data_dir=`, or put them in "
        f"${DATA_ENV}/{source.dataset}/. {source.instructions} Files and "
        f"terms: {source.homepage}"
    )


def _basename(url):
    name = os.path.basename(urllib.parse.urlsplit(url).path)
    if not name:
        raise ValueError(f"Cannot name the file of the URL {url!r}.")
    return name


def fetch(item, folder, dataset, subject=None):
    """Downloads one `Download` into `folder`, atomically.

    The bytes go to a hidden temporary file in `folder` while their SHA-256
    is computed; only when it matches `item.sha256` is the file renamed into
    place (or, for an archive, unpacked into a temporary folder whose entries
    are then moved into `folder`). Whatever fails, no partial file is left.

    Args:
        item: the `Download`.
        folder: the destination folder (created if needed).
        dataset: the dataset's name, for error messages.
        subject: how error messages name what is fetched, instead of
            `Dataset '<dataset>'` (e.g. `Preset 'dcgan_fashion_mnist'`).

    Returns:
        The path of the downloaded file, or `folder` for an archive.

    Raises:
        OSError, http.client.HTTPException: when the transfer fails (no
            network, HTTP error, connection closed early).
        CorruptDataError: when the SHA-256 of the bytes received is not
            `item.sha256` (unless it is `None`), or the archive cannot be
            unpacked.
    """
    name = _basename(item.url)
    # A dataset's files may be supplied by hand; other downloads unpack to a folder.
    by_hand = "its folder as `data_dir=`"
    if subject is not None:
        by_hand = "its (unpacked) folder instead"
    subject = subject or f"Dataset '{dataset}'"
    created = _make_folder(folder)
    handle, partial = tempfile.mkstemp(prefix=f".{name}.", suffix=".part", dir=folder)
    done = False
    print(f"Downloading {item.url} to {folder}", file=sys.stderr)
    try:
        hasher = hashlib.sha256()
        received = 0
        with os.fdopen(handle, "wb") as out:
            with urllib.request.urlopen(item.url, timeout=_TIMEOUT_S) as response:
                announced = response.headers.get("Content-Length")
                while chunk := response.read(_CHUNK):
                    hasher.update(chunk)
                    out.write(chunk)
                    received += len(chunk)
        if announced is not None and received < int(announced):
            # http.client's sized reads end silently when the peer closes.
            raise ConnectionError(
                f"transfer ended after {received} of {announced} bytes"
            )
        digest = hasher.hexdigest()
        if item.sha256 is not None and digest != item.sha256.lower():
            raise CorruptDataError(
                f"{subject}: the file downloaded from {item.url} has "
                f"SHA-256 {digest}, but the published one is {item.sha256}. "
                "It was discarded (nothing was written to the cache). The "
                "transfer was corrupted or the server's file changed: retry, "
                "or download the file by hand, check its SHA-256, and pass "
                f"{by_hand}."
            )
        if item.extract:
            _unpack(partial, name, folder, subject)
            done = True
            return folder
        path = os.path.join(folder, name)
        os.replace(partial, path)
        done = True
        return path
    finally:
        if os.path.exists(partial):
            os.remove(partial)
        if not done:
            _remove_empty(created)


def _make_folder(folder):
    """Creates `folder` and returns the folders it created, deepest first."""
    created = []
    path = os.path.abspath(folder)
    while not os.path.isdir(path):
        created.append(path)
        path = os.path.dirname(path)
    os.makedirs(folder, exist_ok=True)
    return created


def _remove_empty(folders):
    """Removes the folders a failed download created, while they are empty."""
    for path in folders:
        try:
            os.rmdir(path)
        except OSError:
            return


def _unpack(archive, name, folder, subject):
    staging = tempfile.mkdtemp(prefix=f".{name}.", suffix=".unpack", dir=folder)
    try:
        try:
            if zipfile.is_zipfile(archive):
                with zipfile.ZipFile(archive) as zipped:
                    zipped.extractall(staging)
            else:
                with tarfile.open(archive) as tarred:
                    tarred.extractall(staging, filter="data")
        except (tarfile.TarError, zipfile.BadZipFile, EOFError, OSError) as error:
            raise CorruptDataError(
                f"{subject}: cannot unpack the archive {name} "
                f"({error}). Nothing was kept; retry the download."
            ) from error
        for entry in os.listdir(staging):
            destination = os.path.join(folder, entry)
            if os.path.isdir(destination) and not os.path.islink(destination):
                shutil.rmtree(destination)
            elif os.path.lexists(destination):
                os.remove(destination)
            os.replace(os.path.join(staging, entry), destination)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def read_bytes(path, dataset):
    """The bytes of `path`, decompressed when its name ends in `.gz`.

    Raises:
        CorruptDataError: when the gzip stream is truncated or invalid.
    """
    path = os.fspath(path)
    try:
        if path.endswith(".gz"):
            with gzip.open(path, "rb") as stream:
                return stream.read()
        with open(path, "rb") as stream:
            return stream.read()
    except (EOFError, gzip.BadGzipFile, zlib.error) as error:
        raise CorruptDataError(
            f"Dataset '{dataset}': {path} is not a complete gzip file "
            f"({error}). The file is truncated or damaged: delete it and "
            "copy or download it again."
        ) from error


def check_sha256(dataset, path, data, expected, what="content"):
    """Raises unless the SHA-256 of `data` (bytes read from `path`) is `expected`.

    Args:
        dataset: the dataset's name, for the message.
        path: the file the bytes came from.
        data: the bytes (e.g. decompressed), or their hex SHA-256.
        expected: the published hex SHA-256, or `None` to skip the check.
        what: what was hashed, for the message. Defaults to `"content"`.

    Raises:
        CorruptDataError: on a mismatch.
    """
    if expected is None:
        return
    digest = data if isinstance(data, str) else hashlib.sha256(data).hexdigest()
    if digest != expected.lower():
        raise CorruptDataError(
            f"Dataset '{dataset}': checksum mismatch for {path}: the SHA-256 "
            f"of its {what} is {digest}, expected {expected}. It is not the "
            "published file (damaged, or another dataset's file with the "
            "same name): replace it with the published file."
        )
