"""Double authentification (TOTP, avec codes de secours) : exigée des coordonnateurs, des
pilotes et de quiconque peut lire des situations individuelles ; offerte à tous.

À la connexion, on note en session ce qui reste à faire : saisir un code (la personne a un
appareil confirmé) ou s'inscrire (elle en a l'obligation et pas encore d'appareil). Tant que
c'est à faire, toute page renvoie vers l'étape attendue, sauf ces étapes et la déconnexion."""

import base64
import io
from functools import cache

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.urls import reverse
from django.utils.module_loading import import_string
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

ETAPE = "clspd_double_authentification"
VERIFIER = "verifier"
INSCRIRE = "inscrire"
NOMBRE_DE_CODES_DE_SECOURS = 10


@cache
def _exigee_pour():
    return import_string(settings.DOUBLE_AUTHENTIFICATION_EXIGEE_POUR)


def a_un_appareil(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def exigee(user):
    return settings.DOUBLE_AUTHENTIFICATION_OBLIGATOIRE and _exigee_pour()(user)


def etape_a_la_connexion(user):
    if a_un_appareil(user):
        return VERIFIER
    if exigee(user):
        return INSCRIRE
    return ""


@receiver(user_logged_in)
def noter_l_etape(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[ETAPE] = etape_a_la_connexion(user)


class DoubleAuthentification:
    """Après ``OTPMiddleware`` : renvoie vers le code ou l'inscription tant qu'il le faut."""

    PAGES_LIBRES = ("double_authentification", "double_authentification_inscrire", "deconnexion")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        etape = request.session.get(ETAPE) if request.user.is_authenticated else None
        if etape and not request.user.is_verified():
            libres = [reverse(nom) for nom in self.PAGES_LIBRES]
            if request.path not in libres and not request.path.startswith(settings.STATIC_URL):
                page = (
                    "double_authentification"
                    if etape == VERIFIER
                    else ("double_authentification_inscrire")
                )
                return redirect_to_login(request.get_full_path(), login_url=reverse(page))
        return self.get_response(request)


def verifier(request, code):
    """Le code d'application ou un code de secours ; la session est alors vérifiée."""
    appareil = match_token(request.user, code.replace(" ", ""))
    if appareil is None:
        return False
    otp_login(request, appareil)
    request.session[ETAPE] = ""
    return True


def appareil_en_cours_d_inscription(user):
    """L'appareil TOTP non confirmé de la personne (créé au besoin) : sa clé est montrée
    jusqu'à ce qu'un premier code la confirme."""
    appareil = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return appareil or TOTPDevice.objects.create(user=user, name="Application", confirmed=False)


def confirmer_l_inscription(request, appareil, code):
    """Confirme l'appareil si le code est bon ; renvoie les codes de secours (neufs)."""
    if not appareil.verify_token(code.replace(" ", "")):
        return None
    TOTPDevice.objects.filter(user=request.user).exclude(pk=appareil.pk).delete()
    appareil.confirmed = True
    appareil.save(update_fields=["confirmed"])
    otp_login(request, appareil)
    request.session[ETAPE] = ""
    return codes_de_secours_renouveler(request.user)


def codes_de_secours_renouveler(user):
    secours, _ = StaticDevice.objects.get_or_create(user=user, defaults={"name": "Secours"})
    secours.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(NOMBRE_DE_CODES_DE_SECOURS)]
    StaticToken.objects.bulk_create(StaticToken(device=secours, token=c) for c in codes)
    return codes


def desactiver(user):
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def cle_base32(appareil):
    return base64.b32encode(appareil.bin_key).decode()


def qr_code(appareil):
    """Le QR code de l'adresse otpauth://, en image SVG « data: » (la CSP les accepte)."""
    image = qrcode.make(appareil.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    tampon = io.BytesIO()
    image.save(tampon)
    return "data:image/svg+xml;base64," + base64.b64encode(tampon.getvalue()).decode()
