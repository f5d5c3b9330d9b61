"""Les données des tests du conseil et des exports : cinq actions dans deux groupes, leurs
financements, et une action d'un autre conseil qui ne doit jamais apparaître."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from clspd.models import Programme
from programmes.models import Action, Financement, PlanAction
from tests.factories import (
    ConseilFactory,
    GroupeFactory,
    InstitutionFactory,
    TerritoireFactory,
    UtilisateurFactory,
    programme,
)

ANNEE = timezone.localdate().year
Statut = Action.Statut
Source = Financement.Source


def jour(decalage=0):
    return timezone.localdate() + datetime.timedelta(days=decalage)


# Données : créées directement (les règles sont testées par les services) -------------------


def plan_de(groupe, annee=ANNEE, **champs):
    return PlanAction.objects.create(
        groupe=groupe,
        titre=champs.pop("titre", f"Plan {annee} — {groupe.nom}"),
        date_debut=datetime.date(annee, 1, 1),
        date_fin=datetime.date(annee, 12, 31),
        **champs,
    )


def action_de(plan, titre, *, axe=Programme.Axe.JEUNES, statut=Statut.PROPOSEE, **champs):
    champs.setdefault("date_debut", jour(-30))
    return Action.objects.create(
        plan=plan, titre=titre, programme=programme(axe), statut=statut, **champs
    )


def financer(action, source, demande, accorde=None, **champs):
    return Financement.objects.create(
        action=action,
        source=source,
        montant_demande=Decimal(demande),
        montant_accorde=None if accorde is None else Decimal(accorde),
        **champs,
    )


@pytest.fixture
def quartier(conseil):
    return TerritoireFactory(conseil=conseil, nom="Quartier des Lilas")


@pytest.fixture
def donnees(conseil, groupe, autre_groupe, institution, zsp, quartier, autre_conseil):
    """Cinq actions dans deux groupes du conseil (plans de cette année et de l'an dernier),
    leurs financements, et une action en retard dans un autre conseil, qui ne doit jamais
    apparaître."""
    plan = plan_de(groupe)
    plan_precedent = plan_de(autre_groupe, ANNEE - 1)
    partenaire = InstitutionFactory(conseil=conseil, nom="Centre social des Lilas")
    referent = UtilisateurFactory(first_name="Rémi", last_name="Référent")
    a = {
        "chantiers": action_de(
            plan,
            "Chantiers éducatifs",
            statut=Statut.EN_COURS,
            porteur=institution,
            territoire=zsp,
            referent=referent,
            date_debut=jour(-100),
            date_fin=jour(-10),
        ),
        "mediation": action_de(
            plan,
            "Médiation nocturne",
            axe=Programme.Axe.TRANQUILLITE,
            statut=Statut.VALIDEE,
            porteur=institution,
            territoire=quartier,
            date_fin=jour(60),
        ),
        "atelier": action_de(
            plan, "Atelier abandonné", statut=Statut.ABANDONNEE, date_fin=jour(-5)
        ),
        "accueil": action_de(
            plan_precedent,
            "Accueil des victimes",
            axe=Programme.Axe.VICTIMES,
            statut=Statut.TERMINEE,
            porteur=institution,
            date_debut=jour(-200),
            date_fin=jour(-50),
        ),
        "permanence": action_de(
            plan_precedent,
            "Permanence juridique",
            axe=Programme.Axe.VICTIMES,
            territoire=zsp,
        ),
    }
    a["chantiers"].partenaires.set([partenaire, institution])
    financer(a["chantiers"], Source.FIPD, "10000", "8000", date_decision=jour(-40))
    financer(a["chantiers"], Source.COMMUNE, "5000")
    financer(a["mediation"], Source.FIPD, "3000", "3000")
    financer(a["accueil"], Source.CAF, "2000", "2500", depassement_confirme=True)

    ailleurs = GroupeFactory(conseil=ConseilFactory(nom="CLSPD de Loin"), nom="Groupe de Loin")
    loin = action_de(
        plan_de(ailleurs),
        "Action d'un autre conseil",
        statut=Statut.EN_COURS,
        porteur=InstitutionFactory(conseil=ailleurs.conseil),
        date_debut=jour(-100),
        date_fin=jour(-1),
    )
    financer(loin, Source.FIPD, "99999", "99999")
    return a
