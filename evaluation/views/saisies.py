"""Vues de la saisie des indicateurs : le catalogue et les indicateurs locaux du conseil, le
paramétrage de l'évaluation d'une action, la saisie des valeurs par période, leur
validation ou leur renvoi par le pilote, et la liste « Mes saisies ».

Saisissent : le pilote et le coordonnateur, le référent de l'action et les membres du groupe
venus de l'institution porteuse (``selectors.evaluations_saisissables``). Tout autre reçoit
une 404. Les valeurs sont vérifiées par ``services.saisie_enregistrer`` : ses erreurs
s'affichent à côté de leur champ et rien n'est écrit.
"""

import copy

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from clspd import historique, permissions
from clspd.forms import ajouter_erreurs
from clspd.permissions import Action as Acces
from clspd.revisions import ModificationConcurrente, montrer_le_conflit
from clspd.selectors import conseil_pour, territoires_du_conseil
from clspd.views import confirmer, donnees_envoyees, paginer, reussit
from evaluation import selectors, services
from evaluation.forms import (
    IndicateurForm,
    ParametrageForm,
    PeriodeForm,
    RenvoiForm,
    SaisieForm,
    par_famille,
)
from evaluation.models import (
    HORS_TERRITOIRE,
    SEXES,
    TRANCHES_AGE,
    Indicateur,
    Rythme,
    Saisie,
    Valeur,
    libelle_periode,
)
from programmes import selectors as programmes_selectors

EN_COURS = (Saisie.Statut.BROUILLON, Saisie.Statut.RENVOYEE)


def _droits(request, groupe):
    """Les drapeaux des gabarits, en une requête (comme les pages des plans)."""
    permises = permissions.actions_permises(request.user, groupe)
    return {"peut_lire_groupe": Acces.LIRE in permises, "peut_piloter": Acces.PILOTER in permises}


def _valeurs_affichees(suivis, valeurs, territoires):
    """Les valeurs d'une saisie, prêtes à lire : [(famille, [ligne])], une ligne par
    indicateur suivi, avec son nombre, son texte ou sa répartition en tableaux."""
    categories = {
        "age": ("Par tranche d'âge", TRANCHES_AGE),
        "sexe": ("Par sexe", SEXES),
        "territoire": (
            "Par territoire",
            [(str(t.pk), t.nom) for t in territoires] + [HORS_TERRITOIRE],
        ),
    }
    lignes = []
    for suivi in suivis:
        indicateur = suivi.indicateur
        valeur = valeurs.get(indicateur.pk)
        repartition = valeur.repartition if valeur else None
        lignes.append(
            {
                "indicateur": indicateur,
                "nombre": valeur.nombre if valeur else None,
                "texte": valeur.texte if valeur else "",
                "repartition": [
                    {
                        "legende": legende,
                        "cases": [
                            (libelle, (repartition.get(dimension) or {}).get(cle, 0))
                            for cle, libelle in cles
                        ],
                    }
                    for dimension, (legende, cles) in categories.items()
                ]
                if repartition
                else None,
            }
        )
    return par_famille(lignes, lambda ligne: ligne["indicateur"])


def _fil_de_la_saisie(saisie, *suite):
    action = saisie.evaluation.action
    return [
        (reverse("accueil"), "Accueil"),
        (action.get_absolute_url(), action.titre),
        (reverse("evaluation:action_evaluation", args=[action.pk]), "Évaluation"),
        *suite,
    ]


# Indicateurs --------------------------------------------------------------------------------


def indicateurs(request, conseil_pk):
    conseil = conseil_pour(request.user, conseil_pk, Acces.CONSULTER)
    tous = list(selectors.indicateurs_du_conseil(conseil))
    return render(
        request,
        "evaluation/indicateurs.html",
        {
            "conseil": conseil,
            "peut_coordonner": permissions.peut(request.user, Acces.COORDONNER, conseil),
            "catalogue": par_famille([i for i in tous if i.est_national]),
            "locaux": [i for _, liste in par_famille(tous) for i in liste if not i.est_national],
        },
    )


