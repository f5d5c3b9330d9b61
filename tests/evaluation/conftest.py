"""Les données des tests de l'évaluation : une action du groupe portée par l'institution du
membre et du pilote, son évaluation (indicateurs du catalogue et une échelle locale), une
saisie, et de quoi remplir ses valeurs."""

import datetime
from decimal import Decimal

import pytest

from evaluation import services
from evaluation.models import Indicateur, IndicateurSuivi
from tests.conftest import ajouter_membre
from tests.factories import InstitutionFactory, UtilisateurFactory
from tests.programmes.conftest import ANNEE, action_de, plan_de

DEBUT_DE_L_ACTION = datetime.date(ANNEE - 1, 1, 1)
TEXTES = (
    "evolution_beneficiaires",
    "avis_beneficiaires",
    "evolution_ambiance",
    "difficultes",
    "ajustements",
)


# Données ------------------------------------------------------------------------------------


@pytest.fixture
def catalogue(db):
    return {i.code: i for i in Indicateur.objects.filter(conseil__isnull=True)}


@pytest.fixture
def echelle(conseil):
    return services.indicateur_local_creer(
        conseil=conseil,
        nom="Satisfaction des partenaires",
        famille=Indicateur.Famille.QUALITATIF,
        type=Indicateur.Type.ECHELLE,
        unite="",
        definition="",
    )


@pytest.fixture
def referent(groupe, conseil, coordonnateur):
    """Le référent de l'action : membre du groupe, mais pour une autre institution."""
    utilisateur = UtilisateurFactory(email="referent@testville.fr")
    ajouter_membre(groupe, utilisateur, InstitutionFactory(conseil=conseil), coordonnateur)
    return utilisateur


@pytest.fixture
def membre_autre_institution(groupe, conseil, coordonnateur):
    utilisateur = UtilisateurFactory(email="partenaire@testville.fr")
    ajouter_membre(
        groupe, utilisateur, InstitutionFactory(conseil=conseil, nom="Bailleur"), coordonnateur
    )
    return utilisateur


@pytest.fixture
def action(groupe, institution, referent):
    """Une action du groupe portée par l'institution du membre et du pilote."""
    return action_de(
        plan_de(groupe),
        "Chantiers éducatifs",
        porteur=institution,
        referent=referent,
        date_debut=DEBUT_DE_L_ACTION,
    )


def parametrer(action, catalogue, rythme="semestre", **cibles):
    """L'évaluation d'une action : le nombre de bénéficiaires et leur profil, la fréquence,
    la durée, la réitération et les textes ; des cibles nommées par code."""
    codes = [
        "beneficiaires",
        "profil_beneficiaires",
        "frequence_interventions",
        "duree_prise_en_charge",
        "reiteration",
        *TEXTES,
    ]
    return services.evaluation_parametrer(
        action,
        rythme=rythme,
        cibles={catalogue[code]: cibles.get(code) for code in codes},
    )


@pytest.fixture
def evaluation(action, catalogue, echelle):
    evaluation = parametrer(action, catalogue, beneficiaires=Decimal(100), reiteration=20)
    IndicateurSuivi.objects.create(evaluation=evaluation, indicateur=echelle)
    return evaluation


@pytest.fixture
def saisie(evaluation, membre):
    return services.saisie_ouvrir(evaluation, auteur=membre, annee=ANNEE, numero=1)


def textes(catalogue, texte="Des ateliers réguliers, une participation en hausse."):
    return {catalogue[code]: texte for code in TEXTES}


def repartition(zsp, age=None, sexe=None, territoire=None):
    """Une répartition de 10 bénéficiaires, chaque dimension modifiable."""
    return {
        "age": age if age is not None else {"13_15": 6, "16_17": 4},
        "sexe": sexe if sexe is not None else {"femmes": 5, "hommes": 5},
        "territoire": territoire if territoire is not None else {str(zsp.pk): 7, "autre": 3},
    }


def enregistrer(saisie, auteur, valeurs, soumettre=False):
    return services.saisie_enregistrer(saisie, auteur=auteur, valeurs=valeurs, soumettre=soumettre)
