from django.urls import path

from evaluation.views import rapports, saisies

app_name = "evaluation"

urlpatterns = [
    # Indicateurs : le catalogue de la fiche méthodologique et les indicateurs locaux
    path("conseils/<int:conseil_pk>/indicateurs/", saisies.indicateurs, name="indicateurs"),
    path(
        "conseils/<int:conseil_pk>/indicateurs/nouveau/",
        saisies.indicateur_creer,
        name="indicateur_creer",
    ),
    path("indicateurs/<int:pk>/modifier/", saisies.indicateur_modifier, name="indicateur_modifier"),
    # L'évaluation d'une action : paramétrage, saisies par période, validation
    path("actions/<int:pk>/evaluation/", saisies.action_evaluation, name="action_evaluation"),
    path("actions/<int:pk>/evaluation/parametrer/", saisies.parametrer, name="parametrer"),
    path("evaluations/<int:pk>/saisies/ouvrir/", saisies.saisie_ouvrir, name="saisie_ouvrir"),
    path("saisies/", saisies.mes_saisies, name="mes_saisies"),
    path("saisies/<int:pk>/", saisies.saisie, name="saisie"),
    path("saisies/<int:pk>/historique/", saisies.saisie_historique, name="saisie_historique"),
    path("saisies/<int:pk>/valider/", saisies.saisie_valider, name="saisie_valider"),
    path("saisies/<int:pk>/renvoyer/", saisies.saisie_renvoyer, name="saisie_renvoyer"),
    # Rapports d'évaluation remis à la formation restreinte
    path("conseils/<int:conseil_pk>/rapports/", rapports.rapports, name="rapports"),
    path(
        "conseils/<int:conseil_pk>/rapports/nouveau/",
        rapports.rapport_preparer,
        name="rapport_preparer",
    ),
    path("rapports/<int:pk>/", rapports.rapport, name="rapport"),
    path("rapports/<int:pk>/historique/", rapports.rapport_historique, name="rapport_historique"),
    path("rapports/<int:pk>/soumettre/", rapports.rapport_soumettre, name="rapport_soumettre"),
    path("rapports/<int:pk>/commenter/", rapports.rapport_commenter, name="rapport_commenter"),
    path("rapports/<int:pk>/conclure/", rapports.rapport_conclure, name="rapport_conclure"),
    path("rapports/<int:pk>/pdf/", rapports.rapport_pdf, name="rapport_pdf"),
]
