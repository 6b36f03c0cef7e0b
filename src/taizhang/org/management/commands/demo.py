from django.core.management.base import BaseCommand, CommandError

from taizhang.duties.demo import load_duty_demo
from taizhang.org.demo import ACCOUNTS, build_org, foreign_data
from taizhang.rectification.demo import load_earlier_rounds, load_sample_ledger
from taizhang.risks.demo import load_risk_demo


class Command(BaseCommand):
    help = (
        "Build the demo organisation, accounts and sample ledger (idempotent) and print the logins. "
        "Refuses a database that holds anything but the demo, unless --reset-demo-passwords is given."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset-demo-passwords",
            action="store_true",
            help="also run on a database with other data, and set the demo accounts' passwords to the public one",
        )

    def handle(self, *args, reset_demo_passwords=False, **options):
        found = foreign_data()
        if found and not reset_demo_passwords:
            raise CommandError(
                "This database holds data that is not the demo's (" + "; ".join(found) + "). "
                "The demo's accounts have a public password; refusing to create or reset them here. "
                "本数据库已有非演示数据，为安全起见不载入演示账号（其密码是公开的）。"
                "如确需载入并重置演示账号密码，请加 --reset-demo-passwords。"
            )
        rows = build_org(reset_passwords=reset_demo_passwords)
        load_earlier_rounds()  # before the sample: its findings are then flagged as they are imported
        source = load_sample_ledger()
        self.stdout.write(f"Demo ledger / 演示台账: {source.title} ({source.tasks.count()} measures)")
        self.stdout.write(f"Demo risk register / 演示风险台账: {load_risk_demo()} risks")
        self.stdout.write(f"Demo responsibility lists / 演示责任清单: {load_duty_demo()} lists")
        self.stdout.write("Demo accounts / 演示账号 (username · password · role):")
        width = max(len(username) for username, *_ in ACCOUNTS)
        for username, password, description in rows:
            self.stdout.write(f"  {username:<{width}} {password:<15} {description}")
