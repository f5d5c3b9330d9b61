"""Verrouillage optimiste : deux personnes ouvrent le même formulaire (compte rendu, plan,
valeurs d'indicateurs) ; la première enregistre ; la seconde est refusée avec un message
clair et la version enregistrée sous les yeux, sans rien écrire ; elle peut alors enregistrer
à nouveau."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from evaluation import services as evaluation_services
from evaluation.models import Indicateur, Valeur
from groupes.models import CompteRendu
from programmes.models import PlanAction
from tests.factories import PointFactory, ReunionFactory
from tests.programmes.conftest import action_de, plan_de

pytestmark = pytest.mark.django_db

MESSAGE = "Une autre modification a été enregistrée par"


def revision_du_formulaire(reponse):
    trouve = re.search(r'name="revision" value="(\d+)"', reponse.content.decode())
    assert trouve, "le formulaire ne porte pas sa révision"
    return int(trouve.group(1))


@pytest.fixture
def deux_pilotes(client, pilote, coordonnateur):
    """Le pilote et le coordonnateur, chacun dans son navigateur."""
    autre = type(client)()
    client.force_login(pilote)
    autre.force_login(coordonnateur)
    return client, autre


def test_compte_rendu(deux_pilotes, groupe, pilote, coordonnateur):
    premier, second = deux_pilotes
    reunion = ReunionFactory(
        groupe=groupe, cree_par=pilote, date=timezone.localdate() - datetime.timedelta(days=1)
    )
    point = PointFactory(reunion=reunion, ordre=1, titre="Tour de table")
    adresse = reverse("groupes:compte_rendu_modifier", args=[reunion.pk])
    revision = revision_du_formulaire(premier.get(adresse))
    assert revision == revision_du_formulaire(second.get(adresse)) == 0

    champs = {f"notes_{point.pk}": ""}
    assert (
        premier.post(
            adresse, {"synthese": "Version du pilote", "revision": revision, **champs}
        ).status_code
        == 302
    )
    reponse = second.post(
        adresse, {"synthese": "Version du coordonnateur", "revision": revision, **champs}
    )

    assert reponse.status_code == 200
    contenu = reponse.content.decode()
    assert f"{MESSAGE} {pilote}" in contenu
    assert "La version enregistrée" in contenu and "Version du pilote" in contenu
    # Sa propre saisie reste dans le formulaire, qui porte maintenant la révision enregistrée.
    assert "Version du coordonnateur" in contenu
    assert CompteRendu.objects.get(reunion=reunion).synthese == "Version du pilote"
    nouvelle = revision_du_formulaire(reponse)
    assert nouvelle == 1

    assert (
        second.post(
            adresse, {"synthese": "Version fusionnée", "revision": nouvelle, **champs}
        ).status_code
        == 302
    )
    assert CompteRendu.objects.get(reunion=reunion).synthese == "Version fusionnée"


def test_plan(deux_pilotes, groupe, pilote):
    premier, second = deux_pilotes
    plan = plan_de(groupe)
    adresse = reverse("programmes:plan_modifier", args=[plan.pk])
    revision = revision_du_formulaire(premier.get(adresse))

    def donnees(titre, revision):
        return {
            "titre": titre,
            "date_debut": plan.date_debut.isoformat(),
            "date_fin": plan.date_fin.isoformat(),
            "statut": plan.statut,
            "adopte_le": "",
            "revision": revision,
        }

    assert premier.post(adresse, donnees("Plan du pilote", revision)).status_code == 302
    reponse = second.post(adresse, donnees("Plan du coordonnateur", revision))

    assert reponse.status_code == 200
    contenu = reponse.content.decode()
    assert f"{MESSAGE} {pilote}" in contenu and "Plan du pilote" in contenu
    assert PlanAction.objects.get(pk=plan.pk).titre == "Plan du pilote"


def test_valeurs_d_indicateurs(client, groupe, institution, membre, pilote):
    beneficiaires = Indicateur.objects.get(conseil=None, code="beneficiaires")
    action = action_de(plan_de(groupe), "Chantiers", porteur=institution)
    evaluation = evaluation_services.evaluation_parametrer(
        action, rythme="annee", cibles={beneficiaires: None}
    )
    saisie = evaluation_services.saisie_ouvrir(
        evaluation, auteur=membre, annee=action.plan.date_debut.year
    )
    autre = type(client)()
    client.force_login(membre)
    autre.force_login(pilote)
    adresse = saisie.get_absolute_url()
    champ = f"indicateur_{beneficiaires.pk}"
    revision = revision_du_formulaire(client.get(adresse))

    assert client.post(adresse, {champ: "12", "revision": revision}).status_code == 302
    reponse = autre.post(adresse, {champ: "30", "revision": revision})

    assert reponse.status_code == 200
    contenu = reponse.content.decode()
    assert f"{MESSAGE} {membre}" in contenu
    assert "La version enregistrée" in contenu
    assert Valeur.objects.get(saisie=saisie).nombre == 12


def test_un_appel_interne_sans_revision_n_est_pas_controle(groupe, pilote):
    from programmes import services

    plan = plan_de(groupe)
    services.plan_modifier(plan, titre="Premier")

    services.plan_modifier(plan, titre="Second")

    assert PlanAction.objects.get(pk=plan.pk).revision == 2
