"""Vues des réunions : planification, convocation, présences, compte rendu, décisions,
calendrier. Le pilote et le coordonnateur écrivent ; les membres lisent."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from clspd import historique, permissions, rendus
from clspd.forms import ajouter_erreurs
from clspd.permissions import Action
from clspd.revisions import ModificationConcurrente, montrer_le_conflit
from clspd.sessions import authentification_recente
from clspd.views import (
    base_url,
    confirmer,
    donnees_envoyees,
    paginer,
    reussit,
)
from groupes import convocations, selectors, services
from groupes.forms import (
    CompteRenduForm,
    CorrectionForm,
    DecisionForm,
    ParticipantFormSet,
    PointFormSet,
    PresenceForm,
    ReunionForm,
    SuiviDecisionForm,
)
from groupes.models import (
    CompteRendu,
    Decision,
    JournalAcces,
    ParticipantExterieur,
    PointOrdreDuJour,
    Presence,
    Reunion,
)
from groupes.views.situations import noter_un_acces


def _contenu(reunion, compte_rendu):
    """Le compte rendu à afficher : la copie figée d'une version validée, sinon l'aperçu."""
    contenu = compte_rendu.contenu or selectors.contenu_du_compte_rendu(reunion, compte_rendu)
    return selectors.contenu_pour_affichage(contenu)


# Réunions d'un groupe -----------------------------------------------------------------------


def reunion_liste(request, pk):
    groupe = selectors.groupe_pour_lecture(request.user, pk)
    return render(
        request,
        "groupes/reunion_liste.html",
        {
            "groupe": groupe,
            "page_obj": paginer(request, selectors.reunions_du_groupe(groupe)),
            "peut_piloter": permissions.peut(request.user, Action.PILOTER, groupe),
        },
    )


def _situations_a_designer(request, groupe, deja=()):
    """Les situations que le pilote peut désigner, s'il a accepté la charte ; les lui
    présenter est une liste, écrite au journal des accès."""
    if not selectors.voit_les_situations(request.user, groupe):
        return None
    noter_un_acces(request, groupe, JournalAcces.Operation.LISTER)
    return selectors.situations_a_designer(groupe, deja=deja)


def _formulaire_reunion(request, groupe, reunion=None):
    """Création et modification : la réunion, son ordre du jour et les situations à
    examiner, en une page."""
    points = list(selectors.points_de_la_reunion(reunion)) if reunion else []
    donnees = donnees_envoyees(request)
    form = ReunionForm(
        donnees,
        instance=reunion or Reunion(groupe=groupe),
        situations=_situations_a_designer(
            request, groupe, deja=list(reunion.situations.all()) if reunion else ()
        ),
    )
    formset = PointFormSet(donnees, points=points, prefix="points")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        champs = form.champs()
        try:
            if reunion is None:
                reunion = services.reunion_planifier(
                    groupe=groupe,
                    auteur=request.user,
                    points=formset.points_ordonnes(),
                    **champs,
                )
                messages.success(
                    request, "La réunion est planifiée. Envoyez la convocation aux membres."
                )
            else:
                services.reunion_modifier(
                    reunion,
                    auteur=request.user,
                    base_url=base_url(request),
                    points=formset.points_ordonnes(),
                    **champs,
                )
                messages.success(request, "La réunion est enregistrée.")
        except ValidationError as erreur:
            ajouter_erreurs(form, erreur)
        else:
            return redirect(reunion)
    return render(
        request,
        "groupes/reunion_formulaire.html",
        {
            "groupe": groupe,
            "reunion": reunion,
            "form": form,
            "formset": formset,
            "deja_convoquee": reunion is not None and reunion.convocations.exists(),
        },
    )


def reunion_creer(request, pk):
    groupe = selectors.groupe_pour_pilotage(request.user, pk)
    return _formulaire_reunion(request, groupe)


def reunion_modifier(request, pk):
    reunion = selectors.reunion_pour_pilotage(request.user, pk)
    return _formulaire_reunion(request, reunion.groupe, reunion)


def reunion_detail(request, pk):
    reunion = selectors.reunion_pour_lecture(request.user, pk)
    peut_piloter = permissions.peut(request.user, Action.PILOTER, reunion.groupe)
    comptes_rendus = list(selectors.comptes_rendus_de_la_reunion(reunion))
    valides = [cr for cr in comptes_rendus if cr.est_valide]
    brouillon = next((cr for cr in comptes_rendus if not cr.est_valide), None)
    # Le brouillon ne se montre qu'au pilote et au coordonnateur.
    affiche = brouillon if brouillon and peut_piloter else (valides[0] if valides else None)
    verrouillee = bool(valides) and brouillon is None
    situations = sorted(reunion.situations.all(), key=lambda situation: situation.reference)
    return render(
        request,
        "groupes/reunion_detail.html",
        {
            "reunion": reunion,
            "groupe": reunion.groupe,
            "points": selectors.points_de_la_reunion(reunion),
            # Désignées par leur référence ; le dossier s'ouvre à qui a accepté la charte.
            "situations": situations,
            "voit_les_situations": situations
            and selectors.voit_les_situations(request.user, reunion.groupe),
            "suivi_decisions": selectors.suivi_des_decisions(reunion),
            "peut_piloter": peut_piloter,
            "convocations": (
                selectors.convocations_de_la_reunion(reunion) if peut_piloter else None
            ),
            "compte_rendu": affiche,
            "contenu": _contenu(reunion, affiche) if affiche else None,
            # Le relevé en cours de rédaction (pilote), ou le suivi des décisions actées.
            "decisions": (
                selectors.decisions_de_la_reunion(reunion)
                if (brouillon and peut_piloter) or verrouillee
                else None
            ),
            "versions": valides,
            "brouillon": brouillon if peut_piloter else None,
            # Les boutons seulement : les services refusent d'eux-mêmes ce qui n'est plus permis.
            "verrouillee": verrouillee,
            "peut_rediger": (
                not verrouillee and not reunion.est_annulee and reunion.date <= timezone.localdate()
            ),
        },
    )


def _confirmer(request, reunion, *, service, libelle, gabarit, succes, **contexte):
    """Une action de pilotage sans saisie : une page de confirmation, puis le service."""
    return confirmer(
        request,
        service=service,
        libelle=libelle,
        gabarit=gabarit,
        succes=succes,
        retour=reunion,
        contexte={"reunion": reunion, "groupe": reunion.groupe, **contexte},
    )


def reunion_convoquer(request, pk):
    reunion = selectors.reunion_pour_pilotage(request.user, pk)
    membres = selectors.membres_du_groupe(reunion.groupe)
    return _confirmer(
        request,
        reunion,
        service=lambda: services.reunion_convoquer(
            reunion, auteur=request.user, base_url=base_url(request)
        ),
        libelle="Envoyer la convocation",
        gabarit="groupes/reunion_convoquer.html",
        succes="La convocation est envoyée aux membres du groupe.",
        membres=membres,
        deja_convoquee=reunion.convocations.exists(),
    )


def reunion_annuler(request, pk):
    reunion = selectors.reunion_pour_pilotage(request.user, pk)
    return _confirmer(
        request,
        reunion,
        service=lambda: services.reunion_annuler(
            reunion, auteur=request.user, base_url=base_url(request)
        ),
        libelle="Annuler la réunion",
        gabarit="groupes/reunion_annuler.html",
        succes="La réunion est annulée ; les personnes convoquées en sont prévenues.",
    )


# Compte rendu ------------------------------------------------------------------------------


def presences(request, pk):
    reunion = selectors.reunion_pour_pilotage(request.user, pk)
    donnees = donnees_envoyees(request)
    notees = {p.appartenance_id: p for p in reunion.presences.all()}
    forms = [
        PresenceForm(
            donnees,
            appartenance=appartenance,
            initial=(
                {
                    "statut": notees[appartenance.pk].statut,
                    "represente_par": notees[appartenance.pk].represente_par,
                }
                if appartenance.pk in notees
                else {}
            ),
        )
        for appartenance in selectors.membres_a_la_date(reunion)
    ]
    participants = ParticipantFormSet(
        donnees,
        prefix="exterieurs",
        initial=[
            {"nom": p.nom, "institution": p.institution}
            for p in reunion.participants_exterieurs.all()
        ],
    )
    erreur_generale = None
    if (
        request.method == "POST"
        and all(form.is_valid() for form in forms)
        and participants.is_valid()
    ):
        try:
            services.presences_enregistrer(
                reunion,
                auteur=request.user,
                presences=[
                    (f.appartenance, f.cleaned_data["statut"], f.cleaned_data["represente_par"])
                    for f in forms
                ],
                participants_exterieurs=participants.participants(),
            )
        except ValidationError as erreur:
            erreur_generale = erreur.messages
        else:
            messages.success(request, "Les présences sont enregistrées.")
            return redirect(reunion)
    return render(
        request,
        "groupes/presences.html",
        {
            "reunion": reunion,
            "groupe": reunion.groupe,
            "forms": forms,
            "participants": participants,
            "erreur_generale": erreur_generale,
        },
    )


def compte_rendu_modifier(request, pk):
    reunion = selectors.reunion_pour_pilotage(request.user, pk)
    brouillon = selectors.brouillon_de_la_reunion(reunion)
    points = list(selectors.points_de_la_reunion(reunion))
    form = CompteRenduForm(
        donnees_envoyees(request),
        points=points,
        initial={
            "synthese": brouillon.synthese if brouillon else "",
            "revision": brouillon.revision if brouillon else 0,
        },
    )
    enregistre = None  # la version d'une autre personne, après un conflit
    if request.method == "POST" and form.is_valid():
        try:
            services.compte_rendu_enregistrer(
                reunion,
                auteur=request.user,
                synthese=form.cleaned_data["synthese"],
                notes=form.notes(),
                revision=form.cleaned_data["revision"],
            )
        except ModificationConcurrente as conflit:
            montrer_le_conflit(form, conflit)
            enregistre = [("Synthèse", conflit.objet.synthese)] + [
                (form[f"notes_{point.pk}"].label, point.notes)
                for point in selectors.points_de_la_reunion(reunion)
            ]
        except ValidationError as erreur:
            ajouter_erreurs(form, erreur)
        else:
            messages.success(request, "Le brouillon du compte rendu est enregistré.")
            return redirect(reunion)
    return render(
        request,
        "groupes/compte_rendu_formulaire.html",
        {
            "reunion": reunion,
            "groupe": reunion.groupe,
            "form": form,
            "version_enregistree": enregistre,
        },
    )


def decision_ajouter(request, pk):
    reunion = selectors.reunion_pour_pilotage(request.user, pk)
    form = DecisionForm(
        donnees_envoyees(request),
        reunion=reunion,
        situations=_situations_a_designer(request, reunion.groupe),
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and reussit(
            form,
            services.decision_ajouter,
            reunion,
            auteur=request.user,
            **form.champs(),
        )
    ):
        messages.success(request, "La décision est ajoutée au relevé.")
        return redirect(reunion)
    return render(
        request,
        "groupes/decision_formulaire.html",
        {"reunion": reunion, "groupe": reunion.groupe, "form": form},
    )


def decision_modifier(request, pk):
    decision = selectors.decision_pour_pilotage(request.user, pk)
    reunion = decision.reunion
    form = DecisionForm(
        donnees_envoyees(request),
        instance=decision,
        reunion=reunion,
        situations=_situations_a_designer(request, reunion.groupe, deja=[decision.situation]),
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and reussit(
            form,
            services.decision_modifier,
            decision,
            auteur=request.user,
            **form.champs(),
        )
    ):
        messages.success(request, "La décision est enregistrée.")
        return redirect(reunion)
    return render(
        request,
        "groupes/decision_formulaire.html",
        {"reunion": reunion, "groupe": reunion.groupe, "form": form, "decision": decision},
    )


def decision_supprimer(request, pk):
    decision = selectors.decision_pour_pilotage(request.user, pk)
    return _confirmer(
        request,
        decision.reunion,
        service=lambda: services.decision_supprimer(decision, auteur=request.user),
        libelle="Retirer la décision",
        gabarit="groupes/decision_supprimer.html",
        succes="La décision est retirée du relevé.",
        decision=decision,
    )


@authentification_recente
def compte_rendu_valider(request, pk):
    reunion = selectors.reunion_pour_pilotage(request.user, pk)
    return _confirmer(
        request,
        reunion,
        service=lambda: services.compte_rendu_valider(reunion, auteur=request.user),
        libelle="Valider le compte rendu",
        gabarit="groupes/compte_rendu_valider.html",
        succes="Le compte rendu est validé : il ne peut plus être modifié.",
    )


def compte_rendu_corriger(request, pk):
    reunion = selectors.reunion_pour_pilotage(request.user, pk)
    form = CorrectionForm(donnees_envoyees(request))
    if (
        request.method == "POST"
        and form.is_valid()
        and reussit(
            form,
            services.compte_rendu_corriger,
            reunion,
            auteur=request.user,
            motif=form.cleaned_data["motif_correction"],
        )
    ):
        messages.success(request, "Une nouvelle version du compte rendu est ouverte.")
        return redirect(reunion)
    return render(
        request,
        "groupes/compte_rendu_corriger.html",
        {"reunion": reunion, "groupe": reunion.groupe, "form": form},
    )


def compte_rendu_version(request, pk, version):
    reunion = selectors.reunion_pour_compte_rendu_valide(request.user, pk)
    compte_rendu = selectors.compte_rendu_valide(reunion, version)
    return render(
        request,
        "groupes/compte_rendu_version.html",
        {
            "reunion": reunion,
            "groupe": reunion.groupe,
            "compte_rendu": compte_rendu,
            "derniere_version": selectors.derniere_version_validee(reunion),
            "contenu": _contenu(reunion, compte_rendu),
        },
    )


def pages_du_compte_rendu(contenu):
    """Le nombre de pages estimé du PDF, en lignes de texte (une ou deux pages d'ordinaire ;
    des notes très longues en font davantage). Étalonné dans tests/clspd/test_rendus.py."""
    total = 15 + 1.5 * len(contenu["presences"]) + len(contenu["participants_exterieurs"])
    for point in contenu["points"]:
        total += 1.5 + rendus.lignes(point["description"], 95) + rendus.lignes(point["notes"], 80)
    total += 3 if contenu["situations"] else 0
    for decision in (*contenu["decisions"], *contenu["suivi_decisions"]):
        total += 0.6 + rendus.lignes(decision["libelle"], 45) + bool(decision["situation"])
    total += 2 + rendus.lignes(contenu["synthese"])
    return rendus.pages(total)


@rendus.document("compte rendu")
def document_du_compte_rendu(utilisateur, *, pk, version):
    reunion = selectors.reunion_pour_compte_rendu_valide(utilisateur, pk)
    compte_rendu = selectors.compte_rendu_valide(reunion, version)
    contenu = _contenu(reunion, compte_rendu)
    return rendus.Document(
        gabarit="pdf/compte_rendu.html",
        contexte={
            "reunion": reunion,
            "groupe": reunion.groupe,
            "compte_rendu": compte_rendu,
            "contenu": contenu,
        },
        nom_fichier=f"compte-rendu-{reunion.date:%Y-%m-%d}-v{compte_rendu.version}.pdf",
        pages_estimees=pages_du_compte_rendu(contenu),
    )


def compte_rendu_pdf(request, pk, version):
    return rendus.repondre(request, document_du_compte_rendu, pk=pk, version=version)


# Décisions d'une personne -------------------------------------------------------------------


def mes_decisions(request):
    return render(
        request,
        "groupes/mes_decisions.html",
        {"page_obj": paginer(request, selectors.mes_decisions(request.user))},
    )


def decision_suivre(request, pk):
    decision = selectors.decision_pour_suivi(request.user, pk)
    form = SuiviDecisionForm(
        donnees_envoyees(request),
        initial={"statut": decision.statut, "commentaire": decision.commentaire},
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and reussit(
            form,
            services.decision_suivre,
            decision,
            auteur=request.user,
            statut=form.cleaned_data["statut"],
            commentaire=form.cleaned_data["commentaire"],
        )
    ):
        messages.success(request, "Le suivi de la décision est enregistré.")
        return redirect(
            "groupes:mes_decisions" if decision.porteur_id == request.user.pk else decision.reunion
        )
    return render(
        request,
        "groupes/decision_suivre.html",
        {"decision": decision, "reunion": decision.reunion, "form": form},
    )


# Calendrier --------------------------------------------------------------------------------


def calendrier(request):
    """L'abonnement personnel au calendrier des réunions : afficher, renouveler, révoquer."""
    if request.method == "POST":
        if request.POST.get("action") == "revoquer":
            services.jeton_calendrier_revoquer(request.user)
            messages.success(request, "L'adresse d'abonnement est révoquée.")
        else:
            services.jeton_calendrier_renouveler(request.user)
            messages.success(
                request, "Une nouvelle adresse d'abonnement est créée ; l'ancienne ne sert plus."
            )
        return redirect("groupes:calendrier")
    jeton = selectors.jeton_calendrier(request.user)
    adresse = (
        request.build_absolute_uri(reverse("groupes:calendrier_flux", args=[jeton.jeton]))
        if jeton
        else None
    )
    return render(request, "groupes/calendrier.html", {"jeton": jeton, "adresse": adresse})


@login_not_required
@require_safe
def calendrier_flux(request, jeton):
    """Le flux iCalendar : public, mais seulement pour qui connaît l'adresse secrète."""
    utilisateur = selectors.utilisateur_du_jeton(jeton)
    contenu = convocations.flux_ics(
        selectors.reunions_du_calendrier(utilisateur), nom="Réunions de mes groupes"
    )
    reponse = HttpResponse(contenu, content_type="text/calendar; charset=utf-8")
    reponse["Cache-Control"] = "private, no-store"
    return reponse


def reunion_historique(request, pk):
    """La réunion, son ordre du jour, ses présences, ses comptes rendus et ses décisions :
    pour le pilote et le coordonnateur (l'historique montre les brouillons)."""
    reunion = selectors.reunion_pour_pilotage(request.user, pk)
    return historique.page(
        request,
        titre=str(reunion),
        retour=reunion.get_absolute_url(),
        historiques=[
            Reunion.historique.filter(id=reunion.pk),
            *(
                modele.historique.filter(reunion_id=reunion.pk)
                for modele in (
                    PointOrdreDuJour,
                    Presence,
                    ParticipantExterieur,
                    CompteRendu,
                    Decision,
                )
            ),
        ],
    )
