"""L'historique des modifications : chaque écriture faite dans l'application est gardée avec
son auteur, sa date et ses changements, et se lit sur la page de l'objet pour qui peut le
lire (la table des permissions vérifie les 404)."""

import re

import pytest
from django.urls import reverse

from evaluation import services as evaluation_services
from evaluation.models import Indicateur, Valeur
from groupes.models import Appartenance, GroupeOperationnel
from tests.programmes.conftest import action_de, plan_de

pytestmark = pytest.mark.django_db


def texte(reponse):
    return " ".join(re.sub(r"<[^>]+>", " ", reponse.content.decode()).split())


def test_la_modification_d_un_groupe_garde_qui_quoi_avant_apres(
    client, groupe, coordonnateur, membre
):
    client.force_login(coordonnateur)
    client.post(
        reverse("groupes:modifier", args=[groupe.pk]),
        {
            "nom": "Groupe jeunes renommé",
            "nature": groupe.nature,
            "programme": groupe.programme_id,
            "objet": "",
        },
    )
    dernier = GroupeOperationnel.historique.filter(id=groupe.pk).latest("history_date")
    assert dernier.history_user == coordonnateur and dernier.history_type == "~"

    client.force_login(membre)
    page = texte(client.get(reverse("groupes:historique", args=[groupe.pk])))

    assert "Historique des modifications : Groupe jeunes renommé" in page
    assert f"{coordonnateur} Modification" in page
    assert "Nom : Groupe jeunes de Testville → Groupe jeunes renommé" in page
    # Les appartenances aussi : l'ajout du membre est une création.
    assert Appartenance.historique.filter(groupe_id=groupe.pk, history_type="+").count() == 1
    assert "Création Appartenance" in page


def test_les_valeurs_d_indicateur_gardent_leurs_versions(client, groupe, institution, membre):
    beneficiaires = Indicateur.objects.get(conseil=None, code="beneficiaires")
    action = action_de(plan_de(groupe), "Chantiers", porteur=institution)
    evaluation = evaluation_services.evaluation_parametrer(
        action, rythme="annee", cibles={beneficiaires: None}
    )
    saisie = evaluation_services.saisie_ouvrir(
        evaluation, auteur=membre, annee=action.plan.date_debut.year
    )
    client.force_login(membre)
    champ = f"indicateur_{beneficiaires.pk}"

    client.post(saisie.get_absolute_url(), {champ: "12", "brouillon": "1"})
    client.post(saisie.get_absolute_url(), {champ: "15", "brouillon": "1"})

    valeur = Valeur.objects.get(saisie=saisie)
    assert [h.nombre for h in valeur.historique.order_by("history_date")] == [12, 15]
    page = texte(client.get(reverse("evaluation:saisie_historique", args=[saisie.pk])))
    assert "12 → 15" in page
    assert f"{membre} Modification" in page


def test_une_suppression_reste_dans_l_historique(client, groupe, coordonnateur, membre):
    appartenance = Appartenance.objects.get(groupe=groupe, utilisateur=membre)
    client.force_login(coordonnateur)

    client.post(
        reverse("groupes:membre_retirer", args=[groupe.pk, appartenance.pk]),
        {"date_fin": appartenance.date_debut.isoformat()},
    )

    page = texte(client.get(reverse("groupes:historique", args=[groupe.pk])))
    assert "Date de fin : — →" in page
