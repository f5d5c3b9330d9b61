"""Les pièces communes des formulaires et des gabarits : la liste déroulante écrite en
Python rend le même HTML que le gabarit de Django, les filtres lisent leurs choix en une
requête, les filtres « montant » et « jour » écrivent le même texte que
``floatformat:"2g"`` et ``date:"d/m/Y"``."""

import random
import zoneinfo
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django import forms
from django.db import connection
from django.template import engines
from django.template.defaultfilters import floatformat
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from clspd.forms import FiltresEnLigne, ListeDeroulante
from clspd.models import Programme
from clspd.templatetags.clspd import jour, montant
from tests.factories import programme

CHOIX = [
    ("", "Tous"),
    ("a", "Premier & <second>"),
    ("Un groupe", [("b", "Deuxième"), ("c", 'Avec "guillemets"')]),
    (3, "Trois"),
]


@pytest.mark.parametrize("valeur", [None, "", "a", "c", 3, "3", "inconnue"])
@pytest.mark.parametrize(
    "attrs",
    [
        None,
        {"id": "id_x", "class": "form-select"},
        {"id": "id_x", "aria-invalid": "true", "aria-describedby": "id_x_error"},
        {"required": True, "disabled": False, "data-x": 'a"b'},
    ],
)
def test_liste_deroulante_comme_le_gabarit_de_django(valeur, attrs):
    attendu = forms.Select(choices=CHOIX).render("x", valeur, attrs)
    obtenu = ListeDeroulante(choices=CHOIX).render("x", valeur, attrs)
    assert obtenu == attendu


def test_liste_deroulante_multiple_comme_le_gabarit_de_django():
    attendu = forms.SelectMultiple(choices=CHOIX).render("x", ["a", "b"], {"id": "id_x"})

    class Multiple(ListeDeroulante):
        allow_multiple_selected = True

    assert Multiple(choices=CHOIX).render("x", ["a", "b"], {"id": "id_x"}) == attendu


class Filtres(FiltresEnLigne, forms.Form):
    programme = forms.ModelChoiceField(
        label="Programme", queryset=Programme.objects.order_by("nom"), required=False
    )
    statut = forms.ChoiceField(label="Statut", choices=[("", "Tous"), ("x", "X")], required=False)
    texte = forms.CharField(label="Texte", required=False)


@pytest.mark.django_db
def test_filtres_lisent_leurs_choix_en_une_requete():
    premier, second = programme(Programme.Axe.JEUNES), programme(Programme.Axe.VICTIMES)
    form = Filtres({"programme": str(second.pk)})
    assert form.is_valid() and form.cleaned_data["programme"] == second
    with CaptureQueriesContext(connection) as requetes:
        html = str(form["programme"])
    assert len(requetes) == 1
    assert "CURSOR" not in requetes[0]["sql"].upper()
    assert f'<option value="{premier.pk}">{escape(premier.nom)}</option>' in html
    assert f'<option value="{second.pk}" selected>{escape(second.nom)}</option>' in html
    assert 'class="form-select"' in html
    assert 'class="form-control"' in str(form["texte"])


@pytest.mark.django_db
def test_filtres_choix_invalide_signale_a_cote_du_champ():
    form = Filtres({"programme": "999999", "statut": "z"})
    assert not form.is_valid()
    assert set(form.errors) == {"programme", "statut"}
    html = str(form["statut"])
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_statut_error"' in html


# Le filtre « montant » -------------------------------------------------------------------

MONTANTS_LIMITES = [
    0,
    12,
    1.005,
    -2.675,
    Decimal("0"),
    Decimal("1234.5"),
    Decimal("1234567.005"),
    Decimal("-1234.565"),
    Decimal("999.995"),
    Decimal("0.005"),
    Decimal("-0.004"),
    Decimal("-0.005"),
    Decimal("12345678901.99"),
    "1500",
    "abc",
    "",
    None,
]


@pytest.mark.parametrize("valeur", MONTANTS_LIMITES)
def test_montant_comme_floatformat(valeur):
    assert montant(valeur) == floatformat(valeur, "2g")


def test_montant_comme_floatformat_au_hasard():
    hasard = random.Random(20261127)
    for _ in range(2000):
        valeur = Decimal(hasard.randint(-(10**9), 10**9)) / 10 ** hasard.randint(0, 4)
        assert montant(valeur) == floatformat(valeur, "2g"), valeur


def test_montant_a_la_francaise():
    assert montant(Decimal("1234567.5")) == "1\xa0234\xa0567,50"
    assert montant(None) == ""


# Le filtre « jour » ----------------------------------------------------------------------

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


@pytest.mark.parametrize(
    "valeur",
    [
        date(2026, 3, 7),
        date(1999, 12, 31),
        datetime(2026, 11, 27, 14, 5, tzinfo=PARIS),
        # 23 h 30 à Greenwich le 31 décembre : déjà le 1er janvier à Paris.
        datetime(2026, 12, 31, 23, 30, tzinfo=UTC),
        None,
        "",
        "2026-03-07",
        42,
    ],
)
def test_jour_comme_le_filtre_date(valeur):
    gabarits = engines["django"]
    contexte = {"valeur": valeur}
    attendu = gabarits.from_string('{{ valeur|date:"d/m/Y" }}').render(contexte)
    assert gabarits.from_string("{% load clspd %}{{ valeur|jour }}").render(contexte) == attendu


def test_jour_en_heure_locale():
    minuit_passe = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
    gabarit = engines["django"].from_string("{% load clspd %}{{ valeur|jour }}")
    assert gabarit.render({"valeur": minuit_passe}) == "01/01/2027"
    assert jour(date(2026, 3, 7)) == "07/03/2026"
