"""Vues des plans d'action d'un groupe : le plan et son état des lieux, le schéma local de
tranquillité publique, les actions, leurs décisions de réunion et leurs financements, la
proposition d'une action à la formation restreinte.

Les membres du groupe, le coordonnateur et la formation restreinte lisent ; le pilote et le
coordonnateur écrivent. Un plan clos se lit seulement : ses services le refusent, et leur
message s'affiche dans le formulaire.
"""

import copy

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse

from clspd import historique, permissions, rendus
from clspd.forms import ajouter_erreurs
from clspd.permissions import Action as Acces
from clspd.revisions import ModificationConcurrente, montrer_le_conflit
from clspd.views import confirmer, donnees_envoyees, paginer, reussit
from groupes import selectors as groupe_selectors
from programmes import selectors, services
from programmes.forms import (
    ActionForm,
    DecisionDelierForm,
    DecisionLierForm,
    FinancementForm,
    LieuSensibleForm,
    MesureForm,
    PeriodeSensibleForm,
    PlanForm,
    PropositionForm,
)
from programmes.models import (
    Action,
    Financement,
    LieuSensible,
    Mesure,
    PeriodeSensible,
    PlanAction,
    Proposition,
)


def _droits(request, groupe):
    """Les drapeaux des gabarits, en une requête. La formation restreinte lit les plans mais
    pas le reste du groupe : ni sa fiche, ni ses réunions ne lui sont liées."""
    permises = permissions.actions_permises(request.user, groupe)
    return {
        "peut_lire_groupe": Acces.LIRE in permises,
        "peut_piloter": Acces.PILOTER in permises,
    }


def _copie(objet):
    """L'objet que le formulaire valide : une copie, pour que la page d'une saisie refusée
    montre encore l'objet tel qu'il est enregistré (son titre, dans le fil d'Ariane)."""
    return copy.copy(objet)


def _page(request, gabarit, plan, form, **contexte):
    """Une page d'écriture du plan : seuls le pilote et le coordonnateur y viennent."""
    return render(
        request,
        gabarit,
        {
            "plan": plan,
            "groupe": plan.groupe,
            "form": form,
            "peut_lire_groupe": True,
            **contexte,
        },
    )


def _confirmer(request, plan, *, service, libelle, gabarit, succes, retour, **contexte):
    """Une suppression : une page de confirmation (GET), puis le service (POST)."""
    return confirmer(
        request,
        service=service,
        libelle=libelle,
        gabarit=gabarit,
        succes=succes,
        retour=retour,
        contexte={
            "plan": plan,
            "groupe": plan.groupe,
            "peut_lire_groupe": True,
            "retour": retour,
            **contexte,
        },
    )


def _vers_schema(plan):
    return reverse("programmes:plan_detail", args=[plan.pk]) + "#titre-schema"


# Plans --------------------------------------------------------------------------------------


def plan_liste(request, pk):
    groupe = selectors.groupe_pour_plans(request.user, pk)
    return render(
        request,
        "programmes/plan_liste.html",
        {
            "groupe": groupe,
            "page_obj": paginer(request, selectors.plans_du_groupe(groupe)),
            **_droits(request, groupe),
        },
    )


def _lisible(objet, nom):
    """La valeur d'un champ telle qu'on la lit : le libellé d'un choix, sinon la valeur."""
    libelle = getattr(objet, f"get_{nom}_display", None)
    return libelle() if libelle else getattr(objet, nom)


def _formulaire_plan(request, groupe, plan=None):
    form = PlanForm(donnees_envoyees(request), instance=_copie(plan) or PlanAction(groupe=groupe))
    enregistre = None  # la version d'une autre personne, après un conflit
    if request.method == "POST" and form.is_valid():
        try:
            if plan is None:
                plan = services.plan_creer(groupe=groupe, **form.champs())
            else:
                plan = services.plan_modifier(
                    plan, revision=form.cleaned_data["revision"], **form.champs()
                )
        except ModificationConcurrente as conflit:
            montrer_le_conflit(form, conflit)
            enregistre = [
                (form[nom].label, _lisible(conflit.objet, nom))
                for nom in form.fields
                if nom != "revision"
            ]
        except ValidationError as erreur:
            ajouter_erreurs(form, erreur)
        else:
            messages.success(request, f"Le plan d'action « {plan.titre} » est enregistré.")
            return redirect(plan)
    return render(
        request,
        "programmes/plan_formulaire.html",
        {
            "groupe": groupe,
            "plan": plan,
            "form": form,
            "peut_lire_groupe": True,
            "version_enregistree": enregistre,
        },
    )


