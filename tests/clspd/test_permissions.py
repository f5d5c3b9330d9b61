"""Le service des permissions (clspd/permissions.py) : rôles, attributions, filtrage.

La table des URL par persona est ailleurs (tests/test_permissions.py) : ici, la règle
elle-même, pour chaque persona et chaque action, sur un groupe et sur le conseil.
"""

import pytest
from django.contrib.auth.models import Permission
from django.http import Http404

from clspd import permissions, services
from clspd.models import ConseilPermission
from clspd.permissions import Action, Role
from groupes import services as groupe_services
from groupes.models import Appartenance, GroupeOperationnel, GroupePermission
from programmes.models import Action as ActionDuPlan
from tests.conftest import ajouter_membre
from tests.factories import ReunionFactory, UtilisateurFactory

TOUT = set(Action)


@pytest.fixture
def personas(coordonnateur, pilote, membre, etranger, formation_restreinte, autre_conseil):
    """Toutes les personas à la fois : chaque test voit le conseil complet."""


def codenames(utilisateur, objet):
    """Les permissions guardian que l'utilisateur détient sur l'objet."""
    modele = GroupePermission if isinstance(objet, GroupeOperationnel) else ConseilPermission
    return set(
        modele.objects.filter(user=utilisateur, content_object=objet).values_list(
            "permission__codename", flat=True
        )
    )


def permission(codename):
    return Permission.objects.get(codename=codename)


def groupe_d_ailleurs():
    return GroupeOperationnel.objects.get(nom="Groupe d'Ailleurs")


# synchroniser ---------------------------------------------------------------------------


def test_synchroniser_accorde_les_permissions_du_role(groupe):
    utilisateur = UtilisateurFactory()
    permissions.synchroniser(groupe, {utilisateur.pk: {Role.PILOTE}})
    assert codenames(utilisateur, groupe) == {"view_groupeoperationnel", "piloter_groupe"}


def test_synchroniser_retire_ce_que_le_role_ne_donne_plus(groupe):
    utilisateur = UtilisateurFactory()
    permissions.synchroniser(groupe, {utilisateur.pk: {Role.PILOTE}})
    permissions.synchroniser(groupe, {utilisateur.pk: {Role.MEMBRE}})
    assert codenames(utilisateur, groupe) == {"view_groupeoperationnel"}
    permissions.synchroniser(groupe, {})
    assert codenames(utilisateur, groupe) == set()


def test_synchroniser_ne_touche_pas_aux_autres_permissions(groupe, autre_groupe):
    utilisateur = UtilisateurFactory()
    GroupePermission.objects.create(
        user=utilisateur,
        permission=permission("change_groupeoperationnel"),
        content_object=groupe,
    )
    permissions.synchroniser(autre_groupe, {utilisateur.pk: {Role.MEMBRE}})
    permissions.synchroniser(groupe, {utilisateur.pk: {Role.PILOTE}})

    permissions.synchroniser(groupe, {})

    # La permission hors rôle reste, l'autre groupe n'est pas touché.
    assert codenames(utilisateur, groupe) == {"change_groupeoperationnel"}
    assert codenames(utilisateur, autre_groupe) == {"view_groupeoperationnel"}


def test_synchroniser_est_idempotent(groupe):
    utilisateur = UtilisateurFactory()
    for _ in range(2):
        permissions.synchroniser(groupe, {utilisateur.pk: {Role.PILOTE, Role.MEMBRE}})
    assert GroupePermission.objects.filter(user=utilisateur, content_object=groupe).count() == 2


def test_synchroniser_sur_le_conseil_ne_donne_que_les_permissions_du_conseil(conseil):
    utilisateur = UtilisateurFactory()
    permissions.synchroniser(conseil, {utilisateur.pk: {Role.COORDONNATEUR, Role.MEMBRE}})
    assert codenames(utilisateur, conseil) == {"coordonner_conseil"}


def test_coordonnateur_ajouter_puis_retirer(conseil):
    utilisateur = UtilisateurFactory()
    services.coordonnateur_ajouter(conseil=conseil, utilisateur=utilisateur)
    assert codenames(utilisateur, conseil) == {"coordonner_conseil"}
    assert permissions.peut(utilisateur, Action.COORDONNER, conseil)

    services.coordonnateur_retirer(conseil=conseil, utilisateur=utilisateur)
    assert codenames(utilisateur, conseil) == set()
    assert not permissions.peut(utilisateur, Action.COORDONNER, conseil)
    assert not conseil.coordonnateurs.filter(pk=utilisateur.pk).exists()


