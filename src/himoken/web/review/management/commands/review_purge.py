"""Purge the personal data of runs finished longer ago than the retention period (schedule it
daily, e.g. with cron or a systemd timer)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from himoken.web.review import retention


class Command(BaseCommand):
    help = "Purge personal data of finished runs older than the retention period."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--days", type=int, default=settings.REVIEW_RETENTION_DAYS)

    def handle(self, *args, days: int, **options) -> None:
        for run in retention.expired(days):
            counts = retention.purge(run, None, f"保存期間({days}日)経過")
            self.stdout.write(f"照合 {run.pk}: 消去 {counts}")
