"""Authentification : règles des mots de passe (CNIL 2022-100), hachage Argon2, blocage des
connexions après des échecs répétés (django-axes)."""

import importlib

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.factories import MOT_DE_PASSE, UtilisateurFactory

REGLAGES = importlib.import_module("clspd.settings")


@pytest.mark.parametrize(
    "mot_de_passe",
    ["Lumiere-du-Nord-42", "cheval correct 2026", "PLUSIEURS MOTS ET 7"],
)
def test_un_mot_de_passe_long_et_varie_est_accepte(mot_de_passe):
    validate_password(mot_de_passe)


@pytest.mark.parametrize(
    ("mot_de_passe", "message"),
    [
        (
            "Court-2026",
            "Ce mot de passe est trop court. Il doit contenir au minimum 12 caractères.",
        ),
        (
            "uniquementdeslettres",
            "Le mot de passe doit mêler au moins 3 types de caractères parmi : minuscules, "
            "majuscules, chiffres et caractères spéciaux.",
        ),
        (
            "deuxtypes2026seulement",
            "Le mot de passe doit mêler au moins 3 types de caractères parmi : minuscules, "
            "majuscules, chiffres et caractères spéciaux.",
        ),
        ("123456789012345", "Ce mot de passe est entièrement numérique."),
    ],
)
def test_un_mot_de_passe_faible_est_refuse_en_francais(mot_de_passe, message):
    with pytest.raises(ValidationError) as erreur:
        validate_password(mot_de_passe)
    assert message in erreur.value.messages


def test_les_mots_de_passe_sont_haches_avec_argon2(settings):
    settings.PASSWORD_HASHERS = REGLAGES.PASSWORD_HASHERS

    assert make_password("Lumiere-du-Nord-42").startswith("argon2$argon2id$")


def test_le_mot_de_passe_de_la_demonstration_respecte_les_regles():
    from clspd.management.commands.seed_demo import MOT_DE_PASSE_DEMO

    validate_password(MOT_DE_PASSE_DEMO)


# Blocage après des échecs répétés -----------------------------------------------------------


def connexion(client, email, mot_de_passe, ip="192.0.2.1"):
    return client.post(
        reverse("connexion"),
        {"username": email, "password": mot_de_passe},
        REMOTE_ADDR=ip,
    )


@pytest.fixture
def compte(db):
    return UtilisateurFactory(email="agent@testville.fr")


def test_un_echec_affiche_une_erreur_et_compte_une_tentative(client, compte):
    reponse = connexion(client, compte.email, "mauvais-mot-de-passe")

    assert reponse.status_code == 200
    assert "Adresse électronique ou mot de passe incorrect." in (reponse.content.decode())
    assert AccessAttempt.objects.get().failures_since_start == 1


def test_cinq_echecs_bloquent_le_compte_depuis_cette_adresse(client, compte):
    for _ in range(5):
        connexion(client, compte.email, "mauvais-mot-de-passe")

    # Même le bon mot de passe est refusé, avec une page en français.
    reponse = connexion(client, compte.email, MOT_DE_PASSE)

    assert reponse.status_code == 429
    contenu = reponse.content.decode()
    assert "Connexion temporairement bloquée" in contenu
    assert "pendant 15 minutes" in contenu
    assert "_auth_user_id" not in client.session
    # Le même compte, depuis une autre adresse, se connecte encore.
    assert connexion(client, compte.email, MOT_DE_PASSE, ip="192.0.2.2").status_code == 302


def test_une_connexion_reussie_remet_le_compteur_a_zero(client, compte):
    for _ in range(4):
        connexion(client, compte.email, "mauvais-mot-de-passe")

    assert connexion(client, compte.email, MOT_DE_PASSE).status_code == 302

    assert not AccessAttempt.objects.exists()


# En-têtes de sécurité ---------------------------------------------------------------------


def test_la_content_security_policy_interdit_tout_en_ligne(client, db):
    reponse = client.get(reverse("connexion"))

    politique = dict(
        directive.strip().split(" ", 1)
        for directive in reponse["Content-Security-Policy"].split(";")
    )
    assert politique["default-src"] == "'self'"
    assert politique["script-src"] == "'self'"
    assert politique["style-src"] == "'self'"
    assert politique["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in reponse["Content-Security-Policy"]
    assert reponse["X-Frame-Options"] == "DENY"
    assert reponse["Referrer-Policy"] == "same-origin"
    assert reponse["X-Content-Type-Options"] == "nosniff"


def test_les_cookies_et_hsts_en_production():
    assert REGLAGES.SESSION_COOKIE_SECURE and REGLAGES.CSRF_COOKIE_SECURE
    assert REGLAGES.SESSION_COOKIE_HTTPONLY
    assert REGLAGES.SECURE_HSTS_SECONDS >= 31536000
    assert REGLAGES.SECURE_HSTS_INCLUDE_SUBDOMAINS


# L'adresse du client --------------------------------------------------------------------


def test_l_adresse_du_client_sans_proxy_ignore_l_en_tete(rf, settings):
    from clspd.views import adresse_du_client

    settings.EN_TETE_ADRESSE_CLIENT = ""
    requete = rf.get("/", REMOTE_ADDR="192.0.2.9", HTTP_X_FORWARDED_FOR="203.0.113.1")

    assert adresse_du_client(requete) == "192.0.2.9"


def test_l_adresse_du_client_derriere_un_proxy_de_confiance(rf, settings):
    from clspd.views import adresse_du_client

    settings.EN_TETE_ADRESSE_CLIENT = "HTTP_X_FORWARDED_FOR"

    assert adresse_du_client(rf.get("/", HTTP_X_FORWARDED_FOR="203.0.113.1")) == "203.0.113.1"
    assert adresse_du_client(rf.get("/", REMOTE_ADDR="192.0.2.9")) == "192.0.2.9"
