from django import template

register = template.Library()


@register.filter
def minutes(duree):
    """Une durée (timedelta) en minutes entières : « 15 »."""
    return int(duree.total_seconds() // 60)
