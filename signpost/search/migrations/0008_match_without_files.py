from django.db import migrations


def create(apps, schema_editor):
    """An index and a function for matching the catalogue's own text without the files'."""
    from signpost.search.backends import backend_for

    backend = backend_for(schema_editor.connection.alias)
    backend.create_schema(schema_editor)
    backend.create_functions(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("search", "0007_vector_of_text_inside_files")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
