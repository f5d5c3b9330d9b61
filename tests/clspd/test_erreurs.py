"""Les pages d'erreur : en français, dans la mise en page du site, sans rien révéler."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def dans_la_mise_en_page(contenu):
    return 'lang="fr"' in contenu and "Coordination CLSPD" in contenu and "clspd.css" in contenu


def test_404(client, membre):
    client.force_login(membre)

    reponse = client.get("/groupes/999999/")

    assert reponse.status_code == 404
    contenu = reponse.content.decode()
    assert "<h1>Page introuvable</h1>" in contenu and dans_la_mise_en_page(contenu)
    assert "999999" not in contenu


def test_500_sans_trace(settings, membre):
    settings.ROOT_URLCONF = "tests.urls_erreurs"
    client = Client(raise_request_exception=False)
    client.force_login(membre)

    reponse = client.get("/essai-erreur/")

    assert reponse.status_code == 500
    contenu = reponse.content.decode()
    assert "<h1>Erreur du serveur</h1>" in contenu and dans_la_mise_en_page(contenu)
    for fuite in ("secret-interne", "Traceback", "RuntimeError", "vue_en_echec"):
        assert fuite not in contenu


def test_403_d_un_formulaire_sans_jeton_csrf():
    client = Client(enforce_csrf_checks=True)

    reponse = client.post("/compte/connexion/", {"username": "x@exemple.fr", "password": "x"})

    assert reponse.status_code == 403
    contenu = reponse.content.decode()
    assert "<h1>Formulaire expiré</h1>" in contenu and dans_la_mise_en_page(contenu)
    assert "CSRF" not in contenu


def test_400_d_un_hote_inconnu(client):
    reponse = client.get("/compte/connexion/", HTTP_HOST="attaquant.exemple.org")

    assert reponse.status_code == 400
    contenu = reponse.content.decode()
    assert "<h1>Requête incorrecte</h1>" in contenu and dans_la_mise_en_page(contenu)
    assert "attaquant" not in contenu
