import django.db.models.deletion
from django.db import migrations, models


def create_full_text_schema(apps, schema_editor):
    from signpost.search.backends import backend_for

    backend_for(schema_editor.connection.alias).create_schema(schema_editor)


def drop_full_text_schema(apps, schema_editor):
    from signpost.search.backends import backend_for

    backend_for(schema_editor.connection.alias).drop_schema(schema_editor)


class Migration(migrations.Migration):
    initial = True

    dependencies = [("catalogue", "0002_languages")]

    operations = [
        migrations.CreateModel(
            name="SearchWord",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("word", models.CharField(max_length=100, unique=True)),
                ("length", models.PositiveSmallIntegerField(db_index=True)),
                ("frequency", models.PositiveIntegerField(default=1)),
            ],
        ),
        migrations.CreateModel(
            name="SearchFacet",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("facet", models.CharField(max_length=20)),
                ("value", models.CharField(max_length=200)),
                (
                    "resource",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="catalogue.resource"
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(fields=["facet", "value", "resource"], name="search_facet_value"),
                    models.Index(fields=["resource", "facet", "value"], name="search_facet_resource"),
                ]
            },
        ),
        migrations.CreateModel(
            name="SearchState",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("version", models.PositiveBigIntegerField(default=0)),
            ],
        ),
        migrations.RunPython(create_full_text_schema, drop_full_text_schema),
    ]
