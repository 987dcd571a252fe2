"""`manage.py audit_verify`: check the audit log's hash chain; exit 1 on tampering."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from himoken.web.audit.log import verify


class Command(BaseCommand):
    help = "監査ログのハッシュの連鎖を検証する(改ざんがあれば終了コード1)"

    def handle(self, *args: Any, **options: Any) -> None:
        problems = verify()
        if problems:
            raise CommandError("監査ログが改ざんされている: " + "; ".join(problems[:20]))
        self.stdout.write("監査ログは改ざんされていない")
