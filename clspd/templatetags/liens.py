"""``{% url %}`` sans refaire tout le calcul de ``reverse`` à chaque lien.

Chargée d'office (``builtins`` des gabarits), cette bibliothèque remplace la balise de Django
par la même balise, plus rapide pour le cas de presque tous nos liens : des identifiants
entiers (``{% url 'groupes:reunion_detail' reunion.pk %}``). Le chemin d'un nom de vue est
calculé une fois par ``reverse``, avec des marques à la place des identifiants ; chaque lien
n'est plus qu'un remplacement. Un tableau de 25 lignes en faisait 25 calculs (24 µs chacun).
Tout autre cas (arguments nommés, texte, UUID, entier négatif) passe par ``reverse``.
"""

import functools

from django import template
from django.template import defaulttags
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape

register = template.Library()

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


class NoeudUrl(defaulttags.URLNode):
    def render(self, context):
        if self.kwargs:
            return super().render(context)
        args = [arg.resolve(context) for arg in self.args]
        nom = self.view_name.resolve(context)
        # Comme Django : l'application courante, pour les espaces de noms d'instance.
        try:
            current_app = context.request.current_app
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace
            except AttributeError:
                current_app = None
        url = ""
        try:
            url = chemin(nom, args, current_app)
        except NoReverseMatch:
            if self.asvar is None:
                raise
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser, token):
    noeud = defaulttags.url(parser, token)
    return NoeudUrl(noeud.view_name, noeud.args, noeud.kwargs, noeud.asvar)
