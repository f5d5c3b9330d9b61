"""Exports des actions et des lignes de financement d'un conseil, en CSV et en XLSX.

Des fonctions pures : des en-têtes, des itérateurs de lignes (valeurs Python : texte,
``Decimal`` pour les montants, ``date``, ``None`` pour une valeur absente) et deux écrivains
qui les mettent en forme. Les lignes sont lues par paquets (``iterator(chunk_size=...)``) et
écrites au fil de l'eau : la mémoire reste bornée quel que soit le nombre de lignes.

Conventions du CSV, pour un tableur réglé en français (Excel, LibreOffice) :

- UTF-8 avec BOM, sans quoi Excel lit les accents de travers ;
- séparateur « ; », fins de ligne CRLF, guillemets au besoin (module ``csv``) ;
- montants avec deux décimales et une virgule décimale, sans séparateur de milliers
  (« 1234,50 ») : avec le « ; », c'est ce qu'un tableur français lit comme un nombre. Un
  programme qui relit le fichier remplace la virgule par un point (ou lit le XLSX, typé) ;
- dates au format ISO 8601 (« 2025-03-01 »), sans ambiguïté et reconnues par les tableurs ;
- une valeur absente est une cellule vide.

Dans le XLSX, les montants sont des nombres (format « #,##0.00 »), les dates des dates, le
texte est toujours typé texte.

Injection de formules (OWASP, « CSV injection ») : un tableur exécute une cellule qui
commence par ``=``, ``+``, ``-``, ``@``, une tabulation ou un retour chariot. Dans le CSV,
un tel texte reçoit une apostrophe en tête. Dans le XLSX, il est écrit comme texte (jamais
comme formule, ce qu'openpyxl ferait d'un texte commençant par ``=``), avec le préfixe de
citation d'Excel : la cellule affiche le texte tel quel et le reste si on la modifie.
"""

import csv
import datetime
import tempfile
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

TAILLE_PAQUET = 2000
DEBUTS_DANGEREUX = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
TYPE_CSV = "text/csv; charset=utf-8"
TYPE_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# En-têtes et lignes --------------------------------------------------------------------------

ENTETES_ACTIONS = (
    "Groupe",
    "Plan",
    "Action",
    "Programme",
    "Territoire",
    "Porteur",
    "Partenaires",
    "Référent",
    "Début",
    "Fin",
    "Statut",
    "Total demandé",
    "Total accordé",
)

ENTETES_FINANCEMENTS = (
    "Groupe",
    "Action",
    "Source",
    "Montant demandé",
    "Montant accordé",
    "Date de décision",
)


def _nom(objet):
    return objet.nom if objet is not None else None


def lignes_actions(actions):
    """Une ligne par action ; ``actions`` vient de ``selectors.lignes_export_actions``
    (groupe, plan, programme, territoire, porteur et référent joints, partenaires
    préchargés par paquet, totaux annotés)."""
    for action in actions.iterator(chunk_size=TAILLE_PAQUET):
        yield [
            action.plan.groupe.nom,
            action.plan.titre,
            action.titre,
            action.programme.nom,
            _nom(action.territoire),
            _nom(action.porteur),
            ", ".join(partenaire.nom for partenaire in action.partenaires.all()),
            str(action.referent) if action.referent else None,
            action.date_debut,
            action.date_fin,
            action.get_statut_display(),
            action.total_demande,
            action.total_accorde,
        ]


def lignes_financements(financements):
    """Une ligne par ligne de financement ; ``financements`` vient de
    ``selectors.lignes_export_financements`` (action et groupe joints)."""
    for financement in financements.iterator(chunk_size=TAILLE_PAQUET):
        yield [
            financement.action.plan.groupe.nom,
            financement.action.titre,
            financement.get_source_display(),
            financement.montant_demande,
            financement.montant_accorde,
            financement.date_decision,
        ]


def neutraliser(texte):
    """Le texte, précédé d'une apostrophe s'il serait lu comme une formule (OWASP)."""
    return f"'{texte}" if texte.startswith(DEBUTS_DANGEREUX) else texte


# CSV -----------------------------------------------------------------------------------------


class _Echo:
    """Un pseudo-fichier : ``csv.writer`` lui passe chaque ligne formatée, il la rend."""

    def write(self, valeur):
        return valeur


def _cellule_csv(valeur):
    if valeur is None:
        return ""
    if isinstance(valeur, Decimal):
        return f"{valeur:.2f}".replace(".", ",")
    if isinstance(valeur, datetime.date):
        return valeur.isoformat()
    return neutraliser(str(valeur))


def csv_flux(entetes, lignes, *, lignes_par_morceau=500):
    """Le CSV, en morceaux d'octets de quelques centaines de lignes, pour une
    ``StreamingHttpResponse`` (une écriture par morceau plutôt que par ligne)."""
    ecrivain = csv.writer(_Echo(), delimiter=";")
    morceau = [BOM, ecrivain.writerow(entetes)]
    for ligne in lignes:
        morceau.append(ecrivain.writerow([_cellule_csv(valeur) for valeur in ligne]))
        if len(morceau) >= lignes_par_morceau:
            yield "".join(morceau).encode()
            morceau = []
    if morceau:
        yield "".join(morceau).encode()


# XLSX ----------------------------------------------------------------------------------------


def _formatee(feuille, valeur, format_nombre):
    cellule = WriteOnlyCell(feuille, value=valeur)
    cellule.number_format = format_nombre
    return cellule


def _cellule_xlsx(feuille, valeur):
    if isinstance(valeur, Decimal):
        return _formatee(feuille, valeur, "#,##0.00")
    if isinstance(valeur, datetime.date):
        return _formatee(feuille, valeur, "dd/mm/yyyy")
    if isinstance(valeur, str):
        # Les caractères de contrôle sont interdits dans un XLSX (openpyxl lèverait).
        valeur = ILLEGAL_CHARACTERS_RE.sub("", valeur)
        if valeur.startswith(DEBUTS_DANGEREUX):
            cellule = WriteOnlyCell(feuille, value=valeur)
            cellule.data_type = "s"  # du texte, jamais une formule
            cellule.quotePrefix = True
            return cellule
    return valeur


def xlsx_fichier(entetes, lignes, *, titre):
    """Le classeur, écrit ligne à ligne (``write_only``) dans un fichier temporaire sur
    disque, rembobiné : à servir par une ``FileResponse``, qui le ferme (et le supprime)."""
    classeur = Workbook(write_only=True)
    feuille = classeur.create_sheet(titre[:31])
    feuille.freeze_panes = "A2"
    gras = Font(bold=True)
    entete = []
    for libelle in entetes:
        cellule = WriteOnlyCell(feuille, value=libelle)
        cellule.font = gras
        entete.append(cellule)
    feuille.append(entete)
    fichier = tempfile.TemporaryFile()  # noqa: SIM115 (fermé par la FileResponse)
    try:
        for ligne in lignes:
            feuille.append([_cellule_xlsx(feuille, valeur) for valeur in ligne])
        classeur.save(fichier)
    except BaseException:
        fichier.close()
        raise
    fichier.seek(0)
    return fichier
