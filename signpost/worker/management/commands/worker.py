import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from signpost.worker.schedule import schedule_enqueue_due


class Command(BaseCommand):
    help = (
        "Run background work: queue scheduled tasks when due (see SIGNPOST_SCHEDULE), then run "
        "every queued task; again every --interval seconds. `make run` starts one."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=60.0)
        parser.add_argument("--once", action="store_true", help="one round, then stop")

    def handle(self, *args: Any, interval: float, once: bool, **options: Any) -> None:
        while True:
            queued = schedule_enqueue_due()
            if queued:
                self.stdout.write(f"Queued: {', '.join(queued)}.")
            call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name", "*")
            if once:
                return
            time.sleep(interval)
