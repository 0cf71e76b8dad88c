"""Running the codemod over files: diffs, and writes that keep everything outside the edits.

A file is read as bytes and parsed by LibCST from those bytes, which keeps its encoding
(a PEP 263 declaration, a UTF-8 BOM) and its line endings. Lines LibCST does not give back
exactly (a lone CR ending the file, a form feed opening a line) are taken from the file
itself, so only the edited statements and the imports differ.

Writes go in two phases: every new file is first written next to its target, then each
replaces its target. Nothing is replaced while any file could not be staged, and a file
that changed since it was read stops the whole write.
"""

from __future__ import annotations

import ast
import difflib
import io
import os
import re
import stat
import tokenize
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import libcst as cst
from libcst.codemod import CodemodContext, SkipFile

from mockguard.config import Settings
from mockguard.findings import Finding
from mockguard.fix.command import ReplaceAdHocMocksCommand, plan_source
from mockguard.fix.plan import FIXED_CODES, Plan, Rewrite, Skip
from mockguard.fix.splice import LINE, splice_patches
from mockguard.io import discard, stage
from mockguard.scan.cache import content_digest
from mockguard.scan.grammar import downgrade

READ_ONLY = "read-only file"
# Below this many files to rewrite, a process pool costs more than it saves.
POOL_THRESHOLD = 16
# One line with its own ending; Python breaks lines at CR LF, CR and LF only.


class WriteError(Exception):
    """A file could not be written, or must not be."""


class FileChangedError(WriteError):
    """A file changed on disk between reading and writing it."""


@dataclass
class FileOutcome:
    """What the codemod made of one file: its bytes as read and as rewritten."""

    path: str
    original: bytes
    encoding: str = "utf-8"
    updated: bytes | None = None
    rewrites: list[Rewrite] = field(default_factory=list)
    skips: list[Skip] = field(default_factory=list)
    error: str | None = None
    # Why a file that had rewrites is left as it is (a read-only file).
    note: str | None = None

    @property
    def changed(self) -> bool:
        return self.updated is not None and self.updated != self.original

    def diff(self) -> str:
        """A unified diff of the rewrite (line endings shown as plain newlines)."""
        if not self.changed or self.updated is None:
            return ""
        before, after = (
            [line.rstrip("\r\n") for line in LINE.findall(data.decode(self.encoding))]
            for data in (self.original, self.updated)
        )
        lines = difflib.unified_diff(
            before, after, fromfile=f"a/{self.path}", tofile=f"b/{self.path}", lineterm=""
        )
        return "".join(f"{line}\n" for line in lines)


FIXED_RULES = FIXED_CODES
# A scan's findings of a file's content: its hash, and the findings of FIXED_RULES.
Scanned = tuple[str, list[Finding]]


def rewrite_file(
    path: str,
    settings: Settings,
    categories: Iterable[str] | None,
    scanned: Scanned | None = None,
    keep: frozenset[int] | None = None,
) -> FileOutcome:
    """Run the codemod on one file (nothing is written). `scanned`: what a scan found in
    the file, used when the file still has the content it was scanned with; `keep`: only
    the rewrites at these lines."""
    from mockguard.scan.engine import collector_paused

    with collector_paused():  # trees hold no cycles: see the scan
        return _rewrite_file(path, settings, categories, scanned, keep)


