"""Les URL du projet, plus une vue qui échoue : pour vérifier la page d'erreur 500."""

from django.urls import path

from clspd.urls import urlpatterns as urls_du_projet


def vue_en_echec(request):
    raise RuntimeError("secret-interne-qui-ne-doit-pas-sortir")


urlpatterns = [*urls_du_projet, path("essai-erreur/", vue_en_echec)]