def test_coordonnateur_retire_garde_son_siege_a_la_formation_restreinte(
    conseil, formation_restreinte
):
    services.coordonnateur_ajouter(conseil=conseil, utilisateur=formation_restreinte)
    assert codenames(formation_restreinte, conseil) == {
        "coordonner_conseil",
        "consulter_conseil",
    }
    services.coordonnateur_retirer(conseil=conseil, utilisateur=formation_restreinte)
    assert codenames(formation_restreinte, conseil) == {"consulter_conseil"}


def test_coordonnateur_retire_ne_touche_pas_aux_autres_coordonnateurs(conseil, coordonnateur):
    second = UtilisateurFactory()
    services.coordonnateur_ajouter(conseil=conseil, utilisateur=second)
    services.coordonnateur_retirer(conseil=conseil, utilisateur=second)
    assert codenames(coordonnateur, conseil) == {"coordonner_conseil"}


# La matrice : chaque persona, chaque action, sur le groupe et sur le conseil ----------

SUR_LE_GROUPE = {
    "coordonnateur": TOUT,
    "pilote": {Action.LIRE, Action.LIRE_PLANS, Action.PILOTER},
    "membre": {Action.LIRE, Action.LIRE_PLANS},
    "etranger": set(),
    # La formation restreinte lit les plans d'action, jamais le reste du contenu.
    "formation_restreinte": {Action.LIRE_PLANS, Action.CONSULTER, Action.STATUER},
    "autre_conseil": set(),
}
# Sur le conseil, le coordonnateur peut tout ; LIRE, LIRE_PLANS et PILOTER n'y sont pas des
# actions applicables (actions_permises ne les annonce pas).
SUR_LE_CONSEIL = {
    "coordonnateur": TOUT,
    "pilote": set(),
    "membre": set(),
    "etranger": set(),
    "formation_restreinte": {Action.LIRE_PLANS, Action.CONSULTER, Action.STATUER},
    "autre_conseil": set(),
}


@pytest.mark.parametrize("persona", SUR_LE_GROUPE)
def test_peut_et_actions_permises(request, personas, conseil, groupe, persona):
    utilisateur = request.getfixturevalue(persona)
    assert {a for a in Action if permissions.peut(utilisateur, a, groupe)} == SUR_LE_GROUPE[persona]
    assert {a for a in Action if permissions.peut(utilisateur, a, conseil)} == (
        SUR_LE_CONSEIL[persona]
    )
    assert permissions.actions_permises(utilisateur, groupe) == SUR_LE_GROUPE[persona]
    assert permissions.actions_permises(utilisateur, conseil) == (
        SUR_LE_CONSEIL[persona] & {Action.CONSULTER, Action.STATUER, Action.COORDONNER}
    )


def test_actions_permises_en_une_requete(
    personas, coordonnateur, groupe, django_assert_num_queries
):
    with django_assert_num_queries(1):
        permissions.actions_permises(coordonnateur, groupe)


def test_la_portee_est_lue_une_fois_par_requete(
    personas, pilote, groupe, conseil, django_assert_num_queries
):
    with permissions.une_requete():
        with django_assert_num_queries(1):
            assert permissions.peut(pilote, Action.PILOTER, groupe)
            assert not permissions.peut(pilote, Action.COORDONNER, conseil)
            assert permissions.groupes_permis(pilote, Action.LIRE) == {groupe.pk}
        # Un changement de permissions l'efface : la suite de la requête le voit.
        permissions.synchroniser(groupe, {})
        assert not permissions.peut(pilote, Action.LIRE, groupe)
        assert not permissions.filtrer(pilote, GroupeOperationnel.objects.all(), Action.LIRE)


def test_hors_requete_la_portee_est_relue_a_chaque_appel(
    personas, pilote, groupe, django_assert_num_queries
):
    with django_assert_num_queries(2):
        permissions.peut(pilote, Action.LIRE, groupe)
        permissions.peut(pilote, Action.LIRE, groupe)


