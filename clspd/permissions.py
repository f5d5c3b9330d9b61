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

import contextlib
import contextvars
import dataclasses
import functools
from enum import StrEnum

from django.apps import apps
from django.contrib.auth.models import Permission
from django.db import connection, transaction
from django.db.models import CharField, Q, Value
from django.db.models.functions import Cast
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


# La portée d'un utilisateur : ses permissions par conseil et par groupe ------------------


@dataclasses.dataclass(frozen=True)
class Portee:
    sur_conseils: dict  # {id de conseil: codenames détenus sur ce conseil}
    sur_groupes: dict  # {id de groupe: codenames détenus sur ce groupe}
    groupes_des_conseils: dict  # {id de groupe: id de son conseil}, conseils ci-dessus

    def conseils(self, action):
        du_conseil, _ = _ACCES[Action(action)]
        return {pk for pk, codenames in self.sur_conseils.items() if codenames & du_conseil}

    def groupes(self, action):
        du_groupe = _ACCES[Action(action)][1]
        conseils = self.conseils(action)
        return {pk for pk, codenames in self.sur_groupes.items() if codenames & du_groupe} | {
            pk for pk, conseil in self.groupes_des_conseils.items() if conseil in conseils
        }


# Le temps d'une requête, la portée de chacun n'est lue qu'une fois (``une_requete``, ouvert
# par un intergiciel) ; hors requête, à chaque appel. ``synchroniser`` l'oublie.
_portees_de_la_requete = contextvars.ContextVar("portees_de_la_requete", default=None)


@contextlib.contextmanager
def une_requete():
    jeton = _portees_de_la_requete.set({})
    try:
        yield
    finally:
        _portees_de_la_requete.reset(jeton)


@functools.cache
def _modeles_porteurs():
    """Le conseil et le groupe : les deux modèles qui portent les permissions."""
    conseil, groupe = None, None
    for model in apps.get_models():
        if getattr(model, "chemin_conseil", None) == "":
            conseil = model
        if getattr(model, "chemin_groupe", None) == "":
            groupe = model
    return conseil, groupe


# L'utilisateur dont la requête de la portée est compilée, remplacé à chaque exécution.
_QUI = -20261127


@functools.cache
def _requete_de_la_portee():
    """Le SQL de la portée et ses paramètres, compilés une fois par processus : seul
    l'utilisateur change (``_QUI``), et compiler cette union coûtait autant que la lire."""
    conseil, groupe = _modeles_porteurs()
    sur_conseils = get_user_obj_perms_model(conseil).objects.filter(user=_QUI).order_by()
    texte = CharField()
    lignes = sur_conseils.values_list(
        Value("conseil", texte), "content_object_id", "permission__codename"
    ).union(
        get_user_obj_perms_model(groupe)
        .objects.filter(user=_QUI)
        .order_by()
        .values_list(Value("groupe", texte), "content_object_id", "permission__codename"),
        groupe._default_manager.filter(
            **{f"{groupe.chemin_conseil}__in": sur_conseils.values("content_object_id")}
        )
        .order_by()
        .values_list(Value("dans", texte), "pk", Cast(groupe.chemin_conseil, texte)),
        all=True,
    )
    return lignes.query.sql_with_params()


def portee(user):
    """Les permissions de l'utilisateur, en une requête sur les deux tables directes (par
    leur index sur l'utilisateur) et les groupes des conseils où il en a une ; aucune pour
    un compte inactif ou anonyme."""
    if not (user.is_authenticated and user.is_active):
        return Portee({}, {}, {})
    portees = _portees_de_la_requete.get()
    if portees is not None and user.pk in portees:
        return portees[user.pk]
    sql, parametres = _requete_de_la_portee()
    with connection.cursor() as curseur:
        curseur.execute(sql, [user.pk if p == _QUI else p for p in parametres])
        lignes = curseur.fetchall()
    resultat = Portee({}, {}, {})
    for source, pk, valeur in lignes:
        if source == "dans":
            resultat.groupes_des_conseils[pk] = int(valeur)
        else:
            cible = resultat.sur_conseils if source == "conseil" else resultat.sur_groupes
            cible.setdefault(pk, set()).add(valeur)
    if portees is not None:
        portees[user.pk] = resultat
    return resultat


def _oublier_les_portees():
    portees = _portees_de_la_requete.get()
    if portees is not None:
        portees.clear()


# Filtrer, accéder ----------------------------------------------------------------------------


def _dans(chemin):
    return f"{chemin}__in" if chemin else "pk__in"


def filtrer(user, queryset, action):
    """Les objets du queryset sur lesquels l'utilisateur peut faire l'action : ceux de ses
    groupes (ou de ses conseils), donnés par leurs identifiants. La base part de ces
    quelques clés, par les index des clés étrangères, au lieu d'examiner chaque ligne."""
    model = queryset.model
    chemin_groupe = getattr(model, "chemin_groupe", None)
    if chemin_groupe is None:
        permis = portee(user).conseils(action)
        return queryset.filter(**{_dans(model.chemin_conseil): sorted(permis)})
    return queryset.filter(**{_dans(chemin_groupe): sorted(portee(user).groupes(action))})


def groupes_permis(user, action):
    """Les identifiants des groupes où l'utilisateur peut faire l'action."""
    return portee(user).groupes(action)


def obtenir_ou_404(user, queryset, action, **lookup):
    """L'objet demandé s'il est à la portée de l'utilisateur, sinon 404."""
    if not hasattr(queryset, "model"):
        queryset = queryset._default_manager.all()
    return get_object_or_404(filtrer(user, queryset, action), **lookup)


def peut(user, action, obj):
    return Action(action) in _permises(user, obj)


def actions_permises(user, obj):
    """Les actions permises sur un objet (pour les drapeaux des gabarits)."""
    return _permises(user, obj) & _actions_applicables(type(obj))


def _permises(user, obj):
    la_portee = portee(user)
    if not (la_portee.sur_conseils or la_portee.sur_groupes):
        return set()  # aucune permission nulle part (ou compte inactif, ou anonyme)
    chemin_groupe = getattr(type(obj), "chemin_groupe", None)
    conseil_pk, groupe_pk = _conseil_et_groupe(obj)
    sur_le_conseil = la_portee.sur_conseils.get(conseil_pk, set())
    sur_le_groupe = la_portee.sur_groupes.get(groupe_pk, set())
    return {
        action
        for action, (du_conseil, du_groupe) in _ACCES.items()
        if sur_le_conseil & du_conseil or (chemin_groupe is not None and sur_le_groupe & du_groupe)
    }


def _conseil_et_groupe(obj):
    """Les identifiants du conseil et du groupe de l'objet, lus sur les objets liés déjà
    chargés, sinon en une requête."""
    chemins = [type(obj).chemin_conseil, getattr(type(obj), "chemin_groupe", None)]
    try:
        return [None if chemin is None else _id_charge(obj, chemin) for chemin in chemins]
    except LookupError:
        valeurs = [chemin or "pk" for chemin in chemins if chemin is not None]
        ligne = type(obj)._default_manager.filter(pk=obj.pk).values_list(*valeurs).first()
        return [*(ligne or ()), None, None][:2]


def _id_charge(obj, chemin):
    if not chemin:
        return obj.pk
    *relations, derniere = chemin.split("__")
    for nom in relations:
        if not type(obj)._meta.get_field(nom).is_cached(obj):
            raise LookupError(nom)
        obj = getattr(obj, nom)
    return getattr(obj, type(obj)._meta.get_field(derniere).attname)


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
    _oublier_les_portees()
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
