"""Les nombres des rapports d'évaluation, écrits à la française : « 1 234,5 », « 85 % »,
« 10 000,00 € ». Les milliers sont séparés par une espace insécable, qui ne se coupe pas
en fin de ligne ; une valeur absente s'écrit « — »."""

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()

ESPACE = "\u00a0"
ABSENT = "—"


def nombre_fr(valeur, decimales=None):
    """Le nombre à la française ; sans ``decimales``, au plus deux, sans zéro inutile."""
    if valeur is None or valeur == "":
        return ABSENT
    try:
        nombre = Decimal(str(valeur))
    except InvalidOperation:
        return str(valeur)
    if not nombre.is_finite():
        return str(valeur)
    if decimales is None:
        texte = f"{nombre:,.2f}".rstrip("0").rstrip(".")
    else:
        texte = f"{nombre:,.{int(decimales)}f}"
    return texte.replace(",", ESPACE).replace(".", ",")


@register.filter
def nombre(valeur, decimales=None):
    return nombre_fr(valeur, decimales)


@register.filter
def pourcentage(valeur):
    return ABSENT if valeur is None or valeur == "" else f"{nombre_fr(valeur)}{ESPACE}%"


@register.filter
def euros(valeur):
    return ABSENT if valeur is None or valeur == "" else f"{nombre_fr(valeur, 2)}{ESPACE}€"