def test_filtrer_part_des_identifiants_des_groupes(personas, membre, groupe):
    """Pas de sous-requête par ligne : la base reçoit la liste des groupes du membre."""
    requete = str(permissions.filtrer(membre, ActionDuPlan.objects.all(), Action.LIRE).query)

    assert "EXISTS" not in requete
    assert f"IN ({groupe.pk})" in requete


def test_objet_sans_ses_liens_charges(personas, pilote, groupe, django_assert_num_queries):
    """Les identifiants du conseil et du groupe viennent d'une requête quand les objets liés
    ne sont pas chargés ; un objet disparu ne permet rien."""
    reunion = type(ReunionFactory(groupe=groupe)).objects.get()
    with django_assert_num_queries(2):
        assert permissions.actions_permises(pilote, reunion) >= {Action.LIRE, Action.PILOTER}
    reunion.delete()
    assert permissions.actions_permises(pilote, reunion) == set()


FILTRER_LES_GROUPES = {
    # persona: {action: noms des groupes visibles}
    "coordonnateur": {
        Action.LIRE: {"Groupe jeunes de Testville", "Groupe tranquillité de Testville"},
        Action.LIRE_PLANS: {"Groupe jeunes de Testville", "Groupe tranquillité de Testville"},
        Action.PILOTER: {"Groupe jeunes de Testville", "Groupe tranquillité de Testville"},
        Action.CONSULTER: {"Groupe jeunes de Testville", "Groupe tranquillité de Testville"},
        Action.STATUER: {"Groupe jeunes de Testville", "Groupe tranquillité de Testville"},
        Action.COORDONNER: {"Groupe jeunes de Testville", "Groupe tranquillité de Testville"},
    },
    "pilote": {
        Action.LIRE: {"Groupe jeunes de Testville"},
        Action.LIRE_PLANS: {"Groupe jeunes de Testville"},
        Action.PILOTER: {"Groupe jeunes de Testville"},
        Action.CONSULTER: set(),
        Action.STATUER: set(),
        Action.COORDONNER: set(),
    },
    "membre": {
        Action.LIRE: {"Groupe jeunes de Testville"},
        Action.LIRE_PLANS: {"Groupe jeunes de Testville"},
        Action.PILOTER: set(),
        Action.CONSULTER: set(),
        Action.STATUER: set(),
        Action.COORDONNER: set(),
    },
    "etranger": {
        Action.LIRE: {"Groupe tranquillité de Testville"},
        Action.LIRE_PLANS: {"Groupe tranquillité de Testville"},
        Action.PILOTER: set(),
        Action.CONSULTER: set(),
        Action.STATUER: set(),
        Action.COORDONNER: set(),
    },
    "formation_restreinte": {
        Action.LIRE: set(),
        Action.LIRE_PLANS: {"Groupe jeunes de Testville", "Groupe tranquillité de Testville"},
        Action.PILOTER: set(),
        Action.CONSULTER: {"Groupe jeunes de Testville", "Groupe tranquillité de Testville"},
        Action.STATUER: {"Groupe jeunes de Testville", "Groupe tranquillité de Testville"},
        Action.COORDONNER: set(),
    },
    "autre_conseil": {
        Action.LIRE: {"Groupe d'Ailleurs"},
        Action.LIRE_PLANS: {"Groupe d'Ailleurs"},
        Action.PILOTER: {"Groupe d'Ailleurs"},
        Action.CONSULTER: {"Groupe d'Ailleurs"},
        Action.STATUER: {"Groupe d'Ailleurs"},
        Action.COORDONNER: {"Groupe d'Ailleurs"},
    },
}


@pytest.mark.parametrize("persona", FILTRER_LES_GROUPES)
def test_filtrer_les_groupes(request, personas, persona):
    utilisateur = request.getfixturevalue(persona)
    visibles = {
        action: {
            g.nom
            for g in permissions.filtrer(utilisateur, GroupeOperationnel.objects.all(), action)
        }
        for action in Action
    }
    assert visibles == FILTRER_LES_GROUPES[persona]


def test_filtrer_suit_le_chemin_vers_le_groupe(personas, membre, groupe):
    """Un objet d'un groupe (ici une appartenance) s'autorise à travers son groupe."""
    visibles = permissions.filtrer(membre, Appartenance.objects.all(), Action.LIRE)
    assert {a.groupe_id for a in visibles} == {groupe.pk}
    assert visibles.count() == 2  # le pilote et le membre


