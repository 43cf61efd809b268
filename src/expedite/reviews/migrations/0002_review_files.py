"""The result files each review covered.

Reviews written before this was recorded are given the result files that were on the case
when they were written (by upload time). Result files of cases the client has not signed for
yet are shared with the client again only if a passed supervisor review by someone other
than their uploader covers them; a file the client already signed for stays as it is.
"""

from django.db import migrations, models

SIGNED = ("confirmed", "closed")


def backfill(apps, schema_editor):
    Review = apps.get_model("reviews", "Review")
    CaseDocument = apps.get_model("cases", "CaseDocument")
    for review in Review.objects.all().iterator():
        docs = CaseDocument.objects.filter(
            case_id=review.case_id, kind="result", uploaded_at__lte=review.created_at
        )
        review.files = [
            {"document": d.pk, "sha256": d.sha256, "name": d.name, "uploaded_by": d.uploaded_by_id}
            for d in docs.order_by("uploaded_at", "pk")
        ]
        review.save(update_fields=["files"])
    shared = CaseDocument.objects.filter(kind="result", client_visible=True).exclude(
        case__state__in=SIGNED
    )
    for doc in shared.iterator():
        passes = Review.objects.filter(case_id=doc.case_id, stage="supervisor", passed=True)
        covered = any(
            any(f["document"] == doc.pk and f["sha256"] == doc.sha256 for f in r.files)
            and r.reviewer_id != doc.uploaded_by_id
            for r in passes
        )
        if not covered:
            CaseDocument.objects.filter(pk=doc.pk).update(client_visible=False)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0002_casedocument_client_visible"),
        ("reviews", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="review",
            name="files",
            field=models.JSONField(blank=True, default=list, verbose_name="复核的结果文件"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