def plan_creer(request, pk):
    groupe = groupe_selectors.groupe_pour_pilotage(request.user, pk)
    return _formulaire_plan(request, groupe)


def plan_modifier(request, pk):
    plan = selectors.plan_pour_pilotage(request.user, pk)
    return _formulaire_plan(request, plan.groupe, plan)


def _contenu_du_plan(plan):
    """Ce que montrent la page du plan et son PDF."""
    return {
        "plan": plan,
        "groupe": plan.groupe,
        "totaux": selectors.totaux_du_plan(plan),
        "lieux": selectors.lieux_du_plan(plan) if plan.a_un_schema_de_tranquillite else None,
    }


def plan_detail(request, pk):
    plan = selectors.plan_pour_lecture(request.user, pk)
    droits = _droits(request, plan.groupe)
    page = paginer(request, selectors.actions_du_plan(plan))
    page.object_list = selectors.ajouter_totaux(page.object_list)
    return render(
        request,
        "programmes/plan_detail.html",
        {
            **_contenu_du_plan(plan),
            **droits,
            "actions": page,
            "page_obj": page,
            # Les boutons seulement : les services refusent d'eux-mêmes un plan clos.
            "peut_modifier": droits["peut_piloter"] and not plan.est_clos,
        },
    )


# Le tableau des actions du PDF (8 pt ; titre, porteur et partenaires sur 30, 15 et 20 %
# de la largeur : pdf/plan_action.html) : caractères par ligne de chacune de ces colonnes.
CARACTERES_DES_COLONNES = (22, 12, 15)


def pages_du_plan(plan, actions, lieux):
    """Le nombre de pages estimé du PDF, en lignes de texte : l'en-tête et les totaux,
    l'état des lieux, les lieux sensibles, puis une rangée du tableau par action, aussi
    haute que la plus longue de ses cellules de texte (deux lignes au moins : le statut ;
    une ligne de 8 pt vaut 0,8 ligne du corps, plus la marge de la cellule). Étalonné (et
    plutôt surestimé) dans tests/clspd/test_rendus.py."""
    total = 25
    if plan.a_un_etat_des_lieux:
        champs = (plan.dispositifs_existants, plan.acteurs, plan.constats, plan.articulation)
        total += 8 + sum(rendus.lignes(champ) for champ in champs)
    for lieu in lieux or []:
        total += 12 + rendus.lignes(lieu.description) + 1.5 * max(1, len(lieu.periodes.all()))
        total += sum(1.5 + rendus.lignes(m.description, 40) for m in lieu.mesures.all())
    for action in actions:
        partenaires = ", ".join(str(p) for p in action.partenaires.all())
        cellules = (action.titre, str(action.porteur or ""), partenaires)
        hauteur = max(
            2,
            *(
                rendus.lignes(texte, largeur)
                for texte, largeur in zip(cellules, CARACTERES_DES_COLONNES, strict=True)
            ),
        )
        total += 0.8 * hauteur + 0.7
    return rendus.pages(total)


@rendus.document("plan d'action")
def document_du_plan(utilisateur, *, pk):
    plan = selectors.plan_pour_lecture(utilisateur, pk)
    contenu = _contenu_du_plan(plan)
    actions = selectors.ajouter_totaux(selectors.actions_du_plan(plan))
    return rendus.Document(
        gabarit="pdf/plan_action.html",
        contexte={**contenu, "actions": actions, "peut_modifier": False},
        nom_fichier=f"plan-d-action-{plan.groupe.nom}-{plan.date_debut:%Y}.pdf",
        pages_estimees=pages_du_plan(plan, actions, contenu["lieux"]),
    )


def plan_pdf(request, pk):
    return rendus.repondre(request, document_du_plan, pk=pk)


# Schéma local de tranquillité publique ------------------------------------------------------


def _formulaire_lieu(request, plan, lieu=None):
    form = LieuSensibleForm(
        donnees_envoyees(request), instance=_copie(lieu) or LieuSensible(plan=plan)
    )
    if request.method == "POST" and form.is_valid():
        if lieu is None:
            reussi = reussit(form, services.lieu_sensible_creer, plan=plan, **form.champs())
        else:
            reussi = reussit(form, services.lieu_sensible_modifier, lieu, **form.champs())
        if reussi:
            messages.success(request, "Le lieu sensible est enregistré.")
            return redirect(_vers_schema(plan))
    return _page(request, "programmes/lieu_formulaire.html", plan, form, lieu=lieu)


def lieu_creer(request, pk):
    plan = selectors.plan_pour_pilotage(request.user, pk)
    return _formulaire_lieu(request, plan)


