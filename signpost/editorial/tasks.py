"""Background tasks of the editorial side, run by the worker on the schedule in settings."""

from django_tasks import task

from .sign_in import sign_in_failures_forget


@task()
def forget_sign_in_failures() -> int:
    """Failed sign-ins are kept for an hour only."""
    return sign_in_failures_forget()


@task()
def send_review_reminders() -> int:
    """A month before a resource's review-by date, its owners are asked if it is still current."""
    from .services import review_reminders_send

    return review_reminders_send()