def _rewrite_file(
    path: str,
    settings: Settings,
    categories: Iterable[str] | None,
    scanned: Scanned | None,
    keep: frozenset[int] | None,
) -> FileOutcome:
    try:
        data = Path(path).read_bytes()
        info = os.stat(path)
    except OSError as exc:
        return FileOutcome(path, b"", error=f"cannot read: {exc.strerror or exc}")
    # Planned from `ast` first: LibCST (costly) reads only a file with something to rewrite.
    try:
        detected = encoding = _encoding(data)
        text = data.decode(encoding)
        if encoding == "utf-8-sig":  # the BOM is not part of the text
            encoding = "utf-8"
        known = None
        if scanned is not None and scanned[0] == content_digest(data):
            if text.encode(encoding, "surrogatepass") == data:  # columns count the same text
                known = scanned[1]
        plan = plan_source(text, encoding, path, settings, categories, known, keep)
    except Exception as exc:  # a syntax error, or an encoding Python does not know
        return FileOutcome(path, data, error=f"not rewritten: {_one_line(exc)}")
    if not plan.rewrites:
        return FileOutcome(path, data, encoding, skips=list(plan.skips))
    spliced = _spliced_patches(path, data, text, detected, plan, info)
    if spliced is not None:
        return spliced
    try:
        module = cst.parse_module(data)
    except Exception as exc:
        return FileOutcome(path, data, error=f"not rewritten: {_one_line(exc)}")
    outcome = FileOutcome(path, data, module.encoding)
    if module.code != text:  # LibCST read other text: plan again from what it read
        plan = plan_source(module.code, module.encoding, path, settings, categories, keep=keep)
    command = ReplaceAdHocMocksCommand(
        CodemodContext(filename=path), settings, categories, plan=plan
    )
    try:
        updated = command.transform_module(module)
    except SkipFile:
        updated = None
    except Exception as exc:
        outcome.error = f"not rewritten: {_one_line(exc)}"
        updated = None
    outcome.skips = list(command.plan.skips)
    if updated is None:
        return outcome
    outcome.rewrites = list(command.plan.rewrites)
    _set_update(outcome, data, module, updated)
    if outcome.changed and read_only(info):
        _leave_alone(outcome, READ_ONLY)
    return outcome


def _spliced_patches(
    path: str, data: bytes, text: str, encoding: str, plan: Plan, info: os.stat_result
) -> FileOutcome | None:
    """The outcome of a file whose only rewrites are patches, edited on its text (see
    :mod:`mockguard.fix.splice`); None when the codemod must do it. `encoding` is the one
    the file was read in (`utf-8-sig` writes the BOM back)."""
    try:
        updated = splice_patches(text, plan)
        if updated is None:
            return None
        result = updated.encode(encoding, "surrogatepass")
        _check_parses(result, compiled=True)
    except (SyntaxError, ValueError, UnicodeError):
        return None
    outcome = FileOutcome(
        path, data, encoding, rewrites=list(plan.rewrites), skips=list(plan.skips)
    )
    outcome.updated = result
    if outcome.changed and read_only(info):
        _leave_alone(outcome, READ_ONLY)
    return outcome


def rewrite_files(
    paths: list[str],
    settings: Settings,
    categories: Iterable[str] | None,
    jobs: int | None = None,
    on_progress: Callable[[int], None] | None = None,
    scanned: dict[str, Scanned] | None = None,
) -> list[FileOutcome]:
    """:func:`rewrite_file` on each path, in the order given, spread over a process pool
    when there are enough of them (nothing is written)."""
    from mockguard.scan.engine import default_jobs, worker_pool

    chosen = list(categories) if categories is not None else None
    known = [(scanned or {}).get(path) for path in paths]
    jobs = jobs or settings.jobs or default_jobs()
    if jobs <= 1 or len(paths) < POOL_THRESHOLD:
        outcomes = []
        for path, found in zip(paths, known, strict=True):
            outcomes.append(rewrite_file(path, settings, chosen, found))
            if on_progress:
                on_progress(1)
        return outcomes
    outcomes = []
    with worker_pool(min(jobs, default_jobs())) as pool:
        settings_each = [settings] * len(paths)
        chosen_each = [chosen] * len(paths)
        for outcome in pool.map(rewrite_file, paths, settings_each, chosen_each, known):
            outcomes.append(outcome)
            if on_progress:
                on_progress(1)
    return outcomes


def _encoding(data: bytes) -> str:
    """The encoding Python reads a module's bytes in (PEP 263, a BOM, else UTF-8)."""
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    return encoding


