from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from signpost.catalogue.models import Resource

DEMO_FILE = Path(settings.BASE_DIR) / "data" / "demo.jsonl"


class Command(BaseCommand):
    help = "Load the demo catalogue, only into a catalogue that has no resources yet."

    def handle(self, *args: Any, **options: Any) -> None:
        if Resource.objects.exists():
            self.stdout.write("The catalogue already holds resources; the demo was not loaded.")
            return
        call_command("import_resources", str(DEMO_FILE), stdout=self.stdout)
