"""Les personas de tous les tests, à la manière de healthchecks : chaque test peut
demander « et l'étranger, que voit-il ? ».

Un conseil (coordonnateur, formation restreinte) avec deux groupes : ``groupe`` (pilote,
membre) et ``autre_groupe`` (etranger, membre de ce seul autre groupe). Un second
conseil avec son coordonnateur (``autre_conseil``) et son groupe.
"""

import contextlib
import datetime
from types import SimpleNamespace

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from clspd import services as conseil_services
from clspd.models import Territoire
from groupes import services as groupe_services
from tests.factories import (
    ConseilFactory,
    GroupeFactory,
    InstitutionFactory,
    TerritoireFactory,
    UtilisateurFactory,
)


class _VariableInconnue(str):
    """Fait échouer un gabarit qui lit une variable inconnue.

    Django n'appelle ``string_if_invalid % nom`` que si la valeur est vraie et contient
    « %s » : les balises ``{% if %}`` résolvent sans elle et restent fausses.
    """

    def __contains__(self, motif):
        return motif == "%s"

    def __mod__(self, nom):
        raise AssertionError(f"Variable de gabarit inconnue : {nom}")


_VARIABLE_INCONNUE = _VariableInconnue("<variable inconnue>")


@pytest.fixture(autouse=True)
def _gabarits_stricts(settings):
    # Une nouvelle liste (et non une modification en place) : Django recrée ses moteurs.
    settings.TEMPLATES = [
        {
            **moteur,
            "OPTIONS": {**moteur.get("OPTIONS", {}), "string_if_invalid": _VARIABLE_INCONNUE},
        }
        for moteur in settings.TEMPLATES
    ]


# Courriels en mémoire, hachage rapide ; le manifeste des fichiers statiques n'existe
# qu'après collectstatic.
REGLAGES_DE_TEST = {
    "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
    # La double authentification n'est exigée que dans les tests qui la vérifient
    # (tests/clspd/test_double_authentification.py, et toutes les URL du projet dans
    # test_permissions.py) : les autres se connectent par force_login, sans code.
    "DOUBLE_AUTHENTIFICATION_OBLIGATOIRE": False,
    # Un PDF long se rend dans la requête, par le même chemin (la demande, puis son rendu),
    # sans processus lancé : tests/clspd/test_rendus.py vérifie le lancement à part.
    "PDF_EN_ARRIERE_PLAN": False,
}


@pytest.fixture(autouse=True)
def _reglages_de_test(settings):
    for nom, valeur in REGLAGES_DE_TEST.items():
        setattr(settings, nom, valeur)
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@contextlib.contextmanager
def donnees_du_module(django_db_blocker):
    """Des données construites une fois pour tout un module, à la manière de
    ``setUpTestData`` : elles vivent dans une transaction annulée à la fin du module, et
    chaque test, dans son propre point de sauvegarde, les retrouve intactes."""
    with (
        django_db_blocker.unblock(),
        override_settings(**REGLAGES_DE_TEST),
        transaction.atomic(),
    ):
        yield
        transaction.set_rollback(True)


