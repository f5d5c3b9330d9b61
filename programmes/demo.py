"""Démonstration des programmes d'actions : un plan par groupe de l'année en cours, avec ses
actions, leurs partenaires et leurs financements ; l'état des lieux du groupe VIF ; le
schéma local de tranquillité publique ; une proposition en attente de la formation
restreinte et une proposition déjà retenue."""

import datetime
from decimal import Decimal

from django.utils import timezone

from groupes.models import Decision
from programmes import services
from programmes.models import Action, PlanAction

Statut = Action.Statut

# Par groupe : les actions (titre, porteur, partenaires, territoire, statut, décalage de fin
# en jours (None : pas de fin), financements [(source, demandé, accordé)]).
ACTIONS = {
    "Groupe jeunes exposés à la délinquance": [
        (
            "Chantiers éducatifs d'été",
            "Club de prévention du Val",
            ["Val Habitat", "Mission politique de la ville"],
            "Les Tilleuls",
            Statut.EN_COURS,
            60,
            [("fipd", "12000", "10000"), ("bailleur", "4000", "4000")],
        ),
        (
            "Permanence de la PJJ au collège",
            "PJJ — unité éducative de milieu ouvert",
            ["Collège Jean-Moulin"],
            "Centre-ville",
            Statut.VALIDEE,
            120,
            [("etat_autre", "3000", None)],
        ),
        (
            "Stages de citoyenneté pour les 13-16 ans",
            "Parquet du tribunal judiciaire",
            ["Commissariat de Val-Fleuri", "Club de prévention du Val"],
            None,
            Statut.EN_COURS,
            -15,
            [("fipd", "5000", "5000"), ("commune", "1500", "1500")],
        ),
    ],
    "Groupe violences intrafamiliales et aide aux victimes": [
        (
            "Intervenant social en commissariat",
            "Département — maison des solidarités",
            ["Commissariat de Val-Fleuri", "Association d'aide aux victimes du Val"],
            None,
            Statut.EN_COURS,
            200,
            [("fipd", "20000", "18000"), ("departement", "15000", "15000")],
        ),
        (
            "Logements d'urgence pour les victimes",
            "Val Habitat",
            ["Association d'aide aux victimes du Val"],
            None,
            Statut.VALIDEE,
            300,
            [("bailleur", "8000", None), ("caf", "2000", "2000")],
        ),
    ],
    "Groupe tranquillité publique du centre-ville": [
        (
            "Médiation de nuit sur la place du Marché",
            "Police municipale de Val-Fleuri",
            ["Réseau Val Bus", "Mission politique de la ville"],
            "Centre-ville",
            Statut.EN_COURS,
            90,
            [("fipd", "15000", "12000"), ("commune", "10000", "10000")],
        ),
        (
            "Éclairage du parvis de la gare",
            "Mairie de Val-Fleuri",
            ["Réseau Val Bus"],
            "ZSP Les Tilleuls – La Gare",
            Statut.TERMINEE,
            -30,
            [("fipd", "30000", "25000"), ("region", "10000", "10000")],
        ),
    ],
    "CCOP des Tilleuls": [
        (
            "Présence éducative aux abords de la gare",
            "Club de prévention du Val",
            ["Commissariat de Val-Fleuri", "Centre social des Tilleuls"],
            "ZSP Les Tilleuls – La Gare",
            Statut.EN_COURS,
            45,
            [("fipd", "9000", "9000")],
        ),
    ],
}

# Proposée au conseil par le groupe jeunes, en attente de la formation restreinte.
PROPOSITION_EN_ATTENTE = (
    "Groupe jeunes exposés à la délinquance",
    "Ateliers de prévention du harcèlement en ligne",
    "Collège Jean-Moulin",
    [("fipd", "6000", None)],
    "Les signalements de harcèlement en ligne ont doublé au collège cette année.",
)
# Déjà retenue par la formation restreinte, avec son financement.
PROPOSITION_RETENUE = (
    "Groupe tranquillité publique du centre-ville",
    "Correspondants de nuit dans le quartier des Tilleuls",
    "Val Habitat",
    [("bailleur", "18000", "18000")],
    "Prolonger la médiation de nuit jusqu'au quartier des Tilleuls.",
)


def _jour(decalage):
    return timezone.localdate() + datetime.timedelta(days=decalage)


def _plan(groupe, annee):
    plan = PlanAction.objects.filter(groupe=groupe, date_debut__year=annee).first()
    if plan:
        return plan
    return services.plan_creer(
        groupe=groupe,
        titre=f"Plan d'action {annee} — {groupe.nom}",
        date_debut=datetime.date(annee, 1, 1),
        date_fin=datetime.date(annee, 12, 31),
        statut=PlanAction.Statut.ADOPTE,
        adopte_le=datetime.date(annee, 1, 1) + datetime.timedelta(days=40),
    )


