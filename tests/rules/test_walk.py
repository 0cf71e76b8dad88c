"""The visitor's walk: the fields it skips hold no nodes, and a mock built anywhere in a
module, however deep in the grammar, is found."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from mockguard.scan.visitor import _CHILD_FIELDS, _LEAVES, MockVisitor

ROOT = Path(__file__).resolve().parents[2]

# Every kind of place an expression can stand in, each holding one `MagicMock()`.
EVERYWHERE = '''\
from unittest.mock import MagicMock
import asyncio


@MagicMock()
def decorated(a=MagicMock(), *args, b: int = MagicMock(), **kwargs) -> MagicMock():
    """Docstring."""
    x: int = MagicMock()
    y = lambda: MagicMock()
    z = [MagicMock() for _ in range(2) if MagicMock()]
    w = {k: MagicMock() for k in "ab"}
    v = {MagicMock() for _ in "ab"}
    u = (MagicMock() for _ in "ab")
    t = f"{MagicMock()!r:>{MagicMock()}}"
    s = MagicMock() if MagicMock() else MagicMock()
    r = (q := MagicMock())
    p = not MagicMock()
    o = MagicMock() + MagicMock()
    n = MagicMock() < MagicMock()
    m = MagicMock() and MagicMock()
    l = MagicMock()[MagicMock() : MagicMock() : MagicMock()]
    k = MagicMock().attribute
    j = [*MagicMock()]
    i = {**MagicMock()}
    del MagicMock()[0]
    assert MagicMock(), MagicMock()
    raise MagicMock() from MagicMock()


async def coroutine():
    await MagicMock()
    async for item in MagicMock():
        pass
    async with MagicMock() as held:
        pass
    yield MagicMock()


def generator():
    yield from MagicMock()
    global G
    for item in MagicMock():
        pass
    else:
        MagicMock()
    while MagicMock():
        break
    else:
        MagicMock()
    try:
        MagicMock()
    except MagicMock() as error:
        MagicMock()
    else:
        MagicMock()
    finally:
        MagicMock()
    with MagicMock() as a, MagicMock():
        pass
    match MagicMock():
        case [1, *rest] if MagicMock():
            MagicMock()
        case {"k": 1, **others} if MagicMock():
            MagicMock()
        case Point(x=0) | None if MagicMock():
            MagicMock()
        case str() as text if MagicMock():
            MagicMock()
    return MagicMock()


class Holder(MagicMock(), metaclass=MagicMock()):
    attribute = MagicMock()

    def method(self):
        self.x += MagicMock()
'''


def test_the_fields_the_walk_skips_hold_no_node_to_visit() -> None:
    sources = [EVERYWHERE, *(p.read_text() for p in sorted((ROOT / "src").rglob("*.py")))]
    checked = 0
    for source in sources:
        for node in ast.walk(ast.parse(source)):
            fields = _CHILD_FIELDS.get(node.__class__)
            if fields is None:
                assert node.__class__ in _LEAVES, node
                continue
            for name in node._fields:
                if name in fields:
                    continue
                value = getattr(node, name, None)
                items = value if isinstance(value, list) else [value]
                for item in items:
                    checked += 1
                    assert not isinstance(item, ast.AST) or item.__class__ in _LEAVES, (
                        f"{node.__class__.__name__}.{name} holds {item!r}"
                    )
    assert checked > 10_000


def test_the_fields_the_walk_enters_hold_only_nodes() -> None:
    for node in ast.walk(ast.parse(EVERYWHERE)):
        for name in _CHILD_FIELDS.get(node.__class__, ()):
            value = getattr(node, name)
            for item in value if isinstance(value, list) else [value]:
                assert item is None or isinstance(item, ast.AST), (node, name, item)


def test_a_plain_value_in_a_field_the_walk_enters_is_passed_over(monkeypatch) -> None:
    # A newer Python's node (3.14's t-string part) with a string in a field of its own.
    class Interpolation(ast.expr):
        _fields = ("value", "str", "conversion", "format_spec")

    node = Interpolation()
    node.value = ast.Name(id="ws", ctx=ast.Load())
    node.str, node.conversion, node.format_spec = "ws", -1, None
    visitor = MockVisitor(None, None, frozenset())  # type: ignore[arg-type]
    visitor.generic_visit(node)  # not in the table: the generic walk
    monkeypatch.setitem(_CHILD_FIELDS, Interpolation, ("value", "str", "format_spec"))
    visitor.generic_visit(node)  # in it, with the string's field


def test_a_mock_built_anywhere_in_the_grammar_is_found(tmp_path: Path) -> None:
    test_file = tmp_path / "test_everywhere.py"
    test_file.write_text(EVERYWHERE)
    done = subprocess.run(
        [sys.executable, "-m", "mockguard", "scan", "--no-cache", "-q", str(test_file)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    found = {
        tuple(int(n) for n in line.split(":")[1:3])
        for line in done.stdout.splitlines()
        if "MG101" in line or "MG102" in line
    }
    expected = {
        (number, line.index("MagicMock()") + 1)
        for number, line in enumerate(EVERYWHERE.splitlines(), 1)
        if "MagicMock()" in line
    }
    # Every line that builds one has a finding at the first construction on it.
    assert {line for line, _ in expected} <= {line for line, _ in found}
    assert expected <= found
