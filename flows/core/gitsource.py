"""A git repository as the input folder: a source that refreshes.

The UN publishes its machine-readable resolutions (Akoma Ntoso XML and the official metadata)
in git repositories. The setting `source_repo` names one:

- a folder (a local clone, or any folder): read where it is, as it is. Updating it (`git pull`)
  is its owner's business; the build never writes into it.
- a git URL (https://..., git@..., ssh://..., file://...): cloned into the fetch cache
  (`<fetch cache>/git/<name>-<hash of the URL>/`), then brought up to the remote's latest commit
  on every run (`git fetch --depth 1` + `git reset --hard`). The clone keeps its git data in a
  separate folder beside the checkout, so the checkout holds only the repository's files (and a
  one-line `.git` file, which the walk ignores as hidden).

When the network is not there (or `offline` is set), the clone as the last run left it is used
and the run says so; with no clone at all the run fails with the reason. The per-document result
cache is keyed on each file's bytes, so a refreshed checkout extracts only the new and changed
documents. Git is run as a program (the `git` command-line tool), never through a shell.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

GIT_TIMEOUT = 1800  # seconds for a clone or fetch (the Council's repository is a few hundred MB)
_URL = re.compile(r"^(?:[a-z][a-z0-9+.\-]*://|[\w.\-]+@[\w.\-]+:)", re.I)


class SourceUnavailable(RuntimeError):
    """The repository could not be read: not cloned and not reachable, or git is missing."""


@dataclass(frozen=True, slots=True)
class RepositoryCheckout:
    path: Path  # the folder the build reads
    commit: str | None  # HEAD of the checkout (None for a folder that is not a git checkout)
    status: str  # "local" (read in place), "cloned", "updated", "unchanged", "offline", "stale"
    detail: str = ""


def is_url(spec: str) -> bool:
    return bool(_URL.match(spec.strip()))


def checkout_dir(url: str, cache_dir: Path) -> Path:
    """Where a URL's checkout lives in the fetch cache: readable and unique per URL."""
    name = re.sub(r"[^\w.\-]+", "-", url.rstrip("/").rsplit("/", 1)[-1].removesuffix(".git")).strip("-") or "repo"
    digest = hashlib.sha256(url.strip().encode()).hexdigest()[:10]
    return Path(cache_dir) / "git" / f"{name}-{digest}"


def _git(args: list[str], cwd: Path | None = None, timeout: int = GIT_TIMEOUT) -> str:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "true"}  # never wait for a password
    try:
        done = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout,
                              check=False)
    except FileNotFoundError as exc:
        raise SourceUnavailable("the git program is not installed (needed for source_repo)") from exc
    except subprocess.TimeoutExpired as exc:
        raise SourceUnavailable(f"git {args[0]} took more than {timeout} s") from exc
    if done.returncode != 0:
        raise SourceUnavailable(f"git {args[0]} failed: {(done.stderr or done.stdout).strip()[-500:]}")
    return done.stdout.strip()


def _head(path: Path) -> str | None:
    try:
        return _git(["rev-parse", "HEAD"], cwd=path, timeout=60)
    except SourceUnavailable:
        return None


def sync_repository(spec: str, cache_dir: Path, offline: bool = False, branch: str | None = None) -> RepositoryCheckout:
    """The folder to read for `spec` (a folder or a git URL), cloned or brought up to date."""
    spec = str(spec).strip()
    if not is_url(spec):
        path = Path(spec).expanduser().resolve()
        if not path.is_dir():
            raise SourceUnavailable(f"source_repo {spec} is neither a folder nor a git URL")
        return RepositoryCheckout(path, _head(path) if (path / ".git").exists() else None, "local")
    target = checkout_dir(spec, cache_dir)
    gitdir = target.with_name(target.name + ".git")
    cloned = (target / ".git").exists() and gitdir.is_dir()
    if offline:
        if not cloned:
            raise SourceUnavailable(f"offline, and {spec} was never cloned into {target}")
        return RepositoryCheckout(target, _head(target), "offline", "offline: the clone as the last run left it")
    if not cloned:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".partial")
        partial_git = target.with_name(target.name + ".partial.git")
        for leftover in (partial, partial_git, target, gitdir):
            _remove(leftover)
        args = ["clone", "--quiet", "--depth", "1", "--separate-git-dir", str(partial_git)]
        args += ["--branch", branch] if branch else []
        _git([*args, spec, str(partial)])
        os.replace(partial_git, gitdir)  # a killed clone leaves only .partial folders behind
        (partial / ".git").write_text(f"gitdir: {gitdir}\n", encoding="utf-8")
        os.replace(partial, target)
        return RepositoryCheckout(target, _head(target), "cloned")
    before = _head(target)
    try:
        _git(["fetch", "--quiet", "--depth", "1", "origin", branch or "HEAD"], cwd=target)
        _git(["reset", "--quiet", "--hard", "FETCH_HEAD"], cwd=target, timeout=600)
        _git(["clean", "-q", "-f", "-d"], cwd=target, timeout=600)
    except SourceUnavailable as exc:
        return RepositoryCheckout(target, before, "stale", f"could not update from {spec} ({exc}); "
                                                           "read the clone as the last run left it")
    after = _head(target)
    return RepositoryCheckout(target, after, "unchanged" if after == before else "updated")


def _remove(path: Path) -> None:
    import shutil

    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    elif path.exists() or path.is_symlink():
        path.unlink(missing_ok=True)
