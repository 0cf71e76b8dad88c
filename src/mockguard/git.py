"""The one way mockguard runs git: hardened against the repository it reads.

A repository can name programs for git to run: an fsmonitor hook, hooks, external diff
and textconv drivers, clean/smudge filters, transports for a lazy fetch. mockguard reads
repositories it did not write (a pull request, a downloaded tarball), so every git
command it starts switches those off, reads no system config, never prompts, and never
lets a value from the user be read as an option.

Here too: the changed lines of `scan --diff`, the blobs of a commit's tree, and one
`git cat-file --batch` process that reads them.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO

# Settings that make git run a program, switched off for every command. `-c` values reach
# the git processes git itself starts (GIT_CONFIG_PARAMETERS) too.
_SAFE_CONFIG = (
    ("core.fsmonitor", ""),
    ("core.hooksPath", "/dev/null"),
    ("diff.external", ""),
    ("protocol.allow", "never"),  # no lazy fetch in a partial clone: no transport runs
)
_DROPPED_ENVIRONMENT = ("GIT_EXTERNAL_DIFF",)
# What diffing the working tree reads from config: the drivers are off, the output format
# is pinned whatever diff.* settings say.
_DIFF_OPTIONS = (
    "--no-ext-diff",
    "--no-textconv",
    "--no-color",
    "--no-renames",
    "--no-relative",
    "--ignore-submodules=all",
    "--unified=0",
    "--inter-hunk-context=0",
    "--src-prefix=a/",
    "--dst-prefix=b/",
)
_HUNK = re.compile(rb"@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")
_QUOTED = re.compile(rb'"((?:[^"\\]|\\.)*)"\t?')
_ESCAPE = re.compile(rb"\\(?:([0-3][0-7]{2})|(.))", re.DOTALL)
_ESCAPED = {b"a": 7, b"b": 8, b"t": 9, b"n": 10, b"v": 11, b"f": 12, b"r": 13}


class GitError(Exception):
    """git could not answer, with a one-line message."""


def run_git(
    args: Sequence[str],
    cwd: Path,
    *,
    config: Iterable[tuple[str, str]] = (),
    allowed_codes: tuple[int, ...] = (0,),
) -> bytes:
    """The standard output of `git ARGS` run in `cwd`, as bytes (names are not always
    UTF-8). `config` adds settings for this command; an exit code outside `allowed_codes`
    raises GitError with git's last line of complaint."""
    try:
        done = subprocess.run(
            ["git", *_config_options(_SAFE_CONFIG), *args],
            cwd=cwd,
            env=_environment(config),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            check=False,
        )
    except FileNotFoundError:
        if not os.path.isdir(cwd):
            raise GitError(f"no such folder: {cwd}") from None
        raise GitError("git is not installed") from None
    except OSError as exc:
        raise GitError(f"cannot run git: {exc.strerror or exc}") from None
    if done.returncode not in allowed_codes:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines() or ["failed"]
        raise GitError(f"git {args[0]}: {reason[-1]}")
    return done.stdout


def refuse_option(value: str, what: str) -> str:
    """`value` unchanged, unless git could read it as an option (it starts with `-`)."""
    if value.startswith("-"):
        raise GitError(f"{what} {value!r} starts with '-': refused, git would read an option")
    return value


def toplevel(path: Path) -> Path:
    """The top of the git work tree holding the folder `path`."""
    output = run_git(["rev-parse", "--show-toplevel"], path)
    return Path(os.fsdecode(output.removesuffix(b"\n")))


def tree_blobs(repo: Path, commit: str, paths: Iterable[str] = ()) -> list[tuple[str, str]]:
    """(path, blob id) of every file in a commit's tree, under `paths` if given."""
    given = [refuse_option(p, "path") for p in paths]
    refuse_option(commit, "commit")
    output = run_git(
        ["ls-tree", "-r", "-z", "--full-tree", "--end-of-options", commit, *given], repo
    )
    found = []
    for entry in output.split(b"\0"):
        meta, tab, path = entry.partition(b"\t")
        fields = meta.split(b" ")
        if tab and len(fields) == 3 and fields[1] == b"blob":
            found.append((os.fsdecode(path), fields[2].decode("ascii")))
    return found


