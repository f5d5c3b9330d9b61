"""Les graphiques SVG des rapports : du XML valide, accessible (role="img", <title>,
<desc>), sans script ni ressource externe, qui échappe ses textes et tient bon devant des
données vides ou nulles."""

import re
import xml.etree.ElementTree as ET

import pytest

from evaluation.graphiques import barres_cibles

SVG = "{http://www.w3.org/2000/svg}"

LIGNES = [
    {
        "nom": "Nombre de bénéficiaires",
        "famille": "Indicateurs de réalisation",
        "unite": "personnes",
        "valeur": 1234.5,
        "precedent": 100,
        "cible": 1500,
        "taux": 82,
    },
    {
        "nom": "Réitération des comportements",
        "famille": "Indicateurs d'impact quantitatif",
        "unite": "%",
        "valeur": 12.5,
        "precedent": None,
        "cible": 20,
        "taux": 62,
    },
]


def arbre(svg):
    racine = ET.fromstring(svg)
    assert racine.tag == f"{SVG}svg"
    return racine


def textes(racine):
    return [element.text for element in racine.iter(f"{SVG}text")]


def test_un_svg_accessible_et_autonome():
    svg = barres_cibles(LIGNES, "Indicateurs chiffrés — Programme jeunes", annee=2025)
    racine = arbre(svg)

    assert racine.get("role") == "img"
    assert racine.get("viewBox").startswith("0 0 640 ")
    assert racine.get("width") == "640"
    titre = racine.find(f"{SVG}title")
    description = racine.find(f"{SVG}desc")
    assert titre.text == "Indicateurs chiffrés — Programme jeunes"
    assert racine.get("aria-labelledby") == f"{titre.get('id')} {description.get('id')}"
    # La description dit tout ce que montre le dessin.
    assert (
        "Nombre de bénéficiaires (personnes) — 2025 : 1\xa0234,5 ; 2024 : 100 ; "
        "Cible : 1\xa0500 ; 82\xa0% de la cible." in description.text
    )
    assert "2024 : non renseigné" in description.text
    # Ni script, ni gestionnaire d'événement, ni ressource externe.
    assert "<script" not in svg
    assert not re.search(r"\son\w+\s*=", svg)
    assert "href" not in svg
    assert "http://" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_lisible_sans_couleur_chaque_barre_a_son_libelle_et_sa_valeur():
    racine = arbre(barres_cibles(LIGNES, "Indicateurs", annee=2025))
    ecrits = textes(racine)

    # La légende et chaque barre nomment leur série ; chaque valeur est écrite.
    assert ecrits.count("2025") == 3
    assert ecrits.count("2024") == 3
    assert ecrits.count("Cible") == 3
    for valeur in ("1\xa0234,5", "100", "1\xa0500", "12,5", "20", "non renseigné"):
        assert valeur in ecrits
    assert "82\xa0% de la cible" in ecrits
    # Trois formes distinctes : pleine, hachurée (un motif), en contour.
    remplissages = {r.get("fill") for r in racine.iter(f"{SVG}rect")}
    motif = racine.find(f".//{SVG}pattern")
    assert f"url(#{motif.get('id')})" in remplissages
    assert {"#161616", "#ffffff"} <= remplissages


def test_la_barre_la_plus_longue_est_la_plus_grande_valeur():
    racine = arbre(barres_cibles(LIGNES[:1], "Indicateurs", annee=2025))
    barres = [
        float(r.get("width"))
        for r in racine.iter(f"{SVG}rect")
        if float(r.get("x")) == 110  # les barres partent de l'axe ; la légende, de 0
    ]

    assert barres == [pytest.approx(360 * 1234.5 / 1500), pytest.approx(360 * 100 / 1500), 360]


@pytest.mark.parametrize(
    "hostile", ["<script>alert('x')</script>", "A & B", '"><svg onload=alert(1)>', "]]>"]
)
def test_les_textes_sont_echappes(hostile):
    lignes = [{**LIGNES[0], "nom": hostile, "unite": hostile}]

    svg = barres_cibles(lignes, hostile, annee=2025)
    racine = arbre(svg)

    assert racine.find(f"{SVG}title").text == hostile
    assert racine.find(f".//{SVG}script") is None
    assert not [e for e in racine.iter() if any(a.startswith("on") for a in e.attrib)]
    assert any(hostile in (texte or "") for texte in textes(racine))
    assert "<script>" not in svg


@pytest.mark.parametrize(
    "lignes",
    [
        [],
        [{"nom": "Vide", "unite": "", "valeur": None, "precedent": None, "cible": None}],
    ],
)
def test_sans_donnee_un_graphique_qui_le_dit(lignes):
    racine = arbre(barres_cibles(lignes, "Indicateurs"))

    assert racine.get("role") == "img"
    assert racine.find(f"{SVG}title").text == "Indicateurs"
    assert "Aucun indicateur chiffré pour cette partie." in textes(racine)


def test_zeros_et_cible_nulle():
    lignes = [
        {"nom": "Solutions", "unite": "", "valeur": 0, "precedent": 0, "cible": 0, "taux": None},
        {"nom": "Sans cible", "unite": "", "valeur": 5, "precedent": None, "cible": 0},
    ]

    racine = arbre(barres_cibles(lignes, "Indicateurs"))

    ecrits = textes(racine)
    assert ecrits.count("0") == 4
    assert "5" in ecrits
    assert not any("de la cible" in (texte or "") for texte in ecrits)
    # Aucune barre de largeur négative ou infinie ; sans année, des libellés génériques.
    for rect in racine.iter(f"{SVG}rect"):
        assert 0 <= float(rect.get("width")) <= 640
    assert "Année précédente" in ecrits


def test_deux_graphiques_d_une_meme_page_ont_des_identifiants_distincts():
    un = arbre(barres_cibles(LIGNES, "Programme A", annee=2025))
    deux = arbre(barres_cibles(LIGNES, "Programme B", annee=2025))

    ids = lambda racine: {e.get("id") for e in racine.iter() if e.get("id")}  # noqa: E731
    assert ids(un).isdisjoint(ids(deux))
    # Le même graphique, deux fois : le même SVG (le rendu est déterministe).
    assert barres_cibles(LIGNES, "Programme A", annee=2025) == barres_cibles(
        LIGNES, "Programme A", annee=2025
    )
