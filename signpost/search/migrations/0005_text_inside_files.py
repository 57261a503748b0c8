from django.db import migrations


def recreate(apps, schema_editor):
    """The full-text table gains columns for the text inside files: made anew, then filled
    from the catalogue (by the code of this release, which is what reads the new columns)."""
    from signpost.search.backends import backend_for
    from signpost.search.index import index_rebuild

    backend = backend_for(schema_editor.connection.alias)
    backend.drop_schema(schema_editor)
    backend.create_schema(schema_editor)
    if backend.vendor == "postgresql":
        backend.create_functions(schema_editor)
    index_rebuild()


class Migration(migrations.Migration):
    dependencies = [("search", "0004_postgres_index_functions"), ("catalogue", "0004_stored_files")]

    operations = [migrations.RunPython(recreate, migrations.RunPython.noop)]
