"""Les trois programmes de la stratégie nationale 2013-2017, d'après la fiche méthodologique."""

from django.db import migrations

STRATEGIE = "Stratégie nationale de prévention de la délinquance 2013-2017"
PROGRAMMES = [
    (
        1,
        "jeunes",
        "Programme d'actions à l'intention des jeunes exposés à la délinquance",
        "Repérer et organiser le suivi de jeunes se trouvant en grandes difficultés et "
        "présentant des risques particuliers de passage à l'acte délinquant, de réitération "
        "ou de récidive.",
    ),
    (
        2,
        "victimes",
        "Programme d'actions pour améliorer la prévention des violences faites aux femmes, "
        "des violences intrafamiliales et l'aide aux victimes",
        "Établir un état des lieux, arrêter un plan d'action et favoriser l'articulation de "
        "l'ensemble des dispositifs existants.",
    ),
    (
        3,
        "tranquillite",
        "Programme d'actions pour améliorer la tranquillité publique",
        "Combiner prévention situationnelle, outils techniques et présence humaine adaptée "
        "dans les lieux et aux périodes les plus sensibles, dans le cadre d'un schéma local "
        "de tranquillité publique.",
    ),
]


def creer(apps, schema_editor):
    Strategie = apps.get_model("clspd", "Strategie")
    Programme = apps.get_model("clspd", "Programme")
    strategie, _ = Strategie.objects.get_or_create(
        nom=STRATEGIE, defaults={"annee_debut": 2013, "annee_fin": 2017}
    )
    for ordre, axe, nom, description in PROGRAMMES:
        Programme.objects.get_or_create(
            strategie=strategie,
            nom=nom,
            defaults={"axe": axe, "ordre": ordre, "description": description},
        )


def supprimer(apps, schema_editor):
    Strategie = apps.get_model("clspd", "Strategie")
    Programme = apps.get_model("clspd", "Programme")
    Programme.objects.filter(strategie__nom=STRATEGIE).delete()
    Strategie.objects.filter(nom=STRATEGIE).delete()


class Migration(migrations.Migration):
    dependencies = [("clspd", "0001_initial")]

    operations = [migrations.RunPython(creer, supprimer)]
