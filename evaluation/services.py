"""Écritures de l'évaluation : indicateurs locaux, paramétrage d'une action, saisies (brouillon,
soumission, validation, renvoi) et rapports (préparation figée, soumission, commentaires,
conclusions). Chaque service tient en une transaction ; rien n'est écrit sur une erreur."""

import contextlib
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from clspd.revisions import verifier_revision
from clspd.services import enregistrer
from evaluation import selectors
from evaluation.models import (
    HORS_TERRITOIRE,
    SEXES,
    TRANCHES_AGE,
    CommentaireRapport,
    EvaluationAction,
    Indicateur,
    IndicateurSuivi,
    RapportEvaluation,
    Saisie,
    TypeValeur,
    Valeur,
)

CODE_BENEFICIAIRES = "beneficiaires"
CODE_PROFIL = "profil_beneficiaires"


def champ_de(indicateur):
    """Le nom du champ de formulaire d'un indicateur : les erreurs s'y rattachent."""
    return f"indicateur_{indicateur.pk}"


class SaisieVerrouillee(ValidationError):
    def __init__(self):
        super().__init__(
            "Les valeurs de cette période figurent dans un rapport remis à la formation "
            "restreinte : elles ne peuvent plus changer.",
            code="saisie_verrouillee",
        )


# Indicateurs locaux et paramétrage d'une action --------------------------------------------


@transaction.atomic
def indicateur_local_creer(*, conseil, **champs):
    if champs.get("type") == TypeValeur.REPARTITION:
        raise ValidationError({"type": "La répartition est réservée au profil des bénéficiaires."})
    return enregistrer(Indicateur(conseil=conseil), **champs)


@transaction.atomic
def indicateur_local_modifier(indicateur, **champs):
    if indicateur.est_national:
        raise ValidationError("Les indicateurs de la fiche méthodologique ne se modifient pas.")
    if champs.get("type") == TypeValeur.REPARTITION:
        raise ValidationError({"type": "La répartition est réservée au profil des bénéficiaires."})
    if champs.get("type", indicateur.type) != indicateur.type and indicateur.valeurs.exists():
        raise ValidationError(
            {"type": "Des valeurs sont déjà saisies pour cet indicateur : son type ne change plus."}
        )
    return enregistrer(indicateur, **champs)


@transaction.atomic
def evaluation_parametrer(action, *, rythme, cibles):
    """Le rythme de saisie et les indicateurs suivis de l'action : ``cibles`` =
    {indicateur: cible ou None}."""
    evaluation = EvaluationAction.objects.filter(action=action).first()
    if evaluation and evaluation.rythme != rythme and evaluation.saisies.exists():
        raise ValidationError(
            {"rythme": "Des périodes sont déjà saisies : le rythme ne peut plus changer."}
        )
    conseil_id = action.plan.groupe.conseil_id
    if any(i.conseil_id not in (None, conseil_id) for i in cibles):
        raise ValidationError({"indicateurs": "Un indicateur n'est pas celui de ce conseil."})
    # Une cible se lit comme une valeur de l'indicateur : un pourcentage de 0 à 100, une
    # note de 1 à 5... Son erreur s'affiche à côté de son champ.
    erreurs = {}
    for indicateur, cible in cibles.items():
        if cible is None:
            continue
        try:
            if not indicateur.est_numerique:
                raise ValidationError("Seul un indicateur chiffré a une cible.")
            _nombre(indicateur, cible)
        except ValidationError as erreur:
            erreurs[champ_de(indicateur)] = erreur.messages
    if erreurs:
        raise ValidationError(erreurs)
    suivis = {i.code for i in cibles if i.est_national}
    if CODE_PROFIL in suivis and CODE_BENEFICIAIRES not in suivis:
        raise ValidationError(
            {
                "indicateurs": "Le profil des bénéficiaires se répartit selon leur nombre : "
                "suivez aussi le nombre de bénéficiaires."
            }
        )
    evaluation = enregistrer(evaluation or EvaluationAction(action=action), rythme=rythme)
    evaluation.indicateurs.exclude(indicateur__in=list(cibles)).delete()
    for indicateur, cible in cibles.items():
        IndicateurSuivi.objects.update_or_create(
            evaluation=evaluation, indicateur=indicateur, defaults={"cible": cible}
        )
    return evaluation


# Saisies ------------------------------------------------------------------------------------


@transaction.atomic
def saisie_ouvrir(evaluation, *, auteur, annee, numero=1):
    """La saisie de la période, créée en brouillon si elle n'existe pas encore."""
    saisie = evaluation.saisies.filter(annee=annee, numero=numero).first()
    if saisie:
        return saisie
    if annee > timezone.localdate().year:
        raise ValidationError({"annee": "On ne saisit pas une période à venir."})
    return enregistrer(Saisie(evaluation=evaluation, saisie_par=auteur), annee=annee, numero=numero)


