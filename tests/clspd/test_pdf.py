"""Le rendu PDF partagé : A4, mention de confidentialité, auteur, pagination, police
fournie, et aucun accès réseau."""

import io
import shutil
import socket
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.template import engines
from pypdf import PdfReader

from clspd import pdf
from tests.factories import UtilisateurFactory

PDF_CSS = Path(__file__).resolve().parents[2] / "static" / "css" / "pdf.css"

MENTION = (
    "Document confidentiel. Les informations échangées au sein du groupe ne peuvent être "
    "communiquées à des tiers (article L132-5 du code de la sécurité intérieure)."
)

ENFANT = """{% extends "pdf/base.html" %}
{% block title %}Compte rendu{% endblock %}
{% block entete %}{{ conseil }} · {{ groupe }}{% endblock %}
{% block content %}
<h1>Compte rendu de la réunion</h1>
{% for i in paragraphes %}<p>Paragraphe {{ i }} : point sur les situations suivies.</p>{% endfor %}
{% endblock %}
"""


@pytest.fixture(autouse=True)
def sans_reseau(monkeypatch):
    """Aucun test de ce module ne résout un nom ni n'ouvre de connexion.

    WeasyPrint journalise les erreurs de chargement et continue : l'exception seule ne
    suffirait pas, chaque tentative est donc notée et fait échouer le test.
    """
    tentatives = []

    def interdit(*args, **kwargs):
        tentatives.append(args)
        raise OSError("accès réseau interdit pendant le rendu PDF")

    monkeypatch.setattr(socket.socket, "connect", interdit)
    monkeypatch.setattr(socket.socket, "connect_ex", interdit)
    monkeypatch.setattr(socket, "create_connection", interdit)
    monkeypatch.setattr(socket, "getaddrinfo", interdit)
    yield
    assert not tentatives, f"Le rendu PDF a tenté un accès réseau : {tentatives}"


@pytest.fixture
def recuperations(monkeypatch):
    """Chaque URL demandée au récupérateur, associée à « servie » ou « refusée »."""
    journal = {}
    fetch = pdf.RecuperateurStatique.fetch

    def espion(self, url, headers=None):
        try:
            reponse = fetch(self, url, headers)
        except pdf.RessourceRefusee:
            journal[url] = "refusée"
            raise
        journal[url] = "servie"
        return reponse

    monkeypatch.setattr(pdf.RecuperateurStatique, "fetch", espion)
    return journal


@pytest.fixture
def auteur():
    # Non enregistré : le rendu ne lit que son nom, les tests restent sans base.
    return UtilisateurFactory.build(first_name="Camille", last_name="Martin")


def gabarit(source=ENFANT):
    return engines["django"].from_string(source)


def contexte(paragraphes=3):
    return {
        "conseil": "CLSPD de Testville",
        "groupe": "Groupe jeunes",
        "paragraphes": range(paragraphes),
    }


def textes_des_pages(contenu):
    """Le texte de chaque page, espaces et retours à la ligne réduits à une espace."""
    lecteur = PdfReader(io.BytesIO(contenu))
    return [" ".join(page.extract_text().split()) for page in lecteur.pages], lecteur


# Mise en page --------------------------------------------------------------------------


def test_pdf_a4_avec_mention_auteur_et_pagination_sur_chaque_page(auteur):
    contenu = pdf.rendre_pdf(gabarit(), contexte(paragraphes=80), genere_par=auteur)

    assert contenu.startswith(b"%PDF-")
    textes, lecteur = textes_des_pages(contenu)
    nombre = len(textes)
    assert nombre >= 2
    for numero, (texte, page) in enumerate(zip(textes, lecteur.pages, strict=True), start=1):
        assert float(page.mediabox.width) == pytest.approx(595, abs=1)
        assert float(page.mediabox.height) == pytest.approx(842, abs=1)
        assert "CLSPD de Testville · Groupe jeunes" in texte
        assert MENTION in texte
        assert "Généré par Camille Martin le " in texte
        assert f"page {numero} / {nombre}" in texte
    assert "Paragraphe 79 : point sur les situations suivies." in textes[-1]
    assert lecteur.metadata.title == "Compte rendu · CLSPD"


def test_gabarit_par_son_nom_et_mention_remplacable(auteur, settings, tmp_path):
    (tmp_path / "essai.html").write_text(
        '{% extends "pdf/base.html" %}'
        "{% block mention_confidentialite %}Diffusion restreinte aux membres.{% endblock %}"
        "{% block content %}<p>Ordre du jour</p>{% endblock %}"
    )
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}
    ]

    (texte,), _ = textes_des_pages(pdf.rendre_pdf("essai.html", {}, genere_par=auteur))

    assert "Ordre du jour" in texte
    assert "Diffusion restreinte aux membres." in texte
    assert "Document confidentiel" not in texte
    assert "page 1 / 1" in texte


@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="pdffonts absent (poppler-utils)")
def test_seule_la_police_fournie_est_integree(auteur, tmp_path, recuperations):
    fichier = tmp_path / "document.pdf"
    fichier.write_bytes(pdf.rendre_pdf(gabarit(), contexte(), genere_par=auteur))

    lignes = subprocess.run(
        ["pdffonts", fichier], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]

    # WeasyPrint nomme une police @font-face d'après sa famille CSS : une police système
    # de repli (« DejaVu-Sans », « Liberation-Sans »...) se verrait ici.
    polices = {ligne.split()[0].split("+")[-1] for ligne in lignes}
    assert polices == {"CLSPD-Sans", "CLSPD-Sans-Bold"}
    assert all(ligne.split()[-5] == "yes" for ligne in lignes)  # colonne « emb »
    assert recuperations["https://clspd.invalid/static/fonts/DejaVuSans.ttf"] == "servie"
    assert recuperations["https://clspd.invalid/static/fonts/DejaVuSans-Bold.ttf"] == "servie"


