"""``clspd.chemins.chemin`` et la balise ``{% url %}`` du projet (clspd/templatetags/liens.py)
: le même texte que ``reverse`` et que la balise de Django, dans chaque cas, qu'elles
prennent leur chemin rapide ou non."""

import uuid

import pytest
from django.template import Context, Engine, engines
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse, set_script_prefix

from clspd import chemins
from clspd.templatetags import liens

DJANGO = Engine()  # le moteur sans nos builtins : la balise d'origine


def rendu(moteur, texte, **contexte):
    return moteur.from_string(texte).render(Context(contexte))


def projet(texte, **contexte):
    return rendu(engines["django"].engine, texte, **contexte)


@pytest.fixture(autouse=True)
def prefixe_remis():
    yield
    set_script_prefix("/")


def test_la_balise_du_projet_remplace_celle_de_django():
    noeud = engines["django"].engine.from_string("{% url 'accueil' %}").nodelist[0]
    assert isinstance(noeud, liens.NoeudUrl)


@pytest.mark.parametrize(
    ("texte", "contexte"),
    [
        ("{% url 'accueil' %}", {}),
        ("{% url 'groupes:reunion_detail' pk %}", {"pk": 42}),
        ("{% url 'groupes:reunion_detail' pk %}", {"pk": 0}),
        ("{% url 'groupes:compte_rendu_pdf' pk version %}", {"pk": 7, "version": 12}),
        # Hors du chemin rapide : un texte, un UUID, des arguments nommés.
        ("{% url 'groupes:reunion_detail' pk %}", {"pk": "42"}),
        ("{% url 'rendu_pdf' pk %}", {"pk": uuid.UUID(int=5)}),
        ("{% url 'groupes:calendrier_flux' jeton %}", {"jeton": "a{b}c"}),
        ("{% url 'groupes:reunion_detail' pk=pk %}", {"pk": 3}),
        ("{% url nom pk %}", {"nom": "groupes:reunion_detail", "pk": 9}),
        ("{% url 'groupes:reunion_detail' pk as lien %}[{{ lien }}]", {"pk": 5}),
        ("{% url 'inconnue' pk as lien %}[{{ lien }}]", {"pk": 5}),
    ],
)
def test_meme_texte_que_django(texte, contexte):
    attendu = rendu(DJANGO, texte, **contexte)

    assert projet(texte, **contexte) == attendu
    # Une seconde fois : le gabarit du nom, mis en cache, sert.
    assert projet(texte, **contexte) == attendu


def test_chemin_rapide_identique_a_reverse_pour_beaucoup_d_identifiants():
    for pk in [1, 9, 10, 99, 123456, 987_654_321_000, 2**40]:
        assert chemins.chemin("groupes:compte_rendu_pdf", [pk, pk + 1]) == reverse(
            "groupes:compte_rendu_pdf", args=[pk, pk + 1]
        )


@pytest.mark.parametrize("args", [[-1], [True], [1, 2], []])
def test_arguments_refuses_comme_django(args):
    # Un entier négatif, un booléen, un argument de trop ou de moins : NoReverseMatch.
    with pytest.raises(NoReverseMatch):
        reverse("groupes:reunion_detail", args=args)
    with pytest.raises(NoReverseMatch):
        chemins.chemin("groupes:reunion_detail", args)
    with pytest.raises(NoReverseMatch):
        projet("{% url 'groupes:reunion_detail' " + " ".join(map(str, args)) + " %}")


def test_echappement_comme_django():
    texte = "{% url 'groupes:calendrier_flux' jeton %}"
    jeton = "<b>&"
    assert projet(texte, jeton=jeton) == rendu(DJANGO, texte, jeton=jeton)
    assert projet(texte, jeton=jeton).endswith("%3Cb%3E&amp;.ics")


def test_prefixe_du_site_suivi():
    # Le site servi sous un préfixe (SCRIPT_NAME) : chaque préfixe a son gabarit.
    assert chemins.chemin("groupes:reunion_detail", [3]) == reverse(
        "groupes:reunion_detail", args=[3]
    )
    set_script_prefix("/clspd/")
    assert chemins.chemin("groupes:reunion_detail", [3]).startswith("/clspd/")
    assert chemins.chemin("groupes:reunion_detail", [3]) == reverse(
        "groupes:reunion_detail", args=[3]
    )


def test_application_courante_de_la_requete():
    # L'administration est un espace de noms d'instance : l'application courante compte.
    requete = RequestFactory().get("/")
    requete.current_app = "admin"
    texte = "{% url 'admin:index' %}"
    moteur = engines["django"].engine
    assert moteur.from_string(texte).render(Context({"request": requete})) == (
        DJANGO.from_string(texte).render(Context({"request": requete}))
    )


def test_gabarit_du_nom():
    # Le chemin rapide sert bien : le gabarit du nom, et None quand il ne peut servir.
    assert chemins._modele("/", None, "groupes:compte_rendu_pdf", 2, None) == (
        reverse("groupes:compte_rendu_pdf", args=[11, 22]).replace("11", "{}").replace("22", "{}")
    )
    assert chemins._modele("/", None, "rendu_pdf", 1, None) is None
    assert chemins._modele("/", None, "groupes:reunion_detail", 2, None) is None


def test_liens_des_objets_par_le_chemin_rapide():
    # get_absolute_url passe par chemin : le même lien que reverse.
    from groupes.models import Reunion

    reunion = Reunion(pk=31)
    assert reunion.get_absolute_url() == reverse("groupes:reunion_detail", args=[31])