def _verrouillee(saisie):
    return selectors.saisie_verrouillee(saisie)


def _nombre(indicateur, brute):
    """La valeur d'un indicateur numérique, vérifiée selon son type ; None si vide."""
    if brute in (None, ""):
        return None
    try:
        nombre = Decimal(str(brute).replace(",", "."))
    except InvalidOperation:
        raise ValidationError("Saisissez un nombre.") from None
    if not nombre.is_finite() or abs(nombre) >= Decimal("1e12"):
        raise ValidationError("Saisissez un nombre.")
    type_ = indicateur.type
    if type_ == TypeValeur.ENTIER and (nombre < 0 or nombre != nombre.to_integral_value()):
        raise ValidationError("Saisissez un nombre entier positif ou nul.")
    if type_ == TypeValeur.DECIMAL and nombre < 0:
        raise ValidationError("Saisissez un nombre positif ou nul.")
    if type_ == TypeValeur.POURCENTAGE and not 0 <= nombre <= 100:
        raise ValidationError("Un pourcentage est compris entre 0 et 100.")
    if type_ == TypeValeur.DUREE and nombre <= 0:
        raise ValidationError("Une durée est strictement positive.")
    if type_ == TypeValeur.ECHELLE and nombre not in {1, 2, 3, 4, 5}:
        raise ValidationError("Choisissez une note de 1 à 5.")
    return nombre.quantize(Decimal("0.01"))


def _repartition(brute, beneficiaires, territoires):
    """La répartition des bénéficiaires : trois dimensions d'entiers positifs, chacune
    totalisant le nombre de bénéficiaires."""
    if not brute:
        return None
    dimensions = {
        "age": [cle for cle, _ in TRANCHES_AGE],
        "sexe": [cle for cle, _ in SEXES],
        "territoire": [str(t.pk) for t in territoires] + [HORS_TERRITOIRE[0]],
    }
    propre = {}
    for dimension, cles in dimensions.items():
        valeurs = (brute or {}).get(dimension) or {}
        if set(valeurs) - set(cles):
            raise ValidationError("La répartition contient une case inconnue.")
        propre[dimension] = {}
        for cle in cles:
            nombre = valeurs.get(cle) or 0
            if not isinstance(nombre, int) or isinstance(nombre, bool) or nombre < 0:
                raise ValidationError("Chaque case de la répartition est un entier positif.")
            propre[dimension][cle] = nombre
    if beneficiaires is None:
        raise ValidationError("Saisissez d'abord le nombre de bénéficiaires.")
    for dimension, valeurs in propre.items():
        if sum(valeurs.values()) != beneficiaires:
            raise ValidationError(
                f"La répartition par {_NOM_DIMENSION[dimension]} totalise "
                f"{sum(valeurs.values())} au lieu de {beneficiaires} bénéficiaires."
            )
    return propre


_NOM_DIMENSION = {"age": "âge", "sexe": "sexe", "territoire": "territoire"}


@transaction.atomic
def saisie_enregistrer(saisie, *, auteur, valeurs, soumettre=False, revision=None):
    """Enregistre les valeurs ({indicateur: valeur brute}) d'un brouillon ou d'une saisie
    renvoyée ; les soumet au pilote si demandé (les textes sont alors obligatoires).
    ``revision`` : celle de la saisie qu'affichait le formulaire."""
    saisie = Saisie.objects.select_for_update().get(pk=saisie.pk)
    if _verrouillee(saisie):
        raise SaisieVerrouillee()
    if saisie.statut not in (Saisie.Statut.BROUILLON, Saisie.Statut.RENVOYEE):
        raise ValidationError("Cette saisie est soumise ou validée : elle ne se modifie plus.")
    verifier_revision(saisie, revision)
    suivis = {s.indicateur: s for s in selectors.indicateurs_suivis(saisie.evaluation)}
    territoires = list(saisie.evaluation.action.plan.groupe.conseil.territoires.order_by("pk"))
    erreurs, propres = {}, {}
    # Le nombre de bénéficiaires, que la répartition doit totaliser.
    nombre_de_beneficiaires = next(
        (i for i in suivis if i.est_national and i.code == CODE_BENEFICIAIRES), None
    )
    beneficiaires = None
    if nombre_de_beneficiaires is not None:
        # Une erreur sur ce nombre est rapportée avec les autres, ci-dessous.
        with contextlib.suppress(ValidationError):
            beneficiaires = _nombre(nombre_de_beneficiaires, valeurs.get(nombre_de_beneficiaires))
    for indicateur in suivis:
        brute = valeurs.get(indicateur)
        try:
            if indicateur.type == TypeValeur.TEXTE:
                texte = (brute or "").strip()
                if soumettre and not texte:
                    raise ValidationError("Ce texte est obligatoire pour soumettre la période.")
                propres[indicateur] = {"texte": texte}
            elif indicateur.type == TypeValeur.REPARTITION:
                nombre = int(beneficiaires) if beneficiaires is not None else None
                propres[indicateur] = {"repartition": _repartition(brute, nombre, territoires)}
            else:
                propres[indicateur] = {"nombre": _nombre(indicateur, brute)}
        except ValidationError as erreur:
            erreurs[champ_de(indicateur)] = erreur.messages
    if erreurs:
        raise ValidationError(erreurs)
    for indicateur, champs in propres.items():
        valeur = Valeur.objects.filter(saisie=saisie, indicateur=indicateur).first()
        enregistrer(valeur or Valeur(saisie=saisie, indicateur=indicateur), **champs)
    saisie.saisie_par = auteur
    if soumettre:
        saisie.statut = Saisie.Statut.SOUMISE
        saisie.soumise_le = timezone.now()
    saisie.save()
    return saisie