def lieu_modifier(request, pk):
    lieu = selectors.lieu_pour_pilotage(request.user, pk)
    return _formulaire_lieu(request, lieu.plan, lieu)


def lieu_supprimer(request, pk):
    lieu = selectors.lieu_pour_pilotage(request.user, pk)
    return _confirmer(
        request,
        lieu.plan,
        service=lambda: services.lieu_sensible_supprimer(lieu),
        libelle="Supprimer le lieu",
        gabarit="programmes/lieu_supprimer.html",
        succes=f"Le lieu sensible « {lieu.nom} » est supprimé, avec ses périodes et ses mesures.",
        retour=_vers_schema(lieu.plan),
        lieu=lieu,
    )


def periode_ajouter(request, pk):
    lieu = selectors.lieu_pour_pilotage(request.user, pk)
    form = PeriodeSensibleForm(donnees_envoyees(request))
    if (
        request.method == "POST"
        and form.is_valid()
        and reussit(form, services.periode_ajouter, lieu=lieu, **form.cleaned_data)
    ):
        messages.success(request, f"La période sensible est ajoutée au lieu « {lieu.nom} ».")
        return redirect(_vers_schema(lieu.plan))
    return _page(request, "programmes/periode_formulaire.html", lieu.plan, form, lieu=lieu)


def periode_supprimer(request, pk):
    periode = selectors.objet_du_lieu_pour_pilotage(request.user, PeriodeSensible, pk)
    lieu = periode.lieu
    return _confirmer(
        request,
        lieu.plan,
        service=lambda: services.periode_supprimer(periode),
        libelle="Supprimer la période",
        gabarit="programmes/periode_supprimer.html",
        succes=f"La période sensible est retirée du lieu « {lieu.nom} ».",
        retour=_vers_schema(lieu.plan),
        lieu=lieu,
        periode=periode,
    )


def mesure_ajouter(request, pk):
    lieu = selectors.lieu_pour_pilotage(request.user, pk)
    form = MesureForm(donnees_envoyees(request), instance=Mesure(lieu=lieu))
    if (
        request.method == "POST"
        and form.is_valid()
        and reussit(form, services.mesure_ajouter, lieu=lieu, **form.champs())
    ):
        messages.success(request, f"La mesure est ajoutée au lieu « {lieu.nom} ».")
        return redirect(_vers_schema(lieu.plan))
    return _page(request, "programmes/mesure_formulaire.html", lieu.plan, form, lieu=lieu)


def mesure_supprimer(request, pk):
    mesure = selectors.objet_du_lieu_pour_pilotage(request.user, Mesure, pk)
    lieu = mesure.lieu
    return _confirmer(
        request,
        lieu.plan,
        service=lambda: services.mesure_supprimer(mesure),
        libelle="Supprimer la mesure",
        gabarit="programmes/mesure_supprimer.html",
        succes=f"La mesure est retirée du lieu « {lieu.nom} ».",
        retour=_vers_schema(lieu.plan),
        lieu=lieu,
        mesure=mesure,
    )


# Actions ------------------------------------------------------------------------------------


def _formulaire_action(request, plan, action=None):
    form = ActionForm(
        donnees_envoyees(request),
        instance=_copie(action) or Action(plan=plan, programme=plan.groupe.programme),
    )
    if request.method == "POST" and form.is_valid():
        champs = form.champs()
        try:
            if action is None:
                action = services.action_creer(plan=plan, **champs)
            else:
                services.action_modifier(action, **champs)
        except ValidationError as erreur:
            ajouter_erreurs(form, erreur)
        else:
            messages.success(request, f"L'action « {action.titre} » est enregistrée.")
            return redirect(action)
    return _page(request, "programmes/action_formulaire.html", plan, form, action=action)


def action_creer(request, pk):
    plan = selectors.plan_pour_pilotage(request.user, pk)
    return _formulaire_action(request, plan)


def action_modifier(request, pk):
    action = selectors.action_pour_pilotage(request.user, pk)
    return _formulaire_action(request, action.plan, action)


def action_detail(request, pk):
    action = selectors.action_pour_lecture(request.user, pk)
    plan = action.plan
    droits = _droits(request, plan.groupe)
    propositions = list(selectors.propositions_de_l_action(action))
    peut_modifier = droits["peut_piloter"] and not plan.est_clos
    return render(
        request,
        "programmes/action_detail.html",
        {
            "action": action,
            "plan": plan,
            "groupe": plan.groupe,
            "partenaires": action.partenaires.order_by("nom"),
            "financements": selectors.financements_de_l_action(action),
            "decisions": selectors.decisions_de_l_action(action),
            "propositions": propositions,
            **droits,
            "peut_modifier": peut_modifier,
            "peut_proposer": (
                peut_modifier
                and action.statut == Action.Statut.PROPOSEE
                and not any(p.est_en_attente for p in propositions)
            ),
        },
    )


