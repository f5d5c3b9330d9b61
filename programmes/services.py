"""Écritures des programmes d'actions : plans, schéma de tranquillité, actions, financements,
propositions. Chaque service tient en une transaction ; un plan clos ne change plus."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from clspd.revisions import verifier_revision
from clspd.services import enregistrer
from programmes.models import (
    Action,
    Financement,
    LieuSensible,
    Mesure,
    PeriodeSensible,
    PlanAction,
    Proposition,
)


class PlanClos(ValidationError):
    """Un plan clos se lit, il ne se modifie plus."""

    def __init__(self):
        super().__init__(
            "Ce plan d'action est clos : il ne peut plus être modifié.", code="plan_clos"
        )


def _plan_modifiable(plan):
    """Le plan, verrouillé pour la transaction ; refusé s'il est clos."""
    plan = PlanAction.objects.select_for_update().get(pk=plan.pk)
    if plan.est_clos:
        raise PlanClos()
    return plan


# Plans --------------------------------------------------------------------------------------


@transaction.atomic
def plan_creer(*, groupe, **champs):
    return enregistrer(PlanAction(groupe=groupe), **champs)


@transaction.atomic
def plan_modifier(plan, *, revision=None, **champs):
    """``revision`` : celle du plan qu'affichait le formulaire."""
    enregistre = PlanAction.objects.select_for_update().get(pk=plan.pk)
    _plan_modifiable(enregistre)
    verifier_revision(enregistre, revision)
    return enregistrer(enregistre, **champs)


# Schéma local de tranquillité publique ------------------------------------------------------


@transaction.atomic
def lieu_sensible_creer(*, plan, **champs):
    _plan_modifiable(plan)
    if not plan.a_un_schema_de_tranquillite:
        raise ValidationError(
            "Le schéma local de tranquillité publique est celui des groupes du programme "
            "de tranquillité publique."
        )
    return enregistrer(LieuSensible(plan=plan), **champs)


@transaction.atomic
def lieu_sensible_modifier(lieu, **champs):
    _plan_modifiable(lieu.plan)
    return enregistrer(lieu, **champs)


@transaction.atomic
def lieu_sensible_supprimer(lieu):
    _plan_modifiable(lieu.plan)
    lieu.delete()


@transaction.atomic
def periode_ajouter(*, lieu, **champs):
    _plan_modifiable(lieu.plan)
    return enregistrer(PeriodeSensible(lieu=lieu), **champs)


@transaction.atomic
def periode_supprimer(periode):
    _plan_modifiable(periode.lieu.plan)
    periode.delete()


@transaction.atomic
def mesure_ajouter(*, lieu, **champs):
    _plan_modifiable(lieu.plan)
    return enregistrer(Mesure(lieu=lieu), **champs)


@transaction.atomic
def mesure_supprimer(mesure):
    _plan_modifiable(mesure.lieu.plan)
    mesure.delete()


# Actions ------------------------------------------------------------------------------------


def _partenaires_verifier(action, partenaires):
    conseil_id = action.plan.groupe.conseil_id
    if any(p.conseil_id != conseil_id for p in partenaires):
        raise ValidationError(
            {"partenaires": "Un partenaire n'est pas dans l'annuaire du conseil."}
        )


@transaction.atomic
def action_creer(*, plan, partenaires=(), **champs):
    plan = _plan_modifiable(plan)
    action = enregistrer(Action(plan=plan), **champs)
    _partenaires_verifier(action, partenaires)
    action.partenaires.set(partenaires)
    return action


@transaction.atomic
def action_modifier(action, *, partenaires=None, **champs):
    _plan_modifiable(action.plan)
    enregistrer(action, **champs)
    if partenaires is not None:
        _partenaires_verifier(action, partenaires)
        action.partenaires.set(partenaires)
    return action


@transaction.atomic
def action_lier_decision(action, decision):
    """Relie l'action à la décision de réunion qui l'a créée ou modifiée."""
    _plan_modifiable(action.plan)
    if decision.reunion.groupe_id != action.plan.groupe_id:
        raise ValidationError({"decision": "Cette décision n'a pas été prise par ce groupe."})
    action.decisions.add(decision)


@transaction.atomic
def action_delier_decision(action, decision):
    _plan_modifiable(action.plan)
    action.decisions.remove(decision)


# Financements -------------------------------------------------------------------------------


@transaction.atomic
def financement_ajouter(*, action, **champs):
    _plan_modifiable(action.plan)
    return enregistrer(Financement(action=action), **champs)


@transaction.atomic
def financement_modifier(financement, **champs):
    _plan_modifiable(financement.action.plan)
    return enregistrer(financement, **champs)


@transaction.atomic
def financement_supprimer(financement):
    _plan_modifiable(financement.action.plan)
    financement.delete()


# Propositions à la formation restreinte -----------------------------------------------------


@transaction.atomic
def action_proposer(action, *, auteur, expose=""):
    """Le groupe soumet une action proposée à la décision de la formation restreinte."""
    _plan_modifiable(action.plan)
    action = Action.objects.select_for_update().get(pk=action.pk)
    if action.statut != Action.Statut.PROPOSEE:
        raise ValidationError("Seule une action au statut « proposée » se soumet.")
    if action.propositions.filter(decision=Proposition.Decision.EN_ATTENTE).exists():
        raise ValidationError("Cette action attend déjà la décision de la formation restreinte.")
    return enregistrer(Proposition(action=action, proposee_par=auteur), expose=expose)


# Ce que devient l'action selon la décision ; « à revoir » la laisse proposée.
_STATUT_APRES = {
    Proposition.Decision.RETENUE: Action.Statut.VALIDEE,
    Proposition.Decision.REFUSEE: Action.Statut.ABANDONNEE,
    Proposition.Decision.A_REVOIR: Action.Statut.PROPOSEE,
}


@transaction.atomic
def proposition_statuer(proposition, *, auteur, decision, commentaire="", financement_accorde=None):
    """La formation restreinte retient, refuse ou renvoie une proposition."""
    proposition = Proposition.objects.select_for_update().get(pk=proposition.pk)
    _plan_modifiable(proposition.action.plan)
    if not proposition.est_en_attente:
        raise ValidationError("La formation restreinte a déjà statué sur cette proposition.")
    if decision not in _STATUT_APRES:
        raise ValidationError({"decision": "Choisissez : retenue, refusée ou à revoir."})
    if decision != Proposition.Decision.RETENUE and not commentaire.strip():
        raise ValidationError({"commentaire": "Expliquez la décision au groupe."})
    if decision != Proposition.Decision.RETENUE and financement_accorde:
        raise ValidationError(
            {"financement_accorde": "Seule une proposition retenue reçoit un financement."}
        )
    enregistrer(proposition.action, statut=_STATUT_APRES[decision])
    return enregistrer(
        proposition,
        decision=decision,
        commentaire=commentaire,
        financement_accorde=financement_accorde,
        decidee_par=auteur,
        decidee_le=timezone.now(),
    )
