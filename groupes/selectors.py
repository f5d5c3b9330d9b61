"""Lectures des groupes, toujours déjà filtrées pour l'utilisateur."""

from django.db.models import Count, Prefetch, Q

from clspd import permissions
from clspd.permissions import Action
from groupes.models import Appartenance, DesignationPilote, GroupeOperationnel

_PILOTES = Prefetch(
    "appartenances",
    queryset=Appartenance.objects.actives()
    .filter(role=Appartenance.Role.PILOTE)
    .select_related("utilisateur", "institution"),
    to_attr="pilotes_actifs",
)


def _avec_synthese(queryset):
    return (
        queryset.select_related("conseil", "programme", "territoire")
        .annotate(nb_membres=Count("appartenances", filter=Q(appartenances__date_fin__isnull=True)))
        .prefetch_related(_PILOTES)
    )


def mes_appartenances(user):
    """Les groupes dont l'utilisateur est actuellement membre (« Mes groupes »)."""
    return (
        Appartenance.objects.actives()
        .filter(utilisateur=user)
        .select_related("groupe__conseil", "groupe__programme", "groupe__territoire", "institution")
        .order_by("groupe__conseil__nom", "groupe__nom")
    )


def groupes_du_conseil(user, conseil, **filtres):
    """La synthèse des groupes d'un conseil, pour son coordonnateur et sa formation
    restreinte : nom, nature, programme, territoire, pilote, nombre de membres."""
    groupes = GroupeOperationnel.objects.filter(conseil=conseil, **filtres)
    return _avec_synthese(permissions.filtrer(user, groupes, Action.CONSULTER)).order_by(
        "-actif", "nom"
    )


def groupe_pour_lecture(user, pk):
    return permissions.obtenir_ou_404(
        user,
        GroupeOperationnel.objects.select_related("conseil", "programme", "territoire"),
        Action.LIRE,
        pk=pk,
    )


def groupe_pour_coordination(user, pk):
    return permissions.obtenir_ou_404(
        user,
        GroupeOperationnel.objects.select_related("conseil", "programme", "territoire"),
        Action.COORDONNER,
        pk=pk,
    )


def membres_du_groupe(groupe):
    return (
        groupe.appartenances.actives()
        .select_related("utilisateur", "institution")
        .order_by("-role", "utilisateur__last_name", "utilisateur__first_name")
    )


def anciens_membres_du_groupe(groupe):
    return (
        groupe.appartenances.filter(date_fin__isnull=False)
        .select_related("utilisateur", "institution")
        .order_by("-date_fin")
    )


def designations_du_groupe(groupe):
    return DesignationPilote.objects.filter(groupe=groupe).select_related("pilote", "designe_par")
