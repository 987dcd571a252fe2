"""`manage.py progress_demo`: fill an empty progress database with the demo prefecture."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from himoken.web.progress.demo import create_demo
from himoken.web.progress.models import Organisation


class Command(BaseCommand):
    help = "進捗管理のデモデータ(合成県、点検の途中)を作る"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--prefecture", default="大阪府")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args: Any, **options: Any) -> None:
        if Organisation.objects.exists():
            raise CommandError("データベースが空でない(デモデータは空のデータベースにだけ作る)")
        made = create_demo(dt.date.today(), options["prefecture"], options["seed"])
        self.stdout.write(f"{made}団体のデモデータを作った")
