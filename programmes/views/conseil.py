"""Vues du conseil sur ses programmes d'actions : la synthèse des actions et des
financements, ses exports, les propositions faites à la formation restreinte et ses
décisions. Pour le coordonnateur et la formation restreinte ; une 404 pour tout autre."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.text import slugify

from clspd import permissions
from clspd import selectors as conseil_selectors
from clspd.forms import ajouter_erreurs
from clspd.permissions import Action as Acces
from clspd.views import donnees_envoyees, paginer
from programmes import exports, selectors, services
from programmes.forms import ActionFiltreForm, StatuerForm
from programmes.models import Proposition

# Ce que l'on exporte : les lignes (selon les actions filtrées), leurs en-têtes, leur mise en
# forme, et le nom de la feuille du classeur.
_EXPORTS = {
    "actions": (
        selectors.lignes_export_actions,
        exports.ENTETES_ACTIONS,
        exports.lignes_actions,
        "Actions",
    ),
    "financements": (
        selectors.lignes_export_financements,
        exports.ENTETES_FINANCEMENTS,
        exports.lignes_financements,
        "Financements",
    ),
}
_FORMATS = ("csv", "xlsx")


def _contexte(request, conseil, **contexte):
    return {
        "conseil": conseil,
        "peut_coordonner": permissions.peut(request.user, Acces.COORDONNER, conseil),
        **contexte,
    }


def _filtres_en_parametres(request):
    """Les paramètres des filtres de la requête, tels quels : la page et les exports
    appliquent les mêmes (un filtre invalide y est ignoré de la même façon)."""
    parametres = QueryDict(mutable=True)
    for cle in ActionFiltreForm.base_fields:
        if cle in request.GET:
            parametres.setlist(cle, request.GET.getlist(cle))
    return parametres


def _liens_export(conseil, filtres):
    url = reverse("programmes:export", args=[conseil.pk])
    liens = []
    for quoi, libelle in (("actions", "Actions"), ("financements", "Lignes de financement")):
        for format_ in _FORMATS:
            parametres = filtres.copy()
            parametres["quoi"], parametres["format"] = quoi, format_
            liens.append((f"{url}?{parametres.urlencode()}", f"{libelle} ({format_.upper()})"))
    return liens


# Synthèse et exports --------------------------------------------------------------------


def _lien_en_retard(filtres):
    """La synthèse limitée aux actions en retard, les autres filtres gardés."""
    parametres = filtres.copy()
    parametres["en_retard"] = "1"
    return f"?{parametres.urlencode()}#titre-actions"


def synthese(request, conseil_pk):
    conseil = conseil_selectors.conseil_pour(request.user, conseil_pk, Acces.CONSULTER)
    filtre = ActionFiltreForm(request.GET or None, conseil=conseil)
    criteres = filtre.filtres()
    actions = selectors.actions_du_conseil(conseil, **criteres)
    filtres = _filtres_en_parametres(request)
    synthese = selectors.synthese_du_conseil(actions)
    page = paginer(request, selectors.actions_pour_liste(actions), nombre=synthese["nombre"])
    page.object_list = selectors.ajouter_totaux(page.object_list)
    return render(
        request,
        "programmes/conseil_synthese.html",
        _contexte(
            request,
            conseil,
            filtre=filtre,
            synthese=synthese,
            # Sans objet quand la liste ne montre déjà qu'elles.
            lien_en_retard=None if criteres.get("en_retard") else _lien_en_retard(filtres),
            page_obj=page,
            querystring=filtres.urlencode(),
            liens_export=_liens_export(conseil, filtres),
        ),
    )


def export(request, conseil_pk):
    """Les actions filtrées du conseil, ou leurs lignes de financement, en CSV (diffusé au fil
    de la lecture) ou en XLSX (écrit sur disque, puis diffusé) : la mémoire reste bornée."""
    conseil = conseil_selectors.conseil_pour(request.user, conseil_pk, Acces.CONSULTER)
    quoi, format_ = request.GET.get("quoi"), request.GET.get("format")
    if quoi not in _EXPORTS or format_ not in _FORMATS:
        raise Http404("Cet export n'existe pas.")
    selecteur, entetes, mise_en_lignes, titre = _EXPORTS[quoi]
    filtre = ActionFiltreForm(request.GET, conseil=conseil)
    lignes = mise_en_lignes(selecteur(selectors.actions_du_conseil(conseil, **filtre.filtres())))
    if format_ == "csv":
        reponse = StreamingHttpResponse(
            exports.csv_flux(entetes, lignes), content_type=exports.TYPE_CSV
        )
    else:
        reponse = FileResponse(
            exports.xlsx_fichier(entetes, lignes, titre=titre), content_type=exports.TYPE_XLSX
        )
    nom = f"{quoi}-{slugify(conseil.nom)}-{timezone.localdate():%Y-%m-%d}.{format_}"
    reponse["Content-Disposition"] = content_disposition_header(True, nom)
    reponse["Cache-Control"] = "private, no-store"
    return reponse


# Propositions à la formation restreinte -------------------------------------------------


def propositions(request, conseil_pk):
    conseil = conseil_selectors.conseil_pour(request.user, conseil_pk, Acces.STATUER)
    return render(
        request,
        "programmes/propositions.html",
        _contexte(
            request,
            conseil,
            page_obj=paginer(request, selectors.propositions_du_conseil(conseil)),
        ),
    )


def proposition_statuer(request, pk):
    proposition = selectors.proposition_pour_statuer(request.user, pk)
    conseil = proposition.action.plan.groupe.conseil
    # L'action avec ses totaux, lue par la même porte que ses plans (le coordonnateur et la
    # formation restreinte lisent les plans de leur conseil).
    action = selectors.action_pour_lecture(request.user, proposition.action_id)
    form = StatuerForm(donnees_envoyees(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.proposition_statuer(proposition, auteur=request.user, **form.cleaned_data)
        except ValidationError as erreur:
            ajouter_erreurs(form, erreur)
        else:
            decision = Proposition.Decision(form.cleaned_data["decision"]).label
            messages.success(
                request, f"Décision enregistrée pour « {action.titre} » : {decision.lower()}."
            )
            return redirect("programmes:propositions", conseil_pk=conseil.pk)
    return render(
        request,
        "programmes/proposition_statuer.html",
        {
            "conseil": conseil,
            "fil_ariane": [
                (reverse("groupes:conseil", args=[conseil.pk]), conseil.nom),
                (reverse("programmes:propositions", args=[conseil.pk]), "Propositions"),
            ],
            "proposition": proposition,
            "action": action,
            "financements": selectors.financements_de_l_action(action),
            "precedentes": selectors.propositions_de_l_action(action).exclude(pk=proposition.pk),
            "form": form,
            # Une proposition déjà tranchée ne montre plus le formulaire, seulement la décision
            # (et le refus du service si l'on a tout de même envoyé une décision).
            "en_attente": proposition.est_en_attente,
        },
    )