def _one_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}".rstrip(": ")


def _set_update(outcome: FileOutcome, data: bytes, module: cst.Module, updated: cst.Module) -> None:
    """The rewritten bytes, in the file's encoding, BOM and line endings; never a result that
    does not parse."""
    try:
        text = _spliced(data.decode(module.encoding), module.code, updated.code)
        result = text.encode(module.encoding)
        _check_parses(result)
    except SyntaxError as exc:
        outcome.error = f"not rewritten: the result would not parse ({exc.msg})"
        outcome.rewrites = []
        return
    except (ValueError, UnicodeError) as exc:
        outcome.error = f"not rewritten: {exc}"
        outcome.rewrites = []
        return
    outcome.updated = result


def _check_parses(data: bytes, *, compiled: bool = False) -> None:
    """Raise SyntaxError unless `data` is valid Python: for this interpreter, or for a newer
    one the way the scanner reads such code. `compiled`: checked by compiling it to bytecode
    (stricter, and about half the time of building its tree)."""
    try:
        with warnings.catch_warnings():  # `"\d"` and the like: the file's own business
            warnings.simplefilter("ignore")
            if compiled:
                compile(data, "<rewritten>", "exec", dont_inherit=True)
            else:
                ast.parse(data)
    except SyntaxError:
        newer = downgrade(data)
        if newer is None:
            raise
        ast.parse(newer)


def _spliced(original: str, regenerated: str, updated: str) -> str:
    """`updated`, with each line the codemod left alone taken from the file itself.

    `regenerated` is LibCST's rendering of the unchanged module; it differs from `original`
    only where LibCST does not keep a character (a lone CR ending the file, a form feed
    opening a line), never in the number of lines."""
    if regenerated == original:
        return updated
    source, before, after = (LINE.findall(t) for t in (original, regenerated, updated))
    if len(source) != len(before) or "".join(source) != original:
        raise ValueError("LibCST does not give back this file's lines as they are")
    spliced: list[str] = []
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        spliced.extend(source[i1:i2] if tag == "equal" else after[j1:j2])
    text = "".join(spliced)
    ending = re.search(r"(\r\n|\r|\n)\Z", original)
    if ending is not None and text and not text.endswith(("\r", "\n")):
        text += ending.group(1)
    return text


def read_only(info: os.stat_result) -> bool:
    """Whether the mode bits deny writing to whoever runs this. Root can write any file, so
    a file with no write bit at all (0444) counts as read-only for root too."""
    mode = info.st_mode
    if not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        return True
    uid = os.geteuid() if hasattr(os, "geteuid") else 0
    if uid == 0:
        return False
    if info.st_uid == uid:
        return not mode & stat.S_IWUSR
    if info.st_gid == os.getegid() or info.st_gid in os.getgroups():
        return not mode & stat.S_IWGRP
    return not mode & stat.S_IWOTH


def _leave_alone(outcome: FileOutcome, reason: str) -> None:
    """Turn the file's rewrites into skips with `reason`."""
    outcome.skips.extend(Skip(r.line, r.category, reason) for r in outcome.rewrites)
    outcome.rewrites = []
    outcome.updated = None
    outcome.note = reason


def write(outcomes: Iterable[FileOutcome]) -> list[FileOutcome]:
    """Write every changed file, or none: each is checked against what was read, then staged
    next to its target, checked again, and only then put in place."""
    changed = [o for o in outcomes if o.changed]
    for outcome in changed:
        _check_writable(outcome)
    staged = _stage_all(changed)
    try:
        for outcome, _ in staged:
            _check_unchanged(outcome)
    except WriteError:
        discard(temp for _, temp in staged)
        raise
    written: list[FileOutcome] = []
    for index, (outcome, temp) in enumerate(staged):
        try:
            os.replace(temp, outcome.path)
        except OSError as exc:
            discard(temp for _, temp in staged[index:])
            undone = _undo(written)
            raise WriteError(f"cannot write {outcome.path}: {_reason(exc)}; {undone}") from None
        written.append(outcome)
    return written


