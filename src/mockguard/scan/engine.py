"""The scan of many files: pre-filter, one parse per file, a process pool, progress.

The parser and the walk (the visitor, the resolver, the classifier and the project index)
are imported when a file is first parsed: a rescan whose files are all cached, or a scan
whose files hold no mock word, does not pay for them at start-up.
"""

from __future__ import annotations

import ast
import gc
import io
import os
import re
import sys
import threading
import time
import tokenize
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import TYPE_CHECKING

from mockguard.findings import Diagnostic, FileResult, Finding
from mockguard.fingerprint import fingerprints, normalise, project_path, segment, site_contexts
from mockguard.scan.cache import content_digest
from mockguard.scan.files import prefilter
from mockguard.scan.reading import read_source

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

    from mockguard.config import Settings
    from mockguard.scan.cache import ScanCache
    from mockguard.scan.classify import Classifier
    from mockguard.scan.factories import ModuleFactories
    from mockguard.scan.project_index import ProjectIndex
    from mockguard.scan.visitor import MockVisitor, Pending

# Below this many files a pool costs more than it saves.
POOL_THRESHOLD = 64
CHUNK_SIZE = 48
# The scan is CPU-bound: workers beyond this many per core only cost start-up and memory.
WORKERS_PER_CORE = 2
# How often a worker without Linux's parent-death signal checks that its parent lives.
PARENT_CHECK_SECONDS = 0.5
_PR_SET_PDEATHSIG = 1

# A module nested deeper than the default recursion limit allows (a 900-term `0 + 0 + ...`
# line, a long `a.b.c...` chain) is parsed and walked again in a thread with this stack and
# this recursion limit: the stack is reserved, not used, until a module needs it. Measured
# on CPython 3.10 (where each Python call also takes C stack) to 3.13: 50,000 frames fit in
# a quarter of this stack. Deeper than that is `too-deep` (Python's own compiler stops far
# sooner: a module this deep does not import).
DEEP_STACK_SIZE = 256 * 1024 * 1024
DEEP_RECURSION_LIMIT = 50_000
# The recursion limit is the interpreter's, not the thread's: one deep scan at a time.
_DEEP_SCAN = threading.Lock()

_UTF_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)


@lru_cache(maxsize=8)
def project_index(settings: Settings) -> ProjectIndex:
    """The project's index of its own modules, shared by every reader in this process."""
    from mockguard.scan.project_index import ProjectIndex

    return ProjectIndex(settings.root, max_file_size=settings.max_file_size)


@lru_cache(maxsize=8)
def _classifier(settings: Settings) -> Classifier:
    from mockguard.scan.classify import Classifier

    return Classifier(settings.categories, project_index(settings))


def _filter_for(settings: Settings) -> Callable[[bytes], bool]:
    return prefilter(settings.factories, settings.factory_fixtures, settings.mock_modules)


def _decode(data: bytes) -> str:
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    return data.decode(encoding, errors="replace")


def _unparseable(data: bytes, path: str) -> Diagnostic | None:
    """What makes a module unreadable to Python whatever it says: a UTF-16 or UTF-32 byte
    order mark, NUL bytes. Looked at before the pre-filter, whose words such a file hides."""
    for bom, encoding in _UTF_BOMS:
        if data.startswith(bom):
            return Diagnostic(
                path,
                "decode-error",
                f"cannot decode: {encoding} text (it starts with a {encoding} byte order mark); "
                "Python reads source only in ASCII-compatible encodings such as UTF-8",
            )
    if b"\x00" in data:
        return Diagnostic(path, "nul-bytes", "cannot parse: the file contains NUL bytes")
    return None


# Nesting limits CPython's tokenizer has in every version that can nest so deep (brackets:
# 200 levels; f-strings: 150): no Python runs such a file, so it is a plain syntax error,
# and no other parser is tried on it.
FIXED_LIMITS = ("too many nested parentheses", "too many nested f-strings")


