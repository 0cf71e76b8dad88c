"""The key that signs this user's cache files, and the signature itself.

Kept apart from :mod:`mockguard.scan.cachedir` with nothing but the standard library's
smallest modules, so that a warm rescan can check a signed file before it imports the rest
of mockguard (see :mod:`mockguard.scan.replay`).

A signed file is `{"mac":"<HMAC-SHA256 of its name and body>","body":<JSON>}`; the key is
32 random bytes in a file of this user that nobody else may read, outside any repository.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import stat

KEY_SIZE = 32
MAC_HEAD = b'{"mac":"'
MAC_TAIL = b'","body":'
_MAC_SIZE = 64


def key_path() -> str:
    """Where this user's cache key lives: `$XDG_CACHE_HOME/mockguard/key`, else
    `~/.cache/mockguard/key`. A KeyError or RuntimeError when there is no home folder."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):
        home = os.path.expanduser("~")
        if not os.path.isabs(home):
            raise RuntimeError("no home folder")
        base = os.path.join(home, ".cache")
    return os.path.join(base, "mockguard", "key")


def read_key(path: str | os.PathLike[str]) -> bytes | None:
    """The key, when it is a regular file of this user that nobody else may read."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if (
            not stat.S_ISREG(info.st_mode)
            or info.st_uid != os.getuid()
            or info.st_mode & 0o077
            or info.st_size != KEY_SIZE
        ):
            return None
        data = os.read(fd, KEY_SIZE + 1)
    except OSError:
        return None
    finally:
        os.close(fd)
    return data if len(data) == KEY_SIZE else None


def mac(key: bytes, name: str, body: bytes) -> bytes:
    """The signature of the file `name` holding `body` (hex, ASCII)."""
    return hmac.new(key, name.encode() + b"\0" + body, hashlib.sha256).hexdigest().encode()


def signed(key: bytes, name: str, body: str) -> str:
    """The text of the file `name` holding the JSON `body`, signed."""
    return f'{{"mac":"{mac(key, name, body.encode()).decode()}","body":{body}}}'


def verified_body(key: bytes, name: str, raw: bytes) -> bytes | None:
    """The JSON body of the file `name` whose bytes are `raw`, when its signature verifies;
    else None."""
    start = len(MAC_HEAD) + _MAC_SIZE
    if not (raw.startswith(MAC_HEAD) and raw[start:].startswith(MAC_TAIL)):
        return None
    body = raw[start + len(MAC_TAIL) : -1]
    if not raw.endswith(b"}") or not hmac.compare_digest(
        raw[len(MAC_HEAD) : start], mac(key, name, body)
    ):
        return None
    return body
