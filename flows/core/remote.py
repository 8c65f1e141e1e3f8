"""Publishing a finished release to object storage (S3 or any fsspec file system).

The remote layout mirrors `outputs/`:

    <url>/releases/<version>/...   every file of the release, datapackage.json uploaded last
    <url>/latest                   one small object holding "releases/<version>"

The order is what makes it safe: every file is uploaded, then every uploaded object is
checked (its size, and by default its sha256 read back against the local file, whose own
hash was first checked against datapackage.json), and only then is `latest` written, in one
PUT (atomic on S3; a rename on a local file system). A failure anywhere before that raises
RemotePublishError, removes what this call uploaded, and leaves `latest` where it was, so
readers who follow `latest` never see a partial release.

`file://` URLs use fsspec's local file system: the same code path, handy for tests and for
publishing to a mounted share. The local pointer is a file, which `Outputs.latest()` reads.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import fsspec
from fsspec.implementations.local import LocalFileSystem

from flows.core.ingest import sha256_file

RELEASES = "releases"
LATEST = "latest"
PACKAGE = "datapackage.json"
_BLOCK = 1 << 20

Verify = Literal["size", "sha256"]


class RemotePublishError(RuntimeError):
    """A release could not be published remotely; the remote `latest` was not moved."""


def _filesystem(url: str, storage_options: Mapping[str, Any] | None) -> tuple[Any, str]:
    """The file system and the root path (bucket/prefix, without trailing slash) of a URL."""
    fs, root = fsspec.core.url_to_fs(url, **dict(storage_options or {}))
    return fs, root.rstrip("/")


def _sha256_remote(fs: Any, path: str) -> str:
    digest = hashlib.sha256()
    with fs.open(path, "rb") as fh:
        for block in iter(lambda: fh.read(_BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()


def _release_files(release: Path) -> list[str]:
    """Relative paths of every file of the release, datapackage.json last (it marks a complete upload)."""
    files = sorted(p.relative_to(release).as_posix() for p in release.rglob("*") if p.is_file())
    return [f for f in files if f != PACKAGE] + [PACKAGE]


def _local_hashes(release: Path, files: list[str], package: Mapping[str, Any]) -> dict[str, str]:
    """sha256 of every local file, after checking those that datapackage.json lists against it."""
    hashes = {rel: sha256_file(release / rel) for rel in files}
    for res in package.get("resources", []):
        declared = str(res.get("hash", ""))
        if not declared.startswith("sha256:"):
            continue
        if res["path"] not in hashes:
            raise RemotePublishError(f"{release}: {res['path']} is listed in {PACKAGE} but missing")
        if hashes[res["path"]] != declared.removeprefix("sha256:"):
            raise RemotePublishError(f"{release}: {res['path']} does not match the sha256 in {PACKAGE}; "
                                     "the local release is damaged, nothing was uploaded")
    return hashes


def _verify(fs: Any, release: Path, dest: str, hashes: Mapping[str, str], verify: Verify) -> None:
    """Every uploaded object has the local file's size (and, with sha256, its content)."""
    fs.invalidate_cache()
    for rel, sha in hashes.items():
        remote = f"{dest}/{rel}"
        size = fs.info(remote)["size"]
        if size != (release / rel).stat().st_size:
            raise RemotePublishError(f"{remote}: {size} bytes uploaded, {(release / rel).stat().st_size} expected")
        if verify == "sha256" and _sha256_remote(fs, remote) != sha:
            raise RemotePublishError(f"{remote}: the uploaded content differs from {release / rel}")


def _write_pointer(fs: Any, path: str, text: str) -> None:
    """Write `latest` in one atomic step: a single PUT on object stores, a rename on local disks
    (os.replace, which also replaces a `latest` symlink instead of moving into its folder)."""
    if isinstance(fs, LocalFileSystem):
        target = Path(fs._strip_protocol(path))
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, target)
    else:
        fs.pipe_file(path, text.encode("utf-8"))


def _read_text(fs: Any, path: str) -> str | None:
    if isinstance(fs, LocalFileSystem) and os.path.islink(fs._strip_protocol(path)):
        return os.readlink(fs._strip_protocol(path))  # a local outputs/ folder, where latest is a symlink
    try:
        return fs.cat_file(path).decode("utf-8")
    except FileNotFoundError:
        return None


def remote_latest(url: str, storage_options: Mapping[str, Any] | None = None) -> str | None:
    """The release path ("releases/<version>") the remote `latest` holds, or None when there is none."""
    fs, root = _filesystem(url, storage_options)
    fs.invalidate_cache()
    text = _read_text(fs, f"{root}/{LATEST}")
    return (text.strip() or None) if text is not None else None


def _upload(fs: Any, release: Path, dest: str, files: list[str]) -> None:
    local = isinstance(fs, LocalFileSystem)
    for rel in files:
        target = f"{dest}/{rel}"
        if local:
            fs.makedirs(target.rsplit("/", 1)[0], exist_ok=True)
        fs.put_file(str(release / rel), target)


def publish_to(release_dir: Path, url: str, *, storage_options: Mapping[str, Any] | None = None,
               verify: Verify = "sha256") -> str:
    """Upload a finished release to `<url>/releases/<version>/`, verify it, then move `<url>/latest`.

    `release_dir` is a published release folder (or the `latest` link to one); its folder name
    is the version. `storage_options` go to fsspec (for S3: key, secret, endpoint_url,
    client_kwargs, ...). Publishing a version that is already there with the same
    datapackage.json only re-verifies it and moves `latest`; a different release under the same
    version is refused, since releases are immutable. Returns the URL of the remote release.
    """
    release = Path(release_dir).resolve()
    if not (release / PACKAGE).is_file():
        raise RemotePublishError(f"{release} is not a finished release (no {PACKAGE})")
    package_text = (release / PACKAGE).read_text(encoding="utf-8")
    package = json.loads(package_text)
    files = _release_files(release)
    hashes = _local_hashes(release, files, package)
    fs, root = _filesystem(url, storage_options)
    dest = f"{root}/{RELEASES}/{release.name}"
    fs.invalidate_cache()
    previous = _read_text(fs, f"{root}/{LATEST}")
    remote_package = _read_text(fs, f"{dest}/{PACKAGE}")
    if remote_package is not None and remote_package != package_text:
        raise RemotePublishError(f"{fs.unstrip_protocol(dest)} holds a different release of the same version; "
                                 "releases are immutable")
    try:
        if remote_package is None:
            _upload(fs, release, dest, files)
        _verify(fs, release, dest, hashes, verify)
    except Exception as exc:
        if remote_package is None:  # remove only what this call uploaded; a leftover would be harmless anyway
            try:
                fs.rm(dest, recursive=True)
            except Exception:  # noqa: BLE001 - the cleanup must not hide the original error
                pass
        where = (previous or "nothing").strip()
        raise RemotePublishError(f"publishing {release.name} to {url} failed ({type(exc).__name__}: {exc}); "
                                 f"the remote latest still points at {where}") from exc
    _write_pointer(fs, f"{root}/{LATEST}", f"{RELEASES}/{release.name}\n")
    return fs.unstrip_protocol(dest) + "/"
