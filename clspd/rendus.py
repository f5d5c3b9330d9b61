"""Les PDF longs, rendus hors de la requête qui les demande.

Un PDF de plus de ``SEUIL_PAGES`` pages estimées ne bloque jamais un processus web le temps
de sa mise en page : la vue enregistre une demande (``RenduPDF``) et renvoie vers sa page
d'avancement ; un processus de rendu (``manage.py rendre_les_pdf``), lancé à la demande,
la traite puis s'arrête quand la file est vide. Un PDF court reste rendu dans la requête,
sans rien de plus que WeasyPrint.

Chaque application décrit ses documents par une fonction ``(utilisateur, **parametres) ->
Document`` marquée ``@document(libelle)`` : elle lit les données par le même sélecteur que
la page (404 pour qui ne peut pas les voir) et estime le nombre de pages. Le rendu rappelle
cette fonction avec les droits du demandeur, et le téléchargement aussi : qui a perdu
l'accès entre-temps ne reçoit rien.

Confidentialité : le journal ne porte que l'identifiant et l'état d'un rendu, jamais un nom
ni un contenu ; le fichier n'est remis qu'au demandeur et s'efface après 24 heures.
"""

import contextlib
import dataclasses
import datetime
import logging
import math
import subprocess
import sys
import threading
import time

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string

from clspd import pdf
from clspd.models import RenduPDF

logger = logging.getLogger(__name__)

Etat = RenduPDF.Etat

# Au-delà, le PDF se rend hors de la requête.
SEUIL_PAGES = 20
# Une page A4 du gabarit de base (marges de 2,5 et 3 cm, corps de 10 pt, interligne 1,4) :
# l'unité des estimations.
LIGNES_PAR_PAGE = 46
CARACTERES_PAR_LIGNE = 88
# Le rendu et son fichier sont effacés ensuite par l'entretien quotidien.
CONSERVATION = datetime.timedelta(hours=24)
# Une demande restée en attente aussi longtemps sans rendu en cours (processus mort, ou
# lancé juste quand un autre se terminait) est relancée par la page d'avancement.
RELANCE_APRES = datetime.timedelta(seconds=10)

# Les étapes : libellé affiché et progression (%) à leur début, d'après la durée de
# chacune (rapport de 51 pages : 1,5 s de préparation, 3,4 s de mise en page, 2,3 s
# d'écriture).
LECTURE = ("Lecture des données", 5)
MISE_EN_PAGE = ("Mise en page", 10)
ECRITURE = ("Écriture du fichier", 70)
TERMINE = ("Terminé", 100)
# La mise en page avance page à page, de 10 à 65 % selon le nombre de pages estimé.
FIN_DE_LA_MISE_EN_PAGE = 65
EN_ATTENTE = "En attente d'un poste de rendu"

# Les messages d'échec : en français, sans détail technique ni contenu.
INTROUVABLE = "Le document n'existe plus, ou vous n'y avez plus accès."
ERREUR = "Une erreur est survenue pendant la préparation du document."
TROP_LONG = "La préparation a pris trop de temps et a été interrompue."
PAS_COMMENCE = "La préparation n'a pas pu commencer."


@dataclasses.dataclass(frozen=True)
class Document:
    """Ce qu'il faut pour rendre un PDF : le gabarit, son contexte, le nom du fichier et le
    nombre de pages estimé (qui décide du rendu dans la requête ou hors d'elle)."""

    gabarit: str
    contexte: dict
    nom_fichier: str
    pages_estimees: int


class DocumentInconnu(LookupError):
    """Le nom ne désigne aucune fonction marquée ``@document``."""


class _Abandonne(Exception):
    """Le rendu a été déclaré en échec (délai dépassé) pendant qu'on y travaillait."""


# Registre des documents --------------------------------------------------------------------

_DOCUMENTS = {}


