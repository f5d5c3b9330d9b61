"""``{% url %}`` par ``clspd.chemins.chemin`` : le même texte que la balise de Django, sans
refaire tout le calcul de ``reverse`` à chaque lien d'un tableau.

Chargée d'office (``builtins`` des gabarits, dans les réglages), cette bibliothèque
remplace la balise ``url`` de Django. Les arguments nommés passent par la balise d'origine.
"""

from django import template
from django.template import defaulttags
from django.urls import NoReverseMatch
from django.utils.html import conditional_escape

from clspd.chemins import chemin

register = template.Library()


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
