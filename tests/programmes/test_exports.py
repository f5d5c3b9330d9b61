"""Les exports des actions et des financements d'un conseil, relus : le CSV par le module
``csv``, le XLSX par openpyxl. Mêmes filtres que l'écran, jamais une ligne d'un autre
conseil, une 404 pour qui n'est ni coordonnateur ni à la formation restreinte, pas de
formule exécutable, et un gros export diffusé sans tout charger."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.http import FileResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from clspd.models import Programme
from programmes import exports
from programmes.models import Action, Financement
from tests.factories import InstitutionFactory, programme
from tests.programmes.conftest import (
    ANNEE,
    Source,
    Statut,
    action_de,
    financer,
    jour,
    plan_de,
)

pytestmark = pytest.mark.django_db

BOM = "\ufeff".encode()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def exporter(client, utilisateur, conseil, quoi="actions", format_="csv", **filtres):
    client.force_login(utilisateur)
    return client.get(
        reverse("programmes:export", args=[conseil.pk]),
        {"quoi": quoi, "format": format_, **filtres},
    )


def contenu(reponse):
    return b"".join(reponse.streaming_content)


def lire_csv(reponse):
    """Les lignes du CSV, en-tête compris, lues comme le ferait un programme."""
    brut = contenu(reponse)
    assert brut.startswith(BOM)
    return list(csv.reader(io.StringIO(brut.decode("utf-8-sig"), newline=""), delimiter=";"))


def lire_xlsx(reponse):
    classeur = load_workbook(io.BytesIO(contenu(reponse)))
    return classeur.active


def valeurs(feuille):
    return [[cellule.value for cellule in rangee] for rangee in feuille.iter_rows()]


def montant_csv(texte):
    return Decimal(texte.replace(",", ".")) if texte else None


# Contenu -------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["coordonnateur", "formation_restreinte"])
def test_csv_des_actions(request, client, conseil, donnees, institution, persona):
    reponse = exporter(client, request.getfixturevalue(persona), conseil)

    assert reponse.status_code == 200
    assert isinstance(reponse, StreamingHttpResponse)
    assert reponse["Content-Type"] == "text/csv; charset=utf-8"
    assert reponse["Cache-Control"] == "private, no-store"
    date = timezone.localdate().isoformat()
    assert reponse["Content-Disposition"] == (
        f'attachment; filename="actions-clspd-de-testville-{date}.csv"'
    )
    entete, *lignes = lire_csv(reponse)
    assert entete == list(exports.ENTETES_ACTIONS)
    assert entete[-2:] == ["Total demandé", "Total accordé"]
    par_titre = {ligne[2]: ligne for ligne in lignes}
    assert sorted(par_titre) == [
        "Accueil des victimes",
        "Atelier abandonné",
        "Chantiers éducatifs",
        "Médiation nocturne",
        "Permanence juridique",
    ]
    assert par_titre["Chantiers éducatifs"] == [
        "Groupe jeunes de Testville",
        f"Plan {ANNEE} — Groupe jeunes de Testville",
        "Chantiers éducatifs",
        programme().nom,
        "ZSP du Centre",
        institution.nom,
        f"Centre social des Lilas, {institution.nom}",
        "Rémi Référent",
        jour(-100).isoformat(),
        jour(-10).isoformat(),
        "En cours",
        "15000,00",
        "8000,00",
    ]
    # Une valeur absente est une cellule vide ; un total sans ligne vaut zéro.
    permanence = par_titre["Permanence juridique"]
    assert permanence[5:8] == ["", "", ""]
    assert permanence[9] == ""
    assert permanence[-2:] == ["0,00", "0,00"]
    assert sum(montant_csv(ligne[-2]) for ligne in lignes) == Decimal("20000")
    assert sum(montant_csv(ligne[-1]) for ligne in lignes) == Decimal("13500")


def test_csv_des_financements(client, coordonnateur, conseil, donnees):
    reponse = exporter(client, coordonnateur, conseil, "financements")

    entete, *lignes = lire_csv(reponse)
    assert entete == [
        "Groupe",
        "Action",
        "Source",
        "Montant demandé",
        "Montant accordé",
        "Date de décision",
    ]
    assert sorted(lignes) == sorted(
        [
            [
                "Groupe jeunes de Testville",
                "Chantiers éducatifs",
                "FIPD",
                "10000,00",
                "8000,00",
                jour(-40).isoformat(),
            ],
            ["Groupe jeunes de Testville", "Chantiers éducatifs", "Commune", "5000,00", "", ""],
            ["Groupe jeunes de Testville", "Médiation nocturne", "FIPD", "3000,00", "3000,00", ""],
            [
                "Groupe tranquillité de Testville",
                "Accueil des victimes",
                "CAF",
                "2000,00",
                "2500,00",
                "",
            ],
        ]
    )
    assert reponse["Content-Disposition"].startswith('attachment; filename="financements-')


@pytest.mark.parametrize("persona", ["coordonnateur", "formation_restreinte"])
def test_xlsx_des_actions(request, client, conseil, donnees, persona):
    reponse = exporter(client, request.getfixturevalue(persona), conseil, format_="xlsx")

    assert reponse.status_code == 200
    assert isinstance(reponse, FileResponse)
    assert reponse["Content-Type"] == XLSX
    assert reponse["Cache-Control"] == "private, no-store"
    assert reponse["Content-Disposition"].startswith('attachment; filename="actions-clspd-de-')
    assert reponse["Content-Disposition"].endswith('.xlsx"')
    feuille = lire_xlsx(reponse)
    assert feuille.title == "Actions"
    entete, *lignes = valeurs(feuille)
    assert entete == list(exports.ENTETES_ACTIONS)
    par_titre = {ligne[2]: ligne for ligne in lignes}
    chantiers = par_titre["Chantiers éducatifs"]
    assert chantiers[3:8] == [
        programme().nom,
        "ZSP du Centre",
        "Commissariat de Testville",
        "Centre social des Lilas, Commissariat de Testville",
        "Rémi Référent",
    ]
    # Des dates et des nombres, pas du texte.
    assert chantiers[8:10] == [
        datetime.datetime.combine(jour(-100), datetime.time()),
        datetime.datetime.combine(jour(-10), datetime.time()),
    ]
    assert chantiers[-2:] == [15000, 8000]
    rangee = next(r for r in feuille.iter_rows(min_row=2) if r[2].value == "Chantiers éducatifs")
    assert [cellule.data_type for cellule in rangee[-2:]] == ["n", "n"]
    assert rangee[-1].number_format == "#,##0.00"
    assert rangee[8].is_date
    assert par_titre["Permanence juridique"][9] is None
    assert sum(ligne[-2] for ligne in lignes) == 20000
    assert sum(ligne[-1] for ligne in lignes) == 13500


def test_xlsx_des_financements(client, formation_restreinte, conseil, donnees):
    reponse = exporter(client, formation_restreinte, conseil, "financements", "xlsx")

    feuille = lire_xlsx(reponse)
    assert feuille.title == "Financements"
    entete, *lignes = valeurs(feuille)
    assert entete == list(exports.ENTETES_FINANCEMENTS)
    assert len(lignes) == 4
    assert sum(ligne[3] for ligne in lignes) == 20000
    assert sum(ligne[4] or 0 for ligne in lignes) == 13500
    fipd = next(ligne for ligne in lignes if ligne[2] == "FIPD" and ligne[4] == 8000)
    assert fipd[5] == datetime.datetime.combine(jour(-40), datetime.time())


# Filtres : les mêmes que l'écran --------------------------------------------------------------


@pytest.mark.parametrize(
    "filtres, actions, sources",
    [
        (
            lambda zsp: {"programme": programme(Programme.Axe.VICTIMES).pk},
            {"Accueil des victimes", "Permanence juridique"},
            ["CAF"],
        ),
        (
            lambda zsp: {"statut": Statut.EN_COURS},
            {"Chantiers éducatifs"},
            ["Commune", "FIPD"],
        ),
        (
            lambda zsp: {"territoire": zsp.pk},
            {"Chantiers éducatifs", "Permanence juridique"},
            ["Commune", "FIPD"],
        ),
        (
            lambda zsp: {"annee": ANNEE - 1},
            {"Accueil des victimes", "Permanence juridique"},
            ["CAF"],
        ),
        # La fin de « Atelier abandonné » et d'« Accueil des victimes » est passée, mais l'une
        # est abandonnée et l'autre terminée.
        (lambda zsp: {"en_retard": "1"}, {"Chantiers éducatifs"}, ["Commune", "FIPD"]),
        # Un filtre invalide est ignoré, comme à l'écran ; les autres s'appliquent.
        (
            lambda zsp: {"annee": "vingt", "programme": "x", "statut": Statut.VALIDEE},
            {"Médiation nocturne"},
            ["FIPD"],
        ),
    ],
)
@pytest.mark.parametrize("format_", ["csv", "xlsx"])
def test_export_filtre(
    client, coordonnateur, conseil, donnees, zsp, filtres, actions, sources, format_
):
    parametres = filtres(zsp)

    def lignes(quoi):
        reponse = exporter(client, coordonnateur, conseil, quoi, format_, **parametres)
        assert reponse.status_code == 200
        if format_ == "csv":
            return lire_csv(reponse)[1:]
        return valeurs(lire_xlsx(reponse))[1:]

    assert {ligne[2] for ligne in lignes("actions")} == actions
    assert sorted(ligne[2] for ligne in lignes("financements")) == sources
    # L'écran filtré montre les mêmes actions.
    ecran = client.get(reverse("programmes:conseil", args=[conseil.pk]), parametres)
    assert {action.titre for action in ecran.context["page_obj"]} == actions


def test_liens_d_export_de_l_ecran(client, coordonnateur, conseil, donnees):
    client.force_login(coordonnateur)
    parametres = {"statut": Statut.EN_COURS, "page": "2", "envoyer": "Filtrer"}
    ecran = client.get(reverse("programmes:conseil", args=[conseil.pk]), parametres)

    liens = {libelle: url for url, libelle in ecran.context["liens_export"]}
    assert sorted(liens) == [
        "Actions (CSV)",
        "Actions (XLSX)",
        "Lignes de financement (CSV)",
        "Lignes de financement (XLSX)",
    ]
    url = liens["Lignes de financement (XLSX)"]
    assert url == (
        reverse("programmes:export", args=[conseil.pk])
        + "?statut=en_cours&quoi=financements&format=xlsx"
    )
    assert url.replace("&", "&amp;") in ecran.content.decode()
    reponse = client.get(url)
    assert [ligne[1] for ligne in valeurs(lire_xlsx(reponse))[1:]] == ["Chantiers éducatifs"] * 2


# Permissions ---------------------------------------------------------------------------------


@pytest.mark.parametrize("format_", ["csv", "xlsx"])
@pytest.mark.parametrize("quoi", ["actions", "financements"])
def test_jamais_les_lignes_d_un_autre_conseil(
    client, coordonnateur, conseil, donnees, quoi, format_
):
    reponse = exporter(client, coordonnateur, conseil, quoi, format_)

    brut = contenu(reponse)
    texte = (
        brut.decode("utf-8-sig")
        if format_ == "csv"
        else str(valeurs(load_workbook(io.BytesIO(brut)).active))
    )
    assert "Chantiers éducatifs" in texte
    assert "autre conseil" not in texte
    assert "Groupe de Loin" not in texte
    assert "99999" not in texte


@pytest.mark.parametrize("persona", ["membre", "pilote", "etranger", "autre_conseil"])
@pytest.mark.parametrize("format_", ["csv", "xlsx"])
def test_export_ferme_aux_autres(request, client, conseil, donnees, persona, format_):
    reponse = exporter(client, request.getfixturevalue(persona), conseil, format_=format_)

    assert reponse.status_code == 404
    assert not reponse.streaming


def test_export_anonyme(client, conseil):
    reponse = client.get(
        reverse("programmes:export", args=[conseil.pk]), {"quoi": "actions", "format": "csv"}
    )
    assert reponse.status_code == 302
    assert reponse["Location"].startswith(reverse("connexion"))


@pytest.mark.parametrize(
    "parametres",
    [
        {"quoi": "actions", "format": "pdf"},
        {"quoi": "situations", "format": "csv"},
        {"quoi": "actions"},
        {"format": "xlsx"},
        {},
        {"quoi": "ACTIONS", "format": "CSV"},
    ],
)
def test_export_inconnu(client, coordonnateur, conseil, parametres):
    client.force_login(coordonnateur)
    reponse = client.get(reverse("programmes:export", args=[conseil.pk]), parametres)
    assert reponse.status_code == 404


# Injection de formules -----------------------------------------------------------------------

DANGEREUX = [
    '=HYPERLINK("http://pirate.example","Cliquez")',
    "+33 1 23 45 67 89",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\tTabulation",
    "\rRetour chariot",
]


@pytest.mark.parametrize(
    "texte, attendu",
    [
        *((texte, "'" + texte) for texte in DANGEREUX),
        ("Action 1 = priorité", "Action 1 = priorité"),
        ("", ""),
        ("'déjà cité", "'déjà cité"),
    ],
)
def test_neutraliser(texte, attendu):
    assert exports.neutraliser(texte) == attendu


@pytest.fixture
def actions_piegees(conseil, groupe):
    plan = plan_de(groupe, titre="=1+1")
    porteur = InstitutionFactory(conseil=conseil, nom="@porteur")
    return [action_de(plan, texte, statut=Statut.VALIDEE, porteur=porteur) for texte in DANGEREUX]


def test_csv_neutralise_les_formules(client, coordonnateur, conseil, actions_piegees):
    financer(actions_piegees[0], Source.AUTRE, "12.5")

    lignes = lire_csv(exporter(client, coordonnateur, conseil))[1:]

    assert sorted(ligne[2] for ligne in lignes) == sorted("'" + texte for texte in DANGEREUX)
    assert {ligne[1] for ligne in lignes} == {"'=1+1"}
    assert {ligne[5] for ligne in lignes} == {"'@porteur"}
    financements = lire_csv(exporter(client, coordonnateur, conseil, "financements"))[1:]
    assert financements == [
        ["Groupe jeunes de Testville", "'" + DANGEREUX[0], "Autre", "12,50", "", ""]
    ]


def test_xlsx_ecrit_les_formules_comme_du_texte(client, coordonnateur, conseil, actions_piegees):
    feuille = lire_xlsx(exporter(client, coordonnateur, conseil, format_="xlsx"))

    rangees = list(feuille.iter_rows(min_row=2))
    # (Le XML du classeur normalise un retour chariot en saut de ligne.)
    assert sorted(rangee[2].value for rangee in rangees) == sorted(
        texte.replace("\r", "\n") for texte in DANGEREUX
    )
    for rangee in rangees:
        for cellule in (rangee[1], rangee[2], rangee[5]):
            # Du texte, jamais une formule (« f »), affiché tel quel par le tableur.
            assert cellule.data_type == "s", cellule.value
            assert cellule.quotePrefix
    assert rangees[0][1].value == "=1+1"


def test_xlsx_sans_caracteres_de_controle(client, coordonnateur, conseil, groupe):
    action_de(plan_de(groupe), "Sonnette\x07 et saut\x0c de page")

    feuille = lire_xlsx(exporter(client, coordonnateur, conseil, format_="xlsx"))

    assert feuille.cell(row=2, column=3).value == "Sonnette et saut de page"


# Volume --------------------------------------------------------------------------------------

VOLUME = 5000


@pytest.fixture
def beaucoup_de_financements(conseil, groupe, institution):
    plan = plan_de(groupe)
    actions = Action.objects.bulk_create(
        Action(
            plan=plan,
            titre=f"Action {i:03d}",
            programme=programme(),
            statut=Statut.EN_COURS,
            porteur=institution,
            date_debut=jour(-10),
        )
        for i in range(VOLUME // 10)
    )
    for action in actions[:50]:
        action.partenaires.add(institution)
    Financement.objects.bulk_create(
        (
            Financement(
                action=actions[i % len(actions)],
                source=Source.FIPD,
                montant_demande=Decimal("10.50"),
                montant_accorde=Decimal("10"),
            )
            for i in range(VOLUME)
        ),
        batch_size=1000,
    )
    return actions


def test_gros_export_csv_diffuse(
    client, coordonnateur, conseil, beaucoup_de_financements, django_assert_max_num_queries
):
    client.force_login(coordonnateur)
    reponse = client.get(
        reverse("programmes:export", args=[conseil.pk]), {"quoi": "financements", "format": "csv"}
    )
    assert isinstance(reponse, StreamingHttpResponse)

    # Les lignes sont lues pendant la diffusion, par paquets, et envoyées par morceaux.
    with django_assert_max_num_queries(3):
        morceaux = list(reponse.streaming_content)
    assert len(morceaux) > 5
    lignes = list(
        csv.reader(io.StringIO(b"".join(morceaux).decode("utf-8-sig"), newline=""), delimiter=";")
    )
    assert len(lignes) == VOLUME + 1
    assert sum(montant_csv(ligne[3]) for ligne in lignes[1:]) == Decimal("52500")


def test_gros_export_xlsx(client, coordonnateur, conseil, beaucoup_de_financements):
    reponse = exporter(client, coordonnateur, conseil, "financements", "xlsx")

    assert isinstance(reponse, FileResponse)
    assert int(reponse["Content-Length"]) > 0
    feuille = load_workbook(io.BytesIO(contenu(reponse)), read_only=True).active
    rangees = list(feuille.iter_rows(min_row=2, values_only=True))
    assert len(rangees) == VOLUME
    assert sum(rangee[3] for rangee in rangees) == pytest.approx(52500)


def test_gros_export_des_actions_par_paquets(
    client, coordonnateur, conseil, beaucoup_de_financements, django_assert_max_num_queries
):
    # Les partenaires sont préchargés paquet par paquet : le nombre de requêtes ne suit pas
    # celui des actions.
    reponse = exporter(client, coordonnateur, conseil)
    with django_assert_max_num_queries(4):
        lignes = lire_csv(reponse)[1:]
    assert len(lignes) == VOLUME // 10
    assert sum(montant_csv(ligne[-2]) for ligne in lignes) == Decimal("52500")
    assert sum(1 for ligne in lignes if ligne[6]) == 50