def document(libelle):
    """Marque une fonction ``(utilisateur, **parametres) -> Document`` comme document PDF ;
    ``libelle`` (« rapport d'évaluation ») est affiché au demandeur. Le rendu la retrouve
    par son chemin d'import : seules les fonctions marquées sont acceptées."""

    def enregistrer(fonction):
        nom = f"{fonction.__module__}.{fonction.__qualname__}"
        _DOCUMENTS[nom] = (fonction, libelle)
        fonction.nom_du_document = nom
        return fonction

    return enregistrer


def _enregistrement(nom):
    if nom not in _DOCUMENTS:
        # Un processus de rendu n'a pas importé les vues : l'import enregistre la fonction.
        with contextlib.suppress(ImportError):
            import_string(nom)
    try:
        return _DOCUMENTS[nom]
    except KeyError:
        raise DocumentInconnu(nom) from None


def fonction_du_document(nom):
    return _enregistrement(nom)[0]


def libelle_du_document(nom):
    try:
        return _enregistrement(nom)[1]
    except DocumentInconnu:
        return "document"


# Estimation du nombre de pages ---------------------------------------------------------------


def lignes(texte, largeur=CARACTERES_PAR_LIGNE):
    """Les lignes qu'occupe ``texte`` dans une colonne de ``largeur`` caractères : chaque
    ligne du texte en commence une (une ligne vide compte pour l'espace entre paragraphes)."""
    if not texte:
        return 0
    return sum(max(1, math.ceil(len(ligne) / largeur)) for ligne in str(texte).splitlines())


def pages(nombre_de_lignes):
    """Les pages qu'occupent ``nombre_de_lignes`` lignes de corps de texte."""
    return max(1, math.ceil(nombre_de_lignes / LIGNES_PAR_PAGE))


# La vue -------------------------------------------------------------------------------------


def repondre(request, fonction, **parametres):
    """La réponse d'une vue PDF : le PDF tout de suite s'il est court ; sinon une demande de
    rendu, et la redirection (303) vers sa page d'avancement."""
    doc = fonction(request.user, **parametres)
    if doc.pages_estimees <= SEUIL_PAGES:
        return pdf.reponse_pdf(request, doc.gabarit, doc.contexte, doc.nom_fichier)
    rendu = rendu_demander(
        demandeur=request.user,
        document=fonction.nom_du_document,
        parametres=parametres,
        pages_estimees=doc.pages_estimees,
        nom_fichier=doc.nom_fichier,
        adresse=request.get_full_path(),
        origine=request.build_absolute_uri("/"),
    )
    return HttpResponseRedirect(rendu.get_absolute_url(), status=303)


# Services et sélecteurs -----------------------------------------------------------------------


def rendu_demander(
    *, demandeur, document, parametres, pages_estimees, nom_fichier, adresse, origine
):
    """La demande de rendu, lancée dès l'enregistrement ; une demande identique du même
    demandeur, encore en attente ou en cours, sert à sa place (double clic, rechargement)."""
    rendu = (
        RenduPDF.objects.defer("contenu")
        .filter(
            demandeur=demandeur,
            document=document,
            parametres=parametres,
            etat__in=[Etat.EN_ATTENTE, Etat.EN_COURS],
        )
        .first()
    )
    if rendu is not None:
        return rendu
    rendu = RenduPDF.objects.create(
        demandeur=demandeur,
        document=document,
        parametres=parametres,
        pages_estimees=pages_estimees,
        nom_fichier=nom_fichier[:255],
        adresse=adresse[:500],
        origine=origine[:200],
        etape=EN_ATTENTE,
    )
    logger.info("Rendu PDF %s : demandé", rendu.pk)
    lancer()
    return rendu


def rendu_pour(utilisateur, pk):
    """Le rendu (sans son fichier), pour son seul demandeur ; 404 pour tout autre."""
    return get_object_or_404(RenduPDF.objects.defer("contenu"), pk=pk, demandeur=utilisateur)


