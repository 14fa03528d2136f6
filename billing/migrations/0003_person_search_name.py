import django.db.models.functions.text
from django.db import migrations, models

# A person is found by any part of the whole name ("Jan de Vries", "de Vries", "Jan"): one
# trigram index on the generated full name replaces the two on the first and last name, so a
# search is one index condition (the two, OR-ed, made the planner read the whole table) and
# a search for both names together finds the person. PostgreSQL only, as in 0002.
OLD_INDEXES = [
    ("billing_person_first_name_trgm", "first_name"),
    ("billing_person_last_name_trgm", "last_name"),
]
NEW_INDEX = "billing_person_search_name_trgm"


def _index_sql(name: str, column: str) -> str:
    return (
        f'CREATE INDEX IF NOT EXISTS "{name}" ON "billing_person" '
        f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
    )


def search_index_create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(_index_sql(NEW_INDEX, "search_name"))
    for name, _column in OLD_INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


def search_index_drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, column in OLD_INDEXES:
        schema_editor.execute(_index_sql(name, column))
    schema_editor.execute(f'DROP INDEX IF EXISTS "{NEW_INDEX}"')


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0002_invoice_list_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="person",
            name="search_name",
            field=models.GeneratedField(
                db_persist=True,
                expression=django.db.models.functions.text.Concat(
                    "first_name", models.Value(" "), "last_name"
                ),
                output_field=models.CharField(max_length=201),
                verbose_name="full name",
            ),
        ),
        migrations.RunPython(search_index_create, search_index_drop),
    ]