def _formulaire_indicateur(request, conseil, indicateur=None):
    # Le formulaire valide une copie : la page d'une saisie refusée garde le nom enregistré.
    form = IndicateurForm(
        donnees_envoyees(request),
        instance=copy.copy(indicateur) if indicateur else Indicateur(conseil=conseil),
    )
    if request.method == "POST" and form.is_valid():
        try:
            if indicateur is None:
                indicateur = services.indicateur_local_creer(conseil=conseil, **form.champs())
            else:
                services.indicateur_local_modifier(indicateur, **form.champs())
        except ValidationError as erreur:
            ajouter_erreurs(form, erreur)
        else:
            messages.success(request, f"L'indicateur « {indicateur.nom} » est enregistré.")
            return redirect("evaluation:indicateurs", conseil_pk=conseil.pk)
    return render(
        request,
        "evaluation/indicateur_formulaire.html",
        {"conseil": conseil, "indicateur": indicateur, "form": form},
    )


def indicateur_creer(request, conseil_pk):
    conseil = conseil_pour(request.user, conseil_pk, Acces.COORDONNER)
    return _formulaire_indicateur(request, conseil)


def indicateur_modifier(request, pk):
    indicateur = selectors.indicateur_local_pour_coordination(request.user, pk)
    return _formulaire_indicateur(request, indicateur.conseil, indicateur)


# L'évaluation d'une action ------------------------------------------------------------------


def _periodes(evaluation, saisies, annee, aujourdhui):
    """Les saisies de l'évaluation, et les périodes commencées de l'année encore sans saisie,
    de la plus récente à la plus ancienne."""
    saisies_de_l_annee = {s.numero for s in saisies if s.annee == annee}
    manquantes = [
        {"annee": annee, "numero": numero, "saisie": None}
        for numero in selectors.periodes_commencees(evaluation, annee, aujourdhui)
        if numero not in saisies_de_l_annee
    ]
    lignes = manquantes + [{"annee": s.annee, "numero": s.numero, "saisie": s} for s in saisies]
    for ligne in lignes:
        ligne["libelle"] = libelle_periode(ligne["annee"], ligne["numero"], evaluation.rythme)
    return sorted(lignes, key=lambda ligne: (ligne["annee"], ligne["numero"]), reverse=True)


def _page_evaluation(request, action, form_periode=None):
    aujourdhui = timezone.localdate()
    annee = aujourdhui.year
    evaluation = selectors.evaluation_de_l_action(action)
    contexte = {
        "action": action,
        "plan": action.plan,
        "groupe": action.plan.groupe,
        "evaluation": evaluation,
        "annee": annee,
        "tableau": selectors.tableau_de_l_action(action, annee),
        "suivis": [],
        "periodes": [],
        "peut_saisir": False,
        "form_periode": None,
        **_droits(request, action.plan.groupe),
    }
    if evaluation is not None:
        evaluation.action = action
        peut_saisir = (
            selectors.evaluations_saisissables(request.user).filter(pk=evaluation.pk).exists()
        )
        saisies = list(selectors.saisies_de_l_evaluation(evaluation))
        contexte.update(
            suivis=par_famille(
                selectors.indicateurs_suivis(evaluation), lambda suivi: suivi.indicateur
            ),
            periodes=_periodes(evaluation, saisies, annee, aujourdhui),
            peut_saisir=peut_saisir,
            form_periode=(form_periode or PeriodeForm(evaluation=evaluation))
            if peut_saisir
            else None,
        )
    return render(request, "evaluation/action_evaluation.html", contexte)


def action_evaluation(request, pk):
    action = programmes_selectors.action_pour_lecture(request.user, pk)
    return _page_evaluation(request, action)