def _parse_problem(path: str, exc: BaseException) -> Diagnostic:
    if isinstance(exc, SyntaxError):
        message = exc.msg or "invalid syntax"
        if (
            "codec can't decode" in message
            or "unknown encoding" in message
            or "unicode error" in message
        ):
            return Diagnostic(path, "decode-error", f"cannot decode: {message}", exc.lineno or 0)
        if "null bytes" in message:
            return Diagnostic(path, "nul-bytes", "cannot parse: the file contains NUL bytes")
        if message.startswith(FIXED_LIMITS):
            return Diagnostic(path, "syntax-error", f"cannot parse: {message}", exc.lineno or 0)
        if "too many nested" in message or "too complex" in message:
            return Diagnostic(path, "too-deep", f"cannot parse: {message}", exc.lineno or 0)
        return Diagnostic(path, "syntax-error", f"cannot parse: {message}", exc.lineno or 0)
    if isinstance(exc, ValueError) and "null bytes" in str(exc):
        return Diagnostic(path, "nul-bytes", "cannot parse: the file contains NUL bytes")
    if isinstance(exc, MemoryError):
        return Diagnostic(path, "too-deep", "cannot parse: expressions nested too deeply")
    if isinstance(exc, (UnicodeDecodeError, LookupError)):
        return Diagnostic(path, "decode-error", f"cannot decode: {exc}")
    return Diagnostic(path, "syntax-error", f"cannot parse: {exc}")


def scan_source(
    data: bytes, path: str, settings: Settings, *, use_prefilter: bool = True
) -> FileResult:
    """Scan the bytes of one module. Never raises: problems become diagnostics."""
    problem = _unparseable(data, path)
    if problem is not None:
        return FileResult(path, diagnostics=[problem])
    if use_prefilter and not _filter_for(settings)(data):
        # A test may reach a factory only through a fixture that its conftest.py defines.
        from mockguard.scan.factories import registry_for

        registry = registry_for(settings, project_index(settings))
        fixtures, conftests = registry.fixture_words(path)
        if fixtures is None or fixtures.search(data) is None:
            depends = tuple((c, registry.digest(c)) for c in conftests)
            return FileResult(path, depends=depends)
    try:
        return _scan_module(data, path, settings, deep=False)
    except RecursionError:
        return _scan_deep(data, path, settings)


def _scan_module(data: bytes, path: str, settings: Settings, *, deep: bool) -> FileResult:
    """Parse and walk one module. A RecursionError is raised, for the caller to try again
    with more room, unless this is that `deep` attempt: then it is a `too-deep` diagnostic."""
    result = FileResult(path)
    try:
        tree = _parse(data, path, result)
    except RecursionError:
        if not deep:
            raise
        message = "cannot parse: expressions nested too deeply"
        return FileResult(path, diagnostics=[Diagnostic(path, "too-deep", message)])
    except Exception as exc:
        return FileResult(path, diagnostics=[_internal_error(path, exc)])
    if tree is None:
        return result
    parsed = list(result.diagnostics)
    result.parsed = True
    try:
        _visit(tree, data, path, settings, result)
    except RecursionError:
        if not deep:
            raise
        problem = Diagnostic(path, "too-deep", "not scanned: expressions nested too deeply to walk")
        return FileResult(path, diagnostics=[*parsed, problem], parsed=True)
    except Exception as exc:
        return FileResult(path, diagnostics=[*parsed, _internal_error(path, exc)], parsed=True)
    return result


def _internal_error(path: str, exc: Exception) -> Diagnostic:
    return Diagnostic(path, "internal-error", f"scanner error: {type(exc).__name__}: {exc}")


def _parse(data: bytes, path: str, result: FileResult) -> ast.Module | None:
    """The module's tree, through the newer-grammar parser when `ast` rejects it; None when
    neither gives one (the reason is added to `result`). Raises RecursionError."""
    from mockguard.scan.grammar import Refused, parse_newer

    try:
        with warnings.catch_warnings():
            # Warnings about the scanned code (invalid escapes...) are not the user's concern here.
            warnings.simplefilter("ignore")
            return ast.parse(data, filename=path)
    except (SyntaxError, ValueError, MemoryError, UnicodeDecodeError, LookupError) as exc:
        problem = _parse_problem(path, exc)
    reason = problem.message.removeprefix("cannot parse: ")
    retry = problem.kind == "syntax-error" and not reason.startswith(FIXED_LIMITS)
    newer = parse_newer(data) if retry else None
    version = ".".join(map(str, sys.version_info[:2]))
    if isinstance(newer, Refused):
        message = (
            f"not scanned: Python {version} cannot parse it ({reason}), and {newer.reason} "
            "for the newer-grammar parser"
        )
        result.diagnostics.append(Diagnostic(path, newer.kind, message, problem.line))
        return None
    if newer is None:
        result.diagnostics.append(problem)
        return None
    result.diagnostics.append(
        Diagnostic(
            path,
            "newer-grammar",
            f"scanned through the newer-grammar parser (Python {version} rejects it: {reason})",
            problem.line,
        )
    )
    return newer


