from django.db import migrations

from signpost.catalogue.languages import LANGUAGES


def add_languages(apps, schema_editor):
    Language = apps.get_model("catalogue", "Language")
    existing = set(Language.objects.values_list("code", flat=True))
    Language.objects.bulk_create(
        Language(code=code, name_en=name_en, name_native=native)
        for code, name_en, native in LANGUAGES
        if code not in existing
    )


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0001_initial")]
    operations = [migrations.RunPython(add_languages, migrations.RunPython.noop)]
