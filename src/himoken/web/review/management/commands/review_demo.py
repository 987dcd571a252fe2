"""`manage.py review_demo OUT_DIR...`: import demo collations and create the demo users."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from himoken.web.review.demo import DEMO_PASSWORD, USERS, create_demo


class Command(BaseCommand):
    help = "確認のデモ: 照合結果を取り込み、役割ごとの利用者を作る"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("collations", nargs="+", type=Path)

    def handle(self, *args: Any, collations: list[Path], **options: Any) -> None:
        for business, count in create_demo(collations).items():
            self.stdout.write(f"{business}: 要確認 {count}件")
        for username, kind, _ in USERS:
            self.stdout.write(f"  {username} / {DEMO_PASSWORD} ({kind.label})")