def requetes_capturees(personnes, ecrans):
    """{(rôle, page): requêtes capturées} de chaque page de ``ecrans`` ({rôle: [(page,
    chemin)]}), vue à chaud (la session et ses caches) par la personne de son rôle."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    requetes = {}
    for role, liste in ecrans.items():
        client = Client()
        client.force_login(personnes[role])
        for page, chemin in liste:
            client.get(chemin)
            with CaptureQueriesContext(connection) as capturees:
                reponse = client.get(chemin)
            assert reponse.status_code == 200, (role, page, reponse.status_code)
            requetes[(role, page)] = capturees.captured_queries
    return requetes


def ajouter_membre(groupe, utilisateur, institution, auteur, role="membre"):
    appartenance, _ = groupe_services.membre_ajouter(
        groupe=groupe,
        auteur=auteur,
        email=utilisateur.email,
        first_name=utilisateur.first_name,
        last_name=utilisateur.last_name,
        fonction="",
        institution=institution,
        role=role,
        date_debut=timezone.localdate() - datetime.timedelta(days=10),
        base_url="http://testserver",
    )
    return appartenance


def designer_pilote(groupe, pilote, auteur):
    aujourdhui = timezone.localdate()
    return groupe_services.pilote_designer(
        groupe=groupe,
        auteur=auteur,
        pilote=pilote,
        date_designation=aujourdhui,
        accord_maire_le=aujourdhui,
        accord_prefet_le=aujourdhui,
    )


# Les personas, construites par des fonctions (pour les données d'un module) que les
# fixtures ci-dessous appellent (pour un test).


def creer_conseil():
    return ConseilFactory(nom="CLSPD de Testville")


def creer_institution(conseil):
    return InstitutionFactory(conseil=conseil, nom="Commissariat de Testville")


def creer_zsp(conseil):
    return TerritoireFactory(conseil=conseil, nom="ZSP du Centre", type=Territoire.Type.ZSP)


def creer_coordonnateur(conseil):
    utilisateur = UtilisateurFactory(email="coordination@testville.fr")
    conseil_services.coordonnateur_ajouter(conseil=conseil, utilisateur=utilisateur)
    return utilisateur


def creer_groupe(conseil):
    return GroupeFactory(conseil=conseil, nom="Groupe jeunes de Testville")


def creer_autre_groupe(conseil):
    return GroupeFactory(conseil=conseil, nom="Groupe tranquillité de Testville")


def creer_membre(groupe, institution, coordonnateur):
    utilisateur = UtilisateurFactory(email="membre@testville.fr")
    ajouter_membre(groupe, utilisateur, institution, coordonnateur)
    return utilisateur


def creer_pilote(groupe, institution, coordonnateur):
    utilisateur = UtilisateurFactory(email="pilote@testville.fr")
    ajouter_membre(groupe, utilisateur, institution, coordonnateur)
    designer_pilote(groupe, utilisateur, coordonnateur)
    return utilisateur


def creer_etranger(autre_groupe, institution, coordonnateur):
    utilisateur = UtilisateurFactory(email="etranger@testville.fr")
    ajouter_membre(autre_groupe, utilisateur, institution, coordonnateur)
    return utilisateur


def creer_formation_restreinte(conseil, institution):
    utilisateur = UtilisateurFactory(email="formation.restreinte@testville.fr")
    conseil_services.formation_restreinte_ajouter(
        conseil=conseil,
        utilisateur=utilisateur,
        institution=institution,
        qualite="Représentant du préfet",
        programme=None,
        date_debut=timezone.localdate(),
    )
    return utilisateur


def creer_autre_conseil():
    conseil = ConseilFactory(nom="CLSPD d'Ailleurs")
    utilisateur = UtilisateurFactory(email="coordination@ailleurs.fr")
    conseil_services.coordonnateur_ajouter(conseil=conseil, utilisateur=utilisateur)
    GroupeFactory(conseil=conseil, nom="Groupe d'Ailleurs")
    return utilisateur


def creer_personas():
    """Toutes les personas d'un coup, dans l'ordre où les fixtures les créent."""
    p = SimpleNamespace(conseil=creer_conseil())
    p.institution = creer_institution(p.conseil)
    p.zsp = creer_zsp(p.conseil)
    p.coordonnateur = creer_coordonnateur(p.conseil)
    p.groupe = creer_groupe(p.conseil)
    p.autre_groupe = creer_autre_groupe(p.conseil)
    p.pilote = creer_pilote(p.groupe, p.institution, p.coordonnateur)
    p.membre = creer_membre(p.groupe, p.institution, p.coordonnateur)
    p.etranger = creer_etranger(p.autre_groupe, p.institution, p.coordonnateur)
    p.formation_restreinte = creer_formation_restreinte(p.conseil, p.institution)
    p.autre_conseil = creer_autre_conseil()
    return p


@pytest.fixture
def conseil(db):
    return creer_conseil()


@pytest.fixture
def institution(conseil):
    return creer_institution(conseil)


@pytest.fixture
def zsp(conseil):
    return creer_zsp(conseil)


@pytest.fixture
def coordonnateur(conseil):
    return creer_coordonnateur(conseil)


@pytest.fixture
def groupe(conseil):
    return creer_groupe(conseil)


@pytest.fixture
def autre_groupe(conseil):
    return creer_autre_groupe(conseil)


@pytest.fixture
def membre(groupe, institution, coordonnateur):
    return creer_membre(groupe, institution, coordonnateur)


@pytest.fixture
def pilote(groupe, institution, coordonnateur):
    return creer_pilote(groupe, institution, coordonnateur)


@pytest.fixture
def etranger(autre_groupe, institution, coordonnateur):
    """Membre d'un autre groupe du même conseil."""
    return creer_etranger(autre_groupe, institution, coordonnateur)


@pytest.fixture
def formation_restreinte(conseil, institution):
    return creer_formation_restreinte(conseil, institution)


@pytest.fixture
def autre_conseil(db):
    """Le coordonnateur d'un autre conseil, qui a lui-même un groupe."""
    return creer_autre_conseil()
