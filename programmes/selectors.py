"""Lectures des programmes d'actions, filtrées pour l'utilisateur ; les totaux sont calculés
par la base, jamais saisis."""

from collections import Counter
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import timezone

from clspd import permissions
from clspd.permissions import Action as Acces
from groupes.models import Decision, GroupeOperationnel
from programmes.models import (
    STATUTS_ACTION_CLOS,
    Action,
    Financement,
    LieuSensible,
    PlanAction,
    Proposition,
)

ZERO = Value(Decimal("0"), output_field=DecimalField(max_digits=14, decimal_places=2))


def _somme(champ, **filtre):
    return Coalesce(Sum(champ, **filtre), ZERO, output_field=DecimalField())


def _total_par_action(champ):
    """Le total d'une colonne des financements de chaque action, en sous-requête (pas de
    jointure qui multiplierait les lignes d'autres agrégats)."""
    return Coalesce(
        Subquery(
            Financement.objects.filter(action=OuterRef("pk"))
            .values("action")
            .annotate(total=Sum(champ))
            .values("total")
        ),
        ZERO,
        output_field=DecimalField(),
    )


def avec_totaux(actions):
    """Les totaux demandé et accordé de chaque action, en annotations : pour une action
    seule et les exports, qui les lisent au fil de l'eau."""
    return actions.annotate(
        total_demande=_total_par_action("montant_demande"),
        total_accorde=_total_par_action("montant_accorde"),
    )


def ajouter_totaux(actions):
    """Les actions d'une liste (une page), avec les mêmes totaux que ``avec_totaux`` posés
    par une requête groupée sur leurs identifiants : moins coûteuse à compiler que deux
    sous-requêtes corrélées."""
    actions = list(actions)
    totaux = {}
    if actions:
        totaux = {
            ligne["action"]: ligne
            for ligne in Financement.objects.filter(action__in=[a.pk for a in actions])
            .values("action")
            .annotate(demande=Sum("montant_demande"), accorde=Sum("montant_accorde"))
            .order_by()
        }
    for action in actions:
        ligne = totaux.get(action.pk, {})
        action.total_demande = ligne.get("demande") or ZERO.value
        action.total_accorde = ligne.get("accorde") or ZERO.value
    return actions


# Plans --------------------------------------------------------------------------------------


def groupe_pour_plans(user, pk):
    return permissions.obtenir_ou_404(
        user,
        GroupeOperationnel.objects.select_related("conseil", "programme"),
        Acces.LIRE_PLANS,
        pk=pk,
    )


def plans_du_groupe(groupe):
    return groupe.plans.annotate(nb_actions=Count("actions")).order_by("-date_debut", "titre")


def _plans():
    return PlanAction.objects.select_related("groupe__conseil", "groupe__programme")


def plan_pour_lecture(user, pk):
    return permissions.obtenir_ou_404(user, _plans(), Acces.LIRE_PLANS, pk=pk)


def plan_pour_pilotage(user, pk):
    return permissions.obtenir_ou_404(user, _plans(), Acces.PILOTER, pk=pk)


def actions_du_plan(plan):
    """Les actions du plan ; leurs totaux viennent de ``ajouter_totaux``."""
    return (
        plan.actions.select_related("programme", "territoire", "porteur", "referent")
        .prefetch_related("partenaires")
        .order_by("titre", "pk")
    )


def totaux_du_plan(plan):
    """Les totaux demandé et accordé du plan par source de financement, et leur somme."""
    libelles = dict(Financement.Source.choices)
    par_source = [
        {**ligne, "libelle": libelles[ligne["source"]]}
        for ligne in Financement.objects.filter(action__plan=plan)
        .values("source")
        .annotate(demande=_somme("montant_demande"), accorde=_somme("montant_accorde"))
        .order_by("source")
    ]
    return {
        "demande": sum((ligne["demande"] for ligne in par_source), ZERO.value),
        "accorde": sum((ligne["accorde"] for ligne in par_source), ZERO.value),
        "par_source": par_source,
    }


def lieux_du_plan(plan):
    return (
        LieuSensible.objects.filter(plan=plan)
        .select_related("territoire")
        .prefetch_related("periodes", "mesures")
        .order_by("nom")
    )


def lieu_pour_pilotage(user, pk):
    return permissions.obtenir_ou_404(
        user, LieuSensible.objects.select_related("plan__groupe__conseil"), Acces.PILOTER, pk=pk
    )


def objet_du_lieu_pour_pilotage(user, modele, pk):
    """Une période ou une mesure d'un lieu sensible, pour qui pilote le groupe."""
    return permissions.obtenir_ou_404(
        user, modele.objects.select_related("lieu__plan__groupe__conseil"), Acces.PILOTER, pk=pk
    )


# Actions ------------------------------------------------------------------------------------


def _actions():
    return Action.objects.select_related(
        "plan__groupe__conseil", "programme", "territoire", "porteur", "referent"
    )


def action_pour_lecture(user, pk):
    return permissions.obtenir_ou_404(user, avec_totaux(_actions()), Acces.LIRE_PLANS, pk=pk)


def action_pour_pilotage(user, pk):
    return permissions.obtenir_ou_404(user, _actions(), Acces.PILOTER, pk=pk)


def financements_de_l_action(action):
    return action.financements.order_by("source", "pk")


def financement_pour_pilotage(user, pk):
    return permissions.obtenir_ou_404(
        user,
        Financement.objects.select_related("action__plan__groupe__conseil"),
        Acces.PILOTER,
        pk=pk,
    )


