from django.urls import path

from groupes.views import groupes as vues
from groupes.views import reunions, situations

app_name = "groupes"

urlpatterns = [
    path("conseils/<int:conseil_pk>/", vues.conseil_groupes, name="conseil"),
    path("conseils/<int:conseil_pk>/groupes/nouveau/", vues.groupe_creer, name="creer"),
    path("groupes/<int:pk>/", vues.groupe_detail, name="detail"),
    path("groupes/<int:pk>/modifier/", vues.groupe_modifier, name="modifier"),
    path("groupes/<int:pk>/historique/", vues.groupe_historique, name="historique"),
    path("reunions/<int:pk>/historique/", reunions.reunion_historique, name="reunion_historique"),
    path("groupes/<int:pk>/membres/ajouter/", vues.membre_ajouter, name="membre_ajouter"),
    path(
        "groupes/<int:pk>/membres/<int:appartenance_pk>/retirer/",
        vues.membre_retirer,
        name="membre_retirer",
    ),
    path("groupes/<int:pk>/pilote/", vues.pilote_designer, name="pilote_designer"),
    # Réunions
    path("groupes/<int:pk>/reunions/", reunions.reunion_liste, name="reunions"),
    path("groupes/<int:pk>/reunions/nouvelle/", reunions.reunion_creer, name="reunion_creer"),
    path("reunions/<int:pk>/", reunions.reunion_detail, name="reunion_detail"),
    path("reunions/<int:pk>/modifier/", reunions.reunion_modifier, name="reunion_modifier"),
    path("reunions/<int:pk>/convoquer/", reunions.reunion_convoquer, name="reunion_convoquer"),
    path("reunions/<int:pk>/annuler/", reunions.reunion_annuler, name="reunion_annuler"),
    path("reunions/<int:pk>/presences/", reunions.presences, name="presences"),
    path(
        "reunions/<int:pk>/compte-rendu/",
        reunions.compte_rendu_modifier,
        name="compte_rendu_modifier",
    ),
    path(
        "reunions/<int:pk>/compte-rendu/valider/",
        reunions.compte_rendu_valider,
        name="compte_rendu_valider",
    ),
    path(
        "reunions/<int:pk>/compte-rendu/corriger/",
        reunions.compte_rendu_corriger,
        name="compte_rendu_corriger",
    ),
    path(
        "reunions/<int:pk>/compte-rendu/v<int:version>/",
        reunions.compte_rendu_version,
        name="compte_rendu_version",
    ),
    path(
        "reunions/<int:pk>/compte-rendu/v<int:version>/pdf/",
        reunions.compte_rendu_pdf,
        name="compte_rendu_pdf",
    ),
    path(
        "reunions/<int:pk>/decisions/ajouter/", reunions.decision_ajouter, name="decision_ajouter"
    ),
    path("decisions/", reunions.mes_decisions, name="mes_decisions"),
    path("decisions/<int:pk>/modifier/", reunions.decision_modifier, name="decision_modifier"),
    path("decisions/<int:pk>/retirer/", reunions.decision_supprimer, name="decision_supprimer"),
    path("decisions/<int:pk>/suivi/", reunions.decision_suivre, name="decision_suivre"),
    path("calendrier/", reunions.calendrier, name="calendrier"),
    path("calendrier/<str:jeton>.ics", reunions.calendrier_flux, name="calendrier_flux"),
    # Suivi individuel
    path("groupes/<int:pk>/charte/", situations.charte, name="charte"),
    path(
        "groupes/<int:pk>/charte/nouvelle-version/",
        situations.charte_publier,
        name="charte_publier",
    ),
    path("groupes/<int:pk>/situations/", situations.situations, name="situations"),
    path(
        "groupes/<int:pk>/situations/nouvelle/",
        situations.situation_creer,
        name="situation_creer",
    ),
    path("situations/<int:pk>/", situations.situation_detail, name="situation_detail"),
    path("situations/<int:pk>/modifier/", situations.situation_modifier, name="situation_modifier"),
    path("situations/<int:pk>/notes/ajouter/", situations.situation_note, name="situation_note"),
    path(
        "situations/<int:pk>/actions/ajouter/",
        situations.situation_action,
        name="situation_action",
    ),
    path("situations/<int:pk>/clore/", situations.situation_clore, name="situation_clore"),
    path("groupes/<int:pk>/archives/", situations.archives, name="archives"),
    path("archives/<int:pk>/", situations.archive, name="archive"),
    path("groupes/<int:pk>/journal/", situations.journal, name="journal"),
]
