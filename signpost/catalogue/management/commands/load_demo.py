import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from signpost.catalogue.models import Audience, Resource, Topic
from signpost.catalogue.services import vocabulary_translations_update

DEMO_FILE = Path(settings.BASE_DIR) / "data" / "demo.jsonl"
# The names of the demo's topics and audiences in the interface languages.
VOCABULARY_FILE = Path(settings.BASE_DIR) / "data" / "demo.vocabulary.json"


class Command(BaseCommand):
    help = "Load the demo catalogue, only into a catalogue that has no resources yet."

    def handle(self, *args: Any, **options: Any) -> None:
        if Resource.objects.exists():
            self.stdout.write("The catalogue already holds resources; the demo was not loaded.")
            return
        call_command("import_resources", str(DEMO_FILE), stdout=self.stdout)
        vocabulary = json.loads(VOCABULARY_FILE.read_text(encoding="utf-8"))
        found = sum(
            vocabulary_translations_update(
                model=model, translations=vocabulary[key], by=None, via="load_demo"
            )
            for key, model in (("topics", Topic), ("audiences", Audience))
        )
        self.stdout.write(f"Names in other languages given to {found} topics and audiences.")
