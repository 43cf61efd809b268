from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from expedite.delivery.demo import demo_links
from expedite.ops.demo import DEMO_PASSWORD, demo_load, demo_logins


class Command(BaseCommand):
    help = "Load the demo users, clients and cases (idempotent)."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("demo data is never loaded when EXPEDITE_ENV=production")
        created = demo_load(today=timezone.localdate(), now=timezone.now())
        self.stdout.write(
            "demo: {users} users, {clients} clients, {cases} cases created".format(**created)
        )
        for username, role in demo_logins():
            self.stdout.write(f"  {username:<10} {role}  password: {DEMO_PASSWORD}")
        base = settings.EXPEDITE_PUBLIC_URL.rstrip("/")
        for what, path in demo_links():
            self.stdout.write(f"  client page, {what}: {base}{path}")
