"""Les rapports d'évaluation remis à la formation restreinte : la liste du conseil, la
préparation par le coordonnateur, la lecture dans le navigateur et en PDF, la soumission, les
commentaires et les conclusions.

Un rapport se lit toujours dans son contenu figé (``RapportEvaluation.contenu``), jamais
dans les données vivantes : la page et le PDF font le même petit nombre de requêtes, quelle
que soit la taille du rapport. Le coordonnateur voit tous les rapports de son conseil, la
formation restreinte ceux qui lui sont soumis ; tout autre reçoit une 404.
"""

import copy
import math

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe

from clspd import historique, permissions, rendus
from clspd import selectors as conseil_selectors
from clspd.forms import ConfirmationForm, ajouter_erreurs
from clspd.permissions import Action as Acces
from clspd.views import donnees_envoyees, paginer, reussit
from evaluation import selectors, services
from evaluation.forms import CommentaireRapportForm, ConclusionsForm, RapportPreparerForm
from evaluation.graphiques import barres_cibles
from evaluation.models import CommentaireRapport, RapportEvaluation

Statut = RapportEvaluation.Statut

# Indicateurs par graphique : au-delà, le graphique suivant (un graphique tient sur une page).
INDICATEURS_PAR_GRAPHIQUE = 8


def _contexte(request, conseil, **contexte):
    return {
        "conseil": conseil,
        "peut_coordonner": permissions.peut(request.user, Acces.COORDONNER, conseil),
        **contexte,
    }


def _graphiques(lignes, titre, annee):
    """Les graphiques d'une partie (aucun sans indicateur chiffré), marqués sûrs : le SVG
    échappe lui-même chaque texte qu'il contient."""
    paquets = [
        lignes[debut : debut + INDICATEURS_PAR_GRAPHIQUE]
        for debut in range(0, len(lignes), INDICATEURS_PAR_GRAPHIQUE)
    ]
    return [
        mark_safe(
            barres_cibles(
                paquet,
                titre if len(paquets) == 1 else f"{titre} ({rang}/{len(paquets)})",
                annee=annee,
            )
        )
        for rang, paquet in enumerate(paquets, start=1)
    ]


def _contenu_affiche(rapport, commentaires, formulaire=None):
    """Le contenu figé du rapport (une copie), chaque partie complétée de ses commentaires,
    de ses graphiques et, pendant l'examen, de son formulaire de commentaire."""
    contenu = copy.deepcopy(rapport.contenu)
    annee = contenu["annee"]

    def completer(partie, nom):
        partie["commentaires"] = commentaires.get(partie["cle"], [])
        partie["graphiques"] = _graphiques(
            partie["indicateurs"], f"Indicateurs chiffrés — {nom}", annee
        )
        partie["formulaire"] = formulaire(partie["cle"], nom) if formulaire else None

    completer(contenu["synthese"], contenu["perimetre"])
    for programme in contenu["programmes"]:
        completer(programme, programme["nom"])
        for groupe in programme["groupes"]:
            completer(groupe, groupe["nom"])
    return contenu


def _identifiants(partie):
    """Les identifiants HTML des champs du formulaire de commentaire d'une partie."""
    return f"id_{partie}_%s"


