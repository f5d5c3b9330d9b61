"""Les écritures des groupes : création, membres, pilote. Chaque refus vérifie que rien
n'a été écrit : ni ligne, ni permission."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from clspd import permissions
from clspd.models import Institution, Programme, Territoire, Utilisateur
from clspd.permissions import Action
from groupes import services
from groupes.models import Appartenance, DesignationPilote, GroupeOperationnel, GroupePermission
from tests.conftest import ajouter_membre, designer_pilote
from tests.factories import TerritoireFactory, UtilisateurFactory, programme

Nature = GroupeOperationnel.Nature
Role = Appartenance.Role


def jour(decalage=0):
    return timezone.localdate() + datetime.timedelta(days=decalage)


def etat():
    """Tout ce qu'un service des groupes peut écrire, pour vérifier qu'un refus n'a rien
    changé."""
    return {
        "groupes": list(GroupeOperationnel.objects.values().order_by("pk")),
        "utilisateurs": list(Utilisateur.objects.values("pk", "email", "is_active").order_by("pk")),
        "appartenances": list(Appartenance.objects.values().order_by("pk")),
        "designations": list(DesignationPilote.objects.values().order_by("pk")),
        "permissions": sorted(
            GroupePermission.objects.values_list(
                "user_id", "permission__codename", "content_object"
            )
        ),
    }


# Un membre lit le groupe et ses plans d'action ; le pilote, en plus, le pilote.
DROITS_DU_MEMBRE = {Action.LIRE, Action.LIRE_PLANS}
DROITS_DU_PILOTE = {Action.LIRE, Action.LIRE_PLANS, Action.PILOTER}


def actions(utilisateur, groupe):
    return permissions.actions_permises(utilisateur, groupe)


def ajouter(groupe, coordonnateur, institution, email, **champs):
    return services.membre_ajouter(
        groupe=groupe,
        auteur=coordonnateur,
        email=email,
        first_name=champs.pop("first_name", "Karim"),
        last_name=champs.pop("last_name", "Nouveau"),
        fonction=champs.pop("fonction", "Éducateur spécialisé"),
        institution=institution,
        base_url="http://testserver",
        **champs,
    )


def designer(groupe, coordonnateur, pilote, date_designation=None, maire=None, prefet=None):
    date_designation = date_designation or jour()
    return services.pilote_designer(
        groupe=groupe,
        auteur=coordonnateur,
        pilote=pilote,
        date_designation=date_designation,
        accord_maire_le=maire or date_designation,
        accord_prefet_le=prefet or date_designation,
    )


def refuse(fonction, **kwargs):
    """Appelle le service, vérifie qu'il refuse sans rien écrire, renvoie l'erreur."""
    avant = etat()
    with pytest.raises(ValidationError) as erreur:
        fonction(**kwargs)
    assert etat() == avant
    return erreur.value


# groupe_creer / groupe_modifier ---------------------------------------------------------


def test_groupe_creer_thematique(conseil):
    groupe = services.groupe_creer(
        conseil=conseil,
        nom="Violences intrafamiliales",
        nature=Nature.THEMATIQUE,
        programme=programme(Programme.Axe.VICTIMES),
    )
    groupe.refresh_from_db()
    assert (groupe.conseil, groupe.actif, groupe.territoire) == (conseil, True, None)
    # Un groupe neuf n'a encore aucun membre : personne d'autre que le coordonnateur n'y lit.
    assert not GroupePermission.objects.filter(content_object=groupe).exists()


def test_groupe_creer_ccop(conseil, zsp, coordonnateur):
    groupe = services.groupe_creer(
        conseil=conseil, nom="CCOP du Centre", nature=Nature.CCOP, territoire=zsp
    )
    assert groupe.territoire == zsp
    assert actions(coordonnateur, groupe) == set(Action)


@pytest.mark.parametrize(
    ("champs", "champ_en_erreur"),
    [
        ({"nature": Nature.THEMATIQUE}, "programme"),
        ({"nature": Nature.TERRITORIAL, "programme": "jeunes"}, "territoire"),
        ({"nature": Nature.CCOP, "territoire": "quartier"}, "territoire"),
        ({"nature": "inconnue", "programme": "jeunes"}, "nature"),
        ({"nature": Nature.THEMATIQUE, "programme": "jeunes", "nom": ""}, "nom"),
        ({"nature": Nature.THEMATIQUE, "programme": "jeunes", "nom": "Doublon"}, "nom"),
    ],
)
def test_groupe_creer_refuse(conseil, groupe, champs, champ_en_erreur):
    GroupeOperationnel.objects.filter(pk=groupe.pk).update(nom="Doublon")
    if champs.get("programme"):
        champs["programme"] = programme(champs["programme"])
    if champs.get("territoire"):
        champs["territoire"] = TerritoireFactory(conseil=conseil, type=Territoire.Type.QUARTIER)
    champs.setdefault("nom", "Groupe refusé")
    erreur = refuse(services.groupe_creer, conseil=conseil, **champs)
    assert champ_en_erreur in erreur.message_dict


def test_groupe_creer_sur_le_territoire_d_un_autre_conseil_refuse(conseil, groupe):
    ailleurs = TerritoireFactory(type=Territoire.Type.ZSP)
    erreur = refuse(
        services.groupe_creer,
        conseil=conseil,
        nom="CCOP",
        nature=Nature.CCOP,
        territoire=ailleurs,
    )
    assert erreur.message_dict == {"territoire": ["Ce territoire n'appartient pas au conseil."]}


def test_groupe_modifier(groupe, zsp):
    services.groupe_modifier(
        groupe, nom="CCOP du Centre", nature=Nature.CCOP, territoire=zsp, actif=False
    )
    groupe.refresh_from_db()
    assert (groupe.nom, groupe.nature, groupe.territoire, groupe.actif) == (
        "CCOP du Centre",
        Nature.CCOP,
        zsp,
        False,
    )


def test_groupe_modifier_en_ccop_hors_zsp_refuse(conseil, groupe):
    quartier = TerritoireFactory(conseil=conseil, type=Territoire.Type.QUARTIER)
    erreur = refuse(
        lambda: services.groupe_modifier(groupe, nature=Nature.CCOP, territoire=quartier)
    )
    assert erreur.message_dict == {
        "territoire": ["Une CCOP est rattachée à une zone de sécurité prioritaire (ZSP)."]
    }
    groupe.refresh_from_db()
    assert (groupe.nature, groupe.territoire) == (Nature.THEMATIQUE, None)


def test_groupe_modifier_sans_programme_refuse(groupe):
    erreur = refuse(lambda: services.groupe_modifier(groupe, programme=None))
    assert list(erreur.message_dict) == ["programme"]


# membre_ajouter -------------------------------------------------------------------------


def test_membre_ajouter_une_personne_existante_lit_aussitot(
    groupe, coordonnateur, institution, django_capture_on_commit_callbacks
):
    personne = UtilisateurFactory(email="agent@testville.fr")
    assert Action.LIRE not in actions(personne, groupe)
    with django_capture_on_commit_callbacks(execute=True):
        appartenance, invitation = ajouter(
            groupe, coordonnateur, institution, "AGENT@testville.fr", role=Role.INVITE
        )
    assert invitation is False
    assert mail.outbox == []
    assert (appartenance.utilisateur, appartenance.role) == (personne, Role.INVITE)
    assert appartenance.date_debut == jour()
    assert actions(personne, groupe) == DROITS_DU_MEMBRE


def test_membre_ajouter_une_personne_inconnue_l_invite(
    groupe, coordonnateur, institution, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        appartenance, invitation = ajouter(
            groupe, coordonnateur, institution, "karim.nouveau@exemple.fr", date_debut=jour(-3)
        )
    assert invitation is True
    invite = appartenance.utilisateur
    assert invite.email == "karim.nouveau@exemple.fr"
    assert not invite.is_active
    assert not invite.has_usable_password()
    assert appartenance.date_debut == jour(-3)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["karim.nouveau@exemple.fr"]
    assert groupe.nom not in mail.outbox[0].body

    # La permission est posée tout de suite ; elle sert dès que le compte est activé.
    assert GroupePermission.objects.filter(user=invite, content_object=groupe).exists()
    assert actions(invite, groupe) == set()
    invite.is_active = True
    invite.save(update_fields=["is_active"])
    assert actions(invite, groupe) == DROITS_DU_MEMBRE


def test_membre_ajouter_date_future_refusee(
    groupe, coordonnateur, institution, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        erreur = refuse(
            ajouter,
            groupe=groupe,
            coordonnateur=coordonnateur,
            institution=institution,
            email="karim.nouveau@exemple.fr",
            date_debut=jour(1),
        )
    assert erreur.message_dict == {"date_debut": ["La date de début ne peut pas être future."]}
    assert mail.outbox == []


def test_membre_ajouter_comme_pilote_refuse(
    groupe, coordonnateur, institution, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        erreur = refuse(
            ajouter,
            groupe=groupe,
            coordonnateur=coordonnateur,
            institution=institution,
            email="karim.nouveau@exemple.fr",
            role=Role.PILOTE,
        )
    assert erreur.message_dict == {"role": ["Le pilote se désigne par la désignation du pilote."]}
    assert mail.outbox == []


def test_membre_ajouter_un_membre_actuel_refuse(
    groupe, membre, coordonnateur, institution, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        erreur = refuse(
            ajouter,
            groupe=groupe,
            coordonnateur=coordonnateur,
            institution=institution,
            email="Membre@Testville.fr",
        )
    assert erreur.message_dict == {"email": ["Cette personne est déjà membre du groupe."]}
    assert mail.outbox == []


def test_membre_ajouter_un_invite_deja_membre_ne_renvoie_pas_d_invitation(
    groupe, coordonnateur, institution, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ajouter(groupe, coordonnateur, institution, "karim.nouveau@exemple.fr")
    with django_capture_on_commit_callbacks(execute=True):
        refuse(
            ajouter,
            groupe=groupe,
            coordonnateur=coordonnateur,
            institution=institution,
            email="karim.nouveau@exemple.fr",
        )
    assert len(mail.outbox) == 1


def test_membre_ajouter_pour_une_institution_d_un_autre_conseil_refuse(
    groupe, coordonnateur, autre_conseil, django_capture_on_commit_callbacks
):
    ailleurs = Institution.objects.create(
        conseil=GroupeOperationnel.objects.get(nom="Groupe d'Ailleurs").conseil,
        nom="Mairie d'Ailleurs",
        categorie="commune",
    )
    with django_capture_on_commit_callbacks(execute=True):
        erreur = refuse(
            ajouter,
            groupe=groupe,
            coordonnateur=coordonnateur,
            institution=ailleurs,
            email="karim.nouveau@exemple.fr",
        )
    assert list(erreur.message_dict) == ["institution"]
    assert mail.outbox == []


def test_membre_ajouter_un_ancien_membre(groupe, membre, coordonnateur, institution):
    services.membre_retirer(groupe.appartenances.actives().get(utilisateur=membre))
    appartenance, _ = ajouter(groupe, coordonnateur, institution, membre.email)
    assert appartenance.utilisateur == membre
    assert groupe.appartenances.filter(utilisateur=membre).count() == 2
    assert actions(membre, groupe) == DROITS_DU_MEMBRE


# membre_retirer -------------------------------------------------------------------------


def test_membre_retirer_coupe_l_acces_aussitot(client, groupe, membre, pilote):
    client.force_login(membre)
    assert client.get(f"/groupes/{groupe.pk}/").status_code == 200

    appartenance = groupe.appartenances.actives().get(utilisateur=membre)
    services.membre_retirer(appartenance)

    appartenance.refresh_from_db()
    assert appartenance.date_fin == jour()
    assert client.get(f"/groupes/{groupe.pk}/").status_code == 404
    assert actions(membre, groupe) == set()
    # Le pilote garde son accès.
    assert actions(pilote, groupe) == DROITS_DU_PILOTE


def test_membre_retirer_a_une_date_passee(groupe, membre):
    appartenance = groupe.appartenances.actives().get(utilisateur=membre)
    services.membre_retirer(appartenance, date_fin=jour(-1))
    appartenance.refresh_from_db()
    assert appartenance.date_fin == jour(-1)


def test_membre_retirer_a_une_date_future_refuse(groupe, membre):
    appartenance = groupe.appartenances.actives().get(utilisateur=membre)
    erreur = refuse(services.membre_retirer, appartenance=appartenance, date_fin=jour(1))
    assert erreur.message_dict == {"date_fin": ["La date de fin ne peut pas être future."]}
    assert actions(membre, groupe) == DROITS_DU_MEMBRE


def test_membre_retirer_avant_son_arrivee_refuse(groupe, membre):
    appartenance = groupe.appartenances.actives().get(utilisateur=membre)
    erreur = refuse(
        services.membre_retirer,
        appartenance=appartenance,
        date_fin=appartenance.date_debut - datetime.timedelta(days=1),
    )
    assert "La date de fin précède la date de début." in erreur.message_dict["date_fin"]


def test_membre_retirer_deux_fois_refuse(groupe, membre):
    appartenance = groupe.appartenances.actives().get(utilisateur=membre)
    services.membre_retirer(appartenance, date_fin=jour(-1))
    erreur = refuse(services.membre_retirer, appartenance=appartenance)
    assert erreur.messages == ["Cette personne ne fait déjà plus partie du groupe."]
    appartenance.refresh_from_db()
    assert appartenance.date_fin == jour(-1)


def test_membre_retirer_le_pilote_termine_sa_designation(groupe, pilote):
    appartenance = groupe.appartenances.actives().get(utilisateur=pilote)
    services.membre_retirer(appartenance)
    designation = groupe.designations.get()
    assert designation.date_fin == jour()
    assert actions(pilote, groupe) == set()
    assert not groupe.appartenances.actives().filter(role=Role.PILOTE).exists()


# pilote_designer ------------------------------------------------------------------------


def test_pilote_designer_donne_le_pilotage(groupe, membre, coordonnateur):
    designation = designer(
        groupe, coordonnateur, membre, date_designation=jour(-2), maire=jour(-5), prefet=jour(-3)
    )
    assert (designation.pilote, designation.designe_par, designation.date_fin) == (
        membre,
        coordonnateur,
        None,
    )
    assert groupe.appartenances.actives().get(utilisateur=membre).role == Role.PILOTE
    assert actions(membre, groupe) == DROITS_DU_PILOTE


def test_pilote_designer_hors_des_membres_refuse(groupe, etranger, coordonnateur):
    erreur = refuse(designer, groupe=groupe, coordonnateur=coordonnateur, pilote=etranger)
    assert erreur.message_dict == {"pilote": ["Le pilote doit d'abord être membre du groupe."]}
    assert Action.PILOTER not in actions(etranger, groupe)


def test_pilote_designer_un_ancien_membre_refuse(groupe, membre, coordonnateur):
    services.membre_retirer(groupe.appartenances.actives().get(utilisateur=membre))
    erreur = refuse(designer, groupe=groupe, coordonnateur=coordonnateur, pilote=membre)
    assert list(erreur.message_dict) == ["pilote"]


def test_pilote_designer_a_une_date_future_refuse(groupe, membre, coordonnateur):
    erreur = refuse(
        designer,
        groupe=groupe,
        coordonnateur=coordonnateur,
        pilote=membre,
        date_designation=jour(1),
        maire=jour(),
        prefet=jour(),
    )
    assert list(erreur.message_dict) == ["date_designation"]


def test_pilote_changer(groupe, pilote, membre, coordonnateur):
    ancienne = groupe.designations.get()
    nouvelle = designer(groupe, coordonnateur, membre)

    ancienne.refresh_from_db()
    assert ancienne.date_fin == nouvelle.date_designation
    assert list(groupe.designations.order_by("pk")) == [ancienne, nouvelle]
    assert groupe.designations.filter(date_fin__isnull=True).get() == nouvelle
    assert groupe.appartenances.actives().get(utilisateur=pilote).role == Role.MEMBRE
    assert groupe.appartenances.actives().get(utilisateur=membre).role == Role.PILOTE
    assert actions(pilote, groupe) == DROITS_DU_MEMBRE
    assert actions(membre, groupe) == DROITS_DU_PILOTE


def test_pilote_designation_anterieure_a_la_designation_en_cours_refusee(
    groupe, pilote, membre, coordonnateur
):
    erreur = refuse(
        designer,
        groupe=groupe,
        coordonnateur=coordonnateur,
        pilote=membre,
        date_designation=jour(-1),
    )
    assert erreur.message_dict == {
        "date_designation": ["La désignation ne peut précéder celle du pilote actuel."]
    }
    assert actions(pilote, groupe) == DROITS_DU_PILOTE


def test_pilote_accords_apres_la_designation_refuses(groupe, pilote, membre, coordonnateur):
    """Le refus tombe après que l'ancienne désignation a été close : tout est annulé."""
    erreur = refuse(
        designer,
        groupe=groupe,
        coordonnateur=coordonnateur,
        pilote=membre,
        date_designation=jour(),
        maire=jour(),
        prefet=jour(1),
    )
    assert erreur.message_dict == {
        "accord_prefet_le": ["L'accord du préfet précède la désignation."]
    }
    assert groupe.designations.get().pilote == pilote
    assert groupe.designations.get().date_fin is None
    assert actions(membre, groupe) == DROITS_DU_MEMBRE


