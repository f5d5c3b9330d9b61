"""Écritures du cœur : coordonnateurs, formation restreinte, annuaire, territoire, comptes."""

import secrets

from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import ProtectedError
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from clspd import permissions
from clspd.models import Conseil, Institution, MembreFormationRestreinte, Territoire, Utilisateur
from clspd.permissions import Role


def enregistrer(objet, **champs):
    """Donne ses valeurs à l'objet, le valide (règles du modèle, contraintes) et l'enregistre.

    Le geste commun des services de création et de modification, de toutes les applications.
    """
    for nom, valeur in champs.items():
        setattr(objet, nom, valeur)
    objet.full_clean()
    objet.save()
    return objet


# Permissions du conseil -------------------------------------------------------------------


def conseil_synchroniser_permissions(conseil):
    roles = {}
    for user_id in conseil.coordonnateurs.values_list("pk", flat=True):
        roles.setdefault(user_id, set()).add(Role.COORDONNATEUR)
    sieges = conseil.formation_restreinte.filter(date_fin__isnull=True)
    for user_id in sieges.values_list("utilisateur_id", flat=True):
        roles.setdefault(user_id, set()).add(Role.FORMATION_RESTREINTE)
    permissions.synchroniser(conseil, roles)


@transaction.atomic
def conseil_creer(*, nom, type, communes, coordonnateurs=()):
    conseil = Conseil(nom=nom, type=type)
    conseil.full_clean()
    Conseil.valider_communes(type, communes)
    conseil.save()
    conseil.communes.set(communes)
    conseil.coordonnateurs.set(coordonnateurs)
    conseil_synchroniser_permissions(conseil)
    return conseil


@transaction.atomic
def coordonnateur_ajouter(*, conseil, utilisateur):
    conseil.coordonnateurs.add(utilisateur)
    conseil_synchroniser_permissions(conseil)


@transaction.atomic
def coordonnateur_retirer(*, conseil, utilisateur):
    conseil.coordonnateurs.remove(utilisateur)
    conseil_synchroniser_permissions(conseil)


# Comptes ----------------------------------------------------------------------------------


def compte_desactiver(utilisateur):
    """Le compte ne se connecte plus et ses sessions ouvertes se ferment ; tout ce qu'il a
    écrit (réunions, décisions, saisies, historique) reste, à son nom."""
    utilisateur.is_active = False
    utilisateur.save(update_fields=["is_active"])
    sessions_fermer_partout(utilisateur)


def sessions_fermer_partout(utilisateur):
    """Toutes les sessions ouvertes du compte deviennent invalides (voir
    ``Utilisateur._get_session_auth_hash``)."""
    utilisateur.cle_des_sessions = secrets.token_hex(16)
    utilisateur.save(update_fields=["cle_des_sessions"])


def invitation_envoyer(*, utilisateur, conseil, invite_par, base_url):
    """Envoie le lien d'activation. Le courriel ne nomme aucun groupe : l'appartenance
    à un groupe est elle-même une information confidentielle."""
    protocole, _, domaine = base_url.partition("://")
    contexte = {
        "utilisateur": utilisateur,
        "conseil": conseil,
        "invite_par": invite_par,
        "protocol": protocole,
        "domain": domaine,
        "uid": urlsafe_base64_encode(force_bytes(utilisateur.pk)),
        "token": default_token_generator.make_token(utilisateur),
    }
    sujet = render_to_string("registration/invitation_subject.txt", contexte)
    corps = render_to_string("registration/invitation_email.txt", contexte)
    send_mail(" ".join(sujet.split()), corps, None, [utilisateur.email])


def personne_obtenir_ou_inviter(
    *, email, first_name, last_name, fonction, institution, conseil, invite_par, base_url
):
    """Le compte de cette adresse ; à défaut, un compte inactif et une invitation.

    Renvoie (utilisateur, invitation_envoyee). L'invitation part après la validation
    de la transaction, pour ne jamais annoncer un compte qui n'existe pas.
    """
    email = email.strip().lower()
    utilisateur = Utilisateur.objects.filter(email=email).first()
    if utilisateur is None:
        utilisateur = Utilisateur(
            email=email,
            first_name=first_name,
            last_name=last_name,
            fonction=fonction,
            institution=institution,
            is_active=False,
        )
        utilisateur.set_unusable_password()
        utilisateur.full_clean()
        utilisateur.save()
    elif utilisateur.is_active or utilisateur.has_usable_password():
        return utilisateur, False
    transaction.on_commit(
        lambda: invitation_envoyer(
            utilisateur=utilisateur, conseil=conseil, invite_par=invite_par, base_url=base_url
        )
    )
    return utilisateur, True


# Annuaire et territoire -------------------------------------------------------------------


def institution_creer(*, conseil, **champs):
    return enregistrer(Institution(conseil=conseil), **champs)


def institution_modifier(institution, **champs):
    return enregistrer(institution, **champs)


def institution_supprimer(institution):
    try:
        institution.delete()
    except ProtectedError as erreur:
        raise ValidationError(
            "Cette institution est représentée dans un groupe ou à la formation restreinte : "
            "elle ne peut pas être supprimée."
        ) from erreur


def territoire_creer(*, conseil, **champs):
    return enregistrer(Territoire(conseil=conseil), **champs)


def territoire_modifier(territoire, **champs):
    return enregistrer(territoire, **champs)


# Formation restreinte ---------------------------------------------------------------------


@transaction.atomic
def formation_restreinte_ajouter(
    *, conseil, utilisateur, institution, qualite, programme, date_debut
):
    siege = enregistrer(
        MembreFormationRestreinte(conseil=conseil, utilisateur=utilisateur),
        institution=institution,
        qualite=qualite,
        programme=programme,
        date_debut=date_debut,
    )
    conseil_synchroniser_permissions(conseil)
    return siege


@transaction.atomic
def formation_restreinte_retirer(siege, *, date_fin=None):
    if siege.date_fin is not None:
        raise ValidationError("Cette personne ne siège déjà plus à la formation restreinte.")
    enregistrer(siege, date_fin=date_fin or timezone.localdate())
    conseil_synchroniser_permissions(siege.conseil)
    return siege