def test_obtenir_ou_404(personas, membre, groupe, autre_groupe):
    assert permissions.obtenir_ou_404(membre, GroupeOperationnel, Action.LIRE, pk=groupe.pk) == (
        groupe
    )
    with pytest.raises(Http404):
        permissions.obtenir_ou_404(membre, GroupeOperationnel, Action.LIRE, pk=autre_groupe.pk)


def test_coordonnateur_d_un_autre_conseil_ne_voit_rien_de_ce_conseil(
    personas, autre_conseil, conseil, groupe, autre_groupe
):
    for action in Action:
        assert not permissions.peut(autre_conseil, action, conseil)
        assert not permissions.peut(autre_conseil, action, groupe)
        assert not permissions.peut(autre_conseil, action, autre_groupe)
        ici = GroupeOperationnel.objects.filter(conseil=conseil)
        assert not permissions.filtrer(autre_conseil, ici, action).exists()
    assert permissions.actions_permises(autre_conseil, groupe) == set()
    # Il garde tous les droits sur son propre conseil.
    assert permissions.actions_permises(autre_conseil, groupe_d_ailleurs()) == TOUT


@pytest.mark.parametrize("persona", ["coordonnateur", "pilote", "membre", "formation_restreinte"])
def test_utilisateur_inactif_ne_voit_rien(request, personas, conseil, groupe, persona):
    utilisateur = request.getfixturevalue(persona)
    utilisateur.is_active = False
    utilisateur.save(update_fields=["is_active"])
    for action in Action:
        assert not permissions.peut(utilisateur, action, groupe)
        assert not permissions.peut(utilisateur, action, conseil)
        assert not permissions.filtrer(utilisateur, GroupeOperationnel.objects.all(), action)
    assert permissions.actions_permises(utilisateur, groupe) == set()
    assert permissions.actions_permises(utilisateur, conseil) == set()


def test_formation_restreinte_consulte_sans_lire(personas, formation_restreinte, groupe, conseil):
    assert permissions.peut(formation_restreinte, Action.CONSULTER, conseil)
    assert permissions.peut(formation_restreinte, Action.CONSULTER, groupe)
    assert not permissions.peut(formation_restreinte, Action.LIRE, groupe)
    assert codenames(formation_restreinte, conseil) == {"consulter_conseil"}
    assert codenames(formation_restreinte, groupe) == set()


def test_retrait_de_la_formation_restreinte_revoque_aussitot(
    personas, formation_restreinte, conseil, groupe
):
    siege = conseil.formation_restreinte.get(utilisateur=formation_restreinte)
    services.formation_restreinte_retirer(siege)
    assert codenames(formation_restreinte, conseil) == set()
    assert not permissions.peut(formation_restreinte, Action.CONSULTER, conseil)
    assert not permissions.peut(formation_restreinte, Action.CONSULTER, groupe)
    # Les autres rôles du conseil ne bougent pas.
    coordonnateur = conseil.coordonnateurs.get()
    assert codenames(coordonnateur, conseil) == {"coordonner_conseil"}


def test_superutilisateur_sans_appartenance_ne_voit_rien(personas, conseil, groupe):
    superutilisateur = UtilisateurFactory(is_superuser=True, is_staff=True)
    for action in Action:
        assert not permissions.peut(superutilisateur, action, groupe)
        assert not permissions.peut(superutilisateur, action, conseil)
        assert not permissions.filtrer(superutilisateur, GroupeOperationnel.objects.all(), action)
    assert permissions.actions_permises(superutilisateur, groupe) == set()


def test_superutilisateur_membre_ne_lit_que_son_groupe(
    personas, groupe, autre_groupe, institution, coordonnateur
):
    superutilisateur = UtilisateurFactory(is_superuser=True, is_staff=True)
    ajouter_membre(groupe, superutilisateur, institution, coordonnateur)
    assert permissions.actions_permises(superutilisateur, groupe) == {
        Action.LIRE,
        Action.LIRE_PLANS,
    }
    assert not permissions.peut(superutilisateur, Action.LIRE, autre_groupe)


def test_membre_retire_perd_aussitot_la_lecture(personas, membre, groupe):
    appartenance = groupe.appartenances.actives().get(utilisateur=membre)
    groupe_services.membre_retirer(appartenance)
    assert not permissions.peut(membre, Action.LIRE, groupe)
    assert codenames(membre, groupe) == set()
