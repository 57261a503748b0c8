"""Background work: the schedule queues each task once per period, and the worker runs it."""

import datetime
import io

from django.core.management import call_command
from django.utils import timezone

from signpost.catalogue.languages import LANGUAGES
from signpost.catalogue.services import languages_ensure
from signpost.links.models import Link
from signpost.worker.models import ScheduledRun
from signpost.worker.schedule import schedule_enqueue_due


def test_a_scheduled_task_is_queued_once_a_period(db):
    start = timezone.now()
    assert schedule_enqueue_due(now=start) == [
        "check-links",
        "send-review-reminders",
        "forget-sign-in-failures",
    ]
    later = start + datetime.timedelta(minutes=59)
    assert schedule_enqueue_due(now=later) == []
    assert schedule_enqueue_due(now=start + datetime.timedelta(hours=1)) == [
        "forget-sign-in-failures"
    ]
    assert "check-links" in schedule_enqueue_due(now=start + datetime.timedelta(days=1))
    assert ScheduledRun.objects.get(
        name="check-links"
    ).last_enqueued_at == start + datetime.timedelta(days=1)


def test_one_worker_round_runs_the_link_check(transactional_db, settings):
    from .factories import ResourceFactory

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    # A test that commits (a live server's) ends with a flush, which empties the languages the
    # migrations wrote: this one must not depend on which ran before it.
    languages_ensure(languages=LANGUAGES)
    # An address of a host that is not public: recorded without any request being made.
    ResourceFactory(uid="w", slug="w").versions.update(url="http://10.9.8.7/report.pdf")
    out = io.StringIO()
    call_command("worker", "--once", stdout=out)
    assert "Queued: check-links" in out.getvalue()
    assert Link.objects.get(url="http://10.9.8.7/report.pdf").last_outcome == "not_public"
