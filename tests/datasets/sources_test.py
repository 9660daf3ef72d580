"""`gan_zoo.datasets.sources`: search order, errors, atomic downloads."""

import hashlib
import io
import os
import socket
import tarfile
import urllib.request

import pytest

from gan_zoo.datasets import sources
from gan_zoo.datasets.sources import CorruptDataError
from gan_zoo.datasets.sources import Download
from gan_zoo.datasets.sources import MissingDataError
from gan_zoo.datasets.sources import Source

NAMES = ["a.bin", "b.bin"]


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def write(folder, names=NAMES, content=b"payload"):
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / name).write_bytes(content + name.encode())
    return folder


def toy_source(tmp_path, **kwargs):
    kwargs.setdefault("system_dirs", (str(tmp_path / "system"),))
    return Source(
        dataset="toyset",
        homepage="https://example.org/toyset",
        instructions="Ask the toyset maintainers.",
        **kwargs,
    )


def closed_port_url(name):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/{name}"


@pytest.mark.parametrize(
    "present, expected",
    [
        (["data_dir", "env", "system", "cache"], "data_dir"),
        (["env", "system", "cache"], "env"),
        (["system", "cache"], "system"),
        (["cache"], "cache"),
    ],
)
def test_places_are_searched_in_the_documented_order(
    tmp_path, monkeypatch, hermetic_sources, present, expected
):
    folders = {
        "data_dir": tmp_path / "given",
        "env": tmp_path / "env" / "toyset",
        "system": tmp_path / "system",
        "cache": hermetic_sources / "toyset",
    }
    for place in present:
        write(folders[place])
    monkeypatch.setenv("GAN_ZOO_DATA", str(tmp_path / "env"))
    found = sources.locate(toy_source(tmp_path), NAMES, data_dir=tmp_path / "given")
    assert found == {n: str(folders[expected] / n) for n in NAMES}


def test_data_dir_may_hold_the_dataset_folder_or_a_canonical_subfolder(tmp_path):
    source = toy_source(tmp_path, subdirs=("toyset-py",))
    write(tmp_path / "root" / "toyset" / "toyset-py")
    found = sources.locate(source, NAMES, data_dir=tmp_path / "root", download=False)
    assert found["a.bin"] == str(tmp_path / "root" / "toyset" / "toyset-py" / "a.bin")


def test_files_split_across_folders_are_not_mixed(tmp_path, monkeypatch):
    write(tmp_path / "given", ["a.bin"])
    write(tmp_path / "env" / "toyset", ["b.bin"])
    monkeypatch.setenv("GAN_ZOO_DATA", str(tmp_path / "env"))
    with pytest.raises(MissingDataError) as error:
        sources.locate(toy_source(tmp_path), NAMES, tmp_path / "given", download=False)
    message = str(error.value)
    assert f"data_dir {tmp_path / 'given'}: missing b.bin" in message
    assert f"$GAN_ZOO_DATA {tmp_path / 'env' / 'toyset'}: missing a.bin" in message


def test_missing_files_error_names_dataset_every_place_and_remedy(
    tmp_path, hermetic_sources, offline
):
    url = "https://example.org/a.bin"
    source = toy_source(tmp_path, downloads={n: Download(url, "0" * 64) for n in NAMES})
    with pytest.raises(MissingDataError) as error:
        sources.locate(source, NAMES, data_dir=tmp_path / "nowhere", what="split 'x'")
    message = str(error.value)
    assert message.startswith("Dataset 'toyset', split 'x': could not find a.bin, b.bin.")
    for line in [
        f"data_dir {tmp_path / 'nowhere'}: no such folder",
        f"data_dir {tmp_path / 'nowhere' / 'toyset'}: no such folder",
        "$GAN_ZOO_DATA: not set",
        f"system {tmp_path / 'system'}: no such folder",
        f"Keras cache {hermetic_sources / 'toyset'}: no such folder",
        f"download {url}: failed (<urlopen error [Errno 101] Network is unreachable",
        "pass it as `data_dir=`",
        "$GAN_ZOO_DATA/toyset/",
        "Ask the toyset maintainers.",
        "https://example.org/toyset",
    ]:
        assert line in message
    assert offline == [url]
    assert isinstance(error.value, FileNotFoundError)


