"""Link health writes: which addresses to check, and what each check means for its link."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from signpost.catalogue.models import Organisation, Version
from signpost.search.index import index_version_raise

from .checker import Checker, CheckResult
from .models import (
    BROKEN_AFTER,
    BROKEN_AFTER_FAILURES,
    NOT_CHECKED,
    WORKING,
    Link,
    LinkCheck,
)


def catalogue_addresses() -> set[str]:
    """Every external address of published resources' versions and of organisations."""
    versions = Version.objects.filter(resource__status="published").exclude(url="")
    organisations = Organisation.objects.exclude(url="")
    return set(versions.values_list("url", flat=True)) | set(
        organisations.values_list("url", flat=True)
    )


def links_sync() -> int:
    """A Link for every address the catalogue holds; returns how many were new."""
    known = set(Link.objects.values_list("url", flat=True))
    new = [Link(url=url) for url in sorted(catalogue_addresses() - known)]
    Link.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def link_check_record(*, link: Link, result: CheckResult, now: datetime | None = None) -> Link:
    """Record one check and what follows from it: working, failing, broken, moved, changed."""
    now = now or timezone.now()
    with transaction.atomic():
        link = Link.objects.select_for_update().get(pk=link.pk)
        was_broken = link.is_broken
        LinkCheck.objects.create(
            link=link,
            checked_at=now,
            outcome=result.outcome,
            status_code=result.status_code,
            final_url=result.final_url[:500],
            redirects=result.redirects,
            milliseconds=result.milliseconds,
            detail=result.detail[:300],
        )
        link.last_checked_at = now
        link.last_outcome = result.outcome
        if result.outcome in WORKING:
            link.failures, link.failing_since, link.is_broken = 0, None, False
            link.last_ok_at = now
            link.proposed_url = result.final_url[:500] if result.outcome == "moved" else ""
            if result.fingerprint:
                if link.fingerprint and link.fingerprint != result.fingerprint:
                    link.changed_at = now
                link.fingerprint = result.fingerprint
        elif result.outcome not in NOT_CHECKED:
            link.failures += 1
            link.failing_since = link.failing_since or now
            # One bad night never flags a link: it must keep failing for days.
            link.is_broken = (
                link.failures >= BROKEN_AFTER_FAILURES and now - link.failing_since >= BROKEN_AFTER
            )
        link.save()
        if link.is_broken != was_broken:
            # Resource pages say when a link may not work: their validators must change.
            index_version_raise()
    return link


@dataclass
class RunSummary:
    checked: int = 0
    by_outcome: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    newly_broken: int = 0

    def __str__(self) -> str:
        outcomes = ", ".join(f"{n} {o}" for o, n in sorted(self.by_outcome.items()))
        return (
            f"checked {self.checked} links ({outcomes or 'none'}); {self.newly_broken} newly broken"
        )


def links_check(
    *,
    limit: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    now: Callable[[], datetime] = timezone.now,
) -> RunSummary:
    """Check the least recently checked links: one request at a time per site, with a pause
    between them, and several sites at once. One failing site never stops the run."""
    links_sync()
    links = list(Link.objects.order_by(F("last_checked_at").asc(nulls_first=True), "id")[:limit])
    by_host: dict[str, list[Link]] = defaultdict(list)
    for link in links:
        by_host[(urlsplit(link.url).hostname or "").lower()].append(link)
    summary = RunSummary()

    def check_site(site_links: Iterable[Link]) -> list[tuple[Link, CheckResult]]:
        checker = Checker()
        results = []
        try:
            for index, link in enumerate(site_links):
                if index:
                    time.sleep(settings.LINKS_PAUSE_PER_HOST)
                results.append((link, checker.check(link.url)))
        finally:
            checker.close()
        return results

    with ThreadPoolExecutor(max_workers=settings.LINKS_SITES_AT_ONCE) as pool:
        for site_results in pool.map(check_site, by_host.values()):
            for link, result in site_results:
                was_broken = link.is_broken
                link = link_check_record(link=link, result=result, now=now())
                summary.checked += 1
                summary.by_outcome[result.outcome] += 1
                summary.newly_broken += int(link.is_broken and not was_broken)
                if progress:
                    progress(summary.checked, len(links))
    return summary
