"""Un PDF long dans Chromium : le lien du plan mène à la page d'avancement, que le script
(static/js/rendu-pdf.js) actualise seul ; le lien de téléchargement apparaît, reçoit le
focus, et donne le PDF. Le test joue lui-même le processus de rendu (aucun processus n'est
lancé : ``subprocess.Popen`` est simulé). La page passe axe (WCAG 2.1 A et AA) à chaque
état, sans violation de la CSP."""

import datetime
import io
from pathlib import Path
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from clspd import rendus
from clspd.models import RenduPDF
from programmes import services as programme_services
from tests.conftest import creer_personas
from tests.e2e.test_parcours import expect, se_connecter

pytestmark = pytest.mark.e2e


@pytest.fixture
def arriere_plan(settings, monkeypatch):
    settings.PDF_EN_ARRIERE_PLAN = True
    monkeypatch.setattr(rendus, "SEUIL_PAGES", 0)
    monkeypatch.setattr(rendus, "_TRAVAILLEURS", [])
    monkeypatch.setattr(rendus.subprocess, "Popen", mock.Mock(name="Popen"))


def test_l_avancement_puis_le_telechargement(ouvrir_session, arriere_plan):
    personas = creer_personas()
    annee = timezone.localdate().year
    plan = programme_services.plan_creer(
        groupe=personas.groupe,
        titre="Plan jeunesse",
        date_debut=datetime.date(annee, 1, 1),
        date_fin=datetime.date(annee, 12, 31),
    )
    session = ouvrir_session(accept_downloads=True)
    page = session.page
    se_connecter(session, personas.membre, verifier=False)

    session.aller(reverse("programmes:plan_pdf", args=[plan.pk]))

    expect(page.get_by_role("heading", level=1)).to_have_text("Préparation de votre PDF")
    rendu = RenduPDF.objects.get()
    assert page.url.endswith(rendu.get_absolute_url())
    zone = page.locator("#rendu-pdf")
    expect(zone).to_have_attribute("aria-live", "polite")
    expect(zone).to_contain_text("En attente d'un poste de rendu : 0 %")
    expect(page.get_by_label("Avancement de la préparation")).to_have_attribute("value", "0")
    expect(page.get_by_role("link", name="Actualiser l'avancement")).to_be_visible()
    session.verifier_accessibilite()

    # Un processus de rendu prend la demande : la page suit, sans rechargement.
    RenduPDF.objects.filter(pk=rendu.pk).update(
        etat=RenduPDF.Etat.EN_COURS, poste=1, etape="Mise en page", progression=40
    )
    expect(zone).to_contain_text("Mise en page : 40 %")
    expect(page.get_by_label("Avancement de la préparation")).to_have_js_property("value", 40)
    session.verifier_accessibilite()

    rendus.executer(RenduPDF.objects.select_related("demandeur").get(pk=rendu.pk))

    lien = page.get_by_role("link", name="Télécharger le PDF")
    expect(lien).to_be_focused()
    expect(zone).to_contain_text("Votre PDF est prêt")
    expect(page.get_by_role("link", name="Actualiser l'avancement")).to_be_hidden()
    expect(page.get_by_label("Avancement de la préparation")).to_be_hidden()
    session.verifier_accessibilite()
    with page.expect_download() as telechargement:
        lien.click()
    contenu = Path(telechargement.value.path()).read_bytes()
    texte = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(contenu)).pages)
    assert "Plan d'action : Plan jeunesse" in texte
    assert telechargement.value.suggested_filename.startswith("plan-d-action-")