def test_download_false_never_opens_a_connection(tmp_path, offline):
    source = toy_source(tmp_path, downloads={"a.bin": Download("http://x/a.bin", "0" * 64)})
    with pytest.raises(MissingDataError, match=r"download: not tried \(download=False\)"):
        sources.locate(source, ["a.bin"], download=False)
    assert offline == []


def test_files_without_a_url_are_not_downloaded(tmp_path, offline):
    source = toy_source(tmp_path, downloads={"a.bin": Download("http://x/a.bin", "0" * 64)})
    with pytest.raises(MissingDataError, match="no standard URL"):
        sources.locate(source, NAMES)
    assert offline == []


def test_download_lands_verified_in_the_keras_cache_and_is_reused(
    tmp_path, hermetic_sources, http_folder, list_files
):
    served = write(tmp_path / "served")
    base = http_folder(served)
    downloads = {
        n: Download(base + n, sha256((served / n).read_bytes())) for n in NAMES
    }
    source = toy_source(tmp_path, downloads=downloads)
    found = sources.locate(source, NAMES)
    assert found == {n: str(hermetic_sources / "toyset" / n) for n in NAMES}
    assert list_files(hermetic_sources) == ["toyset/a.bin", "toyset/b.bin"]
    assert (hermetic_sources / "toyset" / "a.bin").read_bytes() == b"payloada.bin"
    # Found in the cache next time: no download (the URLs now fail).
    broken = {n: Download(closed_port_url(n), d.sha256) for n, d in downloads.items()}
    again = sources.locate(source._replace(downloads=broken), NAMES)
    assert again == found


def test_file_urls_download_too(tmp_path, hermetic_sources):
    served = write(tmp_path / "served", ["a.bin"])
    url = (served / "a.bin").as_uri()
    source = toy_source(
        tmp_path, downloads={"a.bin": Download(url, sha256(b"payloada.bin"))}
    )
    assert sources.locate(source, ["a.bin"])["a.bin"] == str(
        hermetic_sources / "toyset" / "a.bin"
    )


def test_checksum_mismatch_raises_and_leaves_no_file(
    tmp_path, hermetic_sources, http_folder, list_files
):
    served = write(tmp_path / "served", ["a.bin"])
    url = http_folder(served) + "a.bin"
    wrong = sha256(b"something else")
    source = toy_source(tmp_path, downloads={"a.bin": Download(url, wrong)})
    with pytest.raises(CorruptDataError) as error:
        sources.locate(source, ["a.bin"])
    message = str(error.value)
    assert "Dataset 'toyset'" in message and url in message
    assert sha256(b"payloada.bin") in message and wrong in message
    assert "nothing was written to the cache" in message
    assert list_files(hermetic_sources) == []
    # Nor the empty cache folder it made for the download.
    assert not hermetic_sources.exists()


def test_no_network_leaves_no_partial_file(tmp_path, hermetic_sources, list_files):
    url = closed_port_url("a.bin")
    source = toy_source(tmp_path, downloads={"a.bin": Download(url, "0" * 64)})
    with pytest.raises(MissingDataError, match=f"download {url}: failed"):
        sources.locate(source, ["a.bin"])
    assert list_files(hermetic_sources) == []
    # Nor the empty cache folder it made for the download.
    assert not hermetic_sources.exists()


def test_interrupted_transfer_leaves_no_partial_file(
    tmp_path, hermetic_sources, truncating_server, list_files
):
    url = truncating_server + "a.bin"
    source = toy_source(tmp_path, downloads={"a.bin": Download(url, "0" * 64)})
    with pytest.raises(MissingDataError, match="transfer ended after 10 of 1000000 bytes"):
        sources.locate(source, ["a.bin"])
    assert list_files(hermetic_sources) == []
    # Nor the empty cache folder it made for the download.
    assert not hermetic_sources.exists()


def test_interrupt_during_download_leaves_no_partial_file(
    tmp_path, hermetic_sources, monkeypatch, list_files
):
    class Response(io.BytesIO):
        headers = {}

        def read(self, size=-1):
            if self.tell() > 0:
                raise KeyboardInterrupt
            return super().read(4)

    monkeypatch.setattr(urllib.request, "urlopen", lambda *a, **k: Response(b"x" * 100))
    source = toy_source(tmp_path, downloads={"a.bin": Download("http://x/a.bin", "0" * 64)})
    with pytest.raises(KeyboardInterrupt):
        sources.locate(source, ["a.bin"])
    assert list_files(hermetic_sources) == []


