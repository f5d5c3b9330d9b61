"""Vues des groupes : accueil, synthèse d'un conseil, fiche d'un groupe, membres, pilote."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from clspd import historique, permissions
from clspd import selectors as conseil_selectors
from clspd.forms import FinForm, ajouter_erreurs
from clspd.permissions import Action
from clspd.sessions import authentification_recente
from clspd.views import base_url, donnees_envoyees, paginer
from groupes import selectors, services
from groupes.forms import GroupeFiltreForm, GroupeForm, MembreAjouterForm, PiloteDesignerForm
from groupes.models import Appartenance, Charte, DesignationPilote, GroupeOperationnel


def accueil(request):
    return render(
        request,
        "groupes/accueil.html",
        {
            "appartenances": selectors.mes_appartenances(request.user),
            "conseils": conseil_selectors.conseils_consultables(request.user),
        },
    )


def conseil_groupes(request, conseil_pk):
    """Page d'accueil d'un conseil : la synthèse de ses groupes, filtrable."""
    conseil = conseil_selectors.conseil_pour(request.user, conseil_pk, Action.CONSULTER)
    filtre = GroupeFiltreForm(request.GET or None, conseil=conseil)
    groupes = selectors.groupes_du_conseil(request.user, conseil, **filtre.filtres())
    querystring = request.GET.copy()
    querystring.pop("page", None)
    return render(
        request,
        "groupes/conseil_groupes.html",
        {
            "conseil": conseil,
            "filtre": filtre,
            "page_obj": paginer(request, groupes),
            "querystring": querystring.urlencode(),
            "peut_coordonner": permissions.peut(request.user, Action.COORDONNER, conseil),
        },
    )


def groupe_detail(request, pk):
    groupe = selectors.groupe_pour_lecture(request.user, pk)
    actions = permissions.actions_permises(request.user, groupe)
    peut_coordonner = Action.COORDONNER in actions
    return render(
        request,
        "groupes/groupe_detail.html",
        {
            "groupe": groupe,
            "membres": selectors.membres_du_groupe(groupe),
            "anciens_membres": (
                selectors.anciens_membres_du_groupe(groupe) if peut_coordonner else None
            ),
            "designations": selectors.designations_du_groupe(groupe),
            "reunions_a_venir": selectors.reunions_a_venir(groupe),
            "peut_piloter": Action.PILOTER in actions,
            "peut_coordonner": peut_coordonner,
            "peut_consulter_conseil": Action.CONSULTER in actions,
            "suivi_individuel": selectors.a_un_suivi_individuel(groupe),
        },
    )


def groupe_creer(request, conseil_pk):
    conseil = conseil_selectors.conseil_pour(request.user, conseil_pk, Action.COORDONNER)
    form = GroupeForm(donnees_envoyees(request), instance=GroupeOperationnel(conseil=conseil))
    if request.method == "POST" and form.is_valid():
        try:
            groupe = services.groupe_creer(conseil=conseil, **form.cleaned_data)
        except ValidationError as erreur:
            ajouter_erreurs(form, erreur)
        else:
            messages.success(request, f"Le groupe « {groupe.nom} » est créé.")
            return redirect(groupe)
    return render(request, "groupes/groupe_formulaire.html", {"form": form, "conseil": conseil})


def groupe_modifier(request, pk):
    groupe = selectors.groupe_pour_coordination(request.user, pk)
    form = GroupeForm(donnees_envoyees(request), instance=groupe)
    if request.method == "POST" and form.is_valid():
        try:
            services.groupe_modifier(groupe, **form.cleaned_data)
        except ValidationError as erreur:
            ajouter_erreurs(form, erreur)
        else:
            messages.success(request, f"Le groupe « {groupe.nom} » est enregistré.")
            return redirect(groupe)
    return render(
        request,
        "groupes/groupe_formulaire.html",
        {"form": form, "conseil": groupe.conseil, "groupe": groupe},
    )


@authentification_recente
def membre_ajouter(request, pk):
    groupe = selectors.groupe_pour_coordination(request.user, pk)
    form = MembreAjouterForm(donnees_envoyees(request), conseil=groupe.conseil)
    if request.method == "POST" and form.is_valid():
        try:
            appartenance, invitation = services.membre_ajouter(
                groupe=groupe, auteur=request.user, base_url=base_url(request), **form.cleaned_data
            )
        except ValidationError as erreur:
            ajouter_erreurs(form, erreur)
        else:
            messages.success(request, f"{appartenance.utilisateur} est membre du groupe.")
            if invitation:
                messages.info(request, "Une invitation à activer son compte lui a été envoyée.")
            return redirect(groupe)
    return render(request, "groupes/membre_ajouter.html", {"form": form, "groupe": groupe})


@authentification_recente
def membre_retirer(request, pk, appartenance_pk):
    groupe = selectors.groupe_pour_coordination(request.user, pk)
    appartenance = get_object_or_404(selectors.membres_du_groupe(groupe), pk=appartenance_pk)
    form = FinForm(donnees_envoyees(request), initial={"date_fin": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.membre_retirer(appartenance, date_fin=form.cleaned_data["date_fin"])
        except ValidationError as erreur:
            ajouter_erreurs(form, erreur)
        else:
            messages.success(request, f"{appartenance.utilisateur} ne fait plus partie du groupe.")
            return redirect(groupe)
    return render(
        request,
        "groupes/membre_retirer.html",
        {"form": form, "groupe": groupe, "appartenance": appartenance},
    )


@authentification_recente
def pilote_designer(request, pk):
    groupe = selectors.groupe_pour_coordination(request.user, pk)
    form = PiloteDesignerForm(donnees_envoyees(request), groupe=groupe)
    if request.method == "POST" and form.is_valid():
        try:
            designation = services.pilote_designer(
                groupe=groupe, auteur=request.user, **form.cleaned_data
            )
        except ValidationError as erreur:
            ajouter_erreurs(form, erreur)
        else:
            messages.success(request, f"{designation.pilote} est désigné(e) pilote du groupe.")
            return redirect(groupe)
    return render(
        request,
        "groupes/pilote_designer.html",
        {"form": form, "groupe": groupe, "designations": selectors.designations_du_groupe(groupe)},
    )


def groupe_historique(request, pk):
    """Le groupe, ses appartenances, ses pilotes et sa charte : pour qui lit le groupe."""
    groupe = selectors.groupe_pour_lecture(request.user, pk)
    return historique.page(
        request,
        titre=groupe.nom,
        retour=groupe.get_absolute_url(),
        historiques=[
            GroupeOperationnel.historique.filter(id=groupe.pk),
            Appartenance.historique.filter(groupe_id=groupe.pk),
            DesignationPilote.historique.filter(groupe_id=groupe.pk),
            Charte.historique.filter(groupe_id=groupe.pk),
        ],
    )
