"""Les graphiques des rapports d'évaluation : du SVG écrit sur le serveur, sans JavaScript ni
ressource externe, que le navigateur affiche et que WeasyPrint imprime dans le PDF.

Lisibles en noir et blanc et sans couleur : chaque série a sa forme (barre pleine, barre
hachurée, barre en contour) et son libellé écrit, chaque barre sa valeur en clair. Chaque
fonction rend une chaîne SVG autonome où tout texte entre échappé : le résultat peut être
marqué sûr (``mark_safe``) et inséré tel quel dans une page ou un PDF.
"""

import hashlib
from xml.sax.saxutils import escape, quoteattr

from evaluation.templatetags.evaluation import ESPACE, nombre_fr

LARGEUR = 640
POLICE = "'CLSPD Sans', 'DejaVu Sans', sans-serif"
NOIR, BLANC = "#161616", "#ffffff"

# Géométrie d'un graphique de barres : le titre et la légende, puis une ligne par indicateur
# (son nom, puis trois barres : l'année, l'année précédente, la cible).
HAUT_ENTETE = 52
DEBUT_BARRES = 110  # abscisse du zéro ; à gauche, le libellé de chaque barre
LONGUEUR_BARRES = 360
HAUT_BARRE, PAS_BARRE = 11, 15
HAUT_NOM = 18
HAUT_LIGNE = HAUT_NOM + 3 * PAS_BARRE + 10
NOM_MAX = 72  # caractères du nom d'un indicateur avant coupure (le nom entier est dans <desc>)


def _texte(contenu, x, y, *, taille=10, gras=False, ancre="start", italique=False):
    attributs = [
        f'x="{x:g}"',
        f'y="{y:g}"',
        f'font-size="{taille}"',
        f"font-family={quoteattr(POLICE)}",
        f'fill="{NOIR}"',
    ]
    if gras:
        attributs.append('font-weight="bold"')
    if italique:
        attributs.append('font-style="italic"')
    if ancre != "start":
        attributs.append(f'text-anchor="{ancre}"')
    return f"<text {' '.join(attributs)}>{escape(str(contenu))}</text>"


def _rect(x, y, largeur, hauteur, *, remplissage, trait=NOIR, epaisseur=1):
    return (
        f'<rect x="{x:g}" y="{y:g}" width="{largeur:g}" height="{hauteur:g}" '
        f'fill="{remplissage}" stroke="{trait}" stroke-width="{epaisseur:g}"/>'
    )


def _identifiant(*parties):
    """Un préfixe d'identifiants stable, propre au graphique : plusieurs graphiques dans une
    même page gardent chacun leurs <title>, <desc> et motif de hachures."""
    return "graphique-" + hashlib.sha256(repr(parties).encode()).hexdigest()[:12]


def _svg(ident, hauteur, titre, description, corps):
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" '
        f'viewBox="0 0 {LARGEUR} {hauteur}" width="{LARGEUR}" height="{hauteur}" '
        f'aria-labelledby="{ident}-titre {ident}-desc" class="graphique">'
        f'<title id="{ident}-titre">{escape(titre)}</title>'
        f'<desc id="{ident}-desc">{escape(description)}</desc>'
        f"{corps}</svg>"
    )


def _couper(texte, longueur):
    return texte if len(texte) <= longueur else texte[: longueur - 1].rstrip() + "…"


def _nombre(valeur):
    return None if valeur is None else max(float(valeur), 0.0)


def _nom_complet(ligne):
    nom = str(ligne.get("nom") or "Indicateur")
    return f"{nom} ({ligne['unite']})" if ligne.get("unite") else nom


def _phrase(ligne, libelles):
    """La ligne en une phrase, pour <desc> : ce que lit un lecteur d'écran."""
    morceaux = []
    for (cle, libelle, _), valeur in zip(libelles, _valeurs(ligne), strict=True):
        if valeur is None:
            morceaux.append(f"{libelle} : non renseigné")
        else:
            morceaux.append(f"{libelle} : {nombre_fr(ligne[cle])}")
    if ligne.get("taux") is not None:
        morceaux.append(f"{nombre_fr(ligne['taux'])}{ESPACE}% de la cible")
    return f"{_nom_complet(ligne)} — {' ; '.join(morceaux)}."


def _valeurs(ligne):
    return [_nombre(ligne.get(cle)) for cle in ("valeur", "precedent", "cible")]


