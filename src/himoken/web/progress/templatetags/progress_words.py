"""Words for the codes the progress pages print: a forecast's green / amber / red is shown as
順調 / 注意 / 遅れ in the reader's language (the codes stay as CSS classes)."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

from himoken.web.progress.forecast import Status

register = template.Library()

OUTLOOKS = {Status.GREEN: _("順調"), Status.AMBER: _("注意"), Status.RED: _("遅れ")}


@register.filter
def outlook(status: str) -> str:
    """`{{ o.status|outlook }}`: the word for a forecast's status ("" for anything else)."""
    word = OUTLOOKS.get(status)
    return str(word) if word is not None else ""