class BlobReader:
    """One `git cat-file --batch` process that hands out blob contents; use it in a `with`
    block so that the process ends."""

    def __init__(self, repo: Path) -> None:
        try:
            self._process = subprocess.Popen(
                ["git", *_config_options(_SAFE_CONFIG), "cat-file", "--batch"],
                cwd=repo,
                env=_environment(),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
        except OSError as exc:
            raise GitError(f"cannot run git: {exc.strerror or exc}") from None
        self._stdin: IO[bytes] = self._process.stdin  # type: ignore[assignment]
        self._stdout: IO[bytes] = self._process.stdout  # type: ignore[assignment]

    def read(self, blob: str, max_size: int) -> bytes | None:
        """The contents of `blob`: b"" when git has no such object, None when it is over
        `max_size` bytes (then it is skipped, never held in memory)."""
        try:
            self._stdin.write(blob.encode("ascii") + b"\n")
            self._stdin.flush()
        except (BrokenPipeError, UnicodeEncodeError) as exc:
            raise GitError(f"git cat-file: cannot read blob {blob!r}") from exc
        header = self._stdout.readline().split()
        if len(header) != 3:
            if not header:
                raise GitError("git cat-file: ended unexpectedly")
            return b""  # "<id> missing" or "<id> ambiguous"
        size = int(header[2])
        if size > max_size:
            self._skip(size + 1)
            return None
        data = self._stdout.read(size)
        self._stdout.read(1)  # the newline after the contents
        return data

    def _skip(self, count: int) -> None:
        """Read past `count` bytes of output without keeping them."""
        while count > 0:
            chunk = self._stdout.read(min(count, 1 << 20))
            if not chunk:
                raise GitError("git cat-file: ended unexpectedly")
            count -= len(chunk)

    def close(self) -> None:
        """End the git process."""
        self._stdin.close()
        self._process.wait()

    def __enter__(self) -> BlobReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def changed_lines(revision: str, cwd: Path) -> dict[str, set[int] | None]:
    """Absolute path -> the lines added or changed since `revision` (None: the whole file,
    which git does not track yet). Deleted files are left out."""
    refuse_option(revision, "revision")
    top = toplevel(cwd)
    run_git(["rev-parse", "--verify", "--end-of-options", f"{revision}^{{commit}}"], top)
    patch = run_git(
        ["diff", *_DIFF_OPTIONS, "--end-of-options", revision, "--"],
        top,
        config=[("core.quotePath", "true"), *_no_filters(top)],
    )
    changed: dict[str, set[int] | None] = {}
    for name, lines in _patch_lines(patch):
        changed[os.path.normpath(os.path.join(top, name))] = lines
    untracked = run_git(["ls-files", "-z", "--others", "--exclude-standard"], top)
    for raw in untracked.split(b"\0"):
        if raw:
            changed[os.path.normpath(os.path.join(top, os.fsdecode(raw)))] = None
    return changed


def _patch_lines(patch: bytes) -> Iterable[tuple[str, set[int]]]:
    """(name, lines added or changed) for each file of a zero-context patch that still
    exists. A name is read from the `+++` line of the file's header only: in a hunk, an
    added line that starts with `++ ` reads `+++ ` too."""
    lines: set[int] | None = None
    in_header = False
    for line in patch.split(b"\n"):
        if line.startswith(b"diff --git "):
            lines, in_header = None, True
        elif in_header and line.startswith(b"+++ "):
            name = _target_name(line[4:])
            if name is not None:
                lines = set()
                yield name, lines
        elif line.startswith(b"@@ "):
            in_header = False
            match = _HUNK.match(line)
            if match and lines is not None:
                start, count = int(match.group(1)), int(match.group(2) or b"1")
                lines.update(range(start, start + count))


def _target_name(label: bytes) -> str | None:
    """The file name in a `+++ b/NAME` label, exactly, or None for `/dev/null`.

    With core.quotePath on, git writes a name holding a control character, `"`, `\\` or
    any byte over 127 in C quotes (octal escapes); else as it is, plus a tab when the name
    holds a space. An unquoted name never holds a tab, so one at the end is that marker.
    """
    if label == b"/dev/null":
        return None
    quoted = _QUOTED.fullmatch(label)
    raw = _unquote(quoted.group(1)) if quoted else label.removesuffix(b"\t")
    if not raw.startswith(b"b/"):
        raise GitError(f"git diff: unexpected file label {label!r}")
    return os.fsdecode(raw[2:])


def _unquote(body: bytes) -> bytes:
    """The bytes of a C-quoted name, as git's `unquote_c_style` reads it."""

    def byte(match: re.Match[bytes]) -> bytes:
        octal, char = match.groups()
        if octal is not None:
            return bytes([int(octal, 8)])
        return bytes([_ESCAPED[char]]) if char in _ESCAPED else char

    return _ESCAPE.sub(byte, body)


def _no_filters(top: Path) -> list[tuple[str, str]]:
    """Settings that switch off every clean/smudge filter the config defines: diffing the
    working tree would run them on stat-dirty files."""
    output = run_git(
        ["config", "-z", "--get-regexp", r"^filter\..*\.(clean|smudge|process|required)$"],
        top,
        allowed_codes=(0, 1),  # 1: none defined
    )
    drivers = set()
    for entry in output.split(b"\0"):
        key = os.fsdecode(entry.partition(b"\n")[0])
        if key.count(".") >= 2:
            drivers.add(key[len("filter.") : key.rindex(".")])
    return [
        (f"filter.{driver}.{name}", value)
        for driver in sorted(drivers)
        for name, value in (("clean", ""), ("smudge", ""), ("process", ""), ("required", "false"))
    ]


def _config_options(settings: Iterable[tuple[str, str]]) -> list[str]:
    """`-c key=value` for each setting (names known here: none holds `=`)."""
    return [option for key, value in settings for option in ("-c", f"{key}={value}")]


def _environment(config: Iterable[tuple[str, str]] = ()) -> dict[str, str]:
    """The caller's environment, minus what would run a program, plus `config` passed the
    way that keeps any name exact (a filter may be called `a=b`; `-c` would split it)."""
    env = {k: v for k, v in os.environ.items() if k not in _DROPPED_ENVIRONMENT}
    env.update(GIT_CONFIG_NOSYSTEM="1", GIT_TERMINAL_PROMPT="0", GIT_NO_LAZY_FETCH="1")
    try:
        count = int(env.get("GIT_CONFIG_COUNT", "0"))
    except ValueError:
        count = 0
    for key, value in config:
        env[f"GIT_CONFIG_KEY_{count}"] = key
        env[f"GIT_CONFIG_VALUE_{count}"] = value
        count += 1
    if count:
        env["GIT_CONFIG_COUNT"] = str(count)
    return env
