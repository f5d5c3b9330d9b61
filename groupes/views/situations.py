"""Vues du suivi individuel : charte déontologique, situations, archives, journal des accès.

Seuls les groupes du programme jeunes et les CCOP suivent des situations ; ailleurs, et pour
qui n'est pas du groupe, ces pages répondent 404. Un membre qui n'a pas accepté la version
en vigueur de la charte est renvoyé vers elle, sans rien voir des situations. Chaque
affichage, liste, recherche ou modification d'une situation est écrit au journal des accès,
avec l'adresse d'où il vient ; les pages ne sont pas gardées en cache par le navigateur.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache

from clspd import permissions
from clspd.forms import ajouter_erreurs
from clspd.permissions import Action
from clspd.views import adresse_du_client, donnees_envoyees, paginer, reussit
from groupes import selectors, services
from groupes.forms import (
    ActionSuiviForm,
    CharteAccepterForm,
    ChartePublierForm,
    MotifArchiveForm,
    NoteSuiviForm,
    RechercheSituationForm,
    SituationCloreForm,
    SituationForm,
)
from groupes.models import ActionSuivi, Charte, JournalAcces, Situation
from groupes.models.situations import age_le

Operation = JournalAcces.Operation

_GROUPE_POUR = {
    Action.LIRE: selectors.groupe_pour_lecture,
    Action.PILOTER: selectors.groupe_pour_pilotage,
    Action.COORDONNER: selectors.groupe_pour_coordination,
}


def _groupe_du_suivi(user, pk, action=Action.LIRE):
    """Un groupe qui suit des situations individuelles, à la portée de l'utilisateur."""
    groupe = _GROUPE_POUR[action](user, pk)
    if not selectors.a_un_suivi_individuel(groupe):
        raise Http404
    return groupe


def _vers_la_charte(request, groupe):
    messages.info(
        request,
        "Les situations du groupe ne s'ouvrent qu'à ses membres qui ont accepté la version "
        "en vigueur de sa charte déontologique.",
    )
    return redirect("groupes:charte", groupe.pk)


def noter_un_acces(request, groupe, operation, situation=None):
    """Une ligne au journal des accès : l'opération seule, jamais ce qui a été cherché."""
    services.journal_noter(
        groupe=groupe,
        utilisateur=request.user,
        operation=operation,
        situation=situation,
        adresse_ip=adresse_du_client(request),
    )


def _avec_age(situations):
    aujourdhui = timezone.localdate()
    for situation in situations:
        situation.age = age_le(situation.date_naissance, aujourdhui)
    return situations


def _dossier(situation):
    """Le contenu d'un dossier : ses actions et ses notes signées."""
    _avec_age([situation])
    libelles = dict(Situation.Origine.choices)
    return {
        "situation": situation,
        "groupe": situation.groupe,
        "origines": [libelles.get(origine, origine) for origine in situation.origines],
        "actions": situation.actions.all(),
        "notes": situation.notes.select_related("auteur"),
    }


# Charte déontologique -----------------------------------------------------------------------


@never_cache
def charte(request, pk):
    groupe = _groupe_du_suivi(request.user, pk)
    actions = permissions.actions_permises(request.user, groupe)
    en_vigueur = selectors.charte_en_vigueur(groupe)
    acceptee = en_vigueur is not None and selectors.a_accepte(request.user, en_vigueur)
    form = None
    if en_vigueur is not None and not acceptee:
        form = CharteAccepterForm(donnees_envoyees(request), charte=en_vigueur)
        if (
            request.method == "POST"
            and form.is_valid()
            and reussit(form, services.charte_accepter, groupe=groupe, utilisateur=request.user)
        ):
            messages.success(
                request,
                f"Vous avez accepté la version {en_vigueur.version} de la charte : les "
                "situations suivies par le groupe vous sont ouvertes.",
            )
            return redirect("groupes:situations", groupe.pk)
    peut_piloter = Action.PILOTER in actions
    acceptations = anciennes_versions = en_attente = None
    if peut_piloter and en_vigueur is not None:
        # La plus récente d'abord : la première est celle en vigueur.
        en_vigueur, *precedentes = selectors.versions_de_la_charte(groupe)
        acceptations = list(en_vigueur.acceptations.all())
        ont_accepte = {a.utilisateur_id for a in acceptations}
        en_attente = [
            m for m in selectors.membres_du_groupe(groupe) if m.utilisateur_id not in ont_accepte
        ]
        anciennes_versions = [(version, version.acceptations.all()) for version in precedentes]
    return render(
        request,
        "groupes/charte.html",
        {
            "groupe": groupe,
            "charte": en_vigueur,
            "acceptee": acceptee,
            "form": form,
            "peut_piloter": peut_piloter,
            "peut_coordonner": Action.COORDONNER in actions,
            "acceptations": acceptations,
            "en_attente": en_attente,
            "anciennes_versions": anciennes_versions,
        },
    )