def parametrer(request, pk):
    action = programmes_selectors.action_pour_pilotage(request.user, pk)
    evaluation = selectors.evaluation_de_l_action(action)
    suivis = (
        {s.indicateur_id: s.cible for s in selectors.indicateurs_suivis(evaluation)}
        if evaluation
        else {}
    )
    form = ParametrageForm(
        donnees_envoyees(request),
        indicateurs=selectors.indicateurs_du_conseil(action.plan.groupe.conseil),
        suivis=suivis,
        rythme_fige=evaluation is not None and evaluation.saisies.exists(),
        initial={"rythme": evaluation.rythme if evaluation else Rythme.ANNEE},
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and reussit(
            form,
            services.evaluation_parametrer,
            action,
            rythme=form.cleaned_data["rythme"],
            cibles=form.cibles(),
        )
    ):
        messages.success(request, "L'évaluation de l'action est paramétrée.")
        return redirect("evaluation:action_evaluation", pk=action.pk)
    return render(
        request,
        "evaluation/parametrer.html",
        {
            "action": action,
            "plan": action.plan,
            "groupe": action.plan.groupe,
            "form": form,
            "peut_lire_groupe": True,
        },
    )


# Saisies ------------------------------------------------------------------------------------


def saisie_ouvrir(request, pk):
    """Ouvrir la saisie d'une période ; au GET, la page de l'évaluation et son formulaire."""
    evaluation = selectors.evaluation_pour_saisie(request.user, pk)
    form = PeriodeForm(donnees_envoyees(request), evaluation=evaluation)
    if request.method == "POST" and form.is_valid():
        try:
            saisie = services.saisie_ouvrir(evaluation, auteur=request.user, **form.periode())
        except ValidationError as erreur:
            ajouter_erreurs(form, erreur)
        else:
            return redirect(saisie)
    return _page_evaluation(request, evaluation.action, form_periode=form)


def saisie(request, pk):
    saisie = selectors.saisie_pour_saisie(request.user, pk)
    evaluation = saisie.evaluation
    suivis = list(selectors.indicateurs_suivis(evaluation))
    valeurs = selectors.valeurs_de_la_saisie(saisie)
    territoires = list(territoires_du_conseil(evaluation.action.plan.groupe.conseil))
    verrouillee = selectors.saisie_verrouillee(saisie)
    suivi_individuel, proposees = selectors.chiffres_du_suivi(saisie, suivis)
    form = None
    valeurs_enregistrees = None  # celles d'une autre personne, après un conflit
    if saisie.statut in EN_COURS and not verrouillee:
        form = SaisieForm(
            donnees_envoyees(request),
            suivis=suivis,
            valeurs=valeurs,
            territoires=territoires,
            proposees=proposees,
            initial={"revision": saisie.revision},
        )
        if request.method == "POST" and form.is_valid():
            try:
                services.saisie_enregistrer(
                    saisie,
                    auteur=request.user,
                    valeurs=form.valeurs(),
                    soumettre=form.soumettre,
                    revision=form.cleaned_data["revision"],
                )
            except ModificationConcurrente as conflit:
                montrer_le_conflit(form, conflit)
                valeurs_enregistrees = _valeurs_affichees(
                    suivis, selectors.valeurs_de_la_saisie(saisie), territoires
                )
            except ValidationError as erreur:
                ajouter_erreurs(form, erreur)
            else:
                messages.success(
                    request,
                    f"La période {saisie.periode} est soumise au pilote."
                    if form.soumettre
                    else "Le brouillon est enregistré.",
                )
                return redirect(saisie)
    elif request.method == "POST":
        messages.error(request, "Cette saisie est soumise ou validée : elle ne se modifie plus.")
        return redirect(saisie)
    return render(
        request,
        "evaluation/saisie.html",
        {
            "saisie": saisie,
            "action": evaluation.action,
            "form": form,
            "lignes": None if form else _valeurs_affichees(suivis, valeurs, territoires),
            "sans_indicateur": not suivis,
            "suivi_individuel": suivi_individuel,
            "valeurs_enregistrees": valeurs_enregistrees,
            "proposees": bool(proposees) and form is not None,
            "verrouillee": verrouillee,
            "peut_valider": (
                saisie.statut == Saisie.Statut.SOUMISE
                and permissions.peut(request.user, Acces.PILOTER, saisie)
            ),
            "fil_ariane": _fil_de_la_saisie(saisie),
        },
    )


