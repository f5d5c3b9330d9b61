from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def minutes(duree):
    """Une durée (timedelta) en minutes entières : « 15 »."""
    return int(duree.total_seconds() // 60)


CENTIME = Decimal("0.01")


@register.filter
def montant(valeur):
    """Un montant à deux décimales, à la française : « 1 234,50 » (milliers séparés par une
    espace insécable). Le texte de ``floatformat:"2g"``, sans relire la langue et ses formats
    à chaque appel : une page de synthèse en affiche des dizaines."""
    try:
        nombre = Decimal(repr(valeur) if isinstance(valeur, float) else str(valeur))
        arrondi = nombre.quantize(CENTIME, ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return ""
    # Ni « -0,00 » pour un reste négatif de moins d'un demi-centime.
    return f"{arrondi or abs(arrondi):,.2f}".replace(",", "\xa0").replace(".", ",")


@register.filter(expects_localtime=True)
def jour(valeur):
    """Une date, ou le jour local d'un instant : « 07/03/2026 ». Le texte de
    ``date:"d/m/Y"``, sans passer par le formateur général de Django, cinq fois plus lent."""
    try:
        return f"{valeur.day:02d}/{valeur.month:02d}/{valeur.year:04d}"
    except AttributeError:
        return ""
