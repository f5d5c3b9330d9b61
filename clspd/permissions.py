"""La seule porte des permissions : rôles, attributions, filtrage et accès à un objet.

django-guardian conserve les permissions par objet, dans des tables directes (clés
étrangères) sur deux modèles seulement : le conseil et le groupe opérationnel. Tout autre
objet est autorisé à travers eux, en déclarant son chemin :

- ``chemin_conseil`` : chemin ORM vers le conseil (``""`` pour le conseil lui-même) ;
- ``chemin_groupe`` : chemin ORM vers le groupe (``""`` pour le groupe lui-même),
  seulement pour les objets qui appartiennent à un groupe.

Ce module ne connaît pas les applications qui l'utilisent : il suit ces chemins.
Un objet hors de portée donne une 404, jamais une 403, pour ne rien révéler.
"""

from enum import StrEnum

from django.contrib.auth.models import Permission
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.shortcuts import get_object_or_404
from guardian.utils import get_user_obj_perms_model


class Action(StrEnum):
    LIRE = "lire"  # le contenu d'un groupe
    LIRE_PLANS = "lire_plans"  # les plans d'action d'un groupe (aussi la formation restreinte)
    PILOTER = "piloter"  # modifier le contenu d'un groupe
    CONSULTER = "consulter"  # la synthèse d'un conseil (formation restreinte)
    STATUER = "statuer"  # décider des propositions d'actions (formation restreinte)
    COORDONNER = "coordonner"  # configurer un conseil et tous ses groupes


class Role(StrEnum):
    COORDONNATEUR = "coordonnateur"
    FORMATION_RESTREINTE = "formation_restreinte"
    PILOTE = "pilote"
    MEMBRE = "membre"
    INVITE = "invite"


# Permissions (codenames guardian) que donne chaque rôle, sur le conseil ou sur le groupe.
PERMISSIONS_DU_ROLE = {
    Role.COORDONNATEUR: {"coordonner_conseil"},
    Role.FORMATION_RESTREINTE: {"consulter_conseil"},
    Role.PILOTE: {"view_groupeoperationnel", "piloter_groupe"},
    Role.MEMBRE: {"view_groupeoperationnel"},
    Role.INVITE: {"view_groupeoperationnel"},
}

# Pour chaque action, les permissions qui l'ouvrent : sur le conseil, puis sur le groupe.
# Le coordonnateur ouvre tout dans son conseil. La formation restreinte ne lit aucun contenu
# de groupe, sauf les plans d'action, qu'elle adopte et dont elle évalue les actions.
_ACCES = {
    Action.LIRE: ({"coordonner_conseil"}, {"view_groupeoperationnel"}),
    Action.LIRE_PLANS: (
        {"coordonner_conseil", "consulter_conseil"},
        {"view_groupeoperationnel"},
    ),
    Action.PILOTER: ({"coordonner_conseil"}, {"piloter_groupe"}),
    Action.CONSULTER: ({"coordonner_conseil", "consulter_conseil"}, set()),
    Action.STATUER: ({"coordonner_conseil", "consulter_conseil"}, set()),
    Action.COORDONNER: ({"coordonner_conseil"}, set()),
}


def _modele_au_bout(model, chemin):
    for nom in filter(None, chemin.split("__")):
        model = model._meta.get_field(nom).related_model
    return model


def _ref(chemin):
    return OuterRef(f"{chemin}__pk" if chemin else "pk")


def _condition(user, model, action):
    """Condition SQL (EXISTS sur les tables directes, indexées) : l'utilisateur peut agir."""
    perms_conseil, perms_groupe = _ACCES[Action(action)]
    chemin_conseil = model.chemin_conseil
    chemin_groupe = getattr(model, "chemin_groupe", None)

    modele_conseil = _modele_au_bout(model, chemin_conseil)
    condition = Exists(
        get_user_obj_perms_model(modele_conseil).objects.filter(
            user=user,
            permission__codename__in=perms_conseil,
            content_object=_ref(chemin_conseil),
        )
    )
    if perms_groupe and chemin_groupe is not None:
        modele_groupe = _modele_au_bout(model, chemin_groupe)
        condition |= Exists(
            get_user_obj_perms_model(modele_groupe).objects.filter(
                user=user,
                permission__codename__in=perms_groupe,
                content_object=_ref(chemin_groupe),
            )
        )
    return condition


def filtrer(user, queryset, action):
    """Les objets du queryset sur lesquels l'utilisateur peut faire l'action."""
    if not (user.is_authenticated and user.is_active):
        return queryset.none()
    return queryset.filter(_condition(user, queryset.model, action))


def obtenir_ou_404(user, queryset, action, **lookup):
    """L'objet demandé s'il est à la portée de l'utilisateur, sinon 404."""
    if not hasattr(queryset, "model"):
        queryset = queryset._default_manager.all()
    return get_object_or_404(filtrer(user, queryset, action), **lookup)


def peut(user, action, obj):
    return filtrer(user, type(obj)._default_manager.filter(pk=obj.pk), action).exists()


def actions_permises(user, obj):
    """Les actions permises sur un objet, en une requête (pour les drapeaux des gabarits)."""
    if not (user.is_authenticated and user.is_active):
        return set()
    model = type(obj)
    annotations = {
        f"peut_{action}": _condition(user, model, action)
        for action in Action
        if action in _actions_applicables(model)
    }
    ligne = (
        model._default_manager.filter(pk=obj.pk)
        .annotate(**annotations)
        .values(*annotations)
        .first()
        or {}
    )
    return {nom.removeprefix("peut_") for nom, permis in ligne.items() if permis}


def _actions_applicables(model):
    if getattr(model, "chemin_groupe", None) is not None:
        return set(Action)
    return {Action.CONSULTER, Action.STATUER, Action.COORDONNER}


def synchroniser(obj, roles_par_utilisateur):
    """Aligne les permissions guardian de l'objet sur les rôles donnés.

    ``roles_par_utilisateur`` : {id d'utilisateur: ensemble de rôles}, calculé par le
    service qui vient de changer une appartenance, un pilote, un coordonnateur ou la
    formation restreinte. Seules les permissions que donnent les rôles sont touchées.
    """
    modele_perm = get_user_obj_perms_model(obj)
    codenames = set().union(*PERMISSIONS_DU_ROLE.values())
    permissions = {
        p.codename: p.pk
        for p in Permission.objects.filter(
            content_type__app_label=obj._meta.app_label,
            content_type__model=obj._meta.model_name,
            codename__in=codenames,
        )
    }
    voulues = {
        (user_id, permissions[codename])
        for user_id, roles in roles_par_utilisateur.items()
        for role in roles
        for codename in PERMISSIONS_DU_ROLE[Role(role)]
        if codename in permissions
    }
    with transaction.atomic():
        existantes = modele_perm.objects.filter(
            content_object=obj, permission_id__in=permissions.values()
        )
        actuelles = set(existantes.values_list("user_id", "permission_id"))
        en_trop = actuelles - voulues
        if en_trop:
            retrait = Q()
            for user_id, permission_id in en_trop:
                retrait |= Q(user_id=user_id, permission_id=permission_id)
            existantes.filter(retrait).delete()
        modele_perm.objects.bulk_create(
            modele_perm(user_id=user_id, permission_id=permission_id, content_object=obj)
            for user_id, permission_id in voulues - actuelles
        )
