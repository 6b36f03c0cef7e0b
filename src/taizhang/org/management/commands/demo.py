from django.core.management.base import BaseCommand

from taizhang.org.demo import build_org


class Command(BaseCommand):
    help = "Build the demo organisation, accounts and sample ledger (idempotent) and print the logins."

    def handle(self, *args, **options):
        rows = build_org()
        self.stdout.write("Demo accounts / 演示账号 (username · password · role):")
        for username, password, description in rows:
            self.stdout.write(f"  {username:<10} {password:<15} {description}")
