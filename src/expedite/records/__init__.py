"""A case's whole record: the evidence package an auditor or a court receives, and the purge of
what the retention period no longer requires. It reads every app's records, so it sits above
them all; no app imports it."""
