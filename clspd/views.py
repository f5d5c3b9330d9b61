"""Vues du cœur : annuaire des institutions, territoire, formation restreinte, activation."""

from functools import partial

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from clspd import double_authentification as deux_facteurs
from clspd import permissions, rendus, selectors, services
from clspd.forms import (
    CodeForm,
    ConfirmationForm,
    FinForm,
    InstitutionForm,
    MembreFormationRestreinteForm,
    ReauthentificationForm,
    TerritoireForm,
    ajouter_erreurs,
)
from clspd.models import Institution, Territoire
from clspd.pdf import piece_jointe_pdf
from clspd.permissions import Action
from clspd.sessions import authentification_recente, noter_une_authentification


def paginer(request, queryset, par_page=None, nombre=None):
    """La page demandée ; ``nombre``, le nombre d'objets quand il est déjà connu, épargne
    le COUNT."""
    paginator = Paginator(queryset, par_page or settings.PAGINATION)
    if nombre is not None:
        paginator.count = nombre
    return paginator.get_page(request.GET.get("page"))


def donnees_envoyees(request):
    """Les données envoyées, même vides : ``request.POST or None`` prendrait un envoi sans
    champ (une confirmation) pour un simple affichage."""
    return request.POST if request.method == "POST" else None


def reussit(form, service, *args, **kwargs):
    """Appelle le service ; ses erreurs s'affichent à côté des champs du formulaire."""
    try:
        service(*args, **kwargs)
    except ValidationError as erreur:
        ajouter_erreurs(form, erreur)
        return False
    return True


def confirmer(request, *, service, libelle, gabarit, succes, retour, contexte):
    """Une action sans saisie (envoyer, annuler, retirer...) : une page de confirmation au
    GET, le service au POST ; ses erreurs s'affichent sur la page."""
    form = ConfirmationForm(donnees_envoyees(request), libelle_bouton=libelle)
    if request.method == "POST" and form.is_valid() and reussit(form, service):
        messages.success(request, succes)
        return redirect(retour)
    return render(request, gabarit, {**contexte, "form": form})


def adresse_du_client(request):
    """L'adresse IP de la personne (celle qu'écrit le proxy de confiance, s'il y en a un)."""
    meta = request.META
    brute = (settings.EN_TETE_ADRESSE_CLIENT and meta.get(settings.EN_TETE_ADRESSE_CLIENT)) or (
        meta.get("REMOTE_ADDR")
    )
    return brute.split(",")[0].strip() if brute else None


def base_url(request):
    return request.build_absolute_uri("/").rstrip("/")


def _contexte_conseil(request, conseil, **contexte):
    return {
        "conseil": conseil,
        "peut_coordonner": permissions.peut(request.user, Action.COORDONNER, conseil),
        **contexte,
    }


def _edition(request, conseil, form, enregistrer, *, gabarit, succes, retour, **contexte):
    """Formulaire d'un objet du conseil : le service enregistre, ses erreurs vont aux champs."""
    if request.method == "POST" and form.is_valid():
        champs = {nom: form.cleaned_data[nom] for nom in form.Meta.fields}
        try:
            enregistrer(**champs)
        except ValidationError as erreur:
            ajouter_erreurs(form, erreur)
        else:
            messages.success(request, succes.format(**champs))
            return redirect(retour, conseil_pk=conseil.pk)
    return render(request, gabarit, _contexte_conseil(request, conseil, form=form, **contexte))


_INSTITUTION = {
    "gabarit": "clspd/institution_formulaire.html",
    "succes": "L'institution « {nom} » est enregistrée.",
    "retour": "institution_liste",
}
_TERRITOIRE = {
    "gabarit": "clspd/territoire_formulaire.html",
    "succes": "Le territoire « {nom} » est enregistré.",
    "retour": "territoire_liste",
}


# Institutions ----------------------------------------------------------------------------


def institution_liste(request, conseil_pk):
    conseil = selectors.conseil_pour(request.user, conseil_pk, Action.COORDONNER)
    page = paginer(request, selectors.institutions_du_conseil(conseil))
    return render(
        request,
        "clspd/institution_liste.html",
        _contexte_conseil(request, conseil, page_obj=page),
    )


def institution_creer(request, conseil_pk):
    conseil = selectors.conseil_pour(request.user, conseil_pk, Action.COORDONNER)
    form = InstitutionForm(donnees_envoyees(request), instance=Institution(conseil=conseil))
    return _edition(
        request, conseil, form, partial(services.institution_creer, conseil=conseil), **_INSTITUTION
    )


def institution_modifier(request, pk):
    institution = selectors.institution_pour_coordination(request.user, pk)
    form = InstitutionForm(donnees_envoyees(request), instance=institution)
    enregistrer = partial(services.institution_modifier, institution)
    return _edition(
        request, institution.conseil, form, enregistrer, institution=institution, **_INSTITUTION
    )


