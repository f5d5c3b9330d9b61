"""Les PDF du projet : un gabarit Django qui étend ``pdf/base.html``, rendu par WeasyPrint.

Les documents sont confidentiels (article L132-5 du code de la sécurité intérieure) : le
gabarit de base porte la mention de confidentialité, le nom de qui a généré le document et
quand. Le rendu n'accède jamais au réseau : WeasyPrint ne lit que les fichiers statiques du
projet, par ``RecuperateurStatique``.
"""

import logging
import mimetypes
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urljoin

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation
from django.http import HttpResponse
from django.template import loader
from django.utils import timezone
from django.utils.text import slugify
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)

# Origine des URL relatives sans requête (tâche de fond, tests) : un domaine réservé
# (RFC 2606) qui ne se résout jamais, au cas où une URL s'échapperait.
ORIGINE_PAR_DEFAUT = "https://clspd.invalid/"


class RessourceRefusee(ValueError):
    """Une ressource que le PDF ne doit pas charger."""


class RecuperateurStatique(URLFetcher):
    """Le récupérateur d'URL de WeasyPrint, limité aux fichiers statiques du projet.

    Sert, lues sur le disque, les URL placées sous ``STATIC_URL`` (relatives à
    ``origine``, l'adresse du site) et les URL ``data:``, qui ne téléchargent rien.
    Refuse tout le reste (``http:``, ``https:`` vers toute autre adresse, ``file:``,
    chemin qui sort des fichiers statiques) en levant ``RessourceRefusee`` : WeasyPrint
    le journalise et continue sans la ressource.
    """

    def __init__(self, origine=ORIGINE_PAR_DEFAUT):
        # La classe parente ne traite que data:, sans suivre de redirection.
        super().__init__(allowed_protocols=("data",), allow_redirects=False)
        self.prefixe_statique = urljoin(origine, settings.STATIC_URL)

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        try:
            chemin = self.fichier_statique(url)
        except RessourceRefusee as erreur:
            logger.warning("PDF : ressource refusée (%s)", erreur)
            raise
        type_mime = mimetypes.guess_type(chemin.name)[0] or "application/octet-stream"
        if type_mime.startswith("text/"):
            type_mime += "; charset=utf-8"
        # L'URL demandée (et non le chemin disque) reste la base des URL relatives.
        return URLFetcherResponse(url, chemin.read_bytes(), {"Content-Type": type_mime})

    def fichier_statique(self, url):
        """Le chemin sur le disque du fichier statique que désigne ``url``."""
        if not url.startswith(self.prefixe_statique):
            raise RessourceRefusee(f"hors des fichiers statiques : {url}")
        nom = unquote(url.removeprefix(self.prefixe_statique).split("?")[0].split("#")[0])
        chemin_relatif = PurePosixPath(nom)
        if (
            not nom
            or chemin_relatif.is_absolute()
            or ".." in chemin_relatif.parts
            or "\\" in nom
            or "\x00" in nom
        ):
            raise RessourceRefusee(f"chemin statique invalide : {url}")
        chemin = self._chemin_source(nom) or self._chemin_collecte(nom)
        if chemin is None:
            raise RessourceRefusee(f"fichier statique introuvable : {url}")
        return chemin

    @staticmethod
    def _chemin_source(nom):
        # Les dossiers static/ du projet et des applications (développement, tests).
        try:
            chemin = finders.find(nom)
        except SuspiciousFileOperation:
            return None
        return Path(chemin) if chemin else None

    @staticmethod
    def _chemin_collecte(nom):
        # En production, {% static %} donne le nom haché que seul STATIC_ROOT contient ;
        # un stockage distant (sans chemin local) n'est jamais lu.
        try:
            chemin = Path(staticfiles_storage.path(nom))
        except (NotImplementedError, SuspiciousFileOperation):
            return None
        return chemin if chemin.is_file() else None


def preparer_pdf(gabarit, contexte, *, genere_par, request=None, origine=None):
    """Le document WeasyPrint (``HTML``), pas encore mis en page, de ``gabarit`` : un nom,
    ou un gabarit de moteur (celui que donnent ``loader.get_template`` ou
    ``engines["django"].from_string``).

    Le contexte reçoit en plus ``genere_par`` et ``genere_le``, que le pied de page
    affiche. Les liens du document pointent vers le site : celui de ``request``, sinon
    ``origine`` (l'adresse du site, pour un rendu hors requête).
    """
    if isinstance(gabarit, str):
        gabarit = loader.get_template(gabarit)
    html = gabarit.render(
        {**contexte, "genere_par": genere_par, "genere_le": timezone.localtime()},
        request,
    )
    if request is not None:
        origine = request.build_absolute_uri("/")
    origine = origine or ORIGINE_PAR_DEFAUT
    return HTML(string=html, base_url=origine, url_fetcher=RecuperateurStatique(origine))


def rendre_pdf(gabarit, contexte, *, genere_par, request=None):
    """Les octets du PDF A4 de ``gabarit`` (voir ``preparer_pdf``)."""
    return preparer_pdf(gabarit, contexte, genere_par=genere_par, request=request).write_pdf()


def nom_de_fichier_pdf(nom_fichier):
    """Un nom de fichier ASCII sans guillemet, pour l'en-tête Content-Disposition."""
    base = nom_fichier[:-4] if nom_fichier.lower().endswith(".pdf") else nom_fichier
    return f"{slugify(base) or 'document'}.pdf"


def piece_jointe_pdf(contenu, nom_fichier):
    """La réponse qui remet les octets d'un PDF en pièce jointe."""
    reponse = HttpResponse(contenu, content_type="application/pdf")
    reponse["Content-Disposition"] = f'attachment; filename="{nom_de_fichier_pdf(nom_fichier)}"'
    # Document confidentiel : ni proxy ni cache partagé ne doit le conserver.
    reponse["Cache-Control"] = "private, no-store"
    return reponse


def reponse_pdf(request, gabarit, contexte, nom_fichier):
    """Le PDF en pièce jointe, généré au nom de l'utilisateur connecté."""
    contenu = rendre_pdf(gabarit, contexte, genere_par=request.user, request=request)
    return piece_jointe_pdf(contenu, nom_fichier)
