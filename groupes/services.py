"""Écritures des groupes : création, membres, pilotes. Chaque service tient en une
transaction et aligne les permissions du groupe sur ses appartenances actives."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from clspd import permissions
from clspd.services import personne_obtenir_ou_inviter
from groupes.models import Appartenance, DesignationPilote, GroupeOperationnel

Role = Appartenance.Role


def groupe_synchroniser_permissions(groupe):
    roles = {}
    for user_id, role in groupe.appartenances.actives().values_list("utilisateur_id", "role"):
        roles.setdefault(user_id, set()).add(permissions.Role(role))
    permissions.synchroniser(groupe, roles)


@transaction.atomic
def groupe_creer(
    *, conseil, nom, nature, programme=None, territoire=None, description="", actif=True
):
    groupe = GroupeOperationnel(
        conseil=conseil,
        nom=nom,
        nature=nature,
        programme=programme,
        territoire=territoire,
        description=description,
        actif=actif,
    )
    groupe.full_clean()
    groupe.save()
    return groupe


@transaction.atomic
def groupe_modifier(groupe, **champs):
    for nom, valeur in champs.items():
        setattr(groupe, nom, valeur)
    groupe.full_clean()
    groupe.save()
    return groupe


def _appartenance_creer(*, groupe, utilisateur, institution, role, date_debut):
    appartenance = Appartenance(
        groupe=groupe,
        utilisateur=utilisateur,
        institution=institution,
        role=role,
        date_debut=date_debut,
    )
    appartenance.full_clean()
    appartenance.save()
    return appartenance


@transaction.atomic
def membre_ajouter(
    *,
    groupe,
    auteur,
    email,
    first_name,
    last_name,
    fonction,
    institution,
    role=Role.MEMBRE,
    date_debut=None,
    base_url,
):
    """Ajoute une personne au groupe ; l'invite si elle n'a pas encore de compte.

    Renvoie (appartenance, invitation_envoyee).
    """
    if role == Role.PILOTE:
        raise ValidationError({"role": "Le pilote se désigne par la désignation du pilote."})
    date_debut = date_debut or timezone.localdate()
    if date_debut > timezone.localdate():
        raise ValidationError({"date_debut": "La date de début ne peut pas être future."})
    utilisateur, invitation = personne_obtenir_ou_inviter(
        email=email,
        first_name=first_name,
        last_name=last_name,
        fonction=fonction,
        institution=institution,
        conseil=groupe.conseil,
        invite_par=auteur,
        base_url=base_url,
    )
    if groupe.appartenances.actives().filter(utilisateur=utilisateur).exists():
        raise ValidationError({"email": "Cette personne est déjà membre du groupe."})
    appartenance = _appartenance_creer(
        groupe=groupe,
        utilisateur=utilisateur,
        institution=institution,
        role=role,
        date_debut=date_debut,
    )
    groupe_synchroniser_permissions(groupe)
    return appartenance, invitation


@transaction.atomic
def membre_retirer(appartenance, *, date_fin=None):
    """Met fin à l'appartenance : l'accès au groupe cesse aussitôt."""
    if appartenance.date_fin is not None:
        raise ValidationError("Cette personne ne fait déjà plus partie du groupe.")
    date_fin = date_fin or timezone.localdate()
    if date_fin > timezone.localdate():
        raise ValidationError({"date_fin": "La date de fin ne peut pas être future."})
    appartenance.date_fin = date_fin
    appartenance.full_clean()
    appartenance.save(update_fields=["date_fin"])
    if appartenance.role == Role.PILOTE:
        en_cours = appartenance.groupe.designations.filter(date_fin__isnull=True).first()
        if en_cours:
            en_cours.date_fin = max(date_fin, en_cours.date_designation)
            en_cours.save(update_fields=["date_fin"])
    groupe_synchroniser_permissions(appartenance.groupe)
    return appartenance


@transaction.atomic
def pilote_designer(*, groupe, auteur, pilote, date_designation, accord_maire_le, accord_prefet_le):
    """Désigne le pilote parmi les membres actifs ; l'ancien pilote redevient membre."""
    # Verrou sur le groupe : deux désignations simultanées ne se croisent pas.
    groupe = GroupeOperationnel.objects.select_for_update().get(pk=groupe.pk)
    nouvelle = groupe.appartenances.actives().filter(utilisateur=pilote).first()
    if nouvelle is None:
        raise ValidationError({"pilote": "Le pilote doit d'abord être membre du groupe."})
    if date_designation > timezone.localdate():
        raise ValidationError(
            {"date_designation": "La date de désignation ne peut pas être future."}
        )
    precedente = groupe.designations.filter(date_fin__isnull=True).first()
    if precedente:
        if precedente.pilote_id == pilote.pk:
            raise ValidationError({"pilote": "Cette personne est déjà le pilote du groupe."})
        if date_designation < precedente.date_designation:
            raise ValidationError(
                {"date_designation": "La désignation ne peut précéder celle du pilote actuel."}
            )
        precedente.date_fin = date_designation
        precedente.save(update_fields=["date_fin"])
    groupe.appartenances.actives().filter(role=Role.PILOTE).update(role=Role.MEMBRE)
    designation = DesignationPilote(
        groupe=groupe,
        pilote=pilote,
        date_designation=date_designation,
        accord_maire_le=accord_maire_le,
        accord_prefet_le=accord_prefet_le,
        designe_par=auteur,
    )
    designation.full_clean()
    designation.save()
    nouvelle.role = Role.PILOTE
    nouvelle.save(update_fields=["role"])
    groupe_synchroniser_permissions(groupe)
    return designation
