"""La démonstration de ``make run`` : elle se charge, deux fois sans rien doubler, et montre
ce que le README promet (la charte à accepter par membre.jeunes, des situations fictives)."""

import base64
import io

import pytest
from django.core.management import CommandError, call_command
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from groupes.models import AcceptationCharte, GroupeOperationnel, Reunion, Situation
from programmes.models import Action

pytestmark = pytest.mark.django_db


def comptes():
    return {
        modele.__name__: modele.objects.count()
        for modele in (GroupeOperationnel, Situation, AcceptationCharte, Reunion, Action)
    }


def test_la_demonstration_se_charge_deux_fois_a_l_identique(settings):
    settings.DEBUG = True
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


def test_la_demonstration_refuse_de_se_charger_sans_debug(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG=1"):
        call_command("seed_demo", stdout=io.StringIO())

    assert not GroupeOperationnel.objects.exists()


def test_les_comptes_de_demonstration_ont_le_secret_totp_publie(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())

    appareil = TOTPDevice.objects.get(user__email="pilote.jeunes@demo.clspd.fr")

    assert appareil.confirmed
    assert base64.b32encode(appareil.bin_key).decode() == "JBSWY3DPEHPK3PXP"
    assert appareil.verify_token(totp(appareil.bin_key))


def test_verifier_installation_apres_la_demonstration(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    sortie = io.StringIO()

    call_command("verifier_installation", stdout=sortie)

    lignes = sortie.getvalue().splitlines()
    assert "groupes.GroupeOperationnel 5" in lignes
    assert any(ligne.startswith("page /groupes/") and ligne.endswith(" 200") for ligne in lignes)
    assert lignes[-1] == "Installation vérifiée."
    assert "@" not in sortie.getvalue()  # aucune adresse, aucun nom


def test_verifier_une_installation_vide():
    sortie = io.StringIO()

    call_command("verifier_installation", stdout=sortie)

    assert "Aucun coordonnateur : pages non vérifiées." in sortie.getvalue()
