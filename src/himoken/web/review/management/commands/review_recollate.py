"""`manage.py review_recollate [--business ID ... | --all]`: re-collate the 事務 whose schedule
is due (schedule it daily, e.g. with cron or a systemd timer), compare each run with the one
before it and bring it into the review. A schedule that fails is reported with the file at
fault and stays due (the next day's job tries again); the others still run. The exit status
is 1 when any failed."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from himoken.web.review import recollation
from himoken.web.review.models import RecollationSchedule


class Command(BaseCommand):
    help = "予定日の来た定期的な再照合を実行し、前回との違いを確認に取り込む"

    def add_arguments(self, parser: Any) -> None:
        which = parser.add_mutually_exclusive_group()
        which.add_argument(
            "--business", type=int, action="append", metavar="ID",
            help="この事務(ID)の再照合を、予定日によらず実行する(繰り返し指定できる)",
        )  # fmt: skip
        which.add_argument(
            "--all", action="store_true", dest="every",
            help="有効なすべての再照合を、予定日によらず実行する",
        )  # fmt: skip

    def handle(self, *args: Any, business: list[int] | None, every: bool, **options: Any) -> None:
        chosen = RecollationSchedule.objects.select_related("business__organisation")
        failed = 0
        if business:
            schedules = list(chosen.filter(business_id__in=business).order_by("business_id"))
            for missing in sorted(set(business) - {s.business_id for s in schedules}):
                self.stderr.write(f"事務 {missing}: 定期的な再照合が設定されていない")
                failed += 1
        elif every:
            schedules = list(chosen.filter(active=True).order_by("business_id"))
        else:
            schedules = list(recollation.due().select_related("business__organisation")
                             .order_by("next_due", "business_id"))  # fmt: skip
        for schedule in schedules:
            try:
                done = recollation.run(schedule)
            except recollation.Failed as error:
                failed += 1
                self.stderr.write(
                    f"{schedule.business}(事務 {schedule.business_id}): 失敗: {error}"
                )
                continue
            self.stdout.write(
                f"{schedule.business}(事務 {schedule.business_id}): 要確認 {done.flagged}件"
                f"(新たに {done.new}、解消 {done.resolved}、引き続き {done.still_flagged})、"
                f"新しいレコード {done.cases_added}件・引き継ぎ {done.cases_carried}件・"
                f"解消の記録 {done.cases_resolved}件、次回 {schedule.next_due or '―'}"
            )
        if not schedules and not failed:
            self.stdout.write("実行する再照合はない")
        if failed:
            raise CommandError(f"{failed}件の再照合が失敗した")
