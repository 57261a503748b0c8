from django.db import migrations


def recreate(apps, schema_editor):
    """On PostgreSQL the text inside files gets a vector of its own, matched, never ranked."""
    from signpost.search.index import full_text_schema_recreate

    full_text_schema_recreate(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("search", "0006_rank_in_english")]

    operations = [migrations.RunPython(recreate, migrations.RunPython.noop)]
