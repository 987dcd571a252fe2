"""Error reports without request data: POST bodies, GET parameters and local variables may
hold a My Number, which must never reach a log or an error page."""

from __future__ import annotations

from typing import Any

from django.views.debug import SafeExceptionReporterFilter


class NoRequestData(SafeExceptionReporterFilter):
    def get_post_parameters(self, request: Any) -> dict[str, str]:
        return {key: self.cleansed_substitute for key in getattr(request, "POST", {})}

    def get_traceback_frame_variables(self, request: Any, tb_frame: Any) -> list:
        return []

    def is_active(self, request: Any) -> bool:
        return True
