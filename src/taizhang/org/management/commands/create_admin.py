"""The first administrator of a new installation (after `migrate`), through the accounts action."""

import getpass
import os

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from taizhang.core.permissions import Role, Scope
from taizhang.org import actions
from taizhang.org.models import User


class Command(BaseCommand):
    help = (
        "Create an all-scope administrator. The password comes from TAIZHANG_ADMIN_PASSWORD (or the file "
        "named by TAIZHANG_ADMIN_PASSWORD_FILE), else it is asked for twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="the administrator's name, as shown on pages")

    def handle(self, *args, username, name, **options):
        if User.objects.filter(username=username).exists():
            raise CommandError(f"账号 {username} 已存在 (the account {username} exists already).")
        password = self._password()
        try:
            validate_password(password)
            account = actions.save_account(
                None,
                {"username": username, "first_name": name, "role": Role.ADMIN, "scope": Scope.ALL, "is_active": True},
                by=None,
                password=password,
            )
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        self.stdout.write(f"已创建管理员 {account.username} (administrator created).")

    def _password(self) -> str:
        if file_name := os.environ.get("TAIZHANG_ADMIN_PASSWORD_FILE"):
            with open(file_name, encoding="utf-8") as handle:
                return handle.read().strip()
        if password := os.environ.get("TAIZHANG_ADMIN_PASSWORD"):
            return password
        first = getpass.getpass("密码 / Password: ")
        if first != getpass.getpass("再次输入 / Again: "):
            raise CommandError("两次输入的密码不一致 (the passwords differ).")
        return first
