"""The bad-file corpus through `taizhang import_ledger`, each in a child process whose address space is
capped: every file refused with its own message (exit 2), nothing written, memory bounded."""

import subprocess
import sys
import zipfile

import pytest

from taizhang.rectification.demo import SAMPLE
from taizhang.rectification.models import Source
from taizhang.sheets.tests.test_hostile_files import FILES, cell, tiny_xlsx
from taizhang.testing import child_env

MEMORY_MB = 768
CHILD = """
import resource, sys
limit = int(sys.argv[1]) * 1048576
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
from taizhang.__main__ import main
sys.argv = ["taizhang", "import_ledger", *sys.argv[2:]]
main()
"""


def corpus(tmp):
    """name → (file, words of its refusal)."""
    truncated = tmp / "截断.xlsx"
    truncated.write_bytes(SAMPLE.read_bytes()[:3000])
    mislabelled = tmp / "其实是文本.xlsx"
    mislabelled.write_text("序号,整改措施\n1,建立制度\n", encoding="utf-8")
    bomb = tmp / "压缩炸弹.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            for _ in range(210):
                member.write(b"\0" * (1 << 20))
    empty = tmp / "空文件.xlsx"
    empty.write_bytes(b"")
    oversized = tmp / "超大.csv"
    oversized.write_bytes(b"x" * (21 * 1048576))
    rows = tmp / "十五万行.csv"
    lines = ["序号,问题描述,整改措施,牵头单位,整改时限"] + [
        f"{i},问题,措施,市委办公室,2030年底前" for i in range(150_000)
    ]
    rows.write_text("\n".join(lines), encoding="utf-8")
    utf16 = tmp / "编码不对.csv"
    utf16.write_bytes("序号,整改措施\n1,建立制度\n".encode("utf-16-le"))
    sparse = tiny_xlsx(
        tmp / "稀疏炸弹.xlsx", f'<row r="1">{cell("A1", "序号")}</row><row r="20000">{cell("XFD20000", "x")}</row>'
    )
    return {
        "truncated": (truncated, "已损坏或不完整"),
        "mislabelled": (mislabelled, "不是表格文件"),
        "zip bomb": (bomb, "疑似压缩炸弹"),
        "sparse bomb": (sparse, "16384"),
        "sparse bomb (xls)": (FILES / "sparse-bomb.xls", "256"),
        "0 bytes": (empty, "空文件"),
        "oversized": (oversized, "超过上限 20 MB"),
        "150,000 rows": (rows, "超过 100000 行"),
        "wrong encoding": (utf16, "不是文本"),
    }


NAMES = ["truncated", "mislabelled", "zip bomb", "sparse bomb", "sparse bomb (xls)", "0 bytes", "oversized"]
NAMES += ["150,000 rows", "wrong encoding"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("name", NAMES)
def test_each_bad_file_is_refused_with_its_message(name, people, settings, tmp_path):
    path, words = corpus(tmp_path)[name]
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(MEMORY_MB), str(path), "--json", "--feedback-date", "2024-01-15"],
        env=child_env(settings),
        capture_output=True,
        text=True,
        timeout=300,
    )
    print(f"{name}: exit {done.returncode}: {done.stderr.strip()[-200:]}")
    assert done.returncode == 2, (done.stdout[-1000:], done.stderr[-1000:])
    assert words in done.stderr and "Traceback" not in done.stderr
    assert not Source.objects.exists()
