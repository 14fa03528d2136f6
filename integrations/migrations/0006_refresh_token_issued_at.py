import datetime as dt

from django.db import migrations, models

# Exact's access token lives 600 seconds from the refresh that issued it and the refresh token
# together: the last stored expiry tells when the stored refresh token was issued.
ACCESS_TOKEN_LIFETIME = dt.timedelta(seconds=600)


def issued_at_fill(apps, schema_editor):
    ExactLink = apps.get_model("integrations", "ExactLink")
    for link in ExactLink.objects.exclude(refresh_token_encrypted="").exclude(
        token_expires_at=None
    ):
        link.refresh_token_issued_at = link.token_expires_at - ACCESS_TOKEN_LIFETIME
        link.save(update_fields=["refresh_token_issued_at"])


class Migration(migrations.Migration):

    dependencies = [
        ("integrations", "0005_paused_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="exactlink",
            name="refresh_token_issued_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(issued_at_fill, migrations.RunPython.noop),
    ]
