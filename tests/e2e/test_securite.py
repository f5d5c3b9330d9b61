"""Dans Chromium : la pilote doit donner le code de son application après son mot de passe ;
une session inactive se ferme et renvoie à la connexion."""

import time

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import ajouter_membre, designer_pilote
from tests.e2e.test_parcours import expect, libelle
from tests.factories import (
    MOT_DE_PASSE,
    ConseilFactory,
    GroupeFactory,
    InstitutionFactory,
    UtilisateurFactory,
)

pytestmark = pytest.mark.e2e


@pytest.fixture
def pilote(base_de_donnees, settings):
    settings.DOUBLE_AUTHENTIFICATION_OBLIGATOIRE = True
    conseil = ConseilFactory(nom="CLSPD de Testville")
    coordonnateur = UtilisateurFactory(email="coordination@testville.fr")
    groupe = GroupeFactory(conseil=conseil, nom="Groupe jeunes")
    pilote = UtilisateurFactory(email="pilote@testville.fr", first_name="Paula")
    ajouter_membre(groupe, pilote, InstitutionFactory(conseil=conseil), coordonnateur)
    designer_pilote(groupe, pilote, coordonnateur)
    TOTPDevice.objects.create(user=pilote, name="Application", confirmed=True)
    return pilote


def connexion_par_mot_de_passe(session, utilisateur):
    page = session.page
    session.aller("/compte/connexion/")
    page.get_by_label(libelle("Adresse électronique")).fill(utilisateur.email)
    page.get_by_label(libelle("Mot de passe")).fill(MOT_DE_PASSE)
    page.get_by_role("button", name="Se connecter").click()


def test_la_pilote_donne_son_code_apres_son_mot_de_passe(ouvrir_session, pilote):
    session = ouvrir_session()
    page = session.page

    connexion_par_mot_de_passe(session, pilote)

    expect(page.get_by_role("heading", level=1)).to_have_text("Double authentification")
    session.verifier_accessibilite()
    page.get_by_label(libelle("Code")).fill("000000")
    page.get_by_role("button", name="Valider le code").click()
    expect(page.get_by_text("Code incorrect ou expiré.")).to_be_visible()
    # Aucune page ne s'ouvre sans le code.
    session.aller(reverse("groupes:mes_decisions"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Double authentification")

    appareil = TOTPDevice.objects.get(user=pilote)
    TOTPDevice.objects.filter(pk=appareil.pk).update(
        throttling_failure_count=0, throttling_failure_timestamp=None
    )
    page.get_by_label(libelle("Code")).fill(f"{totp(appareil.bin_key):06d}")
    page.get_by_role("button", name="Valider le code").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Mes décisions")


def test_une_session_inactive_se_ferme(ouvrir_session, settings, base_de_donnees):
    settings.SESSION_INACTIVITE = 1
    agent = UtilisateurFactory(email="agent@testville.fr", first_name="Alex")
    session = ouvrir_session()
    page = session.page
    connexion_par_mot_de_passe(session, agent)
    expect(page.get_by_role("heading", level=1)).to_have_text("Bonjour Alex")

    time.sleep(2.1)
    session.aller(reverse("groupes:mes_decisions"))

    expect(page.get_by_role("heading", level=1)).to_have_text("Connexion")
    expect(page.get_by_text("Votre session a expiré")).to_be_visible()
    session.verifier_accessibilite()