def institution_supprimer(request, pk):
    institution = selectors.institution_pour_coordination(request.user, pk)
    conseil = institution.conseil
    erreur = None
    if request.method == "POST":
        try:
            services.institution_supprimer(institution)
        except ValidationError as exc:
            erreur = exc.messages[0]
        else:
            messages.success(request, f"L'institution « {institution.nom} » est supprimée.")
            return redirect("institution_liste", conseil_pk=conseil.pk)
    return render(
        request,
        "clspd/institution_supprimer.html",
        _contexte_conseil(request, conseil, institution=institution, erreur=erreur),
    )


# Territoire ------------------------------------------------------------------------------


def territoire_liste(request, conseil_pk):
    conseil = selectors.conseil_pour(request.user, conseil_pk, Action.COORDONNER)
    page = paginer(request, selectors.territoires_du_conseil(conseil))
    return render(
        request,
        "clspd/territoire_liste.html",
        _contexte_conseil(request, conseil, page_obj=page, communes=conseil.communes.all()),
    )


def territoire_creer(request, conseil_pk):
    conseil = selectors.conseil_pour(request.user, conseil_pk, Action.COORDONNER)
    form = TerritoireForm(donnees_envoyees(request), instance=Territoire(conseil=conseil))
    return _edition(
        request, conseil, form, partial(services.territoire_creer, conseil=conseil), **_TERRITOIRE
    )


def territoire_modifier(request, pk):
    territoire = selectors.territoire_pour_coordination(request.user, pk)
    form = TerritoireForm(donnees_envoyees(request), instance=territoire)
    enregistrer = partial(services.territoire_modifier, territoire)
    return _edition(
        request, territoire.conseil, form, enregistrer, territoire=territoire, **_TERRITOIRE
    )


# Formation restreinte --------------------------------------------------------------------


def formation_restreinte(request, conseil_pk):
    conseil = selectors.conseil_pour(request.user, conseil_pk, Action.CONSULTER)
    return render(
        request,
        "clspd/formation_restreinte.html",
        _contexte_conseil(
            request, conseil, sieges=selectors.formation_restreinte_du_conseil(conseil)
        ),
    )


@authentification_recente
def formation_restreinte_ajouter(request, conseil_pk):
    conseil = selectors.conseil_pour(request.user, conseil_pk, Action.COORDONNER)
    form = MembreFormationRestreinteForm(donnees_envoyees(request), conseil=conseil)
    if request.method == "POST" and form.is_valid():
        donnees = form.cleaned_data
        try:
            utilisateur, invitation = services.personne_obtenir_ou_inviter(
                email=donnees["email"],
                first_name=donnees["first_name"],
                last_name=donnees["last_name"],
                fonction=donnees["fonction"],
                institution=donnees["institution"],
                conseil=conseil,
                invite_par=request.user,
                base_url=base_url(request),
            )
            services.formation_restreinte_ajouter(
                conseil=conseil,
                utilisateur=utilisateur,
                institution=donnees["institution"],
                qualite=donnees["qualite"],
                programme=donnees["programme"],
                date_debut=donnees["date_debut"],
            )
        except ValidationError as erreur:
            ajouter_erreurs(form, erreur)
        else:
            messages.success(request, f"{utilisateur} siège à la formation restreinte.")
            if invitation:
                messages.info(request, "Une invitation à activer son compte lui a été envoyée.")
            return redirect("formation_restreinte", conseil_pk=conseil.pk)
    return render(
        request,
        "clspd/formation_restreinte_ajouter.html",
        _contexte_conseil(request, conseil, form=form),
    )


