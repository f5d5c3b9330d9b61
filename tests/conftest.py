"""Les personas de tous les tests, à la manière de healthchecks : chaque test peut
demander « et l'étranger, que voit-il ? ».

Un conseil (coordonnateur, formation restreinte) avec deux groupes : ``groupe`` (pilote,
membre) et ``autre_groupe`` (etranger, membre de ce seul autre groupe). Un second
conseil avec son coordonnateur (``autre_conseil``) et son groupe.
"""

import datetime

import pytest
from django.utils import timezone

from clspd import services as conseil_services
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


@pytest.fixture(autouse=True)
def _reglages_de_test(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Le manifeste des fichiers statiques n'existe qu'après collectstatic.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def conseil(db):
    return ConseilFactory(nom="CLSPD de Testville")


@pytest.fixture
def institution(conseil):
    return InstitutionFactory(conseil=conseil, nom="Commissariat de Testville")


@pytest.fixture
def zsp(conseil):
    from clspd.models import Territoire

    return TerritoireFactory(conseil=conseil, nom="ZSP du Centre", type=Territoire.Type.ZSP)


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


@pytest.fixture
def coordonnateur(conseil):
    utilisateur = UtilisateurFactory(email="coordination@testville.fr")
    conseil_services.coordonnateur_ajouter(conseil=conseil, utilisateur=utilisateur)
    return utilisateur


@pytest.fixture
def groupe(conseil):
    return GroupeFactory(conseil=conseil, nom="Groupe jeunes de Testville")


@pytest.fixture
def autre_groupe(conseil):
    return GroupeFactory(conseil=conseil, nom="Groupe tranquillité de Testville")


@pytest.fixture
def membre(groupe, institution, coordonnateur):
    utilisateur = UtilisateurFactory(email="membre@testville.fr")
    ajouter_membre(groupe, utilisateur, institution, coordonnateur)
    return utilisateur


@pytest.fixture
def pilote(groupe, institution, coordonnateur):
    utilisateur = UtilisateurFactory(email="pilote@testville.fr")
    ajouter_membre(groupe, utilisateur, institution, coordonnateur)
    designer_pilote(groupe, utilisateur, coordonnateur)
    return utilisateur


@pytest.fixture
def etranger(autre_groupe, institution, coordonnateur):
    """Membre d'un autre groupe du même conseil."""
    utilisateur = UtilisateurFactory(email="etranger@testville.fr")
    ajouter_membre(autre_groupe, utilisateur, institution, coordonnateur)
    return utilisateur


@pytest.fixture
def formation_restreinte(conseil, institution):
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


@pytest.fixture
def autre_conseil(db):
    """Le coordonnateur d'un autre conseil, qui a lui-même un groupe."""
    conseil = ConseilFactory(nom="CLSPD d'Ailleurs")
    utilisateur = UtilisateurFactory(email="coordination@ailleurs.fr")
    conseil_services.coordonnateur_ajouter(conseil=conseil, utilisateur=utilisateur)
    GroupeFactory(conseil=conseil, nom="Groupe d'Ailleurs")
    return utilisateur