@never_cache
def charte_publier(request, pk):
    groupe = _groupe_du_suivi(request.user, pk, Action.COORDONNER)
    actuelle = selectors.charte_en_vigueur(groupe)
    initial = {"adoptee_le": timezone.localdate()}
    if actuelle is not None:
        initial.update(
            charte_deontologique=actuelle.charte_deontologique,
            reglement_interieur=actuelle.reglement_interieur,
        )
    form = ChartePublierForm(
        donnees_envoyees(request), instance=Charte(groupe=groupe), initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            nouvelle = services.charte_publier(
                groupe=groupe,
                auteur=request.user,
                **{nom: form.cleaned_data[nom] for nom in ChartePublierForm.Meta.fields},
            )
        except ValidationError as erreur:
            ajouter_erreurs(form, erreur)
        else:
            messages.success(
                request,
                f"La version {nouvelle.version} de la charte est publiée : chaque membre doit "
                "l'accepter avant de consulter à nouveau les situations.",
            )
            return redirect("groupes:charte", groupe.pk)
    return render(
        request,
        "groupes/charte_publier.html",
        {"groupe": groupe, "form": form, "actuelle": actuelle},
    )


# Situations en cours ------------------------------------------------------------------------


@never_cache
def situations(request, pk):
    groupe = _groupe_du_suivi(request.user, pk)
    if not selectors.a_accepte_la_charte(request.user, groupe):
        return _vers_la_charte(request, groupe)
    recherche_form = RechercheSituationForm(request.GET or None)
    recherche = recherche_form.recherche()
    noter_un_acces(request, groupe, Operation.RECHERCHER if recherche else Operation.LISTER)
    page = paginer(request, selectors.situations_du_groupe(groupe, recherche=recherche))
    _avec_age(page)
    return render(
        request,
        "groupes/situation_liste.html",
        {
            "groupe": groupe,
            "recherche_form": recherche_form,
            "recherche": recherche,
            "page_obj": page,
            "querystring": urlencode({"q": recherche}) if recherche else "",
            "peut_piloter": permissions.peut(request.user, Action.PILOTER, groupe),
        },
    )


@never_cache
def situation_creer(request, pk):
    groupe = _groupe_du_suivi(request.user, pk)
    if not selectors.a_accepte_la_charte(request.user, groupe):
        return _vers_la_charte(request, groupe)
    form = SituationForm(
        donnees_envoyees(request), groupe=groupe, initial={"referent": request.user.pk}
    )
    if request.method == "POST" and form.is_valid():
        try:
            situation = services.situation_creer(
                groupe=groupe,
                auteur=request.user,
                adresse_ip=adresse_du_client(request),
                **form.champs(),
            )
        except ValidationError as erreur:
            ajouter_erreurs(form, erreur)
        else:
            messages.success(request, f"Le dossier {situation.reference} est ouvert.")
            return redirect("groupes:situation_detail", situation.pk)
    return render(request, "groupes/situation_formulaire.html", {"groupe": groupe, "form": form})


@never_cache
def situation_detail(request, pk):
    situation = selectors.situation_pour_suivi(request.user, pk)
    noter_un_acces(request, situation.groupe, Operation.CONSULTER, situation)
    return render(request, "groupes/situation_detail.html", _dossier(situation))


@never_cache
def situation_modifier(request, pk):
    situation = selectors.situation_pour_suivi(request.user, pk)
    groupe = situation.groupe
    form = SituationForm(donnees_envoyees(request), groupe=groupe, situation=situation)
    if request.method != "POST":
        # Le formulaire montre le dossier : c'est une consultation.
        noter_un_acces(request, groupe, Operation.CONSULTER, situation)
    elif form.is_valid() and reussit(
        form,
        services.situation_modifier,
        situation,
        auteur=request.user,
        adresse_ip=adresse_du_client(request),
        **form.champs(),
    ):
        messages.success(request, f"Le dossier {situation.reference} est enregistré.")
        return redirect("groupes:situation_detail", situation.pk)
    return render(
        request,
        "groupes/situation_formulaire.html",
        {"groupe": groupe, "situation": situation, "form": form},
    )


@never_cache
def situation_note(request, pk):
    situation = selectors.situation_pour_suivi(request.user, pk)
    form = NoteSuiviForm(donnees_envoyees(request))
    if (
        request.method == "POST"
        and form.is_valid()
        and reussit(
            form,
            services.note_suivi_ajouter,
            situation,
            auteur=request.user,
            texte=form.cleaned_data["texte"],
            adresse_ip=adresse_du_client(request),
        )
    ):
        messages.success(request, f"La note est ajoutée au dossier {situation.reference}.")
        return redirect("groupes:situation_detail", situation.pk)
    return render(
        request,
        "groupes/situation_note.html",
        {"groupe": situation.groupe, "situation": situation, "form": form},
    )


@never_cache
def situation_action(request, pk):
    situation = selectors.situation_pour_suivi(request.user, pk)
    form = ActionSuiviForm(donnees_envoyees(request), instance=ActionSuivi(situation=situation))
    if (
        request.method == "POST"
        and form.is_valid()
        and reussit(
            form,
            services.action_suivi_ajouter,
            situation,
            auteur=request.user,
            adresse_ip=adresse_du_client(request),
            **{nom: form.cleaned_data[nom] for nom in ActionSuiviForm.Meta.fields},
        )
    ):
        messages.success(request, f"L'action est ajoutée au dossier {situation.reference}.")
        return redirect("groupes:situation_detail", situation.pk)
    return render(
        request,
        "groupes/situation_action.html",
        {"groupe": situation.groupe, "situation": situation, "form": form},
    )


@never_cache
def situation_clore(request, pk):
    situation = selectors.situation_pour_suivi(request.user, pk)
    form = SituationCloreForm(donnees_envoyees(request))
    if (
        request.method == "POST"
        and form.is_valid()
        and reussit(
            form,
            services.situation_clore,
            situation,
            auteur=request.user,
            adresse_ip=adresse_du_client(request),
            date_fin=form.cleaned_data["date_fin"],
            motif_fin=form.cleaned_data["motif_fin"],
        )
    ):
        messages.success(
            request,
            f"Le suivi {situation.reference} est clos : son dossier est archivé, en lecture "
            "seule, pour le pilote et le coordonnateur.",
        )
        return redirect("groupes:situations", situation.groupe_id)
    return render(
        request,
        "groupes/situation_clore.html",
        {"groupe": situation.groupe, "situation": situation, "form": form},
    )


# Archives et journal (pilote et coordonnateur) ---------------------------------------------


@never_cache
def archives(request, pk):
    """Les suivis clos : référence, date et motif de fin, sans aucun nom."""
    groupe = _groupe_du_suivi(request.user, pk, Action.PILOTER)
    return render(
        request,
        "groupes/situation_archives.html",
        {"groupe": groupe, "page_obj": paginer(request, selectors.archives_du_groupe(groupe))},
    )


@never_cache
def archive(request, pk):
    """Un dossier archivé ne s'ouvre qu'après un motif, écrit au journal ; il s'affiche dans
    la réponse à cet envoi, jamais au simple affichage de la page."""
    situation = selectors.archive_pour_pilotage(request.user, pk)
    form = MotifArchiveForm(donnees_envoyees(request))
    consultee = (
        request.method == "POST"
        and form.is_valid()
        and reussit(
            form,
            services.archive_consulter,
            situation,
            auteur=request.user,
            motif=form.cleaned_data["motif"],
            adresse_ip=adresse_du_client(request),
        )
    )
    contexte = _dossier(situation) if consultee else {"groupe": situation.groupe}
    return render(
        request,
        "groupes/situation_archive.html",
        {
            **contexte,
            "reference": situation.reference,
            "date_fin": situation.date_fin,
            "motif_fin": situation.get_motif_fin_display(),
            "form": form,
            "consultee": consultee,
        },
    )


@never_cache
def journal(request, pk):
    groupe = _groupe_du_suivi(request.user, pk, Action.PILOTER)
    return render(
        request,
        "groupes/journal.html",
        {"groupe": groupe, "page_obj": paginer(request, selectors.journal_du_groupe(groupe))},
    )
