"""Reading files safely: only regular files, never blocking on a FIFO or a device, never
more than a size limit; problems become diagnostics."""

from __future__ import annotations

import os
import stat

from mockguard.findings import Diagnostic

# A .gitignore is read whole and each of its patterns is tried on every entry below it: a
# bigger one is a mistake or an attack, and is skipped with a diagnostic.
MAX_IGNORE_FILE_SIZE = 1024 * 1024


# --------------------------------------------------------------------- reading safely


class _NotRegularFile(Exception):
    """A FIFO, a device, a folder... where a file was expected."""


class _TooLarge(Exception):
    """A file over the size limit; `size` is how big it was found to be."""

    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


_READ_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)  # a FIFO put in the file's place must not block the open
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)


def _read_regular_file(path: str, max_size: int) -> bytes:
    """The bytes of `path`, if it is a regular file of at most `max_size` bytes.

    The kind and size are checked on the open file (a file swapped for a FIFO or a device
    after the first look is caught), and no more than `max_size + 1` bytes are ever read
    (a file that grows meanwhile is still cut off). Raises _NotRegularFile, _TooLarge or
    OSError.
    """
    if not stat.S_ISREG(os.stat(path).st_mode):
        raise _NotRegularFile  # not even opened: opening some devices does something
    with open(path, "rb", opener=_open_without_blocking) as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise _NotRegularFile
        if info.st_size > max_size:
            raise _TooLarge(info.st_size)
        data = handle.read(max_size + 1)
        if len(data) > max_size:
            raise _TooLarge(max(os.fstat(handle.fileno()).st_size, len(data)))
        return data


def _open_without_blocking(path: str, flags: int) -> int:
    """The `opener` for `open` that adds _READ_FLAGS (no blocking on a FIFO, no tty)."""
    return os.open(path, flags | _READ_FLAGS)


def read_source(path: str, max_size: int) -> bytes | Diagnostic:
    """The bytes of a file, or a diagnostic saying why they cannot be had."""
    try:
        return _read_regular_file(path, max_size)
    except _NotRegularFile:
        return Diagnostic(path, "not-a-file", "not a regular file")
    except _TooLarge as exc:
        return Diagnostic(
            path, "too-large", f"skipped: {exc.size} bytes is over max-file-size ({max_size})"
        )
    except FileNotFoundError:
        if os.path.islink(path):
            return Diagnostic(path, "broken-symlink", "broken symbolic link")
        return Diagnostic(path, "unreadable", "file disappeared during the scan")
    except OSError as exc:
        return Diagnostic(path, "unreadable", f"cannot read: {exc.strerror or exc}")


def read_ignore_file(path: str) -> list[str] | Diagnostic | None:
    """The lines of a .gitignore file; None when there is none; a diagnostic when it is
    there but is not a small regular file, or cannot be read."""
    try:
        data = _read_regular_file(path, MAX_IGNORE_FILE_SIZE)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except _NotRegularFile:
        return Diagnostic(path, "not-a-file", "not a regular file: its patterns are not applied")
    except _TooLarge as exc:
        return Diagnostic(
            path,
            "too-large",
            f"its patterns are not applied: {exc.size} bytes is over {MAX_IGNORE_FILE_SIZE}",
        )
    except OSError as exc:
        return Diagnostic(path, "unreadable", f"cannot read: {exc.strerror or exc}")
    # Names that are not UTF-8 reach us with surrogate escapes; patterns are decoded alike.
    text = data.decode("utf-8", "surrogateescape")
    return [line.removesuffix("\r") for line in text.split("\n")]
