"""La démonstration de ``make run`` : elle se charge, deux fois sans rien doubler, et montre
ce que le README promet (la charte à accepter par membre.jeunes, des situations fictives)."""

import io

import pytest
from django.core.management import call_command

from groupes.models import AcceptationCharte, GroupeOperationnel, Reunion, Situation
from programmes.models import Action

pytestmark = pytest.mark.django_db


def comptes():
    return {
        modele.__name__: modele.objects.count()
        for modele in (GroupeOperationnel, Situation, AcceptationCharte, Reunion, Action)
    }


def test_la_demonstration_se_charge_deux_fois_a_l_identique():
    call_command("seed_demo", stdout=io.StringIO())
    premiers = comptes()
    call_command("seed_demo", stdout=io.StringIO())

    assert comptes() == premiers
    jeunes = GroupeOperationnel.objects.get(nom="Groupe jeunes exposés à la délinquance")
    ccop = GroupeOperationnel.objects.get(nom="CCOP des Tilleuls")
    assert jeunes.situations.count() == 3 and ccop.situations.count() == 1
    acceptees = set(
        AcceptationCharte.objects.filter(charte__groupe=jeunes).values_list(
            "utilisateur__email", flat=True
        )
    )
    assert acceptees == {"pilote.jeunes@demo.clspd.fr"}
    prochaine = jeunes.reunions.filter(situations__isnull=False).distinct().get()
    assert prochaine.situations.count() == 2
