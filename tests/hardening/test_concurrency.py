"""Item 7: writers take turns; the loser gets a clear message."""

from __future__ import annotations

from pathlib import Path


def test_a_second_writer_is_told_to_wait(run_cli, tmp_path: Path) -> None:
    from mockguard.io import exclusive

    (tmp_path / "test_a.py").write_text(
        "from unittest.mock import MagicMock\n\ndef test_a():\n    ws = MagicMock()\n    ws.send_json.return_value = 1\n"
    )
    baseline = tmp_path / ".mockguard-baseline.json"
    with exclusive(baseline):
        blocked = run_cli("baseline", cwd=tmp_path)
        assert blocked.returncode == 2
        assert "another mockguard is writing" in blocked.stderr
        assert not baseline.exists()
        with exclusive(tmp_path.resolve() / ".mockguard-fix"):
            fixing = run_cli("fix", "--write", ".", cwd=tmp_path)
            assert fixing.returncode == 2 and "another mockguard is writing" in fixing.stderr
    assert run_cli("baseline", cwd=tmp_path).returncode == 0
