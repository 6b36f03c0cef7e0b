"""Backup → restore → verify, following the README's commands word for word, on the suite's database:
taken while the server runs, restored into a new data directory and database, the audit chain (seals,
anchors, every object) verifies and every stored file comes back with the same SHA-256."""

import hashlib
import re
import subprocess
from pathlib import Path

from .conftest import ROOT
from .test_concurrency import _progress, call

README = ROOT / "README.md"
PLACEHOLDER = "/srv/backup/taizhang-2026-12-01"


def readme_steps() -> tuple[list[str], list[str]]:
    """The backup block's commands: those run on the old installation, and those on the new one."""
    block = re.search(r"<!-- backup:begin -->\s*```sh\n(.*?)```", README.read_text(encoding="utf-8"), re.S).group(1)
    before, after = [], []
    target = before
    for line in block.splitlines():
        if line.startswith("#"):
            target = after  # "…on the new machine or data directory, with the server stopped"
            continue
        if line.strip():
            target.append(line.split("  #")[0].strip())
    return before, after


def files_of(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def run_steps(steps, install, backup_dir):
    for step in steps:
        done = subprocess.run(
            ["bash", "-c", step.replace(PLACEHOLDER, str(backup_dir))],
            cwd=ROOT,
            env=install.env,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, f"{step}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
        yield done.stdout


def test_backup_restore_verify_as_the_readme_says(server, installs, tmp_path):
    liaison = server.token("liaison")
    _status, page = call(server, liaison, "GET", "/api/tasks/?status=in_progress&page_size=50")
    task = next(t for t in page["results"] if t["lead_unit_name"] == "市委宣传部")
    evidence = [("会议纪要.pdf", b"%PDF-1.4 minutes"), ("现场照片.png", b"\x89PNG\r\n\x1a\n picture")]
    code, _body = _progress(server, liaison, f"/api/tasks/{task['id']}", "备份前的进展", task["version"], evidence)
    assert code == 200, _body
    before, after = readme_steps()
    assert before and after, "the README's backup block lost its commands"
    backup_dir = tmp_path / "backup"
    list(run_steps(before, server.install, backup_dir))  # while the server runs
    old = server.install.run("verify_audit").stdout
    new = installs(tmp_path / "restored", demo=False)
    outputs = list(run_steps(after, new, backup_dir))
    assert "Objects match their audit history" in outputs[-1]
    assert re.search(r"(\d+) events verified", outputs[-1]).group(1) == re.search(r"(\d+) events", old).group(1)
    media_old, media_new = files_of(server.install.data_dir / "media"), files_of(new.data_dir / "media")
    assert media_old and media_new == media_old  # every stored file, byte for byte
    stored = [name for name in media_old if name.startswith("files/")]
    assert f"Files match their checksums: {len(stored)} checked" in outputs[-1] and len(stored) >= 2
