"""Tests de bout en bout : Chromium (Debian), piloté par Playwright, contre le serveur de test.

Aucune requête ne sort du serveur de test : toute adresse étrangère est bloquée et notée, et
chaque vérification d'accessibilité (axe) échoue si une requête externe a été tentée.
"""

import importlib
import os
import shutil
from urllib.parse import urlsplit

import pytest
from django.apps import apps

# L'API synchrone de Playwright fait tourner une boucle d'événements dans le fil principal :
# sans ce réglage, Django refuserait l'accès à la base depuis les fixtures et les tests.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
ARGUMENTS_CHROMIUM = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
REGLES_AXE = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}

try:
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright
except ImportError as erreur:  # pragma: no cover - dépend de l'environnement
    RAISON_ABSENCE = (
        f"Playwright ou axe-playwright-python absent ({erreur}) : pip install -e .[dev]"
    )
else:
    RAISON_ABSENCE = (
        None if shutil.which(CHROMIUM) else "Chromium absent : apt-get install chromium"
    )


@pytest.fixture(scope="session")
def navigateur():
    if RAISON_ABSENCE:
        pytest.skip(RAISON_ABSENCE)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=ARGUMENTS_CHROMIUM
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def axe():
    if RAISON_ABSENCE:
        pytest.skip(RAISON_ABSENCE)
    return Axe()


@pytest.fixture(autouse=True)
def _cookies_en_http(settings):
    """Le serveur de test parle HTTP : un cookie « Secure » n'y serait jamais renvoyé.

    Le stockage des fichiers statiques sans manifeste vient de ``tests/conftest.py``.
    """
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False


class Session:
    """Un contexte de navigation isolé (une personne), hors ligne, avec le contrôle axe."""

    def __init__(self, navigateur, axe, live_server, **options):
        self.axe = axe
        self.url_serveur = live_server.url
        self.hote = urlsplit(live_server.url).netloc
        self.requetes_externes = []
        self.contexte = navigateur.new_context(
            base_url=live_server.url, locale="fr-FR", timezone_id="Europe/Paris", **options
        )
        self.contexte.set_default_timeout(10_000)
        self.contexte.route("**/*", self._filtrer)
        self.page = self.contexte.new_page()
        # Ce que la Content-Security-Policy a bloqué (un script ou un style en ligne...).
        self.violations_csp = []
        self.page.on("console", self._noter_csp)

    def _noter_csp(self, message):
        if "Content Security Policy" in message.text:
            self.violations_csp.append(f"{self.page.url} : {message.text}")

    def _filtrer(self, route):
        adresse = urlsplit(route.request.url)
        if adresse.scheme in ("http", "https") and adresse.netloc != self.hote:
            self.requetes_externes.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    def verifier_hors_ligne(self):
        assert not self.requetes_externes, (
            f"Requêtes vers l'extérieur tentées : {self.requetes_externes}"
        )
        assert not self.violations_csp, "Bloqué par la CSP :\n" + "\n".join(self.violations_csp)

    def verifier_accessibilite(self):
        """axe (WCAG 2.1 A et AA) sur la page affichée : aucune violation admise."""
        self.verifier_hors_ligne()
        resultats = self.axe.run(self.page, options=REGLES_AXE)
        violations = resultats.response["violations"]
        assert not violations, (
            f"Violations d'accessibilité sur {self.page.url} :\n" + formater_violations(violations)
        )

    def aller(self, chemin):
        reponse = self.page.goto(chemin)
        assert reponse is not None
        return reponse

    def fermer(self):
        self.contexte.close()


def formater_violations(violations):
    lignes = []
    for violation in violations:
        lignes.append(f"- {violation['id']} ({violation['impact']}) : {violation['help']}")
        for noeud in violation["nodes"]:
            lignes.append(f"    {noeud['target']} {noeud['html']}")
    return "\n".join(lignes)


# Les migrations qui créent des données de référence (programmes, catalogue d'indicateurs).
MIGRATIONS_DE_DONNEES = [
    "clspd.migrations.0002_programmes_strategie_2013_2017",
    "evaluation.migrations.0002_catalogue_fiche_methodologique",
]


@pytest.fixture
def base_de_donnees(transactional_db):
    """La base du serveur de test, avec les données de référence des migrations.

    Le serveur exige une base transactionnelle, vidée après chaque test : les programmes
    disparaissent. On ne peut pas compter sur ``django_db_serialized_rollback`` : une fois
    Playwright lancé, le test ne voit plus la connexion (locale au contexte) qui porte la
    sauvegarde, quand la base a été créée avant le navigateur par d'autres tests.
    """
    for module in MIGRATIONS_DE_DONNEES:
        importlib.import_module(module).creer(apps, schema_editor=None)


@pytest.fixture
def ouvrir_session(navigateur, axe, live_server, base_de_donnees):
    """Fabrique de sessions de navigation, fermées en fin de test."""
    sessions = []

    def ouvrir(**options):
        session = Session(navigateur, axe, live_server, **options)
        sessions.append(session)
        return session

    yield ouvrir
    for session in sessions:
        session.fermer()
    for session in sessions:
        session.verifier_hors_ligne()