def decisions_de_l_action(action):
    return action.decisions.select_related("reunion", "porteur", "institution_porteuse").order_by(
        "reunion__date", "pk"
    )


def decisions_a_lier(action):
    """Les décisions actées du groupe, pas encore liées à l'action."""
    return (
        Decision.objects.actees()
        .filter(reunion__groupe_id=action.plan.groupe_id)
        .exclude(actions=action)
        .select_related("reunion")
        .order_by("-reunion__date", "pk")
    )


def propositions_de_l_action(action):
    return action.propositions.select_related("proposee_par", "decidee_par").order_by(
        "-proposee_le", "-pk"
    )


# Le conseil : synthèse, propositions, exports ---------------------------------------------


def _en_retard():
    """Une action en retard : sa date de fin est passée, elle n'est ni terminée ni
    abandonnée."""
    return Q(date_fin__lt=timezone.localdate()) & ~Q(statut__in=STATUTS_ACTION_CLOS)


def actions_du_conseil(
    conseil, *, programme=None, statut=None, territoire=None, annee=None, en_retard=False
):
    """Les actions de tous les plans du conseil, avec les filtres de l'écran et des exports."""
    actions = Action.objects.filter(plan__groupe__conseil=conseil)
    if en_retard:
        actions = actions.filter(_en_retard())
    if programme:
        actions = actions.filter(programme=programme)
    if statut:
        actions = actions.filter(statut=statut)
    if territoire:
        actions = actions.filter(territoire=territoire)
    if annee:
        actions = actions.filter(plan__date_debut__year=annee)
    return actions


def synthese_du_conseil(actions):
    """Les actions par programme, par statut et par territoire, leur nombre et celui des
    actions en retard ; les financements par source et par année. Les décomptes viennent
    d'une seule requête groupée."""
    libelles_statut = dict(Action.Statut.choices)
    libelles_source = dict(Financement.Source.choices)
    par = {"programme__nom": Counter(), "statut": Counter(), "territoire__nom": Counter()}
    en_retard = 0
    decompte = actions.values(*par).annotate(
        nombre=Count("pk"), en_retard=Count("pk", filter=_en_retard())
    )
    for ligne in decompte.order_by():
        for cle, compteur in par.items():
            compteur[ligne[cle]] += ligne["nombre"]
        en_retard += ligne["en_retard"]

    def lignes(cle):
        # Par ordre alphabétique ; « sans territoire » (None) en dernier.
        return [
            {cle: valeur, "nombre": nombre}
            for valeur, nombre in sorted(par[cle].items(), key=lambda e: (e[0] is None, e[0] or ""))
        ]

    return {
        "nombre": par["statut"].total(),
        "en_retard": en_retard,
        "par_programme": lignes("programme__nom"),
        "par_statut": [
            {**ligne, "libelle": libelles_statut[ligne["statut"]]} for ligne in lignes("statut")
        ],
        "par_territoire": lignes("territoire__nom"),
        "financements": [
            {**ligne, "libelle": libelles_source[ligne["source"]]}
            # Par jointure depuis les actions filtrées : une sous-requête « action IN (…) »
            # coûtait deux fois plus à PostgreSQL.
            for ligne in actions.filter(financements__isnull=False)
            .values(annee=ExtractYear("plan__date_debut"), source=F("financements__source"))
            .annotate(
                demande=_somme("financements__montant_demande"),
                accorde=_somme("financements__montant_accorde"),
            )
            .order_by("-annee", "source")
        ],
    }


# Ce que montrent les listes d'actions : ni les textes des actions ni ceux de leur plan.
_COLONNES_DES_LISTES = (
    "titre",
    "statut",
    "date_debut",
    "date_fin",
    "plan__groupe__nom",
    "porteur__nom",
)


def actions_pour_liste(actions):
    """La liste des actions du conseil ; leurs totaux viennent de ``ajouter_totaux``."""
    return (
        actions.select_related("plan__groupe", "programme", "territoire", "porteur")
        .only(*_COLONNES_DES_LISTES, "programme__nom", "territoire__nom")
        .order_by("plan__groupe__nom", "titre", "pk")
    )


def propositions_du_conseil(conseil, *, decision=None):
    propositions = Proposition.objects.filter(action__plan__groupe__conseil=conseil)
    if decision:
        propositions = propositions.filter(decision=decision)
    return propositions.select_related(
        "action__plan__groupe", "action__porteur", "proposee_par", "decidee_par"
    ).order_by(
        # Celles qui attendent une décision d'abord.
        Case(When(decision=Proposition.Decision.EN_ATTENTE, then=Value(0)), default=Value(1)),
        "-proposee_le",
        "-pk",
    )


def proposition_pour_statuer(user, pk):
    return permissions.obtenir_ou_404(
        user,
        Proposition.objects.select_related("action__plan__groupe__conseil", "proposee_par"),
        Acces.STATUER,
        pk=pk,
    )


def lignes_export_actions(actions):
    """Les actions à exporter, parcourues par paquets (mémoire bornée)."""
    return (
        avec_totaux(actions)
        .select_related("plan__groupe", "programme", "territoire", "porteur", "referent")
        .prefetch_related("partenaires")
        .order_by("pk")
    )


def lignes_export_financements(actions):
    return (
        Financement.objects.filter(action__in=actions.values("pk"))
        .select_related("action__plan__groupe", "action__porteur")
        .order_by("pk")
    )