@authentification_recente
def formation_restreinte_retirer(request, pk):
    siege = selectors.siege_pour_coordination(request.user, pk)
    form = FinForm(donnees_envoyees(request), initial={"date_fin": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.formation_restreinte_retirer(siege, date_fin=form.cleaned_data["date_fin"])
        except ValidationError as erreur:
            ajouter_erreurs(form, erreur)
        else:
            messages.success(
                request, f"{siege.utilisateur} ne siège plus à la formation restreinte."
            )
            return redirect("formation_restreinte", conseil_pk=siege.conseil_id)
    return render(
        request,
        "clspd/formation_restreinte_retirer.html",
        _contexte_conseil(request, siege.conseil, form=form, siege=siege),
    )


# Comptes ---------------------------------------------------------------------------------


class ActivationView(auth_views.PasswordResetConfirmView):
    """Première connexion d'une personne invitée : elle choisit son mot de passe."""

    template_name = "registration/activation.html"
    success_url = reverse_lazy("connexion")
    reset_url_token = "activer"

    def form_valid(self, form):
        form.user.is_active = True
        response = super().form_valid(form)
        messages.success(self.request, "Votre compte est activé : vous pouvez vous connecter.")
        return response


def _suivante(request):
    """L'adresse où revenir (``next``), si elle est de ce site ; sinon l'accueil. Une adresse,
    jamais un nom de vue : on la renvoie par HttpResponseRedirect, non par redirect()."""
    suivante = request.POST.get("next") or request.GET.get("next", "")
    if url_has_allowed_host_and_scheme(
        suivante, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return suivante
    return reverse("accueil")


def reauthentification(request):
    """Le mot de passe redemandé avant une action sensible, puis retour à cette action."""
    form = ReauthentificationForm(donnees_envoyees(request), request=request)
    if request.method == "POST" and form.is_valid():
        noter_une_authentification(request)
        return HttpResponseRedirect(_suivante(request))
    return render(request, "registration/reauthentification.html", {"form": form})


# Double authentification ------------------------------------------------------------------


def double_authentification(request):
    """Le code de l'application (ou de secours), après le mot de passe."""
    form = CodeForm(donnees_envoyees(request))
    if request.method == "POST" and form.is_valid():
        if deux_facteurs.verifier(request, form.cleaned_data["code"]):
            return HttpResponseRedirect(_suivante(request))
        form.add_error("code", "Code incorrect ou expiré.")
    return render(request, "registration/double_authentification.html", {"form": form})


def double_authentification_inscrire(request):
    """Associer une application d'authentification : sa clé, puis un premier code."""
    appareil = deux_facteurs.appareil_en_cours_d_inscription(request.user)
    form = CodeForm(donnees_envoyees(request))
    if request.method == "POST" and form.is_valid():
        codes = deux_facteurs.confirmer_l_inscription(request, appareil, form.cleaned_data["code"])
        if codes is not None:
            return render(
                request,
                "registration/codes_de_secours.html",
                {"codes": codes, "suivante": _suivante(request)},
            )
        form.add_error("code", "Code incorrect ou expiré : vérifiez l'heure de votre appareil.")
    return render(
        request,
        "registration/double_authentification_inscrire.html",
        {
            "form": form,
            "cle": deux_facteurs.cle_base32(appareil),
            "qr_code": deux_facteurs.qr_code(appareil),
            "obligatoire": request.session.get(deux_facteurs.ETAPE) == deux_facteurs.INSCRIRE,
        },
    )


@require_POST
@authentification_recente
def codes_de_secours(request):
    if not deux_facteurs.a_un_appareil(request.user):
        return redirect("mon_compte")
    codes = deux_facteurs.codes_de_secours_renouveler(request.user)
    return render(
        request,
        "registration/codes_de_secours.html",
        {"codes": codes, "suivante": reverse("mon_compte")},
    )


@require_POST
@authentification_recente
def double_authentification_desactiver(request):
    if deux_facteurs.exigee(request.user):
        messages.error(request, "Votre rôle exige la double authentification : elle reste activée.")
    else:
        deux_facteurs.desactiver(request.user)
        messages.success(request, "La double authentification est désactivée.")
    return redirect("mon_compte")


# PDF longs ---------------------------------------------------------------------------------


def _sans_cache(reponse):
    reponse["Cache-Control"] = "private, no-store"
    return reponse


@require_safe
def rendu_pdf(request, pk):
    """L'avancement d'un PDF long, pour son seul demandeur : la page se suit sans
    JavaScript (lien « Actualiser ») ; static/js/rendu-pdf.js l'actualise chaque seconde."""
    rendu = rendus.rendu_surveiller(rendus.rendu_pour(request.user, pk))
    return _sans_cache(
        render(
            request,
            "clspd/rendu_pdf.html",
            {
                "rendu": rendu,
                "libelle": rendus.libelle_du_document(rendu.document),
                "en_cours": rendu.etat in (rendu.Etat.EN_ATTENTE, rendu.Etat.EN_COURS),
                "termine": rendu.etat == rendu.Etat.TERMINE,
                "conservation_heures": int(rendus.CONSERVATION.total_seconds() // 3600),
            },
        )
    )


@require_safe
def rendu_pdf_etat(request, pk):
    rendu = rendus.rendu_surveiller(rendus.rendu_pour(request.user, pk))
    return _sans_cache(JsonResponse(rendus.rendu_en_donnees(rendu)))


@require_safe
def rendu_pdf_telecharger(request, pk):
    rendu, contenu = rendus.rendu_a_telecharger(request.user, pk)
    if contenu is None:
        return HttpResponseRedirect(rendu.get_absolute_url(), status=303)
    return piece_jointe_pdf(contenu, rendu.nom_fichier)


@login_not_required
@require_safe
def sante(request):
    """Le plus simple des points d'entrée : pour la supervision, et plancher du banc de mesure."""
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")
