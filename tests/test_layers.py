"""The engine stands below its origins: `tasks` imports no module that makes tasks (rectification, risks,
later ones), `core` no domain app at all; each module above imports the engine."""

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "taizhang"
ORIGINS = {"rectification", "risks", "duties", "sheets", "documents", "dashboard", "notify", "similar"}
DOMAIN = ORIGINS | {"tasks", "org"}


def imported(app: str) -> dict[str, set[str]]:
    """module file → the taizhang apps it imports (tests and migrations aside)."""
    found = {}
    for path in (SRC / app).rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        names = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("taizhang."):
                names.add(node.module.split(".")[1])
            elif isinstance(node, ast.Import):
                names |= {a.name.split(".")[1] for a in node.names if a.name.startswith("taizhang.")}
        found[str(path.relative_to(SRC))] = names
    return found


# similar (the index of findings) stands beside the engine: the modules that write findings call it
@pytest.mark.parametrize(
    ("app", "forbidden"), [("tasks", ORIGINS), ("core", DOMAIN), ("similar", ORIGINS - {"similar"})]
)
def test_a_lower_layer_imports_nothing_above_it(app, forbidden):
    wrong = {path: sorted(names & forbidden) for path, names in imported(app).items() if names & forbidden}
    assert not wrong


def test_the_origin_modules_build_on_the_engine():
    for app in ("rectification", "risks"):
        assert any("tasks" in names for names in imported(app).values()), app
    templates = "".join(p.read_text(encoding="utf-8") for p in (SRC / "tasks" / "templates").rglob("*.html"))
    assert "rectification:" not in templates and "risks:" not in templates  # its pages link through tasks.kinds