def make_archive(path, members):
    with tarfile.open(path, "w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def test_archive_is_unpacked_into_the_cache_and_deleted(
    tmp_path, hermetic_sources, http_folder, list_files
):
    served = tmp_path / "served"
    served.mkdir()
    archive = make_archive(
        served / "toy.tar.gz", {"toy-py/a.bin": b"A", "toy-py/b.bin": b"B"}
    )
    item = Download(http_folder(served) + "toy.tar.gz", sha256(archive.read_bytes()), extract=True)
    source = toy_source(tmp_path, subdirs=("toy-py",), downloads={n: item for n in NAMES})
    found = sources.locate(source, NAMES)
    assert found["b.bin"] == str(hermetic_sources / "toyset" / "toy-py" / "b.bin")
    assert list_files(hermetic_sources) == ["toyset/toy-py/a.bin", "toyset/toy-py/b.bin"]


def test_corrupt_archive_leaves_nothing(tmp_path, hermetic_sources, http_folder, list_files):
    served = tmp_path / "served"
    served.mkdir()
    (served / "toy.tar.gz").write_bytes(b"not an archive")
    item = Download(http_folder(served) + "toy.tar.gz", sha256(b"not an archive"), extract=True)
    source = toy_source(tmp_path, downloads={"a.bin": item})
    with pytest.raises(CorruptDataError, match="cannot unpack the archive toy.tar.gz"):
        sources.locate(source, ["a.bin"])
    assert list_files(hermetic_sources) == []


def test_archive_without_the_files_says_so(tmp_path, hermetic_sources, http_folder):
    served = tmp_path / "served"
    served.mkdir()
    archive = make_archive(served / "toy.tar.gz", {"other/c.bin": b"C"})
    item = Download(http_folder(served) + "toy.tar.gz", sha256(archive.read_bytes()), extract=True)
    source = toy_source(tmp_path, downloads={"a.bin": item})
    with pytest.raises(MissingDataError, match="the download lacks a.bin"):
        sources.locate(source, ["a.bin"])


def test_keras_cache_dir_follows_keras_home(monkeypatch, tmp_path):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "kh"))
    assert sources.keras_cache_dir() == str(tmp_path / "kh" / "datasets")
    monkeypatch.delenv("KERAS_HOME")
    assert sources.keras_cache_dir() == os.path.expanduser("~/.keras/datasets")


def test_locate_folder_finds_the_first_folder_with_matching_files(tmp_path):
    source = toy_source(tmp_path, subdirs=("images",))
    write(tmp_path / "given" / "images", ["2.jpg", "1.jpg"])
    folder, names = sources.locate_folder(source, "*.jpg", tmp_path / "given")
    assert folder == str(tmp_path / "given" / "images")
    assert names == ["1.jpg", "2.jpg"]
    (tmp_path / "empty").mkdir()
    with pytest.raises(MissingDataError) as error:
        sources.locate_folder(source, "*.jpg", tmp_path / "empty")
    assert f"data_dir {tmp_path / 'empty'}: no *.jpg files" in str(error.value)


def test_read_bytes_reports_a_truncated_gzip(tmp_path):
    import gzip

    path = tmp_path / "x.gz"
    path.write_bytes(gzip.compress(b"z" * 10_000)[:-20])
    with pytest.raises(CorruptDataError, match=r"x.gz is not a complete gzip file"):
        sources.read_bytes(path, "toyset")


def test_check_sha256_names_file_and_both_digests(tmp_path):
    sources.check_sha256("toyset", "f", b"abc", sha256(b"abc"))
    sources.check_sha256("toyset", "f", b"abc", None)
    with pytest.raises(CorruptDataError) as error:
        sources.check_sha256("toyset", "f", b"abc", "1" * 64, what="decompressed bytes")
    message = str(error.value)
    assert "checksum mismatch for f" in message
    assert sha256(b"abc") in message and "1" * 64 in message
