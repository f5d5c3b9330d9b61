"""L'historique des modifications (django-simple-history), mis en forme pour une page : qui,
quand, quelle opération sur quel objet, et pour une modification les champs changés, avant
et après. Une requête par modèle suivi, quel que soit le nombre de lignes."""

import datetime
from decimal import Decimal

from axes.models import AccessAttempt, AccessLog
from django.apps import apps
from django.db import models
from django.shortcuts import render
from django.utils import formats
from django.utils.text import Truncator
from simple_history.manager import HistoryManager

OPERATIONS = {"+": "Création", "~": "Modification", "-": "Suppression"}
LIMITE = 300
# Un champ qui porte l'intitulé de l'objet, à afficher à côté de son type.
INTITULES = ("titre", "objet", "libelle", "nom", "categorie", "source", "version")


def _valeur(champ, valeur):
    if valeur is None or valeur == "":
        return "—"
    if isinstance(champ, models.JSONField):
        return "(contenu figé)"
    if champ.choices:
        return str(dict(champ.flatchoices).get(valeur, valeur))
    if isinstance(champ, models.BooleanField):
        return "oui" if valeur else "non"
    if isinstance(valeur, Decimal):
        texte = f"{valeur:f}"
        if "." in texte:
            texte = texte.rstrip("0").rstrip(".")
        return texte.replace(".", ",")
    if isinstance(valeur, datetime.datetime | datetime.date | datetime.time):
        return formats.localize(valeur)
    if isinstance(champ, models.ForeignKey):
        return f"n° {valeur}"
    return Truncator(str(valeur)).chars(200)


def _intitule(ligne, modele):
    for nom in INTITULES:
        if hasattr(ligne, nom) and getattr(ligne, nom) not in (None, ""):
            valeur = getattr(ligne, nom)
            return (
                f"{modele._meta.verbose_name.capitalize()} « {Truncator(str(valeur)).chars(80)} »"
            )
    return f"{modele._meta.verbose_name.capitalize()} n° {ligne.id}"


def lignes(*historiques, limite=LIMITE):
    """Les entrées de plusieurs historiques (des querysets de ``Modele.historique``),
    les plus récentes d'abord."""
    entrees = []
    for historique in historiques:
        modele = historique.model.instance_type
        precedentes = {}
        for ligne in historique.select_related("history_user").order_by(
            "id", "history_date", "history_id"
        ):
            changements = []
            avant = precedentes.get(ligne.id)
            if avant is not None and ligne.history_type == "~":
                for changement in ligne.diff_against(avant).changes:
                    champ = modele._meta.get_field(changement.field)
                    changements.append(
                        {
                            "champ": champ.verbose_name,
                            "avant": _valeur(champ, changement.old),
                            "apres": _valeur(champ, changement.new),
                        }
                    )
            precedentes[ligne.id] = ligne
            if ligne.history_type == "~" and avant is not None and not changements:
                continue  # un enregistrement sans changement : rien à montrer
            entrees.append(
                {
                    "le": ligne.history_date,
                    "auteur": ligne.history_user,
                    "operation": OPERATIONS[ligne.history_type],
                    "objet": _intitule(ligne, modele),
                    "changements": changements,
                }
            )
    entrees.sort(key=lambda entree: entree["le"], reverse=True)
    return entrees[:limite]


def page(request, *, titre, retour, historiques):
    """La page d'historique d'un objet (et des objets qui en font partie)."""
    return render(
        request,
        "historique.html",
        {"titre": titre, "retour": retour, "entrees": lignes(*historiques)},
    )


def modeles_suivis():
    """Les modèles dont les modifications sont gardées (``historique = HistoricalRecords()``)."""
    return [
        modele
        for modele in apps.get_models()
        if isinstance(getattr(modele, "historique", None), HistoryManager)
    ]


def purger(avant, *, pour_de_bon=True):
    """Efface l'historique des modifications antérieur à ``avant`` ; et, du même âge, les
    traces de connexion de django-axes. Renvoie {libellé: nombre de lignes}."""
    a_effacer = {
        f"historique : {modele._meta.verbose_name_plural}": modele.historique.filter(
            history_date__lt=avant
        )
        for modele in modeles_suivis()
    }
    a_effacer["connexions"] = AccessLog.objects.filter(attempt_time__lt=avant)
    a_effacer["échecs de connexion"] = AccessAttempt.objects.filter(attempt_time__lt=avant)
    comptes = {}
    for libelle, lignes_ in a_effacer.items():
        comptes[libelle] = lignes_.count()
        if pour_de_bon and comptes[libelle]:
            lignes_.delete()
    return comptes
