"""Verrouillage optimiste : deux personnes modifient la même chose en même temps ; la
seconde à enregistrer est refusée, avec un message clair et la version enregistrée.

Chaque formulaire concerné porte, caché, le numéro de révision de l'objet qu'il affiche ; le
service relit l'objet sous verrou et compare (``verifier_revision``)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from clspd.forms import ajouter_erreurs


class ModificationConcurrente(ValidationError):
    def __init__(self, objet):
        self.objet = objet
        derniere = (
            objet.historique.select_related("history_user")
            .order_by("-history_date", "-history_id")
            .first()
        )
        par = f" par {derniere.history_user}" if derniere and derniere.history_user else ""
        le = f" le {timezone.localtime(derniere.history_date):%d/%m/%Y à %H:%M}" if derniere else ""
        super().__init__(
            f"Une autre modification a été enregistrée{par}{le} depuis que vous avez ouvert "
            "cette page : vos changements ne sont pas enregistrés. Comparez-les à la version "
            "enregistrée, affichée ci-dessous, puis enregistrez à nouveau.",
            code="modification_concurrente",
        )


def verifier_revision(objet, revision_lue):
    """``objet`` vient d'être relu sous verrou (select_for_update) ; ``revision_lue`` est celle
    du formulaire (None : un appel interne, sans formulaire). L'enregistrement qui suit doit
    inclure ``revision``."""
    if revision_lue is not None and revision_lue != objet.revision:
        raise ModificationConcurrente(objet)
    objet.revision += 1


class ChampRevision(forms.IntegerField):
    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, min_value=0, **kwargs)


def montrer_le_conflit(form, conflit):
    """Après un conflit : le message au-dessus du formulaire, qui garde la saisie de la
    personne et prend la révision enregistrée, pour qu'elle enregistre à nouveau une fois
    ses changements comparés."""
    ajouter_erreurs(form, conflit)
    form.data = form.data.copy()
    form.data[form.add_prefix("revision")] = conflit.objet.revision
