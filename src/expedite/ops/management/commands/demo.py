from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from expedite import clock
from expedite.cases.models import ServiceType
from expedite.delivery.demo import demo_links
from expedite.ops.demo import DEMO_PASSWORD, demo_load, demo_logins


class Command(BaseCommand):
    help = "Load the demo users, clients and cases (idempotent), laid out at the current instant."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("demo data is never loaded when EXPEDITE_ENV=production")
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            raise CommandError("数据库尚未初始化：请先运行 expedite setup。", returncode=2)

        if not ServiceType.objects.filter(active=True).exists():
            # The demo's cases are of the catalog's services: load the shipped one first.
            call_command("catalog", "load", stdout=self.stdout)
        created = demo_load(now=clock.now())
        self.stdout.write(
            "demo: {users} users, {clients} clients, {cases} cases created".format(**created)
        )
        for username, role in demo_logins():
            self.stdout.write(f"  {username:<10} {role}  password: {DEMO_PASSWORD}")
        base = settings.EXPEDITE_PUBLIC_URL.rstrip("/")
        for what, path in demo_links():
            self.stdout.write(f"  client page, {what}: {base}{path}")
