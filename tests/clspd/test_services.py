"""Les écritures du cœur : conseils, annuaire, comptes et invitations, formation restreinte.

Chaque cas refusé vérifie aussi que rien n'a été écrit.
"""

import datetime
import re

import pytest
from django.core import mail
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone

from clspd import permissions, services
from clspd.models import (
    Conseil,
    ConseilPermission,
    Institution,
    MembreFormationRestreinte,
    Utilisateur,
)
from clspd.permissions import Action
from tests.factories import CommuneFactory, InstitutionFactory, UtilisateurFactory, programme

AUJOURDHUI = timezone.localdate


def inviter(conseil, coordonnateur, email="nouvelle.personne@exemple.fr", **champs):
    return services.personne_obtenir_ou_inviter(
        email=email,
        first_name=champs.get("first_name", "Nouvelle"),
        last_name=champs.get("last_name", "Personne"),
        fonction=champs.get("fonction", "Éducatrice"),
        institution=champs.get("institution"),
        conseil=conseil,
        invite_par=coordonnateur,
        base_url="http://testserver",
    )


def sieger(conseil, utilisateur, institution=None, date_debut=None, programme=None):
    return services.formation_restreinte_ajouter(
        conseil=conseil,
        utilisateur=utilisateur,
        institution=institution,
        qualite="Déléguée du préfet",
        programme=programme,
        date_debut=date_debut or AUJOURDHUI(),
    )


# conseil_creer --------------------------------------------------------------------------


def test_conseil_creer_clspd_une_commune(db):
    commune = CommuneFactory()
    coordonnateur = UtilisateurFactory()
    conseil = services.conseil_creer(
        nom="CLSPD de Nouvelleville",
        type=Conseil.Type.CLSPD,
        communes=[commune],
        coordonnateurs=[coordonnateur],
    )
    assert list(conseil.communes.all()) == [commune]
    assert list(conseil.coordonnateurs.all()) == [coordonnateur]
    assert permissions.peut(coordonnateur, Action.COORDONNER, conseil)


def test_conseil_creer_cispd_plusieurs_communes(db):
    communes = [CommuneFactory(), CommuneFactory()]
    conseil = services.conseil_creer(nom="CISPD du Val", type=Conseil.Type.CISPD, communes=communes)
    assert set(conseil.communes.all()) == set(communes)
    assert not ConseilPermission.objects.filter(content_object=conseil).exists()


@pytest.mark.parametrize(
    ("type", "nb_communes", "message"),
    [
        (Conseil.Type.CLSPD, 0, "Un CLSPD couvre une seule commune."),
        (Conseil.Type.CLSPD, 2, "Un CLSPD couvre une seule commune."),
        (Conseil.Type.CISPD, 0, "Un CISPD couvre plusieurs communes."),
        (Conseil.Type.CISPD, 1, "Un CISPD couvre plusieurs communes."),
    ],
)
def test_conseil_creer_nombre_de_communes_refuse(db, type, nb_communes, message):
    communes = [CommuneFactory() for _ in range(nb_communes)]
    coordonnateur = UtilisateurFactory()
    with pytest.raises(ValidationError) as erreur:
        services.conseil_creer(
            nom="Conseil refusé", type=type, communes=communes, coordonnateurs=[coordonnateur]
        )
    assert erreur.value.message_dict == {"communes": [message]}
    assert not Conseil.objects.filter(nom="Conseil refusé").exists()
    assert not ConseilPermission.objects.exists()


def test_conseil_creer_nom_en_double_refuse(conseil):
    with pytest.raises(ValidationError) as erreur:
        services.conseil_creer(
            nom=conseil.nom, type=Conseil.Type.CLSPD, communes=[CommuneFactory()]
        )
    assert "nom" in erreur.value.message_dict
    assert Conseil.objects.filter(nom=conseil.nom).count() == 1


def test_conseil_creer_type_inconnu_refuse(db):
    with pytest.raises(ValidationError) as erreur:
        services.conseil_creer(nom="Conseil bizarre", type="cdsp", communes=[CommuneFactory()])
    assert "type" in erreur.value.message_dict
    assert not Conseil.objects.filter(nom="Conseil bizarre").exists()


# Annuaire -------------------------------------------------------------------------------


def test_institution_creer(conseil):
    institution = services.institution_creer(
        conseil=conseil,
        nom="Collège Jean-Moulin",
        categorie=Institution.Categorie.EDUCATION,
        adresse="1 rue de l'École",
        courriel="ce.college@ac-exemple.fr",
        telephone="01 02 03 04 05",
    )
    assert Institution.objects.get(pk=institution.pk).conseil == conseil


