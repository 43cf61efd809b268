from django.db import models


class WorkerHeartbeat(models.Model):
    """Last sign of life of each worker process, written by the periodic heartbeat job."""

    worker = models.CharField(max_length=200, unique=True)
    beat_at = models.DateTimeField()
    beats = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.worker} @ {self.beat_at:%Y-%m-%d %H:%M:%S}"
