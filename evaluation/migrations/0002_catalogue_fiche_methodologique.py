"""Le catalogue d'indicateurs de la fiche méthodologique, en ses trois familles."""

from django.db import migrations

# (code, famille, nom, type, unité, définition)
CATALOGUE = [
    (
        "beneficiaires",
        "realisation",
        "Nombre de bénéficiaires",
        "entier",
        "personnes",
        "Personnes ayant bénéficié de l'action au cours de la période.",
    ),
    (
        "profil_beneficiaires",
        "realisation",
        "Profil des bénéficiaires",
        "repartition",
        "",
        "Répartition des bénéficiaires par tranche d'âge, par sexe et par territoire ; "
        "chaque répartition totalise le nombre de bénéficiaires.",
    ),
    (
        "frequence_interventions",
        "realisation",
        "Fréquence des interventions",
        "decimal",
        "interventions par mois",
        "Nombre moyen d'interventions par mois.",
    ),
    (
        "duree_prise_en_charge",
        "realisation",
        "Durée moyenne de la prise en charge",
        "duree",
        "jours",
        "Durée moyenne de la prise en charge d'un bénéficiaire, en jours.",
    ),
    (
        "professionnels",
        "realisation",
        "Nombre de professionnels de la structure",
        "entier",
        "personnes",
        "Professionnels de la structure porteuse mobilisés sur l'action.",
    ),
    (
        "intervenants",
        "realisation",
        "Nombre d'autres intervenants",
        "entier",
        "personnes",
        "Intervenants extérieurs participant à la mise en œuvre de l'action.",
    ),
    (
        "solutions_trouvees",
        "impact",
        "Nombre de solutions concrètes trouvées",
        "entier",
        "solutions",
        "Solutions concrètes trouvées (hébergement, formation, emploi, soin...).",
    ),
    (
        "realisations_positives",
        "impact",
        "Nombre de réalisations personnelles positives",
        "entier",
        "réalisations",
        "Réalisations personnelles positives des bénéficiaires.",
    ),
    (
        "evolutions_comportementales",
        "impact",
        "Évolutions comportementales mesurées",
        "entier",
        "bénéficiaires",
        "Bénéficiaires dont une évolution du comportement a été mesurée.",
    ),
    (
        "reiteration",
        "impact",
        "Réitération des comportements à l'origine de la mesure",
        "pourcentage",
        "%",
        "Part des bénéficiaires ayant réitéré le comportement à l'origine de la mesure.",
    ),
    (
        "evolution_beneficiaires",
        "qualitatif",
        "Appréciation par l'opérateur de l'évolution de la situation des bénéficiaires",
        "texte",
        "",
        "",
    ),
    ("avis_beneficiaires", "qualitatif", "Avis des bénéficiaires", "texte", "", ""),
    (
        "evolution_ambiance",
        "qualitatif",
        "Évolution de l'ambiance sur le territoire ou pour la thématique",
        "texte",
        "",
        "",
    ),
    ("difficultes", "qualitatif", "Difficultés et obstacles rencontrés", "texte", "", ""),
    (
        "ajustements",
        "qualitatif",
        "Modes d'ajustement et perspectives d'évolution",
        "texte",
        "",
        "",
    ),
]


def creer(apps, schema_editor):
    Indicateur = apps.get_model("evaluation", "Indicateur")
    for ordre, (code, famille, nom, type_, unite, definition) in enumerate(CATALOGUE, start=1):
        Indicateur.objects.update_or_create(
            conseil=None,
            code=code,
            defaults={
                "famille": famille,
                "nom": nom,
                "type": type_,
                "unite": unite,
                "definition": definition,
                "ordre": ordre,
            },
        )


def retirer(apps, schema_editor):
    Indicateur = apps.get_model("evaluation", "Indicateur")
    Indicateur.objects.filter(conseil=None, code__in=[c[0] for c in CATALOGUE]).delete()


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0001_indicateurs_saisies_rapports")]

    operations = [migrations.RunPython(creer, retirer)]