def _contexte_du_pilote(saisie, etape):
    """Ce que le pilote relit avant de valider ou de renvoyer une saisie."""
    evaluation = saisie.evaluation
    return {
        "saisie": saisie,
        "action": evaluation.action,
        # Seule une saisie soumise se valide ou se renvoie : sinon, la page le dit.
        "soumise": saisie.statut == Saisie.Statut.SOUMISE,
        "lignes": _valeurs_affichees(
            selectors.indicateurs_suivis(evaluation),
            selectors.valeurs_de_la_saisie(saisie),
            territoires_du_conseil(evaluation.action.plan.groupe.conseil),
        ),
        "fil_ariane": _fil_de_la_saisie(saisie, (saisie.get_absolute_url(), saisie.periode)),
        "courant": etape,
    }


def saisie_valider(request, pk):
    saisie = selectors.saisie_pour_pilotage(request.user, pk)
    return confirmer(
        request,
        service=lambda: services.saisie_valider(saisie, auteur=request.user),
        libelle="Valider la saisie",
        gabarit="evaluation/saisie_valider.html",
        succes=f"La saisie de la période {saisie.periode} est validée.",
        retour=saisie.get_absolute_url(),
        contexte=_contexte_du_pilote(saisie, "Valider"),
    )


def saisie_renvoyer(request, pk):
    saisie = selectors.saisie_pour_pilotage(request.user, pk)
    form = RenvoiForm(donnees_envoyees(request))
    if (
        request.method == "POST"
        and form.is_valid()
        and reussit(
            form,
            services.saisie_renvoyer,
            saisie,
            auteur=request.user,
            commentaire=form.cleaned_data["commentaire_renvoi"],
        )
    ):
        messages.success(
            request, f"La saisie de la période {saisie.periode} est renvoyée pour correction."
        )
        return redirect(saisie)
    return render(
        request,
        "evaluation/saisie_renvoyer.html",
        {**_contexte_du_pilote(saisie, "Renvoyer pour correction"), "form": form},
    )


# Mes saisies --------------------------------------------------------------------------------


def _parametres(request, nom):
    valeur = request.GET.get(nom)
    return urlencode({nom: valeur}) if valeur else ""


def mes_saisies(request):
    """Les actions que l'utilisateur saisit, avec ce qui reste à faire cette année, et pour
    un pilote les saisies qui attendent sa validation."""
    aujourdhui = timezone.localdate()
    annee = aujourdhui.year
    page = paginer(request, selectors.evaluations_a_saisir(request.user, annee))
    actions = []
    for evaluation in page:
        saisies = evaluation.saisies_de_l_annee
        numeros = {s.numero for s in saisies}
        actions.append(
            {
                "evaluation": evaluation,
                "action": evaluation.action,
                "manquantes": [
                    {"numero": n, "libelle": libelle_periode(annee, n, evaluation.rythme)}
                    for n in selectors.periodes_commencees(evaluation, annee, aujourdhui)
                    if n not in numeros
                ],
                "en_cours": [s for s in saisies if s.statut in EN_COURS],
            }
        )
    a_valider = Paginator(selectors.saisies_a_valider(request.user), settings.PAGINATION)
    pilote = bool(permissions.groupes_permis(request.user, Acces.PILOTER))
    return render(
        request,
        "evaluation/mes_saisies.html",
        {
            "annee": annee,
            "page_obj": page,
            "actions": actions,
            "est_pilote": pilote,
            "a_valider": a_valider.get_page(request.GET.get("validation")) if pilote else None,
            # Chaque liste a sa pagination ; chacune garde la page de l'autre.
            "querystring": _parametres(request, "validation"),
            "querystring_validation": _parametres(request, "page"),
        },
    )


def saisie_historique(request, pk):
    """La saisie et ses valeurs : pour qui peut la saisir ou la valider."""
    saisie = selectors.saisie_pour_saisie(request.user, pk)
    return historique.page(
        request,
        titre=f"{saisie.evaluation.action.titre}, {saisie.periode}",
        retour=saisie.get_absolute_url(),
        historiques=[
            Saisie.historique.filter(id=saisie.pk),
            Valeur.historique.filter(saisie_id=saisie.pk),
        ],
    )
