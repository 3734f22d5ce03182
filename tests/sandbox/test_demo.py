"""`outpost demo` keeps working: the subscriber receives alerts with links, then /status."""

from __future__ import annotations

import io

from sandbox.demo import run_demo


async def test_demo_delivers_alerts_and_exits_by_itself() -> None:
    out = io.StringIO()
    code = await run_demo(seconds=30, out=out)
    transcript = out.getvalue()
    assert code == 0, transcript
    assert "bot → Alex: 🎯 Drills" in transcript
    assert "(https://news.example.org/2022/10/11/yelsk-drills" in transcript
    assert "(https://t.me/belwatch_demo/" in transcript
    assert "Verified update" in transcript
    assert "What is going on" in transcript
    assert " 0 failed" in transcript
    assert "Вашы тэмы" in transcript  # /settings switched Alex to Belarusian
