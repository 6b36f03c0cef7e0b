"""`verify_audit --files`: every stored file read back against the SHA-256 it is stored under."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command

from taizhang.core.files import sample, store, verify_files

pytestmark = pytest.mark.django_db


def test_intact_changed_and_missing_files_are_told_apart(capsys):
    kept = store(sample(b"%PDF-1.4 kept as stored", "a.pdf"))
    changed = store(sample(b"%PDF-1.4 to be changed", "b.pdf"))
    gone = store(sample(b"%PDF-1.4 to be deleted", "c.pdf"))
    call_command("verify_audit", "--files")
    assert "Files match their checksums: 3 checked." in capsys.readouterr().out

    default_storage.delete(changed.storage_name)
    default_storage.save(changed.storage_name, ContentFile(b"%PDF-1.4 edited on the server"))
    default_storage.delete(gone.storage_name)
    checked, problems = verify_files()
    assert checked == 3 and problems == [
        f"{changed.storage_name}: changed (its bytes no longer hash to {changed.sha256[:12]}…)",
        f"{gone.storage_name}: missing",
    ]
    with pytest.raises(CommandError, match="2 stored files are missing or changed"):
        call_command("verify_audit", "--files")
    assert kept.storage_name not in " ".join(problems)
