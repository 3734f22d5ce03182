"""Imports point one way: every module of bot/, handlers/ and storage/ is parsed with `ast`,
and a layer that imports what it must not fails here, naming the file and line.

The rules (DESIGN.md, the house style): handlers -> bot (services) -> storage; only the
composition root, the sender and handlers/ import telegram; the pipeline never imports
telegram or delivery; matching is pure (no telegram, httpx or storage); handlers run no SQL
and no HTTP; storage knows nothing of Telegram or the handlers; the product never imports
the sandbox. Imports inside functions and under `if TYPE_CHECKING:` count like any other.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

import pytest

from tests.helpers.paths import PROJECT

PACKAGES = ("bot", "handlers", "storage")


@dataclass(frozen=True)
class Rule:
    """Modules under `where` (a path prefix) must not import any of `banned` (module prefixes)."""

    where: str
    banned: tuple[str, ...]
    why: str


RULES = (
    Rule("bot/pipeline/", ("telegram", "bot.delivery"), "the pipeline never talks to Telegram"),
    Rule("bot/matching/", ("telegram", "httpx", "storage"), "matching is pure: no I/O"),
    Rule(
        "handlers/",
        ("aiosqlite", "sqlite3", "httpx"),
        "handlers call services: SQL lives in storage/, HTTP to sources in the fetcher",
    ),
    Rule("storage/", ("telegram", "handlers"), "storage knows nothing of Telegram"),
    Rule("bot/", ("sandbox",), "the product never imports the sandbox"),
    Rule("handlers/", ("sandbox",), "the product never imports the sandbox"),
    Rule("storage/", ("sandbox",), "the product never imports the sandbox"),
    Rule("bot/", ("handlers",), "handlers are registered by the composition root only"),
)
# Who may import telegram: the edges of the bot.
TELEGRAM_EDGES = ("bot/app.py", "bot/delivery/sender.py", "handlers/")

# Known exceptions, each with its reason: (file, imported module) -> why it is allowed.
ALLOWED = {
    # The typed PTB context (`Context(CallbackContext)`, BotData) that the composition root
    # registers and every handler receives: part of the composition root's Telegram edge.
    ("bot/context.py", "telegram.ext"): "the PTB context type",
    # `outpost demo` is the sandbox's front door; the import runs only for that command, and
    # fails with a clear message when the `demo` extra is not installed.
    ("bot/cli.py", "sandbox.demo"): "the demo command",
    # The composition root registers the handlers.
    ("bot/app.py", "handlers"): "the composition root",
}

# SQL statements as this code base writes them (keywords in capitals).
_SQL = re.compile(
    r"\b(SELECT\b[\s\S]+\bFROM|INSERT\s+(OR\s+\w+\s+)?INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM"
    r"|CREATE\s+(TABLE|INDEX)|PRAGMA\s+\w+)\b"
)
_SQL_CALLS = frozenset({"execute", "executemany", "executescript", "fetchall", "fetchone"})


@dataclass(frozen=True)
class Imported:
    """One imported module (or a name that may be a module), where it is imported."""

    module: str
    line: int


def module_name(rel: str) -> str:
    """Return the dotted name of a module from its path relative to the project."""
    parts = rel.removesuffix(".py").split("/")
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(rel: str, tree: ast.AST) -> list[Imported]:
    """Return every module a module imports; `from a import b` yields both a and a.b."""
    package = module_name(rel).split(".")
    if not rel.endswith("__init__.py"):
        package.pop()
    found: list[Imported] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend(Imported(alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package[: len(package) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            found.append(Imported(base, node.lineno))
            found.extend(Imported(f"{base}.{alias.name}", node.lineno) for alias in node.names)
    return found


def _under(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def _allowed(rel: str, module: str) -> bool:
    return any(rel == path and _under(module, allowed) for path, allowed in ALLOWED)


def violations(rel: str, source: str) -> list[str]:
    """Return what a module (path relative to the project, and its text) must not import."""
    tree = ast.parse(source, filename=rel)
    broken: dict[tuple[int, str], str] = {}  # (line, why) -> the first module named there
    for imported in imports_of(rel, tree):
        if _allowed(rel, imported.module):
            continue
        why = [
            rule.why
            for rule in RULES
            if rel.startswith(rule.where) and any(_under(imported.module, b) for b in rule.banned)
        ]
        if _under(imported.module, "telegram") and not rel.startswith(TELEGRAM_EDGES):
            why.append(f"only {', '.join(TELEGRAM_EDGES)} import telegram")
        for reason in why:
            broken.setdefault((imported.line, reason), imported.module)
    found = [
        f"{rel}:{line} imports {module}: {why}" for (line, why), module in sorted(broken.items())
    ]
    if rel.startswith("handlers/"):
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if _SQL.search(node.value):
                    found.append(f"{rel}:{node.lineno} has SQL: SQL lives in storage/")
            elif isinstance(node, ast.Attribute) and node.attr in _SQL_CALLS:
                found.append(f"{rel}:{node.lineno} calls .{node.attr}: SQL lives in storage/")
    return found


def _product_modules() -> list[str]:
    return sorted(
        path.relative_to(PROJECT).as_posix()
        for package in PACKAGES
        for path in (PROJECT / package).rglob("*.py")
    )


def test_every_package_is_read() -> None:
    modules = _product_modules()
    for package in PACKAGES:
        assert f"{package}/__init__.py" in modules
    assert "bot/pipeline/cycle.py" in modules
    assert "handlers/sources.py" in modules


@pytest.mark.parametrize("rel", _product_modules())
def test_imports_point_one_way(rel: str) -> None:
    assert violations(rel, (PROJECT / rel).read_text(encoding="utf-8")) == []


def test_every_allowed_exception_is_still_needed() -> None:
    for rel, module in ALLOWED:
        tree = ast.parse((PROJECT / rel).read_text(encoding="utf-8"))
        assert any(_under(i.module, module) for i in imports_of(rel, tree)), (rel, module)


@pytest.mark.parametrize(
    ("rel", "source", "expected"),
    [
        ("bot/pipeline/x.py", "from telegram import Bot", "the pipeline never"),
        ("bot/pipeline/x.py", "from bot import delivery", "the pipeline never"),
        ("bot/pipeline/parse/x.py", "from ...delivery.render import r", "the pipeline never"),
        ("bot/pipeline/x.py", "def f():\n    import bot.delivery.sender", "the pipeline never"),
        ("bot/matching/x.py", "import httpx", "matching is pure"),
        ("bot/matching/x.py", "from storage.events import NewEvent", "matching is pure"),
        ("handlers/x.py", "import aiosqlite", "handlers call services"),
        ("handlers/x.py", "from sqlite3 import connect", "handlers call services"),
        ("handlers/x.py", "q = 'SELECT id FROM sources'", "SQL lives in storage/"),
        ("handlers/x.py", "async def f(db):\n    await db.execute(q)", "SQL lives in storage/"),
        ("storage/x.py", "from telegram.ext import Application", "storage knows nothing"),
        ("storage/x.py", "from handlers.common import ui_of", "storage knows nothing"),
        ("bot/ui/x.py", "from sandbox import SandboxBotAPI", "never imports the sandbox"),
        ("storage/x.py", "import sandbox.demo", "never imports the sandbox"),
        ("bot/ui/x.py", "from telegram import BotCommand", "only bot/app.py"),
        ("bot/cli.py", "from telegram import Bot", "only bot/app.py"),
        ("bot/chats/x.py", "import handlers", "registered by the composition root"),
    ],
)
def test_the_rules_catch(rel: str, source: str, expected: str) -> None:
    found = violations(rel, source)
    assert any(expected in line for line in found), found


@pytest.mark.parametrize(
    ("rel", "source"),
    [
        ("bot/app.py", "from telegram.ext import Application"),
        ("bot/delivery/sender.py", "from telegram import Bot"),
        ("handlers/x.py", "from telegram import Update\nfrom bot.context import Context"),
        ("handlers/x.py", "text = 'Select the places you follow'"),
        ("bot/pipeline/x.py", "from bot.pipeline.fetch import fetcher\nimport httpx"),
        ("bot/cli.py", "def demo():\n    from sandbox.demo import run_demo"),
    ],
)
def test_the_rules_let_through(rel: str, source: str) -> None:
    assert violations(rel, source) == []


def test_module_names() -> None:
    assert module_name("bot/pipeline/cycle.py") == "bot.pipeline.cycle"
    assert module_name("bot/pipeline/__init__.py") == "bot.pipeline"
    tree = ast.parse("from . import schedule\nfrom ..models import Source")
    modules = {i.module for i in imports_of("bot/pipeline/cycle.py", tree)}
    assert {"bot.pipeline.schedule", "bot.models.Source"} <= modules