def _afficher(request, rapport, *, commentaire=None, conclusions=None):
    """La page du rapport ; ``commentaire`` ou ``conclusions`` : un formulaire envoyé et
    refusé, réaffiché à sa place avec ses erreurs."""
    acces = permissions.actions_permises(request.user, rapport)
    en_examen = rapport.statut == Statut.SOUMIS and Acces.STATUER in acces
    parties = selectors.parties_du_rapport(rapport)
    adresse_commenter = reverse("evaluation:rapport_commenter", args=[rapport.pk])

    def formulaire(partie, nom):
        if commentaire is not None and commentaire.data.get("partie") == partie:
            form = commentaire
        else:
            form = CommentaireRapportForm(
                initial={"partie": partie},
                parties=parties,
                action=f"{adresse_commenter}#{partie}",
                auto_id=_identifiants(partie),
            )
        # Chaque champ dit quelle partie il commente (plusieurs sur la page).
        form.fields["texte"].label = (
            "Commentaire sur la synthèse" if partie == "synthese" else f"Commentaire sur « {nom} »"
        )
        return form

    if conclusions is None:
        conclusions = ConclusionsForm(
            initial={"conclusions": rapport.conclusions},
            action=reverse("evaluation:rapport_conclure", args=[rapport.pk]),
        )
    # Les erreurs d'un formulaire qui n'a pas sa place dans la page (partie inconnue,
    # examen clos) s'affichent en tête.
    erreurs = []
    for envoye, en_place in (
        (commentaire, en_examen and commentaire and commentaire.data.get("partie") in parties),
        (conclusions, en_examen),
    ):
        if envoye is not None and envoye.errors and not en_place:
            erreurs += [message for liste in envoye.errors.values() for message in liste]
    conseil = rapport.conseil
    return render(
        request,
        "evaluation/rapport.html",
        {
            "conseil": conseil,
            "rapport": rapport,
            "contenu": _contenu_affiche(
                rapport,
                selectors.commentaires_par_partie(rapport),
                formulaire if en_examen else None,
            ),
            "en_examen": en_examen,
            "peut_soumettre": rapport.statut == Statut.PREPARE and Acces.COORDONNER in acces,
            "form_conclusions": conclusions,
            "erreurs": erreurs,
            "fil_ariane": [
                (reverse("groupes:conseil", args=[conseil.pk]), conseil.nom),
                (reverse("evaluation:rapports", args=[conseil.pk]), "Rapports d'évaluation"),
            ],
        },
    )


# Liste et préparation ---------------------------------------------------------------------


def rapports(request, conseil_pk):
    conseil = conseil_selectors.conseil_pour(request.user, conseil_pk, Acces.CONSULTER)
    return render(
        request,
        "evaluation/rapports.html",
        _contexte(
            request,
            conseil,
            page_obj=paginer(request, selectors.rapports_visibles(request.user, conseil)),
        ),
    )


def rapport_preparer(request, conseil_pk):
    conseil = conseil_selectors.conseil_pour(request.user, conseil_pk, Acces.COORDONNER)
    form = RapportPreparerForm(
        donnees_envoyees(request), programmes=selectors.programmes_des_groupes(conseil)
    )
    if request.method == "POST" and form.is_valid():
        try:
            rapport = services.rapport_preparer(
                conseil=conseil, auteur=request.user, **form.cleaned_data
            )
        except ValidationError as erreur:
            ajouter_erreurs(form, erreur)
        else:
            messages.success(
                request,
                f"Le rapport « {rapport.titre} » est préparé. Relisez-le, puis soumettez-le "
                "à la formation restreinte.",
            )
            return redirect(rapport)
    return render(
        request,
        "evaluation/rapport_preparer.html",
        _contexte(
            request,
            conseil,
            form=form,
            fil_ariane=[
                (reverse("groupes:conseil", args=[conseil.pk]), conseil.nom),
                (reverse("evaluation:rapports", args=[conseil.pk]), "Rapports d'évaluation"),
            ],
        ),
    )


# Lecture ------------------------------------------------------------------------------------


def rapport(request, pk):
    return _afficher(request, selectors.rapport_visible_pour(request.user, pk))


def _pages_d_une_partie(partie):
    """Une page pour l'activité, une de plus par tranche de six indicateurs (le tableau et
    ses graphiques, qui ne se coupent pas), puis les textes et commentaires."""
    textes = sum(rendus.lignes(texte["texte"], 85) + 3 for texte in partie.get("textes", []))
    textes += sum(rendus.lignes(c.texte, 80) + 2 for c in partie["commentaires"])
    indicateurs = len(partie["indicateurs"])
    return math.ceil(1 + indicateurs / 6 + textes / rendus.LIGNES_PAR_PAGE)


def pages_du_rapport(rapport, contenu):
    """Le nombre de pages estimé du PDF (couverture, sommaire, une partie par page au moins,
    conclusions), étalonné dans tests/clspd/test_rendus.py."""
    groupes = [groupe for programme in contenu["programmes"] for groupe in programme["groupes"]]
    sommaire = rendus.pages((4 + len(contenu["programmes"]) + len(groupes)) * 1.2)
    parties = [contenu["synthese"], *contenu["programmes"], *groupes]
    conclusions = rendus.pages(6 + rendus.lignes(rapport.conclusions))
    return 1 + sommaire + sum(_pages_d_une_partie(partie) for partie in parties) + conclusions


