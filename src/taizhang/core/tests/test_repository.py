"""The repository itself holds no secret: a key committed once is a key every deployment shares."""

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[4]

# A file is suspect by its name (a key file, anything under a data directory) or its content.
SUSPECT_NAME = re.compile(r"(^|/)(var/|\.env$|secret_key$|id_rsa|id_ed25519)|\.(pem|key|p12|pfx)$")
SUSPECT_TEXT = re.compile(
    r"-----BEGIN [A-Z ]*PRIVATE KEY-----"
    r"|(?:SECRET_KEY|PASSWORD|TOKEN)\s*=\s*['\"][A-Za-z0-9_\-+/=]{24,}['\"]"
    r"|^[A-Za-z0-9_\-]{40,}\s*$"  # a file that is nothing but a long random token
)


def tracked_files() -> list[str]:
    try:
        out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    return [line for line in out.splitlines() if line]


def test_no_tracked_file_looks_like_a_secret():
    """GIVEN the tracked files WHEN each is checked by name and content THEN none looks like a key."""
    suspects = []
    for name in tracked_files():
        if SUSPECT_NAME.search(name):
            suspects.append(name)
            continue
        path = ROOT / name
        if not path.is_file() or path.stat().st_size > 1_000_000 or name.endswith((".json", ".lock")):
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        if len(text) < 200 and SUSPECT_TEXT.search(text.strip()):
            suspects.append(name)
        elif "PRIVATE KEY-----" in text and SUSPECT_TEXT.search(text):
            suspects.append(name)
    assert suspects == []


def test_the_check_catches_a_committed_key():
    """The pattern the test relies on recognises the file that was once committed."""
    assert SUSPECT_NAME.search("src/taizhang/var/secret_key")
    assert SUSPECT_TEXT.search("Qm9vZ2xlLWZha2Uta2V5LWZvci10ZXN0aW5nLW9ubHktMTIzNDU2Nzg5MA")


def test_make_install_writes_nothing_under_src():
    """Commands the Makefile runs from inside src/ are told where the project's data directory is."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for line in makefile.splitlines():
        if "cd src/" in line and "taizhang " in line:
            assert "TAIZHANG_HOME=$(CURDIR)" in line, line