def _scan_deep(data: bytes, path: str, settings: Settings) -> FileResult:
    """Scan a module too deep for the default recursion limit, in a thread with a big
    stack and a raised limit (see :data:`DEEP_STACK_SIZE`)."""
    done: list[FileResult] = []

    def scan() -> None:
        done.append(_scan_module(data, path, settings, deep=True))

    with _DEEP_SCAN:
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(limit, DEEP_RECURSION_LIMIT))
        try:
            previous = threading.stack_size(DEEP_STACK_SIZE)
            try:
                worker = threading.Thread(target=scan, name="mockguard-deep-scan", daemon=True)
                worker.start()
            finally:
                threading.stack_size(previous)
            worker.join()
        except (RuntimeError, ValueError, MemoryError):  # no thread with such a stack here
            pass
        finally:
            sys.setrecursionlimit(limit)
    if done:
        return done[0]
    message = "not scanned: expressions nested too deeply (no room to follow them)"
    return FileResult(path, diagnostics=[Diagnostic(path, "too-deep", message)])


def module_visitor(
    tree: ast.Module, data: bytes, path: str, settings: Settings, rules: frozenset[str]
) -> tuple[MockVisitor, ModuleFactories]:
    """The visitor of one parsed module, ready to `run(tree)`, and the project's own
    factories as the module sees them (read lazily)."""
    from mockguard.scan.factories import ModuleFactories, configured_factories, registry_for
    from mockguard.scan.resolve import Resolver
    from mockguard.scan.visitor import MockVisitor

    classifier = _classifier(settings)
    in_house = ModuleFactories(registry_for(settings, classifier.index), path, tree)
    in_house.read_source(data)
    resolver = Resolver(
        path,
        factories=configured_factories(settings.factories),
        factory_fixtures=settings.factory_fixtures,
        mock_modules=settings.mock_modules,
        in_house=in_house,
    )
    return MockVisitor(resolver, classifier, rules), in_house


def _visit(
    tree: ast.Module, data: bytes, path: str, settings: Settings, result: FileResult
) -> None:
    """Walk a parsed module once: the visitor's sites become findings, suppressions are
    applied, and with MG401 on the setup shapes are gathered for the post-pass."""
    from mockguard.scan import suppress
    from mockguard.scan.factory_calls import in_characters

    enabled = frozenset(settings.select)
    duplicates = "MG401" in enabled
    # shapes are built from MG101 sites
    visitor, in_house = module_visitor(
        tree, data, path, settings, enabled | {"MG101"} if duplicates else enabled
    )
    visitor.run(tree)
    result.compliant_calls = in_characters(visitor.compliant, data)
    result.depends = in_house.dependencies
    result.diagnostics.extend(visitor.resolver.diagnostics)
    if not visitor.pending:
        return
    source = _Source(data)
    findings, decorated = _findings(visitor, source, path, settings)
    if duplicates:
        from mockguard.scan.shapes import places_of  # only with MG401 on

        result.shapes = places_of(tree, findings)
        if "MG101" not in enabled:
            findings = [f for f in findings if f.code != "MG101"]
    if suppress.might_suppress(data):
        result.suppressions = suppress.parse(source.text)
        findings = suppress.apply(findings, result.suppressions, decorated)
    result.findings = sorted(findings, key=lambda f: f.sort_key)


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class _Source:
    """A module's text, for columns (characters, not bytes) and snippets."""

    def __init__(self, data: bytes) -> None:
        self.decoded = None if data.isascii() else _decode(data)
        self.text = self.decoded if self.decoded is not None else data.decode("ascii")
        # Lines as Python counts them: str.splitlines() would also break at \x0c, \x85...
        self.lines = _LINE_BREAK.split(self.decoded) if self.decoded is not None else []
        encoded = self.decoded.encode("utf-8") if self.decoded is not None else data
        self.byte_lines = encoded.splitlines()

    def column(self, line: int, byte_offset: int) -> int:
        """The character column of a UTF-8 byte offset on a 1-based line."""
        if self.decoded is None or not 0 < line <= len(self.lines):
            return byte_offset
        prefix = self.lines[line - 1].encode("utf-8")[:byte_offset]
        return len(prefix.decode("utf-8", errors="replace"))

    def snippet(self, site: Pending) -> str:
        """The site's source, normalised (what its fingerprint hashes)."""
        node = site.node
        if isinstance(node, ast.ClassDef):
            bases = ", ".join(ast.unparse(b) for b in (*node.bases, *node.keywords))
            return normalise(f"class {node.name}({bases})".encode())
        return normalise(
            segment(
                self.byte_lines,
                getattr(node, "lineno", 0),
                getattr(node, "col_offset", 0),
                getattr(node, "end_lineno", 0) or 0,
                getattr(node, "end_col_offset", 0) or 0,
            )
        )