def action_decisions(request, pk):
    """Les décisions de réunion liées à l'action : en lier une (liste des décisions actées du
    groupe), en délier une (un bouton par décision)."""
    action = selectors.action_pour_pilotage(request.user, pk)
    donnees = donnees_envoyees(request)
    delier = donnees is not None and donnees.get("operation") == "delier"
    liees = selectors.decisions_de_l_action(action)
    form_lier = DecisionLierForm(
        None if delier else donnees, decisions=selectors.decisions_a_lier(action)
    )
    form_delier = DecisionDelierForm(donnees if delier else None, decisions=liees)
    if request.method == "POST":
        form, service, succes = (
            (form_delier, services.action_delier_decision, "La décision est déliée de l'action.")
            if delier
            else (form_lier, services.action_lier_decision, "La décision est liée à l'action.")
        )
        if form.is_valid() and reussit(form, service, action, form.cleaned_data["decision"]):
            messages.success(request, succes)
            return redirect("programmes:action_decisions", pk=action.pk)
    return _page(
        request,
        "programmes/action_decisions.html",
        action.plan,
        form_lier,
        action=action,
        decisions=liees,
        form_delier=form_delier,
    )


# Financements -------------------------------------------------------------------------------


def _formulaire_financement(request, action, financement=None):
    form = FinancementForm(
        donnees_envoyees(request), instance=_copie(financement) or Financement(action=action)
    )
    if request.method == "POST" and form.is_valid():
        if financement is None:
            reussi = reussit(form, services.financement_ajouter, action=action, **form.champs())
        else:
            reussi = reussit(form, services.financement_modifier, financement, **form.champs())
        if reussi:
            messages.success(request, "La ligne de financement est enregistrée.")
            return redirect(action)
    return _page(
        request,
        "programmes/financement_formulaire.html",
        action.plan,
        form,
        action=action,
        financement=financement,
    )


def financement_ajouter(request, pk):
    action = selectors.action_pour_pilotage(request.user, pk)
    return _formulaire_financement(request, action)


def financement_modifier(request, pk):
    financement = selectors.financement_pour_pilotage(request.user, pk)
    return _formulaire_financement(request, financement.action, financement)


def financement_supprimer(request, pk):
    financement = selectors.financement_pour_pilotage(request.user, pk)
    action = financement.action
    return _confirmer(
        request,
        action.plan,
        service=lambda: services.financement_supprimer(financement),
        libelle="Supprimer la ligne de financement",
        gabarit="programmes/financement_supprimer.html",
        succes="La ligne de financement est supprimée.",
        retour=action.get_absolute_url(),
        action=action,
        financement=financement,
    )


# Proposition à la formation restreinte ------------------------------------------------------


def action_proposer(request, pk):
    action = selectors.action_pour_pilotage(request.user, pk)
    form = PropositionForm(donnees_envoyees(request))
    if (
        request.method == "POST"
        and form.is_valid()
        and reussit(
            form,
            services.action_proposer,
            action,
            auteur=request.user,
            expose=form.cleaned_data["expose"],
        )
    ):
        messages.success(
            request, f"L'action « {action.titre} » est proposée à la formation restreinte."
        )
        return redirect(action)
    return _page(request, "programmes/action_proposer.html", action.plan, form, action=action)


def plan_historique(request, pk):
    """Le plan, son schéma de tranquillité, ses actions, leurs financements et propositions :
    pour qui lit le plan."""
    plan = selectors.plan_pour_lecture(request.user, pk)
    lieux = set(LieuSensible.historique.filter(plan_id=plan.pk).values_list("id", flat=True))
    actions = set(Action.historique.filter(plan_id=plan.pk).values_list("id", flat=True))
    return historique.page(
        request,
        titre=plan.titre,
        retour=plan.get_absolute_url(),
        historiques=[
            PlanAction.historique.filter(id=plan.pk),
            LieuSensible.historique.filter(plan_id=plan.pk),
            PeriodeSensible.historique.filter(lieu_id__in=lieux),
            Mesure.historique.filter(lieu_id__in=lieux),
            Action.historique.filter(plan_id=plan.pk),
            Financement.historique.filter(action_id__in=actions),
            Proposition.historique.filter(action_id__in=actions),
        ],
    )
