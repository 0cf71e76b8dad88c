"""Pinned sdists from PyPI, downloaded once (sha256-checked) and unpacked once.

Shared by the benchmarks and the real-code accuracy set; everything lives under
benchmarks/.cache/ (delete it to start afresh).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
import tarfile
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CACHE = Path(__file__).resolve().parent / ".cache"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Project:
    name: str
    version: str
    sha256: str

    @property
    def sdist(self) -> str:
        return f"{self.name}-{self.version}.tar.gz"

    @property
    def folder(self) -> str:
        return f"{self.name}-{self.version}"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch_json(url: str, accept: str) -> Any:
    request = urllib.request.Request(url, headers={"Accept": accept})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.load(response)


def sdist_url(project: Project) -> str:
    """The sdist's URL: PyPI's JSON API, or the Simple API (PEP 691) where that is not
    served (some mirrors and proxies)."""
    try:
        release = fetch_json(
            f"https://pypi.org/pypi/{project.name}/{project.version}/json", "application/json"
        )
        files = release["urls"]
    except urllib.error.HTTPError:
        index = fetch_json(
            f"https://pypi.org/simple/{project.name}/", "application/vnd.pypi.simple.v1+json"
        )
        files = index["files"]
    for file in files:
        if file["filename"] == project.sdist:
            return str(file["url"])
    raise SystemExit(f"{project.sdist} is not on PyPI")


def download(project: Project) -> Path:
    target = CACHE / "downloads" / project.sdist
    if target.exists() and sha256_of(target) == project.sha256:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    url = sdist_url(project)
    log(f"downloading {url}")
    partial = target.with_name(target.name + ".part")
    with urllib.request.urlopen(url, timeout=300) as response, partial.open("wb") as out:
        shutil.copyfileobj(response, out)
    digest = sha256_of(partial)
    if digest != project.sha256:
        partial.unlink()
        raise SystemExit(f"{project.sdist}: sha256 {digest}, pinned {project.sha256}")
    partial.replace(target)
    return target


def unpack(project: Project, archive: Path) -> Path:
    target = CACHE / "src" / project.folder
    if target.is_dir():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    log(f"unpacking {archive.name}")
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".unpack-") as staging:
        with tarfile.open(archive) as tar:
            tar.extractall(staging, filter="data")
        Path(staging, project.folder).rename(target)
    return target