def _action(plan, titre, porteur, partenaires, territoire, statut, fin, financements, ctx):
    action = plan.actions.filter(titre=titre).first()
    if action:
        return action, False
    institutions, territoires = ctx["institutions"], ctx["territoires"]
    debut = min(_jour(-90), _jour(fin - 30) if fin is not None else _jour(-90))
    action = services.action_creer(
        plan=plan,
        titre=titre,
        description=f"{titre} : action du {plan.groupe.nom.lower()}.",
        objectifs="Prévenir le passage à l'acte et renforcer le lien avec les habitants.",
        programme=plan.groupe.programme,
        public_cible="Habitants et publics du territoire",
        territoire=territoires[territoire] if territoire else None,
        porteur=institutions[porteur],
        partenaires=[institutions[nom] for nom in partenaires],
        referent=plan.groupe.designations.get(date_fin__isnull=True).pilote,
        date_debut=debut,
        date_fin=_jour(fin) if fin is not None else None,
        statut=statut,
    )
    for source, demande, accorde in financements:
        services.financement_ajouter(
            action=action,
            source=source,
            montant_demande=Decimal(demande),
            montant_accorde=Decimal(accorde) if accorde else None,
            date_decision=_jour(-60) if accorde else None,
        )
    return action, True


def _etat_des_lieux(plan):
    if plan.dispositifs_existants:
        return
    services.plan_modifier(
        plan,
        dispositifs_existants=(
            "Permanence de l'association d'aide aux victimes au commissariat deux demi-journées "
            "par semaine ; téléphone grave danger ; trois places d'hébergement d'urgence."
        ),
        acteurs=(
            "Association d'aide aux victimes, commissariat, parquet, maison des solidarités, "
            "bailleur social, délégation aux droits des femmes."
        ),
        constats=(
            "Délais d'accès à un hébergement trop longs le week-end ; peu de victimes orientées "
            "par les médecins de ville."
        ),
        articulation=(
            "Une fiche de liaison commune entre le commissariat et l'association ; un point "
            "mensuel des situations d'hébergement avec le bailleur."
        ),
    )


def _schema_de_tranquillite(plan, territoires):
    if plan.lieux_sensibles.exists():
        return
    place = services.lieu_sensible_creer(
        plan=plan,
        territoire=territoires["Centre-ville"],
        nom="Place du Marché",
        description="Regroupements et nuisances sonores en soirée, aux beaux jours.",
    )
    services.periode_ajouter(
        lieu=place,
        jours=["ven", "sam"],
        heure_debut=datetime.time(21),
        heure_fin=datetime.time(2),
        saisons=["printemps", "ete"],
    )
    services.mesure_ajouter(lieu=place, categorie="mediation", description="Deux médiateurs.")
    services.mesure_ajouter(
        lieu=place, categorie="patrouilles", description="Patrouilles de la police municipale."
    )
    gare = services.lieu_sensible_creer(
        plan=plan,
        territoire=territoires["ZSP Les Tilleuls – La Gare"],
        nom="Parvis de la gare",
        description="Sentiment d'insécurité à la descente des derniers bus.",
    )
    services.periode_ajouter(
        lieu=gare, heure_debut=datetime.time(19), heure_fin=datetime.time(23, 30)
    )
    services.mesure_ajouter(lieu=gare, categorie="eclairage", description="Éclairage renforcé.")
    services.mesure_ajouter(
        lieu=gare, categorie="videoprotection", description="Deux caméras sur le parvis."
    )


def _proposition(groupes, definition, auteur, ctx, *, retenir_par=None):
    nom_groupe, titre, porteur, financements, expose = definition
    plan = _plan(groupes[nom_groupe], timezone.localdate().year)
    action, nouvelle = _action(
        plan, titre, porteur, [], None, Statut.PROPOSEE, 200, financements, ctx
    )
    if not nouvelle:
        return
    proposition = services.action_proposer(action, auteur=auteur, expose=expose)
    if retenir_par:
        services.proposition_statuer(
            proposition,
            auteur=retenir_par,
            decision="retenue",
            commentaire="Retenue pour l'année en cours.",
            financement_accorde=Decimal(financements[0][2]),
        )


def charger(contexte, mot_de_passe):
    groupes = contexte["groupes"]
    annee = timezone.localdate().year
    for nom_groupe, actions in ACTIONS.items():
        groupe = groupes[nom_groupe]
        plan = _plan(groupe, annee)
        for definition in actions:
            action, nouvelle = _action(plan, *definition, contexte)
            if nouvelle:
                # Les décisions du groupe qui ont fait naître l'action, pour l'exemple.
                decision = (
                    Decision.objects.actees().filter(reunion__groupe=groupe).order_by("pk").first()
                )
                if decision and not decision.actions.exists():
                    services.action_lier_decision(action, decision)
        if plan.a_un_etat_des_lieux:
            _etat_des_lieux(plan)
        if plan.a_un_schema_de_tranquillite:
            _schema_de_tranquillite(plan, contexte["territoires"])
    pilote_jeunes = contexte["personnes"]["pilote.jeunes@demo.clspd.fr"]
    pilote_tranquillite = contexte["personnes"]["pilote.tranquillite@demo.clspd.fr"]
    formation = contexte["personnes"]["formation.restreinte@demo.clspd.fr"]
    _proposition(groupes, PROPOSITION_EN_ATTENTE, pilote_jeunes, contexte)
    _proposition(groupes, PROPOSITION_RETENUE, pilote_tranquillite, contexte, retenir_par=formation)
