"""`expedite verify-pdf FILE`: check a signed 结果确认单 offline.

Exit 0 when the signature is intact, covers the whole file and was made with the firm's
certificate (or one a configured trust root vouches for); otherwise 1 with the reasons in
Chinese (2 when the file cannot be read).
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from expedite.delivery.signing import trust_roots, verify_signed_pdf


class Command(BaseCommand):
    help = "Validate the signature of a signed confirmation PDF offline."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the signed PDF")

    def handle(self, *args, file, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}", returncode=2)
        firm_der, roots = trust_roots()
        result = verify_signed_pdf(path.read_bytes(), firm_der=firm_der, roots=roots)
        if not result.ok:
            raise CommandError(
                "签名无效：" + "".join(result.problems) + f"（{path}）", returncode=1
            )
        who = "本所签章证书" if result.firm_certificate else "受信任的证书"
        self.stdout.write(f"签名有效：{path}")
        self.stdout.write(f"  签署者：{result.signer}（{who}）")
        if result.signed_at:
            self.stdout.write(f"  签署时间：{result.signed_at}")
        if result.reason:
            self.stdout.write(f"  签署事由：{result.reason}")