def _findings(
    visitor: MockVisitor, source: _Source, path: str, settings: Settings
) -> tuple[list[Finding], dict[Finding, tuple[int, ...]]]:
    """The visitor's classified sites as findings, fingerprinted (not yet suppressed), and
    the decorator lines of double classes (a suppression there counts too)."""
    from mockguard.scan.rules import severity_of
    from mockguard.scan.visitor import to_finding

    where = project_path(path, settings.root)
    sites = list(visitor.classified())
    snippets = [source.snippet(site) for site, _, _ in sites]
    keys = [
        (where, site.code, site.label or site.scope.name, snippet)
        for (site, _, _), snippet in zip(sites, snippets, strict=True)
    ]
    findings = []
    decorated: dict[Finding, tuple[int, ...]] = {}
    context_of = site_contexts(source.byte_lines)
    for (site, category, votes), snippet, fingerprint in zip(
        sites, snippets, fingerprints(keys), strict=True
    ):
        node = site.node
        line = getattr(node, "lineno", 1)
        end_line = getattr(node, "end_lineno", None) or line
        findings.append(
            to_finding(
                path,
                site,
                category,
                votes,
                source.column(line, getattr(node, "col_offset", 0)),
                source.column(end_line, getattr(node, "end_col_offset", None) or 0),
                snippet=snippet,
                severity=severity_of(settings, site.code, category),
                fingerprint=fingerprint,
                context=context_of(line),
            )
        )
        if site.code == "MG301":  # a class's span is its whole body: only its own lines count
            decorated[findings[-1]] = site.extra_lines
    return findings, decorated


def scan_file(path: str, settings: Settings, known_digest: str | None = None) -> FileResult:
    """Read and scan one file. When its content hashes to `known_digest` (what the cache
    holds for it), it is not parsed: the result says `unchanged`."""
    try:
        info = os.stat(path)
    except OSError:
        info = None
    data = read_source(path, settings.max_file_size)
    if isinstance(data, Diagnostic):
        return FileResult(path, diagnostics=[data])
    digest = content_digest(data)
    if digest == known_digest:
        result = FileResult(path, digest=digest, unchanged=True)
    else:
        result = scan_source(data, path, settings)
        result.digest = digest
    if info is None:
        result.digest = ""  # no stat to key on: never cached
    else:
        result.size, result.mtime_ns = info.st_size, info.st_mtime_ns
    return result


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while trees are built and walked.

    A parse allocates hundreds of thousands of nodes, which set off collections that
    traverse every live object again and again (measured: parsing costs 4x as much with
    the collector on). Trees hold no cycles; reference counting frees them.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _scan_chunk(
    paths: list[str], settings: Settings, digests: list[str | None]
) -> list[FileResult]:
    with collector_paused():
        return [scan_file(path, settings, d) for path, d in zip(paths, digests, strict=True)]


def _prepare_walk(settings: Settings) -> None:
    """Import the walk and build the scan's shared state once, here, before the pool
    starts: forked workers inherit them instead of each paying for them again."""
    from mockguard.scan import factory_calls, grammar, rules, suppress, visitor  # noqa: F401
    from mockguard.scan.factories import registry_for

    _filter_for(settings)
    registry_for(settings, _classifier(settings).index)


