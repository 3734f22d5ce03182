"""`outpost sources ...` on a real database file: add, list, pause, resume, remove, OPML."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.admin.opml import parse_opml
from bot.cli import main


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the CLI at a fresh database with local sources allowed; no .env is read."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("OUTPOST_DATABASE", str(tmp_path / "cli.sqlite3"))
    monkeypatch.setenv("OUTPOST_ALLOW_PRIVATE_SOURCES", "true")
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run the CLI; return its exit code, stdout and stderr."""
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_manage_sources(env: Path, capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    code, out, _ = run(
        capsys, "sources", "add", "http://127.0.0.1:9/feed.xml", "--name", "Local",
        "--no-discover", "--interval", "900",
    )  # fmt: skip
    assert code == 0
    assert "added source 1: Local (rss)" in out
    code, _, err = run(capsys, "sources", "add", "file:///etc/passwd", "--no-discover")
    assert code == 1
    assert "refused" in err

    opml = (data_dir / "sources.opml").read_text().replace("{base}", "http://127.0.0.1:9/")
    (env / "in.opml").write_text(opml)
    code, out, _ = run(capsys, "sources", "import", str(env / "in.opml"))
    assert code == 0
    assert "3 added, 0 already known, 1 refused" in out
    code, out, _ = run(capsys, "sources", "import", str(env / "missing.opml"))
    assert code == 1

    assert run(capsys, "sources", "pause", "2")[1] == "paused source 2\n"
    code, _, err = run(capsys, "sources", "pause", "99")
    assert code == 1
    assert "no source 99" in err
    code, out, _ = run(capsys, "sources", "list", "--json")
    rows = {row["id"]: row for row in json.loads(out)}
    assert rows[1]["poll_interval"] == 900
    assert rows[2]["active"] is False
    assert "paused" in run(capsys, "sources", "list")[1]
    assert run(capsys, "sources", "resume", "2")[1] == "resumed source 2\n"
    assert run(capsys, "sources", "remove", "3")[1] == "removed source 3\n"

    code, out, _ = run(capsys, "sources", "export")
    assert code == 0
    urls = [entry.url for entry in parse_opml(out.encode())]
    assert urls == [
        "http://127.0.0.1:9/feed.xml",
        "http://127.0.0.1:9/rss/news_ru.rss",
        "https://t.me/s/belwatch_demo",
    ]
    code, out, _ = run(capsys, "sources", "export", str(env / "out.opml"))
    assert code == 0
    assert len(parse_opml((env / "out.opml").read_bytes())) == 3


def test_import_the_starter_set(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "sources", "import", "--starter")
    assert code == 0
    assert "18 added, 0 already known, 0 refused" in out
    assert "unchecked" in out
    assert "outpost poll --once" in out
    code, out, _ = run(capsys, "sources", "list", "--json")
    rows = json.loads(out)
    kinds = {row["url"]: row["kind"] for row in rows}
    assert kinds["https://t.me/s/modmilby"] == "telegram"
    assert kinds["https://www.osw.waw.pl/en/rss.xml"] == "rss"
    # A second import finds them all known: nothing is doubled.
    code, out, _ = run(capsys, "sources", "import", "--starter")
    assert "0 added, 18 already known, 0 refused" in out


@pytest.mark.parametrize("argv", [("sources", "import"), ("sources", "import", "x", "--starter")])
def test_import_needs_a_file_or_the_starter_set(
    env: Path, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...]
) -> None:
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert "--starter" in err