def rendu_surveiller(rendu):
    """À chaque consultation de l'avancement : un rendu trop long passe en échec, une
    demande oubliée (aucun processus ne la traite) est relancée. Rend le rendu à jour."""
    if rendu.etat not in (Etat.EN_ATTENTE, Etat.EN_COURS):
        return rendu
    maintenant = timezone.now()
    if _expirer(maintenant):
        rendu.refresh_from_db(fields=["etat", "etape", "progression", "termine_le"])
    elif rendu.etat == Etat.EN_ATTENTE and rendu.cree_le < maintenant - RELANCE_APRES:
        lancer(apres_validation=False)
        rendu.refresh_from_db(fields=["etat", "etape", "progression", "pages", "termine_le"])
    return rendu


def rendu_en_donnees(rendu):
    """L'avancement, pour la page qui le suit en JavaScript : l'état, l'étape et des
    nombres, jamais le contenu ni le nom du fichier."""
    return {
        "etat": rendu.etat,
        "etat_libelle": rendu.get_etat_display(),
        "etape": rendu.etape,
        "progression": rendu.progression,
        "pages": rendu.pages,
        "telecharger": (
            reverse("rendu_pdf_telecharger", args=[rendu.pk])
            if rendu.etat == Etat.TERMINE
            else None
        ),
        "redemander": rendu.adresse if rendu.etat == Etat.ECHEC else None,
    }


def rendu_a_telecharger(utilisateur, pk):
    """``(rendu, octets)`` : le fichier d'un rendu terminé, pour son demandeur, s'il peut
    toujours lire le document (le sélecteur de la fonction répond 404 sinon) ; les octets
    valent ``None`` tant que le rendu n'est pas terminé."""
    rendu = rendu_pour(utilisateur, pk)
    if rendu.etat != Etat.TERMINE:
        return rendu, None
    try:
        fonction = fonction_du_document(rendu.document)
    except DocumentInconnu:
        raise Http404 from None
    fonction(utilisateur, **rendu.parametres)
    contenu = RenduPDF.objects.filter(pk=rendu.pk).values_list("contenu", flat=True).get()
    return rendu, bytes(contenu)


def rendus_purger(avant):
    """Efface les rendus demandés avant ``avant`` ; rend leur nombre."""
    nombre, _ = RenduPDF.objects.filter(cree_le__lt=avant).delete()
    return nombre


# Lancement des processus de rendu ---------------------------------------------------------------

# Les processus lancés par ce processus web : attendus (ni zombie ni double lancement)
# tant qu'ils tournent.
_TRAVAILLEURS = []


def lancer(*, apres_validation=True):
    """Fait traiter la file : par des processus de rendu, lancés après la validation de la
    transaction en cours (qui enregistre la demande) ; sans arrière-plan
    (``PDF_EN_ARRIERE_PLAN`` faux : tests, développement), ici même."""
    if not settings.PDF_EN_ARRIERE_PLAN:
        traiter_la_file()
    elif apres_validation:
        transaction.on_commit(lancer_des_travailleurs)
    else:
        lancer_des_travailleurs()


def lancer_des_travailleurs():
    """Lance ce qu'il faut de processus ``rendre_les_pdf`` pour la file, sans dépasser
    ``PDF_TRAVAILLEURS_MAX`` rendus à la fois ; rend leur nombre."""
    _TRAVAILLEURS[:] = [processus for processus in _TRAVAILLEURS if processus.poll() is None]
    _expirer(timezone.now())
    en_attente = RenduPDF.objects.filter(etat=Etat.EN_ATTENTE).count()
    occupes = max(RenduPDF.objects.filter(etat=Etat.EN_COURS).count(), len(_TRAVAILLEURS))
    nombre = max(0, min(en_attente, settings.PDF_TRAVAILLEURS_MAX - occupes))
    for _ in range(nombre):
        try:
            _TRAVAILLEURS.append(
                subprocess.Popen(
                    [sys.executable, str(settings.BASE_DIR / "manage.py"), "rendre_les_pdf"],
                    cwd=settings.BASE_DIR,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    # Le journal du processus (identifiants et états) rejoint celui du site.
                    stderr=None,
                    start_new_session=True,
                )
            )
        except OSError as erreur:
            logger.error("Rendu PDF : processus de rendu non lancé (%s)", type(erreur).__name__)
            return 0
    if nombre:
        logger.info("Rendu PDF : %d processus de rendu lancé(s)", nombre)
    return nombre


