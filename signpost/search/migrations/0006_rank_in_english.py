from django.db import migrations


def replace_functions(apps, schema_editor):
    """Scoring takes a second query to rank by (signpost/search/backends/postgres.py)."""
    from signpost.search.backends import backend_for

    backend = backend_for(schema_editor.connection.alias)
    if backend.vendor == "postgresql":
        backend.drop_functions(schema_editor)
        backend.create_functions(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("search", "0005_text_inside_files")]

    operations = [migrations.RunPython(replace_functions, migrations.RunPython.noop)]