def test_la_police_fournie_est_accompagnee_de_sa_licence():
    polices = Path(settings.BASE_DIR, "static", "fonts")
    assert (polices / "DejaVuSans.ttf").is_file()
    assert (polices / "DejaVuSans-Bold.ttf").is_file()
    assert "Bitstream Vera" in (polices / "LICENCE-DejaVu.txt").read_text()


# Aucun accès réseau ---------------------------------------------------------------------

EXTERNES = """{% extends "pdf/base.html" %}
{% block extra_head %}
<link rel="stylesheet" href="https://example.com/feuille.css">
<style>@import url("http://example.com/importee.css");</style>
{% endblock %}
{% block content %}
<p>Avant l'image.</p>
<img src="http://example.com/x.png" alt="">
<p style="background: url(https://example.com/fond.png)">Après l'image.</p>
<img src="file:///etc/hostname" alt="">
{% endblock %}
"""


def test_les_ressources_externes_sont_refusees_et_le_pdf_produit(auteur, recuperations, caplog):
    contenu = pdf.rendre_pdf(gabarit(EXTERNES), {}, genere_par=auteur)

    (texte,), _ = textes_des_pages(contenu)
    assert "Avant l'image. Après l'image." in texte
    assert MENTION in texte
    assert recuperations == {
        "https://clspd.invalid/static/css/pdf.css": "servie",
        "https://clspd.invalid/static/fonts/DejaVuSans.ttf": "servie",
        "https://clspd.invalid/static/fonts/DejaVuSans-Bold.ttf": "servie",
        "https://example.com/feuille.css": "refusée",
        "http://example.com/importee.css": "refusée",
        "http://example.com/x.png": "refusée",
        "https://example.com/fond.png": "refusée",
        "file:///etc/hostname": "refusée",
    }
    assert "PDF : ressource refusée (hors des fichiers statiques : http://example.com/x.png)" in (
        caplog.text
    )


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/x.png",
        "https://example.com/static/css/pdf.css",  # le chemin statique, mais une autre adresse
        "file:///etc/passwd",
        PDF_CSS.as_uri(),  # le vrai fichier, mais par file:
        "ftp://example.com/x.png",
        "https://clspd.invalid/groupes/1/",
        "https://clspd.invalid/static/css/absent.css",
        "https://clspd.invalid/static/../clspd/settings.py",
        "https://clspd.invalid/static/css/%2e%2e/%2e%2e/pyproject.toml",
        "https://clspd.invalid/static//etc/passwd",
        "https://clspd.invalid/static/",
    ],
)
def test_le_recuperateur_refuse_tout_sauf_les_fichiers_statiques(url):
    with pytest.raises(pdf.RessourceRefusee):
        pdf.RecuperateurStatique().fetch(url)


def test_le_recuperateur_sert_les_fichiers_statiques_de_l_origine():
    recuperateur = pdf.RecuperateurStatique("http://testserver/")

    feuille = recuperateur.fetch("http://testserver/static/css/pdf.css?v=2#fin")
    police = recuperateur.fetch("http://testserver/static/fonts/DejaVuSans.ttf")

    assert feuille.content_type == "text/css"
    assert feuille.charset == "utf-8"
    assert b"@font-face" in feuille.read()
    assert police.read() == Path(settings.BASE_DIR, "static/fonts/DejaVuSans.ttf").read_bytes()
    with pytest.raises(pdf.RessourceRefusee):
        recuperateur.fetch("https://clspd.invalid/static/css/pdf.css")


def test_le_recuperateur_sert_les_noms_haches_de_static_root(settings, tmp_path):
    # En production, {% static %} donne le nom haché par collectstatic.
    settings.STATIC_ROOT = tmp_path
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "pdf.0123456789ab.css").write_text("p { color: black; }")

    feuille = pdf.RecuperateurStatique().fetch(
        "https://clspd.invalid/static/css/pdf.0123456789ab.css"
    )

    assert feuille.read() == b"p { color: black; }"


def test_le_recuperateur_accepte_les_urls_data_qui_ne_telechargent_rien():
    assert pdf.RecuperateurStatique().fetch("data:text/plain,ok").read() == b"ok"


# Réponse HTTP ---------------------------------------------------------------------------


def test_reponse_pdf_en_piece_jointe_sans_cache(rf, auteur, recuperations):
    requete = rf.get("/groupes/1/compte-rendu.pdf")
    requete.user = auteur

    reponse = pdf.reponse_pdf(
        requete, gabarit(), contexte(), "Compte rendu du 3 mars « réunion ».pdf"
    )

    assert reponse.status_code == 200
    assert reponse["Content-Type"] == "application/pdf"
    assert reponse["Content-Disposition"] == (
        'attachment; filename="compte-rendu-du-3-mars-reunion.pdf"'
    )
    assert reponse["Cache-Control"] == "private, no-store"
    (texte,), _ = textes_des_pages(reponse.content)
    assert "Généré par Camille Martin le " in texte
    # Les URL relatives se résolvent contre le site, mais sont lues sur le disque.
    assert recuperations["http://testserver/static/css/pdf.css"] == "servie"


@pytest.mark.parametrize(
    ("nom", "attendu"),
    [
        ("Compte rendu.pdf", "compte-rendu.pdf"),
        ("Réunion du 3/03.PDF", "reunion-du-303.pdf"),
        ('plan "final"\r\nX-Injecte: 1', "plan-final-x-injecte-1.pdf"),
        ("«»", "document.pdf"),
        ("", "document.pdf"),
    ],
)
def test_nom_de_fichier_ascii(nom, attendu):
    assert pdf.nom_de_fichier_pdf(nom) == attendu
