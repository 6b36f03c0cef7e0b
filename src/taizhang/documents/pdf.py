"""PDF through LibreOffice headless, when it is installed (see docs/deployment.md)."""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path


class ConverterMissing(Exception):
    pass


def converter() -> str | None:
    return os.environ.get("TAIZHANG_LIBREOFFICE") or shutil.which("libreoffice") or shutil.which("soffice")


def docx_to_pdf(docx: bytes, *, timeout: int = 120) -> bytes:
    binary = converter()
    if not binary:
        raise ConverterMissing(
            "PDF needs LibreOffice (apt-get install libreoffice-writer-nogui fonts-noto-cjk); the .docx is available."
        )
    with tempfile.TemporaryDirectory() as work:
        source = Path(work) / "report.docx"
        source.write_bytes(docx)
        # A private profile directory: two conversions at once would otherwise fight over ~/.config.
        env = os.environ | {"HOME": work}
        result = subprocess.run(
            [binary, "--headless", "--norestore", "--convert-to", "pdf", "--outdir", work, str(source)],
            capture_output=True,
            timeout=timeout,
            env=env,
            check=False,
        )
        target = Path(work) / "report.pdf"
        if result.returncode != 0 or not target.exists():
            raise RuntimeError(
                f"LibreOffice could not convert the report: {result.stderr.decode(errors='replace')[-500:]}"
            )
        return target.read_bytes()
