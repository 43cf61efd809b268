from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand

from expedite.delivery.certs import ensure_firm_certificate, firm_certificate


class Command(BaseCommand):
    help = "Migrate, load the default catalog, and on a new database load the demo data."

    def add_arguments(self, parser):
        parser.add_argument("--no-demo", action="store_true", help="never load demo data")

    def handle(self, *args, no_demo=False, **options):
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("database migrated")
        call_command("catalog", "load", stdout=self.stdout)
        self._signing_certificate()
        if settings.PRODUCTION:
            self.stdout.write(
                "production: no demo data (create staff with `expedite createsuperuser`)"
            )
        elif not no_demo and not get_user_model().objects.exists():
            call_command("demo", stdout=self.stdout)

    def _signing_certificate(self) -> None:

        path, created = ensure_firm_certificate()
        cert = firm_certificate()
        self.stdout.write(
            f"signing certificate: {path} ({'created' if created else 'present'}), "
            f"SHA-256 {cert.sha256}"
        )
        if cert.self_signed:
            self.stdout.write(
                self.style.WARNING(
                    "  self-signed: confirmations are tamper-evident, but PDF readers will not "
                    "know the signer; set EXPEDITE_SIGNING_P12 to a CA-issued certificate "
                    "(docs/delivery.md)"
                )
            )
