import secrets

from django.db import migrations, models

import clspd.models


def une_cle_par_compte(apps, schema_editor):
    # AddField donne la même valeur à toutes les lignes existantes : une clé chacun.
    Utilisateur = apps.get_model("clspd", "Utilisateur")
    for utilisateur in Utilisateur.objects.only("pk"):
        Utilisateur.objects.filter(pk=utilisateur.pk).update(cle_des_sessions=secrets.token_hex(16))


class Migration(migrations.Migration):
    dependencies = [
        ("clspd", "0002_programmes_strategie_2013_2017"),
    ]

    operations = [
        migrations.AddField(
            model_name="utilisateur",
            name="cle_des_sessions",
            field=models.CharField(
                default=clspd.models._nouvelle_cle_des_sessions,
                editable=False,
                max_length=32,
                verbose_name="clé des sessions",
            ),
        ),
        migrations.RunPython(une_cle_par_compte, migrations.RunPython.noop),
    ]
