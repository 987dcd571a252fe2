"""What both sites' authorization matrices share: every named URL pattern of the site under
test, and the Django pages whose rules are Django's own."""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import URLPattern, URLResolver, get_resolver

# The admin is for staff only (none of the roles is staff); the authentication pages and the
# language switch are open.
STAFF_ONLY_NAMESPACES = ("admin",)
OPEN = {"login", "logout", "password_reset", "password_reset_done", "password_reset_confirm",
        "password_reset_complete", "set_language", "password_change",
        "password_change_done"}  # fmt: skip


def named_patterns(resolver: URLResolver, namespace: str = "") -> Iterator[str]:
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from named_patterns(pattern, inner)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}{pattern.name}" if pattern.name else f"{namespace}{pattern}"


def url_names() -> set[str]:
    return set(named_patterns(get_resolver()))


def without_expectation(names: set[str], expected: set[str]) -> set[str]:
    """URL names that are neither in `expected` nor Django's own (admin, auth, i18n)."""
    return {
        n for n in names
        if n not in expected and n.split(":")[0] not in STAFF_ONLY_NAMESPACES and n not in OPEN
    }  # fmt: skip