def _check_writable(outcome: FileOutcome) -> None:
    path = Path(outcome.path)
    if path.is_symlink():
        raise WriteError(f"{outcome.path} is a symbolic link; fix writes only regular files")
    try:
        info = path.stat()
    except OSError as exc:
        raise FileChangedError(f"{outcome.path} cannot be read again: {_reason(exc)}") from None
    if read_only(info):
        raise WriteError(f"cannot write {outcome.path}: {READ_ONLY}; nothing was written")
    _check_unchanged(outcome)


def _check_unchanged(outcome: FileOutcome) -> None:
    """Stop when the file no longer holds what was read."""
    try:
        current = Path(outcome.path).read_bytes()
    except OSError as exc:
        raise FileChangedError(f"{outcome.path} cannot be read again: {_reason(exc)}") from None
    if current != outcome.original:
        raise FileChangedError(f"{outcome.path} changed since it was read; run fix again")


def _stage_all(outcomes: list[FileOutcome]) -> list[tuple[FileOutcome, str]]:
    staged: list[tuple[FileOutcome, str]] = []
    for outcome in outcomes:
        try:
            staged.append((outcome, _stage(Path(outcome.path), outcome.updated or b"")))
        except OSError as exc:
            discard(temp for _, temp in staged)
            raise WriteError(
                f"cannot write {outcome.path}: {_reason(exc)}; nothing was written"
            ) from None
    return staged


def _stage(path: Path, data: bytes) -> str:
    """`data` in a synced temp file next to `path`, with the target's mode (and owner, when
    allowed); returns the temp file's name."""
    info = path.stat()
    temp = stage(path, data, stat.S_IMODE(info.st_mode))
    if hasattr(os, "chown") and (info.st_uid, info.st_gid) != (os.geteuid(), os.getegid()):
        try:
            os.chown(temp, info.st_uid, info.st_gid)
        except OSError:
            pass
    return temp


def _put(path: Path, data: bytes) -> None:
    os.replace(_stage(path, data), path)


def _undo(written: list[FileOutcome]) -> str:
    """Put back what the files written so far held; say how that went."""
    failed = []
    for outcome in written:
        try:
            _put(Path(outcome.path), outcome.original)
        except OSError:
            failed.append(outcome.path)
    if failed:
        return f"could not put back {', '.join(failed)}"
    return (
        f"put back the {len(written)} file(s) already written" if written else "nothing was written"
    )


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def narrowed(outcome: FileOutcome, settings: Settings, keep: frozenset[int]) -> FileOutcome | None:
    """The file's rewrite again, with only its rewrites at the lines in `keep`, from the
    file as it was read (None when the file no longer holds that, or nothing is left)."""
    if _current(outcome) != outcome.original:
        return None
    partial = rewrite_file(outcome.path, settings, None, keep=keep)
    if partial.error or partial.original != outcome.original or not partial.rewrites:
        return None
    return partial


def restore(outcome: FileOutcome) -> None:
    """Put back the file as it was read, unless it changed since it was written."""
    if _current(outcome) != outcome.updated:
        raise FileChangedError(f"{outcome.path} changed after it was written; not reverted")
    _put_checked(outcome, outcome.original)


def reapply(outcome: FileOutcome) -> None:
    """Write the rewrite again over the restored file."""
    if _current(outcome) != outcome.original:
        raise FileChangedError(f"{outcome.path} changed after it was reverted; left as it is")
    _put_checked(outcome, outcome.updated or b"")


def _current(outcome: FileOutcome) -> bytes | None:
    try:
        return Path(outcome.path).read_bytes()
    except OSError:
        return None


def _put_checked(outcome: FileOutcome, data: bytes) -> None:
    try:
        _put(Path(outcome.path), data)
    except OSError as exc:
        raise WriteError(f"cannot write {outcome.path}: {_reason(exc)}") from None