@transaction.atomic
def saisie_valider(saisie, *, auteur):
    saisie = Saisie.objects.select_for_update().get(pk=saisie.pk)
    if saisie.statut != Saisie.Statut.SOUMISE:
        raise ValidationError("Seule une saisie soumise se valide.")
    return enregistrer(
        saisie, statut=Saisie.Statut.VALIDEE, validee_par=auteur, validee_le=timezone.now()
    )


@transaction.atomic
def saisie_renvoyer(saisie, *, auteur, commentaire):
    saisie = Saisie.objects.select_for_update().get(pk=saisie.pk)
    if saisie.statut != Saisie.Statut.SOUMISE:
        raise ValidationError("Seule une saisie soumise se renvoie pour correction.")
    if not commentaire.strip():
        raise ValidationError({"commentaire_renvoi": "Dites ce qu'il faut corriger."})
    return enregistrer(saisie, statut=Saisie.Statut.RENVOYEE, commentaire_renvoi=commentaire)


# Rapports ---------------------------------------------------------------------------------


@transaction.atomic
def rapport_preparer(*, conseil, annee, programme=None, auteur):
    """Fige les chiffres et les textes de l'année (pour tout le conseil ou un programme)."""
    if annee > timezone.localdate().year:
        raise ValidationError({"annee": "On n'évalue pas une année à venir."})
    perimetre = programme.nom if programme else "tout le conseil"
    rapport = enregistrer(
        RapportEvaluation(conseil=conseil, prepare_par=auteur),
        annee=annee,
        programme=programme,
        titre=f"Rapport d'évaluation {annee} — {perimetre}",
        contenu=selectors.contenu_du_rapport(conseil, annee, programme),
    )
    rapport.saisies.set(selectors.saisies_validees(conseil, annee, programme))
    return rapport


@transaction.atomic
def rapport_soumettre(rapport, *, auteur):
    """Remet le rapport à la formation restreinte : ses saisies ne changent plus."""
    rapport = RapportEvaluation.objects.select_for_update().get(pk=rapport.pk)
    if rapport.statut != RapportEvaluation.Statut.PREPARE:
        raise ValidationError("Ce rapport est déjà soumis à la formation restreinte.")
    return enregistrer(rapport, statut=RapportEvaluation.Statut.SOUMIS, soumis_le=timezone.now())


def _en_examen(rapport):
    rapport = RapportEvaluation.objects.select_for_update().get(pk=rapport.pk)
    if rapport.statut != RapportEvaluation.Statut.SOUMIS:
        raise ValidationError(
            "Seul un rapport soumis et pas encore examiné reçoit commentaires et conclusions."
        )
    return rapport


@transaction.atomic
def rapport_commenter(rapport, *, auteur, partie, texte):
    rapport = _en_examen(rapport)
    if partie not in selectors.parties_du_rapport(rapport):
        raise ValidationError({"partie": "Cette partie n'existe pas dans le rapport."})
    if not texte.strip():
        raise ValidationError({"texte": "Le commentaire est vide."})
    return enregistrer(
        CommentaireRapport(rapport=rapport, auteur=auteur), partie=partie, texte=texte
    )


@transaction.atomic
def rapport_conclure(rapport, *, auteur, conclusions, examine=False):
    """Les conclusions de la formation restreinte ; « examiné » clôt l'examen."""
    rapport = _en_examen(rapport)
    if examine and not conclusions.strip():
        raise ValidationError({"conclusions": "Rédigez les conclusions avant de clore l'examen."})
    champs = {"conclusions": conclusions}
    if examine:
        champs.update(
            statut=RapportEvaluation.Statut.EXAMINE, examine_par=auteur, examine_le=timezone.now()
        )
    return enregistrer(rapport, **champs)
