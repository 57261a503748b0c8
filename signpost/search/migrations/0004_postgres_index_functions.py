from django.db import migrations


def create_functions(apps, schema_editor):
    from signpost.search.backends import backend_for

    backend = backend_for(schema_editor.connection.alias)
    if backend.vendor == "postgresql":
        backend.create_functions(schema_editor)


def drop_functions(apps, schema_editor):
    from signpost.search.backends import backend_for

    backend = backend_for(schema_editor.connection.alias)
    if backend.vendor == "postgresql":
        backend.drop_functions(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("search", "0003_vectors")]

    operations = [migrations.RunPython(create_functions, drop_functions)]
