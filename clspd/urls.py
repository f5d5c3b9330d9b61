"""Routes du projet : comptes, cœur (conseils), puis chaque application."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy

from clspd import views
from clspd.forms import ConnexionForm
from groupes.views import compte
from groupes.views.groupes import accueil

comptes = [
    path("", compte.mon_compte, name="mon_compte"),
    path("deconnexion-partout/", compte.deconnexion_partout, name="deconnexion_partout"),
    path("mes-donnees/", compte.mes_donnees, name="mes_donnees"),
    path("reauthentification/", views.reauthentification, name="reauthentification"),
    path(
        "double-authentification/",
        views.double_authentification,
        name="double_authentification",
    ),
    path(
        "double-authentification/inscription/",
        views.double_authentification_inscrire,
        name="double_authentification_inscrire",
    ),
    path(
        "double-authentification/codes-de-secours/",
        views.codes_de_secours,
        name="codes_de_secours",
    ),
    path(
        "double-authentification/desactiver/",
        views.double_authentification_desactiver,
        name="double_authentification_desactiver",
    ),
    path(
        "connexion/",
        auth_views.LoginView.as_view(
            authentication_form=ConnexionForm, redirect_authenticated_user=True
        ),
        name="connexion",
    ),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="deconnexion"),
    path(
        "mot-de-passe/",
        auth_views.PasswordChangeView.as_view(success_url=reverse_lazy("mot_de_passe_modifie")),
        name="mot_de_passe_modifier",
    ),
    path(
        "mot-de-passe/modifie/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="mot_de_passe_modifie",
    ),
    path(
        "reinitialisation/",
        auth_views.PasswordResetView.as_view(success_url=reverse_lazy("reinitialisation_envoyee")),
        name="reinitialisation",
    ),
    path(
        "reinitialisation/envoyee/",
        auth_views.PasswordResetDoneView.as_view(),
        name="reinitialisation_envoyee",
    ),
    path(
        "reinitialisation/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            success_url=reverse_lazy("reinitialisation_terminee")
        ),
        name="reinitialisation_confirmer",
    ),
    path(
        "reinitialisation/terminee/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="reinitialisation_terminee",
    ),
    path("activation/<uidb64>/<token>/", views.ActivationView.as_view(), name="activation"),
]

conseils = [
    path(
        "conseils/<int:conseil_pk>/institutions/",
        views.institution_liste,
        name="institution_liste",
    ),
    path(
        "conseils/<int:conseil_pk>/institutions/nouvelle/",
        views.institution_creer,
        name="institution_creer",
    ),
    path(
        "institutions/<int:pk>/modifier/", views.institution_modifier, name="institution_modifier"
    ),
    path(
        "institutions/<int:pk>/supprimer/",
        views.institution_supprimer,
        name="institution_supprimer",
    ),
    path("conseils/<int:conseil_pk>/territoires/", views.territoire_liste, name="territoire_liste"),
    path(
        "conseils/<int:conseil_pk>/territoires/nouveau/",
        views.territoire_creer,
        name="territoire_creer",
    ),
    path("territoires/<int:pk>/modifier/", views.territoire_modifier, name="territoire_modifier"),
    path(
        "conseils/<int:conseil_pk>/formation-restreinte/",
        views.formation_restreinte,
        name="formation_restreinte",
    ),
    path(
        "conseils/<int:conseil_pk>/formation-restreinte/ajouter/",
        views.formation_restreinte_ajouter,
        name="formation_restreinte_ajouter",
    ),
    path(
        "formation-restreinte/<int:pk>/retirer/",
        views.formation_restreinte_retirer,
        name="formation_restreinte_retirer",
    ),
]

rendus_pdf = [
    path("<uuid:pk>/", views.rendu_pdf, name="rendu_pdf"),
    path("<uuid:pk>/etat/", views.rendu_pdf_etat, name="rendu_pdf_etat"),
    path("<uuid:pk>/telecharger/", views.rendu_pdf_telecharger, name="rendu_pdf_telecharger"),
]

urlpatterns = [
    path("", accueil, name="accueil"),
    path("sante/", views.sante, name="sante"),
    path("compte/", include(comptes)),
    path("", include(conseils)),
    path("pdf/", include(rendus_pdf)),
    path("", include("groupes.urls")),
    path("", include("programmes.urls")),
    path("", include("evaluation.urls")),
    path("admin/", admin.site.urls),
]