def barres_cibles(lignes, titre, *, annee=None):
    """Pour chaque indicateur chiffré, trois barres horizontales : la valeur de l'année
    (pleine), celle de l'année précédente (hachurée) et la cible (en contour), chacune avec
    sa valeur écrite ; le taux d'atteinte de la cible à droite du nom.

    ``lignes`` : les lignes d'un tableau d'indicateurs du rapport (``nom``, ``unite``,
    ``valeur``, ``precedent``, ``cible``, ``taux``). Chaque indicateur a sa propre échelle
    (ses unités diffèrent de celles des autres) : la plus grande de ses trois valeurs.
    """
    libelles = [
        ("valeur", str(annee) if annee else "Année", "plein"),
        ("precedent", str(annee - 1) if annee else "Année précédente", "hachures"),
        ("cible", "Cible", "contour"),
    ]
    lignes = [ligne for ligne in lignes if any(v is not None for v in _valeurs(ligne))]
    ident = _identifiant(titre, annee, lignes)
    if not lignes:
        hauteur = 48
        corps = _texte(titre, 0, 16, taille=12, gras=True) + _texte(
            "Aucun indicateur chiffré pour cette partie.", 0, 38, italique=True
        )
        return _svg(ident, hauteur, titre, "Aucun indicateur chiffré.", corps)

    motif = f"{ident}-hachures"
    styles = {
        "plein": {"remplissage": NOIR},
        "hachures": {"remplissage": f"url(#{motif})"},
        "contour": {"remplissage": BLANC, "epaisseur": 1.5},
    }
    corps = [
        "<defs>"
        f'<pattern id="{motif}" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)">'
        f'<rect x="0" y="0" width="6" height="6" fill="{BLANC}"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="{NOIR}" stroke-width="2.5"/>'
        "</pattern></defs>",
        _texte(titre, 0, 16, taille=12, gras=True),
    ]
    # La légende : la forme de chaque série, puis son libellé.
    x = 0
    for _, libelle, style in libelles:
        corps.append(_rect(x + 0.75, 29, 22, HAUT_BARRE, **styles[style]))
        corps.append(_texte(libelle, x + 28, 38))
        x += 40 + 7 * len(libelle)

    for rang, ligne in enumerate(lignes):
        haut = HAUT_ENTETE + rang * HAUT_LIGNE
        corps.append(f"<g><title>{escape(_nom_complet(ligne))}</title>")
        corps.append(_texte(_couper(_nom_complet(ligne), NOM_MAX), 0, haut + 12, gras=True))
        if ligne.get("taux") is not None:
            taux = f"{nombre_fr(ligne['taux'])}{ESPACE}% de la cible"
            corps.append(_texte(taux, LARGEUR, haut + 12, ancre="end", gras=True))
        valeurs = _valeurs(ligne)
        echelle = max((v for v in valeurs if v is not None), default=0)
        for numero, ((cle, libelle, style), valeur) in enumerate(
            zip(libelles, valeurs, strict=True)
        ):
            y = haut + HAUT_NOM + numero * PAS_BARRE
            corps.append(_texte(libelle, DEBUT_BARRES - 6, y + 9.5, taille=9, ancre="end"))
            if valeur is None:
                corps.append(_texte("non renseigné", DEBUT_BARRES + 4, y + 9.5, italique=True))
                continue
            longueur = LONGUEUR_BARRES * valeur / echelle if echelle else 0
            if longueur:
                corps.append(_rect(DEBUT_BARRES, y, longueur, HAUT_BARRE, **styles[style]))
            corps.append(
                _texte(nombre_fr(ligne[cle]), DEBUT_BARRES + longueur + 6, y + 9.5, taille=9)
            )
        # L'axe du zéro, le long des trois barres : une valeur nulle s'y lit.
        corps.append(
            f'<line x1="{DEBUT_BARRES}" y1="{haut + HAUT_NOM - 2}" x2="{DEBUT_BARRES}" '
            f'y2="{haut + HAUT_NOM + 3 * PAS_BARRE - 2}" stroke="{NOIR}" stroke-width="1"/>'
        )
        corps.append("</g>")
    bas = HAUT_ENTETE + len(lignes) * HAUT_LIGNE
    description = (
        "Pour chaque indicateur, la valeur de l'année, celle de l'année précédente et la "
        "cible, chacune à l'échelle de l'indicateur. "
        + " ".join(_phrase(ligne, libelles) for ligne in lignes)
    )
    return _svg(ident, bas, titre, description, "".join(corps))
