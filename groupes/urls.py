from django.urls import path

from groupes import views

app_name = "groupes"

urlpatterns = [
    path("conseils/<int:conseil_pk>/", views.conseil_groupes, name="conseil"),
    path("conseils/<int:conseil_pk>/groupes/nouveau/", views.groupe_creer, name="creer"),
    path("groupes/<int:pk>/", views.groupe_detail, name="detail"),
    path("groupes/<int:pk>/modifier/", views.groupe_modifier, name="modifier"),
    path("groupes/<int:pk>/membres/ajouter/", views.membre_ajouter, name="membre_ajouter"),
    path(
        "groupes/<int:pk>/membres/<int:appartenance_pk>/retirer/",
        views.membre_retirer,
        name="membre_retirer",
    ),
    path("groupes/<int:pk>/pilote/", views.pilote_designer, name="pilote_designer"),
]
