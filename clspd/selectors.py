"""Lectures du cœur, filtrées pour l'utilisateur."""

from clspd import permissions
from clspd.models import Conseil, Institution, MembreFormationRestreinte, Territoire
from clspd.permissions import Action


def conseils_consultables(user):
    """Les conseils que l'utilisateur coordonne ou dont il siège à la formation restreinte."""
    return permissions.filtrer(user, Conseil.objects.all(), Action.CONSULTER)


def conseil_pour(user, pk, action):
    return permissions.obtenir_ou_404(user, Conseil, action, pk=pk)


def institutions_du_conseil(conseil):
    return Institution.objects.filter(conseil=conseil).order_by("nom")


def institution_pour_coordination(user, pk):
    return permissions.obtenir_ou_404(
        user, Institution.objects.select_related("conseil"), Action.COORDONNER, pk=pk
    )


def territoires_du_conseil(conseil):
    return Territoire.objects.filter(conseil=conseil).select_related("commune").order_by("nom")


def territoire_pour_coordination(user, pk):
    return permissions.obtenir_ou_404(
        user, Territoire.objects.select_related("conseil"), Action.COORDONNER, pk=pk
    )


def formation_restreinte_du_conseil(conseil):
    return (
        MembreFormationRestreinte.objects.filter(conseil=conseil, date_fin__isnull=True)
        .select_related("utilisateur", "institution", "programme")
        .order_by("programme__ordre", "utilisateur__last_name", "utilisateur__first_name")
    )


def siege_pour_coordination(user, pk):
    return permissions.obtenir_ou_404(
        user,
        MembreFormationRestreinte.objects.select_related("conseil", "utilisateur"),
        Action.COORDONNER,
        pk=pk,
        date_fin__isnull=True,
    )
