from django.core.management.base import BaseCommand

from taizhang.org.demo import build_org
from taizhang.rectification.demo import load_sample_ledger


class Command(BaseCommand):
    help = "Build the demo organisation, accounts and sample ledger (idempotent) and print the logins."

    def handle(self, *args, **options):
        rows = build_org()
        source = load_sample_ledger()
        self.stdout.write(f"Demo ledger / 演示台账: {source.title} ({source.tasks.count()} measures)")
        self.stdout.write("Demo accounts / 演示账号 (username · password · role):")
        for username, password, description in rows:
            self.stdout.write(f"  {username:<10} {password:<15} {description}")
