"""The API against its own OpenAPI schema (schemathesis, every check), as an administrator and as a
liaison: no server errors, no response outside the schema, no invalid request accepted and no valid
one refused (tests/reliability/schemathesis.toml names the one documented exception)."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

CONFIG = Path(__file__).with_name("schemathesis.toml")


@pytest.mark.parametrize("username", ["admin", "liaison"])
def test_the_api_keeps_to_its_schema(server, username, tmp_path):
    token = server.token(username)
    st = Path(sys.executable).parent / "st"
    done = subprocess.run(
        [
            str(st),
            "--config-file",
            str(CONFIG),
            "run",
            f"{server.url}/api/schema/",
            "-H",
            f"Authorization: Token {token}",
            "--workers",
            "1",
            "--no-color",
            "--seed",
            "20261201",
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )
    summary = done.stdout[-4000:]
    generated = re.search(r"(\d+) generated", summary)
    print(f"schemathesis as {username}: {generated.group(0) if generated else '?'}; exit {done.returncode}")
    assert done.returncode == 0, summary
    assert generated and int(generated.group(1)) > 500  # the run really exercised the API