def test_pilote_accords_apres_une_premiere_designation_refuses(groupe, membre, coordonnateur):
    erreur = refuse(
        designer,
        groupe=groupe,
        coordonnateur=coordonnateur,
        pilote=membre,
        date_designation=jour(-2),
        maire=jour(-1),
        prefet=jour(-1),
    )
    assert set(erreur.message_dict) == {"accord_maire_le", "accord_prefet_le"}


def test_pilote_designe_deux_fois_refuse(groupe, pilote, coordonnateur):
    erreur = refuse(designer, groupe=groupe, coordonnateur=coordonnateur, pilote=pilote)
    assert erreur.message_dict == {"pilote": ["Cette personne est déjà le pilote du groupe."]}


def test_pilote_retire_puis_nouveau_pilote(groupe, pilote, membre, coordonnateur, institution):
    services.membre_retirer(groupe.appartenances.actives().get(utilisateur=pilote))
    designer_pilote(groupe, membre, coordonnateur)
    assert groupe.designations.count() == 2
    assert groupe.designations.filter(date_fin__isnull=True).get().pilote == membre
    # L'ancien pilote revient comme simple membre.
    ajouter_membre(groupe, pilote, institution, coordonnateur)
    assert actions(pilote, groupe) == DROITS_DU_MEMBRE