@rendus.document("rapport d'évaluation")
def document_du_rapport(utilisateur, *, pk):
    rapport = selectors.rapport_visible_pour(utilisateur, pk)
    contenu = _contenu_affiche(rapport, selectors.commentaires_par_partie(rapport))
    return rendus.Document(
        gabarit="pdf/rapport_evaluation.html",
        contexte={"rapport": rapport, "contenu": contenu},
        nom_fichier=f"{rapport.titre}.pdf",
        pages_estimees=pages_du_rapport(rapport, contenu),
    )


def rapport_pdf(request, pk):
    return rendus.repondre(request, document_du_rapport, pk=pk)


# Soumission et examen -----------------------------------------------------------------------


def rapport_soumettre(request, pk):
    rapport = selectors.rapport_visible_pour(request.user, pk, Acces.COORDONNER)
    form = ConfirmationForm(
        donnees_envoyees(request), libelle_bouton="Soumettre à la formation restreinte"
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and reussit(form, services.rapport_soumettre, rapport, auteur=request.user)
    ):
        messages.success(
            request,
            "Le rapport est soumis à la formation restreinte. Les saisies qu'il contient ne "
            "peuvent plus être modifiées.",
        )
        return redirect(rapport)
    conseil = rapport.conseil
    return render(
        request,
        "evaluation/rapport_soumettre.html",
        {
            "conseil": conseil,
            "rapport": rapport,
            "form": form,
            "en_preparation": rapport.statut == Statut.PREPARE,
            "nb_saisies": rapport.saisies.count(),
            "fil_ariane": [
                (reverse("groupes:conseil", args=[conseil.pk]), conseil.nom),
                (reverse("evaluation:rapports", args=[conseil.pk]), "Rapports d'évaluation"),
                (rapport.get_absolute_url(), rapport.titre),
            ],
        },
    )


def rapport_commenter(request, pk):
    rapport = selectors.rapport_visible_pour(request.user, pk, Acces.STATUER)
    if request.method != "POST":
        return redirect(rapport)
    parties = selectors.parties_du_rapport(rapport)
    partie = request.POST.get("partie")
    form = CommentaireRapportForm(
        request.POST,
        parties=parties,
        action=reverse("evaluation:rapport_commenter", args=[rapport.pk]) + f"#{partie}",
        auto_id=_identifiants(partie if partie in parties else "commentaire"),
    )
    if form.is_valid() and reussit(
        form, services.rapport_commenter, rapport, auteur=request.user, **form.cleaned_data
    ):
        messages.success(request, "Votre commentaire est enregistré.")
        return redirect(f"{rapport.get_absolute_url()}#{partie}")
    return _afficher(request, rapport, commentaire=form)


def rapport_conclure(request, pk):
    rapport = selectors.rapport_visible_pour(request.user, pk, Acces.STATUER)
    if request.method != "POST":
        return redirect(rapport)
    form = ConclusionsForm(
        request.POST, action=reverse("evaluation:rapport_conclure", args=[rapport.pk])
    )
    if form.is_valid() and reussit(
        form, services.rapport_conclure, rapport, auteur=request.user, **form.cleaned_data
    ):
        if form.cleaned_data["examine"]:
            messages.success(request, "Le rapport est examiné : son examen est clos.")
        else:
            messages.success(request, "Les conclusions sont enregistrées.")
        return redirect(f"{rapport.get_absolute_url()}#conclusions")
    return _afficher(request, rapport, conclusions=form)


def rapport_historique(request, pk):
    """Le rapport (préparation, soumission, examen) et ses commentaires."""
    rapport = selectors.rapport_visible_pour(request.user, pk)
    return historique.page(
        request,
        titre=rapport.titre,
        retour=rapport.get_absolute_url(),
        historiques=[
            RapportEvaluation.historique.filter(id=rapport.pk),
            CommentaireRapport.historique.filter(rapport_id=rapport.pk),
        ],
    )
