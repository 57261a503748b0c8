from django.db import migrations


def recreate(apps, schema_editor):
    """The full-text table gains columns for the text inside files."""
    from signpost.search.index import full_text_schema_recreate

    full_text_schema_recreate(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("search", "0004_postgres_index_functions"), ("catalogue", "0004_stored_files")]

    operations = [migrations.RunPython(recreate, migrations.RunPython.noop)]