def _expirer(maintenant):
    """Passe en échec les rendus en cours depuis plus de ``PDF_DUREE_MAXIMALE_MINUTES`` (le
    processus est mort ou bloqué) et les demandes en attente depuis aussi longtemps ; rend
    leur nombre."""
    limite = maintenant - datetime.timedelta(minutes=settings.PDF_DUREE_MAXIMALE_MINUTES)
    nombre = 0
    for etat, date, message in (
        (Etat.EN_COURS, "debute_le", TROP_LONG),
        (Etat.EN_ATTENTE, "cree_le", PAS_COMMENCE),
    ):
        expires = RenduPDF.objects.filter(etat=etat, **{f"{date}__lt": limite})
        for pk in expires.values_list("pk", flat=True):
            if expires.filter(pk=pk).update(
                etat=Etat.ECHEC, etape=message, poste=None, termine_le=maintenant
            ):
                logger.warning("Rendu PDF %s : échec (délai dépassé)", pk)
                nombre += 1
    return nombre


# Le rendu ------------------------------------------------------------------------------------


def traiter_la_file(*, delai=contextlib.nullcontext):
    """Rend les demandes en attente, la plus ancienne d'abord, tant qu'il y en a et qu'un
    poste de rendu est libre ; rend le nombre de rendus traités. ``delai`` : un gestionnaire
    de contexte qui borne la durée de chaque rendu (le processus de rendu en pose un)."""
    traites = 0
    while (rendu := _reserver()) is not None:
        with delai():
            executer(rendu)
        traites += 1
    return traites


def _reserver():
    """La plus ancienne demande en attente, passée en cours sur un poste libre ; ``None``
    si la file est vide ou tous les postes occupés.

    Chaque passage est une mise à jour conditionnelle (``WHERE etat = 'en_attente'``) dont
    on lit le nombre de lignes : deux processus ne prennent jamais la même demande. La
    contrainte d'unicité du poste parmi les rendus en cours tient la limite, sur SQLite
    comme sur PostgreSQL.
    """
    maintenant = timezone.now()
    file = RenduPDF.objects.filter(etat=Etat.EN_ATTENTE).order_by("cree_le", "pk")
    for pk in file.values_list("pk", flat=True)[:20]:
        for poste in range(1, settings.PDF_TRAVAILLEURS_MAX + 1):
            try:
                with transaction.atomic():
                    pris = RenduPDF.objects.filter(pk=pk, etat=Etat.EN_ATTENTE).update(
                        etat=Etat.EN_COURS,
                        poste=poste,
                        debute_le=maintenant,
                        etape=LECTURE[0],
                        progression=LECTURE[1],
                    )
            except IntegrityError:
                continue  # poste occupé : le suivant
            if pris:
                logger.info("Rendu PDF %s : en cours (poste %d)", pk, poste)
                return RenduPDF.objects.defer("contenu").select_related("demandeur").get(pk=pk)
            break  # un autre processus l'a prise : la demande suivante
        else:
            return None  # tous les postes sont occupés
    return None


