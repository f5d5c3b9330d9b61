"""``reverse`` sans refaire tout son calcul à chaque lien.

Presque tous nos liens désignent un objet par des identifiants entiers (une réunion, une
action). Le chemin d'un nom de vue est calculé une fois par ``reverse``, avec des marques à
la place des identifiants ; chaque lien n'est plus qu'un remplacement. Un tableau de 25
lignes en faisait 25 calculs complets (24 µs chacun). Tout autre cas (texte, UUID, entier
négatif, convertisseur qui transforme sa valeur) passe par ``reverse``.
"""

import functools

from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

# Des identifiants qu'aucun chemin ne contient par ailleurs.
_MARQUE = 987_654_321_000


@functools.lru_cache(maxsize=2048)
def _modele(prefixe, urlconf, nom, nombre, current_app):
    """Le chemin de ``nom`` à ``nombre`` identifiants, en gabarit ``str.format`` ; None si
    les marques n'y apparaissent pas chacune une fois, telles quelles (convertisseur qui
    les transforme, motif qui les refuse). ``prefixe`` n'est là que pour la clé : il entre
    dans le chemin par ``reverse``."""
    marques = [str(_MARQUE + i) for i in range(nombre)]
    try:
        chemin = reverse(nom, urlconf=urlconf, args=marques, current_app=current_app)
    except NoReverseMatch:
        return None
    chemin = chemin.replace("{", "{{").replace("}", "}}")
    for marque in marques:
        if chemin.count(marque) != 1:
            return None
        chemin = chemin.replace(marque, "{}")
    return chemin


def chemin(nom, args=(), current_app=None):
    """``reverse(nom, args=args)``, par le gabarit du nom quand les arguments sont des
    entiers positifs."""
    if all(type(arg) is int and arg >= 0 for arg in args):
        modele = _modele(get_script_prefix(), get_urlconf(), nom, len(args), current_app)
        if modele is not None:
            return modele.format(*args)
    return reverse(nom, args=args, current_app=current_app)