def worker_pool(workers: int) -> ProcessPoolExecutor:
    """A process pool whose workers die with this process (see :func:`start_worker`)."""
    import multiprocessing  # only a pool needs these (start-up)
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context()
    # A worker forked or spawned here has this process as its parent; a forkserver's have
    # the server, which ends with this process.
    owner = os.getpid() if context.get_start_method() in ("fork", "spawn") else None
    return ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=start_worker, initargs=(owner,)
    )


def start_worker(owner: int | None) -> None:
    """Tie a pool worker's life to its parent's: when the scan dies, even by SIGKILL, its
    workers die too, instead of waiting forever for work that will not come. `owner` is the
    process that must be the parent (None when another process starts the workers)."""
    parent = os.getppid()
    if not _die_with_parent():
        watch = threading.Thread(
            target=_watch_parent, args=(parent,), name="mockguard-parent-watch", daemon=True
        )
        watch.start()
    if owner is not None and os.getppid() != owner:  # it died before this worker was ready
        os._exit(1)


def _die_with_parent() -> bool:
    """Ask Linux to SIGKILL this process when its parent dies (PR_SET_PDEATHSIG); False
    where that cannot be asked."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes
    import signal

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0)
    except (OSError, AttributeError):
        return False


def _watch_parent(parent: int) -> None:
    """End this process once its parent is no longer `parent` (it died: the process was
    handed to another)."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(1)


def default_jobs() -> int:
    """All the cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def scan_files(
    paths: list[str],
    settings: Settings,
    jobs: int | None = None,
    on_progress: Callable[[int], None] | None = None,
    cache: ScanCache | None = None,
    *,
    lazy: bool = False,
) -> Iterator[FileResult]:
    """Scan files, in a process pool when there are enough of them; results are streamed
    in the order of `paths`. With a cache, unchanged files are not read (same stat) or not
    parsed (same content); with `lazy`, their findings are left stored (`FileResult.stored`)
    until something reads them. `on_progress` is told how many files each step finished."""
    cached: dict[str, FileResult] = {}
    known: dict[str, str | None] = {}
    rescan = (lambda path: scan_file(path, settings)) if lazy else None
    if cache is not None:
        for path in paths:
            hit, digest = cache.lookup(path, rescan)
            if hit is not None:
                cached[path] = hit
            else:
                known[path] = digest
    misses = [p for p in paths if p not in cached]
    fresh = _scan_misses(misses, [known.get(p) for p in misses], settings, jobs, on_progress)
    for path in paths:
        result = cached.get(path)
        if result is None:
            result = next(fresh)
            if cache is not None:
                reused = cache.reuse(path, result, rescan) if result.unchanged else None
                if reused is not None:
                    result = reused
                else:
                    if result.unchanged:  # the cached result vanished meanwhile: scan it
                        result = scan_file(path, settings)
                    cache.store(result)
        elif on_progress:
            on_progress(1)
        yield result
    if cache is not None:
        cache.save()


def _scan_misses(
    paths: list[str],
    digests: list[str | None],
    settings: Settings,
    jobs: int | None,
    on_progress: Callable[[int], None] | None,
) -> Iterator[FileResult]:
    jobs = jobs or settings.jobs or default_jobs()
    if jobs <= 1 or len(paths) < POOL_THRESHOLD:
        for path, digest in zip(paths, digests, strict=True):
            with collector_paused():
                result = scan_file(path, settings, digest)
            yield result
            if on_progress:
                on_progress(1)
        return
    workers = min(jobs, WORKERS_PER_CORE * default_jobs())
    _prepare_walk(settings)
    size = max(1, min(CHUNK_SIZE, len(paths) // (workers * 4) or 1))
    starts = range(0, len(paths), size)
    chunks = [paths[i : i + size] for i in starts]
    known = [digests[i : i + size] for i in starts]
    with worker_pool(min(workers, len(chunks))) as pool:
        for results in pool.map(_scan_chunk, chunks, [settings] * len(chunks), known):
            yield from results
            if on_progress:
                on_progress(len(results))
