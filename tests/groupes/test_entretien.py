"""La commande quotidienne : dossiers échus, puis journaux au-delà de leur conservation
(12 mois par défaut) ; --dry-run n'efface rien ; la sortie ne nomme personne."""

import datetime
import io

import pytest
from axes.models import AccessLog
from django.core.management import call_command
from django.utils import timezone

from groupes.management.commands.entretien_quotidien import limite_de_conservation
from groupes.models import GroupeOperationnel, JournalAcces, JournalImmuable

pytestmark = pytest.mark.django_db


@pytest.fixture
def journaux(groupe, membre):
    """Pour chaque journal, une ligne d'il y a 13 mois et une d'il y a 11 mois."""
    maintenant = timezone.now()
    vieux, recent = (maintenant - datetime.timedelta(days=30 * n) for n in (13, 11))
    groupe.nom = "Groupe renommé"
    groupe.save()
    historique = GroupeOperationnel.historique.filter(id=groupe.pk).order_by("history_id")
    historique.filter(history_id=historique.first().history_id).update(history_date=vieux)
    for instant in (vieux, recent):
        JournalAcces.objects.create(
            groupe=groupe, utilisateur=membre, operation="lister", horodatage=instant
        )
        trace = AccessLog.objects.create(username=membre.email, ip_address="192.0.2.1")
        AccessLog.objects.filter(pk=trace.pk).update(attempt_time=instant)  # auto_now_add
    return vieux, recent


def lancer(*arguments):
    sortie = io.StringIO()
    call_command("entretien_quotidien", *arguments, stdout=sortie)
    return sortie.getvalue()


def comptes():
    return (
        GroupeOperationnel.historique.count(),
        JournalAcces.objects.count(),
        AccessLog.objects.count(),
    )


def test_a_blanc_rien_n_est_efface(journaux, membre):
    avant = comptes()

    sortie = lancer("--dry-run")

    assert comptes() == avant
    assert "journal des accès aux situations : 1 ligne(s) à effacer" in sortie
    assert "connexions : 1 ligne(s) à effacer" in sortie
    assert membre.email not in sortie


def test_au_dela_de_12_mois_les_journaux_sont_effaces(journaux, membre):
    _, recent = journaux
    historique_avant = GroupeOperationnel.historique.count()

    sortie = lancer()

    assert list(JournalAcces.objects.values_list("horodatage", flat=True)) == [recent]
    assert list(AccessLog.objects.values_list("attempt_time", flat=True)) == [recent]
    assert GroupeOperationnel.historique.count() == historique_avant - 1
    assert "effacée(s)" in sortie and membre.email not in sortie


def test_la_duree_de_conservation_se_regle(journaux, settings):
    settings.CONSERVATION_JOURNAUX_MOIS = 24

    lancer()

    assert JournalAcces.objects.count() == 2


def test_le_journal_reste_immuable_hors_de_la_commande(journaux):
    with pytest.raises(JournalImmuable):
        JournalAcces.objects.all().delete()


@pytest.mark.parametrize(
    ("maintenant", "limite"),
    [
        (datetime.datetime(2026, 11, 27, 3, 15), datetime.datetime(2025, 11, 27, 3, 15)),
        (datetime.datetime(2026, 3, 31, 3, 15), datetime.datetime(2025, 3, 28, 3, 15)),
        (datetime.datetime(2026, 1, 10, 3, 15), datetime.datetime(2025, 1, 10, 3, 15)),
    ],
)
def test_limite_de_conservation(maintenant, limite):
    assert limite_de_conservation(maintenant) == limite
