from django.urls import path

from programmes.views import conseil, plans

app_name = "programmes"

urlpatterns = [
    # Plans d'action d'un groupe
    path("groupes/<int:pk>/plans/", plans.plan_liste, name="plans"),
    path("groupes/<int:pk>/plans/nouveau/", plans.plan_creer, name="plan_creer"),
    path("plans/<int:pk>/", plans.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/historique/", plans.plan_historique, name="plan_historique"),
    path("plans/<int:pk>/modifier/", plans.plan_modifier, name="plan_modifier"),
    path("plans/<int:pk>/pdf/", plans.plan_pdf, name="plan_pdf"),
    # Schéma local de tranquillité publique
    path("plans/<int:pk>/lieux/ajouter/", plans.lieu_creer, name="lieu_creer"),
    path("lieux/<int:pk>/modifier/", plans.lieu_modifier, name="lieu_modifier"),
    path("lieux/<int:pk>/supprimer/", plans.lieu_supprimer, name="lieu_supprimer"),
    path("lieux/<int:pk>/periodes/ajouter/", plans.periode_ajouter, name="periode_ajouter"),
    path("periodes/<int:pk>/supprimer/", plans.periode_supprimer, name="periode_supprimer"),
    path("lieux/<int:pk>/mesures/ajouter/", plans.mesure_ajouter, name="mesure_ajouter"),
    path("mesures/<int:pk>/supprimer/", plans.mesure_supprimer, name="mesure_supprimer"),
    # Actions et financements
    path("plans/<int:pk>/actions/ajouter/", plans.action_creer, name="action_creer"),
    path("actions/<int:pk>/", plans.action_detail, name="action_detail"),
    path("actions/<int:pk>/modifier/", plans.action_modifier, name="action_modifier"),
    path("actions/<int:pk>/decisions/", plans.action_decisions, name="action_decisions"),
    path(
        "actions/<int:pk>/financements/ajouter/",
        plans.financement_ajouter,
        name="financement_ajouter",
    ),
    path(
        "financements/<int:pk>/modifier/", plans.financement_modifier, name="financement_modifier"
    ),
    path(
        "financements/<int:pk>/supprimer/",
        plans.financement_supprimer,
        name="financement_supprimer",
    ),
    path("actions/<int:pk>/proposer/", plans.action_proposer, name="action_proposer"),
    # Le conseil : synthèse des actions, exports, propositions à la formation restreinte
    path("conseils/<int:conseil_pk>/actions/", conseil.synthese, name="conseil"),
    path("conseils/<int:conseil_pk>/actions/export/", conseil.export, name="export"),
    path("conseils/<int:conseil_pk>/propositions/", conseil.propositions, name="propositions"),
    path("propositions/<int:pk>/statuer/", conseil.proposition_statuer, name="proposition_statuer"),
]