def test_institution_creer_nom_en_double_refuse(institution):
    with pytest.raises(ValidationError) as erreur:
        services.institution_creer(
            conseil=institution.conseil, nom=institution.nom, categorie="autre"
        )
    assert erreur.value.message_dict == {
        "nom": ["L'annuaire de ce conseil a déjà une institution de ce nom."]
    }
    assert Institution.objects.filter(nom=institution.nom).count() == 1


def test_institution_creer_categorie_et_courriel_invalides_refuses(conseil):
    with pytest.raises(ValidationError) as erreur:
        services.institution_creer(
            conseil=conseil, nom="Mal saisie", categorie="inconnue", courriel="pas-une-adresse"
        )
    assert {"categorie", "courriel"} <= set(erreur.value.message_dict)
    assert not Institution.objects.filter(nom="Mal saisie").exists()


def test_institution_modifier(institution):
    services.institution_modifier(institution, nom="Commissariat central", telephone="17")
    institution.refresh_from_db()
    assert (institution.nom, institution.telephone) == ("Commissariat central", "17")


def test_institution_modifier_vers_un_nom_pris_refuse(institution):
    autre = InstitutionFactory(conseil=institution.conseil, nom="Mairie de Testville")
    with pytest.raises(ValidationError) as erreur:
        services.institution_modifier(autre, nom=institution.nom)
    assert "nom" in erreur.value.message_dict
    autre.refresh_from_db()
    assert autre.nom == "Mairie de Testville"


def test_institution_supprimer_inutilisee(conseil):
    institution = InstitutionFactory(conseil=conseil)
    agent = UtilisateurFactory(institution=institution)
    services.institution_supprimer(institution)
    assert not Institution.objects.filter(pk=institution.pk).exists()
    agent.refresh_from_db()
    assert agent.institution is None  # l'agent garde son compte


def test_institution_supprimer_representee_dans_un_groupe_refuse(membre, institution):
    with pytest.raises(ValidationError) as erreur:
        services.institution_supprimer(institution)
    assert erreur.value.messages == [
        "Cette institution est représentée dans un groupe ou à la formation restreinte : "
        "elle ne peut pas être supprimée."
    ]
    assert Institution.objects.filter(pk=institution.pk).exists()
    assert membre.appartenances.filter(institution=institution).exists()


def test_institution_supprimer_representee_a_la_formation_restreinte_refuse(conseil):
    institution = InstitutionFactory(conseil=conseil)
    sieger(conseil, UtilisateurFactory(), institution=institution)
    with pytest.raises(ValidationError):
        services.institution_supprimer(institution)
    assert Institution.objects.filter(pk=institution.pk).exists()


# personne_obtenir_ou_inviter ------------------------------------------------------------


