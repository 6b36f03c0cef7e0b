"""Configuration from the environment: bad values stop the start with a clear message."""

import os
import subprocess
import sys

import pytest


def run_check(tmp_path, *args, **env):
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("TAIZHANG_", "DATABASE_URL", "DJANGO_ALLOW_ASYNC"))
    }
    environment.update({"TAIZHANG_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "taizhang.settings", **env})
    return subprocess.run(
        [sys.executable, "-m", "taizhang", "check", *args], env=environment, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"TAIZHANG_DEBUG": "maybe"}, "TAIZHANG_DEBUG='maybe' is not a boolean"),
        ({"TAIZHANG_EMAIL_PORT": "twenty-five"}, "TAIZHANG_EMAIL_PORT='twenty-five' is not a whole number"),
        ({"DATABASE_URL": "mysql://root@localhost/x"}, "unsupported database"),
        ({"DATABASE_URL": "nonsense"}, "DATABASE_URL"),
        ({"TAIZHANG_SECRET_KEY": "short"}, "at least 32 characters"),
        ({"TAIZHANG_SECRET_KEY_FILE": "/nonexistent/key"}, "TAIZHANG_SECRET_KEY_FILE"),
        ({"TAIZHANG_JOBS": "threads"}, "TAIZHANG_JOBS='threads' is not one of queue, immediate"),
        ({"TAIZHANG_STORAGE": "s3"}, "TAIZHANG_STORAGE=s3 needs TAIZHANG_S3_BUCKET"),
        ({"TAIZHANG_STORAGE": "ftp"}, "TAIZHANG_STORAGE='ftp' is not one of local, s3"),
        ({"TAIZHANG_LOG_FORMAT": "xml"}, "TAIZHANG_LOG_FORMAT='xml' is not one of text, json"),
        ({"TAIZHANG_CACHE": "memcached://x"}, "TAIZHANG_CACHE='memcached://x' is not local, database"),
        ({"TAIZHANG_CAS_ATTRIBUTES": "{name: cn}"}, "TAIZHANG_CAS_ATTRIBUTES is not valid JSON"),
    ],
)
def test_bad_values_fail_at_start_naming_the_variable(tmp_path, env, message):
    result = run_check(tmp_path, **env)
    assert result.returncode != 0
    assert message in result.stderr


def test_embedded_default_generates_and_keeps_a_secret_key(tmp_path):
    assert run_check(tmp_path).returncode == 0
    key = (tmp_path / "secret_key").read_text()
    assert len(key) >= 50 and (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert run_check(tmp_path).returncode == 0
    assert (tmp_path / "secret_key").read_text() == key


def test_secret_key_from_file(tmp_path):
    key_file = tmp_path / "key"
    key_file.write_text("k" * 60)
    result = run_check(tmp_path, TAIZHANG_SECRET_KEY_FILE=str(key_file))
    assert result.returncode == 0 and not (tmp_path / "secret_key").exists()


def test_deploy_check_is_clean_with_production_settings(tmp_path):
    result = run_check(
        tmp_path,
        "--deploy",
        "--fail-level",
        "WARNING",
        TAIZHANG_SECRET_KEY="a" * 20 + "Zq9!x#Lm2@Vb7$Nc4%Rt8^Wy6&Hj3*Kp",
        TAIZHANG_HTTPS="true",
        TAIZHANG_ALLOWED_HOSTS="taizhang.example.gov.cn",
    )
    assert result.returncode == 0, result.stderr


def test_object_storage_by_configuration(tmp_path):
    """The S3 settings as a provider other than AWS needs them: its endpoint, path-style addresses, the
    checksums only when required, nothing public."""
    show = (
        "from django.conf import settings; o = settings.STORAGES['default']['OPTIONS']; c = o['client_config']; "
        "print(settings.STORAGES['default']['BACKEND'], o['bucket_name'], o['endpoint_url'], o['default_acl'], "
        "c.s3['addressing_style'], c.request_checksum_calculation, c.response_checksum_validation)"
    )
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("TAIZHANG_", "DATABASE_URL"))}
    environment |= {"TAIZHANG_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "taizhang.settings"}
    environment |= {
        "TAIZHANG_STORAGE": "s3",
        "TAIZHANG_S3_BUCKET": "taizhang",
        "TAIZHANG_S3_ENDPOINT": "https://obs.example",
    }
    done = subprocess.run(
        [sys.executable, "-m", "taizhang", "shell", "--no-imports", "-c", show],
        env=environment,
        capture_output=True,
        text=True,
    )
    assert done.stdout.split() == [
        "storages.backends.s3.S3Storage",
        "taizhang",
        "https://obs.example",
        "None",
        "path",
        "when_required",
        "when_required",
    ], done.stderr[-2000:]