def executer(rendu):
    """Rend une demande en cours : lecture des données (avec les droits du demandeur), mise
    en page, écriture du fichier. Tout échec est noté, en français et sans détail."""
    try:
        fonction = fonction_du_document(rendu.document)
        doc = fonction(rendu.demandeur, **rendu.parametres)
        _avancer(rendu, MISE_EN_PAGE)
        html = pdf.preparer_pdf(
            doc.gabarit, doc.contexte, genere_par=rendu.demandeur, origine=rendu.origine
        )
        with _suivre_la_mise_en_page(rendu, doc.pages_estimees):
            mis_en_page = html.render()
        nombre_de_pages = len(mis_en_page.pages)
        _avancer(rendu, ECRITURE, pages=nombre_de_pages)
        contenu = mis_en_page.write_pdf()
    except _Abandonne:
        return
    except TimeoutError:
        _echouer(rendu, TROP_LONG, "délai dépassé")
    except (Http404, PermissionDenied, ObjectDoesNotExist, DocumentInconnu):
        _echouer(rendu, INTROUVABLE, "document introuvable ou accès retiré")
    except Exception as erreur:
        # Le nom de l'exception seulement : son message pourrait citer le contenu.
        _echouer(rendu, ERREUR, type(erreur).__name__)
    else:
        if RenduPDF.objects.filter(pk=rendu.pk, etat=Etat.EN_COURS).update(
            etat=Etat.TERMINE,
            etape=TERMINE[0],
            progression=TERMINE[1],
            pages=nombre_de_pages,
            contenu=contenu,
            poste=None,
            termine_le=timezone.now(),
        ):
            logger.info("Rendu PDF %s : terminé (%d pages)", rendu.pk, nombre_de_pages)


def _avancer(rendu, etape, **champs):
    libelle, progression = etape
    if not RenduPDF.objects.filter(pk=rendu.pk, etat=Etat.EN_COURS).update(
        etape=libelle, progression=progression, **champs
    ):
        raise _Abandonne


def _echouer(rendu, message, cause):
    if RenduPDF.objects.filter(pk=rendu.pk, etat=Etat.EN_COURS).update(
        etat=Etat.ECHEC, etape=message, poste=None, termine_le=timezone.now()
    ):
        logger.warning("Rendu PDF %s : échec (%s)", rendu.pk, cause)


class _SuiviDeLaMiseEnPage(logging.Handler):
    """Lit le journal de progression de WeasyPrint (« Step 5 - Creating layout - Page N ») et
    en tire la progression du rendu, écrite au plus deux fois par seconde."""

    INTERVALLE = 0.5

    def __init__(self, rendu, pages_estimees):
        super().__init__(level=logging.INFO)
        self.rendu = rendu
        self.pages_estimees = max(1, pages_estimees)
        self.fil = threading.get_ident()
        self.progression = MISE_EN_PAGE[1]
        self.ecrit_le = time.monotonic()

    def emit(self, record):
        message = record.msg if isinstance(record.msg, str) else ""
        if record.thread != self.fil or not message.startswith("Step 5 - Creating layout - Page"):
            return
        page = record.args[0] if record.args else 0
        debut, fin = MISE_EN_PAGE[1], FIN_DE_LA_MISE_EN_PAGE
        progression = debut + int((fin - debut) * min(1, page / self.pages_estimees))
        maintenant = time.monotonic()
        if progression > self.progression and maintenant - self.ecrit_le >= self.INTERVALLE:
            self.progression, self.ecrit_le = progression, maintenant
            RenduPDF.objects.filter(pk=self.rendu.pk, etat=Etat.EN_COURS).update(
                progression=progression
            )


@contextlib.contextmanager
def _suivre_la_mise_en_page(rendu, pages_estimees):
    journal = logging.getLogger("weasyprint.progress")
    suivi = _SuiviDeLaMiseEnPage(rendu, pages_estimees)
    niveau, propage = journal.level, journal.propagate
    # Le journal de progression, d'ordinaire muet, est lu ici sans être affiché.
    journal.addHandler(suivi)
    journal.setLevel(logging.INFO)
    journal.propagate = False
    try:
        yield
    finally:
        journal.removeHandler(suivi)
        journal.setLevel(niveau)
        journal.propagate = propage