def test_personne_existante_active_renvoyee_sans_courriel(
    conseil, coordonnateur, membre, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as rappels:
        utilisateur, invitation = inviter(conseil, coordonnateur, email=" MEMBRE@Testville.fr ")
    assert (utilisateur, invitation) == (membre, False)
    assert rappels == []
    assert mail.outbox == []
    assert Utilisateur.objects.filter(email="membre@testville.fr").count() == 1


def test_personne_inconnue_invitee_apres_validation(
    conseil, coordonnateur, groupe, institution, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as rappels:
        utilisateur, invitation = inviter(
            conseil, coordonnateur, email=" Nouvelle.Personne@Exemple.FR ", institution=institution
        )
    # Rien ne part avant la validation de la transaction.
    assert mail.outbox == []
    assert len(rappels) == 1
    for rappel in rappels:
        rappel()

    assert invitation is True
    utilisateur.refresh_from_db()
    assert utilisateur.email == "nouvelle.personne@exemple.fr"
    assert not utilisateur.is_active
    assert not utilisateur.has_usable_password()
    assert (utilisateur.institution, utilisateur.fonction) == (institution, "Éducatrice")

    assert len(mail.outbox) == 1
    courriel = mail.outbox[0]
    assert courriel.to == ["nouvelle.personne@exemple.fr"]
    assert conseil.nom in courriel.body
    assert conseil.nom in courriel.subject
    assert re.search(r"http://testserver/compte/activation/[\w-]+/[\w-]+/", courriel.body)
    # L'appartenance à un groupe est confidentielle : aucun groupe n'est nommé.
    assert groupe.nom not in courriel.body
    assert groupe.nom not in courriel.subject
    assert "groupe" not in courriel.body.lower()


def test_personne_invitee_non_activee_recoit_une_nouvelle_invitation(
    conseil, coordonnateur, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        premier, _ = inviter(conseil, coordonnateur)
    with django_capture_on_commit_callbacks(execute=True):
        second, invitation = inviter(conseil, coordonnateur, email="NOUVELLE.personne@exemple.fr")
    assert second == premier
    assert invitation is True
    assert len(mail.outbox) == 2
    assert Utilisateur.objects.filter(email="nouvelle.personne@exemple.fr").count() == 1


def test_personne_adresse_invalide_refusee_sans_rien_ecrire(
    conseil, coordonnateur, django_capture_on_commit_callbacks
):
    avant = Utilisateur.objects.count()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError) as err:
        inviter(conseil, coordonnateur, email="pas-une-adresse")
    assert "email" in err.value.message_dict
    assert Utilisateur.objects.count() == avant
    assert mail.outbox == []


# Formation restreinte -------------------------------------------------------------------


def test_formation_restreinte_ajouter_donne_la_consultation(conseil, institution):
    utilisateur = UtilisateurFactory()
    siege = sieger(conseil, utilisateur, institution=institution, programme=programme())
    assert not siege.est_permanent
    assert permissions.peut(utilisateur, Action.CONSULTER, conseil)
    assert not permissions.peut(utilisateur, Action.COORDONNER, conseil)


def test_formation_restreinte_siege_actif_en_double_refuse(conseil, formation_restreinte):
    with pytest.raises(ValidationError) as erreur:
        sieger(conseil, formation_restreinte)
    assert erreur.value.message_dict == {
        NON_FIELD_ERRORS: ["Cette personne siège déjà à la formation restreinte."]
    }
    assert MembreFormationRestreinte.objects.filter(utilisateur=formation_restreinte).count() == 1


def test_formation_restreinte_institution_d_un_autre_conseil_refusee(conseil):
    utilisateur = UtilisateurFactory()
    with pytest.raises(ValidationError) as erreur:
        sieger(conseil, utilisateur, institution=InstitutionFactory())
    assert erreur.value.message_dict["institution"] == [
        "Cette institution n'est pas de ce conseil."
    ]
    assert not MembreFormationRestreinte.objects.filter(utilisateur=utilisateur).exists()
    assert not permissions.peut(utilisateur, Action.CONSULTER, conseil)


def test_formation_restreinte_retirer(conseil, formation_restreinte):
    siege = MembreFormationRestreinte.objects.get(utilisateur=formation_restreinte)
    services.formation_restreinte_retirer(siege)
    siege.refresh_from_db()
    assert siege.date_fin == AUJOURDHUI()
    assert not permissions.peut(formation_restreinte, Action.CONSULTER, conseil)


def test_formation_restreinte_date_fin_avant_date_debut_refusee(conseil, formation_restreinte):
    siege = MembreFormationRestreinte.objects.get(utilisateur=formation_restreinte)
    with pytest.raises(ValidationError) as erreur:
        services.formation_restreinte_retirer(
            siege, date_fin=siege.date_debut - datetime.timedelta(days=1)
        )
    assert erreur.value.messages == ["La date de fin précède la date de début."]
    siege.refresh_from_db()
    assert siege.date_fin is None
    assert permissions.peut(formation_restreinte, Action.CONSULTER, conseil)


def test_formation_restreinte_retirer_deux_fois_refuse(conseil, formation_restreinte):
    siege = MembreFormationRestreinte.objects.get(utilisateur=formation_restreinte)
    services.formation_restreinte_retirer(siege)
    with pytest.raises(ValidationError) as erreur:
        services.formation_restreinte_retirer(siege, date_fin=AUJOURDHUI())
    assert erreur.value.messages == ["Cette personne ne siège déjà plus à la formation restreinte."]
    siege.refresh_from_db()
    assert siege.date_fin == AUJOURDHUI()


def test_formation_restreinte_nouveau_siege_apres_un_retrait(conseil, formation_restreinte):
    siege = MembreFormationRestreinte.objects.get(utilisateur=formation_restreinte)
    services.formation_restreinte_retirer(siege)
    sieger(conseil, formation_restreinte)
    assert MembreFormationRestreinte.objects.filter(utilisateur=formation_restreinte).count() == 2
    assert permissions.peut(formation_restreinte, Action.CONSULTER, conseil)
