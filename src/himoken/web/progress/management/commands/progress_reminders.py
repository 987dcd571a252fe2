"""`manage.py progress_reminders`: mail reminders of due and overdue stages (run it daily from
cron or a systemd timer; `--every HOURS` keeps it running in the foreground instead)."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from himoken.web.progress.reminders import send


class Command(BaseCommand):
    help = "期限の近い段階・期限を過ぎた段階・回答の遅れた相談を団体と事務局にメールで知らせる"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--days", type=int, default=7, help="「期限が近い」とする日数")
        parser.add_argument("--today", type=dt.date.fromisoformat, default=None)
        parser.add_argument("--every", type=float, default=0, help="この時間ごとに繰り返す")

    def handle(self, *args: Any, days: int, today: dt.date | None, every: float,
               **options: Any) -> None:  # fmt: skip
        while True:
            counts = send(today or timezone.localdate(), days)
            self.stdout.write(f"{counts['organisations']}団体、{counts['mails']}通を送った"
                              f"(連絡先のない団体 {counts['without_address']})")  # fmt: skip
            if not every:
                return
            time.sleep(every * 3600)
