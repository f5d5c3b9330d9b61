"""La durée des sessions : fermée après 30 minutes sans activité, et 12 heures après la
connexion quoi qu'il arrive ; les actions sensibles demandent de s'être authentifié depuis
peu (``authentification_recente``)."""

import time
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.urls import reverse

CONNEXION = "clspd_connexion"
ACTIVITE = "clspd_activite"
AUTHENTIFICATION = "clspd_authentification"
# L'heure d'activité ne s'écrit qu'une fois par minute : pas une écriture par requête.
PRECISION_ACTIVITE = 60


def maintenant():
    return int(time.time())


@receiver(user_logged_in)
def noter_la_connexion(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    instant = maintenant()
    request.session[CONNEXION] = instant
    request.session[ACTIVITE] = instant
    request.session[AUTHENTIFICATION] = instant


def noter_une_authentification(request):
    """Le mot de passe (et le code) viennent d'être redonnés."""
    request.session[AUTHENTIFICATION] = maintenant()


class ExpirationDesSessions:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            session = request.session
            instant = maintenant()
            connexion = session.get(CONNEXION, 0)
            activite = session.get(ACTIVITE, 0)
            if (
                instant - connexion > settings.SESSION_DUREE_MAXIMALE
                or instant - activite > settings.SESSION_INACTIVITE
            ):
                logout(request)
                messages.info(
                    request,
                    "Votre session a expiré (inactivité ou durée maximale atteinte) : "
                    "reconnectez-vous pour continuer.",
                )
                return redirect_to_login(request.get_full_path())
            if instant - activite >= PRECISION_ACTIVITE:
                session[ACTIVITE] = instant
        return self.get_response(request)


def authentification_recente(vue):
    """Une action sensible : si la dernière authentification date de plus de
    ``REAUTHENTIFICATION_APRES`` secondes, le mot de passe est redemandé d'abord."""

    @wraps(vue)
    def verifiee(request, *args, **kwargs):
        derniere = request.session.get(AUTHENTIFICATION, 0)
        if maintenant() - derniere > settings.REAUTHENTIFICATION_APRES:
            return redirect_to_login(
                request.get_full_path(), login_url=reverse("reauthentification")
            )
        return vue(request, *args, **kwargs)

    return verifiee
