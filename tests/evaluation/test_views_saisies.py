"""Les vues de la saisie des indicateurs, par le client de test : le catalogue et les
indicateurs locaux, le paramétrage d'une action, la page d'évaluation d'une action, la
saisie d'une période (brouillon, soumission, lecture seule), sa validation ou son renvoi
par le pilote, « Mes saisies », et le nombre de requêtes des pages de liste.

Une saisie refusée affiche l'erreur française à côté de son champ et n'écrit rien. Les 404
de chaque persona sur chaque URL sont dans ``tests/test_permissions.py`` ; ici, ce que
chacun voit des pages qu'il ouvre, et quelques 404 qui tiennent aux règles de la saisie.
"""

import datetime
import html
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from evaluation import services
from evaluation.models import EvaluationAction, Indicateur, IndicateurSuivi, Saisie, Valeur
from evaluation.services import champ_de
from tests.conftest import ajouter_membre, designer_pilote
from tests.evaluation.conftest import TEXTES, enregistrer, parametrer, textes
from tests.factories import GroupeFactory, UtilisateurFactory
from tests.groupes.test_requetes import (
    GRANDE,
    MAX_REQUETES,
    PETITE,
    assert_meme_nombre_de_requetes,
)
from tests.programmes.conftest import ANNEE, action_de, plan_de

pytestmark = pytest.mark.django_db

OBLIGATOIRE = "Ce champ est obligatoire."


def url(nom, *args):
    return reverse(f"evaluation:{nom}", args=args)


def contenu(reponse):
    return html.unescape(reponse.content.decode())


def erreur_du_champ(reponse, nom):
    """Le texte des erreurs rattachées au champ ``nom`` (crispy : ``error_<n>_id_<nom>``),
    ou de son tableau (la répartition : ``erreur_<nom>``)."""
    page = reponse.content.decode()
    trouvees = re.findall(
        rf'id="(?:error_\d+_id_{nom}|erreur_{nom})"[^>]*>(.*?)</(?:span|div|p)>', page, re.S
    )
    textes = (html.unescape(re.sub(r"<[^>]+>", " ", trouvee)) for trouvee in trouvees)
    return " ".join(" ".join(texte.split()) for texte in textes)


def champs(reponse):
    return set(re.findall(r'name="([^"]+)"', reponse.content.decode()))


@pytest.fixture
def connecte(client):
    def connecte(utilisateur):
        client.force_login(utilisateur)
        return client

    return connecte


# Indicateurs --------------------------------------------------------------------------------


def test_le_catalogue_se_lit_par_famille_avec_les_indicateurs_locaux(
    connecte, coordonnateur, conseil, echelle
):
    reponse = connecte(coordonnateur).get(url("indicateurs", conseil.pk))
    assert reponse.status_code == 200
    page = contenu(reponse)
    positions = [
        page.index(famille)
        for famille in (
            "Indicateurs de réalisation",
            "Indicateurs d'impact quantitatif",
            "Indicateurs qualitatifs",
        )
    ]
    assert positions == sorted(positions)
    assert "Profil des bénéficiaires" in page
    assert "Répartition des bénéficiaires" in page
    assert "Satisfaction des partenaires" in page
    assert "Ajouter un indicateur local" in page
    assert url("indicateur_modifier", echelle.pk) in page


def test_la_formation_restreinte_lit_le_catalogue_sans_le_modifier(
    connecte, formation_restreinte, conseil, echelle
):
    client = connecte(formation_restreinte)
    reponse = client.get(url("indicateurs", conseil.pk))
    assert reponse.status_code == 200
    assert "Satisfaction des partenaires" in contenu(reponse)
    assert "Ajouter un indicateur local" not in contenu(reponse)
    assert client.get(url("indicateur_creer", conseil.pk)).status_code == 404
    assert client.get(url("indicateur_modifier", echelle.pk)).status_code == 404


@pytest.mark.parametrize("persona", ["membre", "pilote", "autre_conseil"])
def test_le_catalogue_n_est_pas_pour_les_groupes(request, connecte, conseil, persona):
    client = connecte(request.getfixturevalue(persona))
    assert client.get(url("indicateurs", conseil.pk)).status_code == 404


def test_le_coordonnateur_ajoute_un_indicateur_local(connecte, coordonnateur, conseil):
    reponse = connecte(coordonnateur).post(
        url("indicateur_creer", conseil.pk),
        {
            "nom": "Séances organisées",
            "famille": "realisation",
            "type": "entier",
            "unite": "séances",
            "definition": "",
        },
    )
    assert reponse.status_code == 302
    assert reponse.url == url("indicateurs", conseil.pk)
    indicateur = Indicateur.objects.get(conseil=conseil)
    assert (indicateur.nom, indicateur.type, indicateur.unite) == (
        "Séances organisées",
        "entier",
        "séances",
    )


@pytest.mark.parametrize(
    ("envoi", "champ", "message"),
    [
        ({"type": "repartition"}, "type", "Sélectionnez un choix valide."),
        ({"nom": ""}, "nom", OBLIGATOIRE),
        ({"famille": "autre"}, "famille", "Sélectionnez un choix valide."),
    ],
)
def test_un_indicateur_local_invalide_n_est_pas_ecrit(
    connecte, coordonnateur, conseil, echelle, envoi, champ, message
):
    valides = {"nom": "Séances", "famille": "realisation", "type": "entier", "unite": ""}
    reponse = connecte(coordonnateur).post(
        url("indicateur_creer", conseil.pk), {**valides, **envoi}
    )
    assert reponse.status_code == 200
    assert message in erreur_du_champ(reponse, champ)
    assert list(Indicateur.objects.filter(conseil=conseil)) == [echelle]


def test_un_nom_deja_pris_dans_le_conseil_est_refuse(connecte, coordonnateur, conseil, echelle):
    reponse = connecte(coordonnateur).post(
        url("indicateur_creer", conseil.pk),
        {"nom": echelle.nom, "famille": "impact", "type": "entier", "unite": ""},
    )
    assert reponse.status_code == 200
    assert "Ce conseil a déjà un indicateur de ce nom." in contenu(reponse)
    assert list(Indicateur.objects.filter(conseil=conseil)) == [echelle]


def test_le_type_d_un_indicateur_deja_saisi_ne_change_plus(
    connecte, coordonnateur, echelle, saisie, membre
):
    enregistrer(saisie, membre, {echelle: "3"})
    reponse = connecte(coordonnateur).post(
        url("indicateur_modifier", echelle.pk),
        {"nom": "Autre nom", "famille": "qualitatif", "type": "entier", "unite": ""},
    )
    assert reponse.status_code == 200
    assert "son type ne change plus" in erreur_du_champ(reponse, "type")
    # La page garde le nom enregistré ; rien n'a changé.
    assert "Modifier l'indicateur « Satisfaction des partenaires »" in contenu(reponse)
    echelle.refresh_from_db()
    assert (echelle.nom, echelle.type) == ("Satisfaction des partenaires", "echelle")


def test_un_indicateur_du_catalogue_ne_se_modifie_pas(connecte, coordonnateur, catalogue):
    reponse = connecte(coordonnateur).get(url("indicateur_modifier", catalogue["beneficiaires"].pk))
    assert reponse.status_code == 404


# Paramétrage --------------------------------------------------------------------------------


def test_le_pilote_parametre_l_evaluation(connecte, pilote, action, catalogue, echelle):
    client = connecte(pilote)
    reponse = client.get(url("parametrer", action.pk))
    assert reponse.status_code == 200
    page = contenu(reponse)
    assert "Suivre : Nombre de bénéficiaires" in page
    assert "Cible annuelle : Nombre de bénéficiaires (personnes)" in page
    # Un texte n'a pas de cible.
    assert champ_de(catalogue["difficultes"]) not in champs(reponse)

    b, d = catalogue["beneficiaires"], catalogue["difficultes"]
    reponse = client.post(
        url("parametrer", action.pk),
        {
            "rythme": "trimestre",
            f"suivi_{b.pk}": "on",
            champ_de(b): "120",
            f"suivi_{d.pk}": "on",
            f"suivi_{echelle.pk}": "on",
            champ_de(echelle): "4",
        },
    )
    assert reponse.status_code == 302
    assert reponse.url == url("action_evaluation", action.pk)
    evaluation = EvaluationAction.objects.get(action=action)
    assert evaluation.rythme == "trimestre"
    assert {(s.indicateur, s.cible) for s in evaluation.indicateurs.all()} == {
        (b, Decimal(120)),
        (d, None),
        (echelle, Decimal(4)),
    }


@pytest.mark.parametrize(
    ("code", "cible", "coche", "message"),
    [
        ("reiteration", "150", True, "Un pourcentage est compris entre 0 et 100."),
        ("beneficiaires", "-5", True, "Saisissez un nombre entier positif ou nul."),
        ("beneficiaires", "dix", True, "Saisissez un nombre."),
        ("beneficiaires", "12,5", True, "Saisissez un nombre entier positif ou nul."),
        ("beneficiaires", "10", False, "Cochez l'indicateur pour lui donner une cible."),
    ],
)
def test_une_cible_invalide_s_affiche_a_cote_de_son_champ(
    connecte, pilote, action, catalogue, code, cible, coche, message
):
    indicateur = catalogue[code]
    envoi = {"rythme": "annee", champ_de(indicateur): cible}
    if coche:
        envoi[f"suivi_{indicateur.pk}"] = "on"
    reponse = connecte(pilote).post(url("parametrer", action.pk), envoi)
    assert reponse.status_code == 200
    assert message in erreur_du_champ(reponse, champ_de(indicateur))
    assert not EvaluationAction.objects.exists()


def test_le_profil_sans_le_nombre_de_beneficiaires_est_refuse(connecte, pilote, action, catalogue):
    profil = catalogue["profil_beneficiaires"]
    reponse = connecte(pilote).post(
        url("parametrer", action.pk), {"rythme": "annee", f"suivi_{profil.pk}": "on"}
    )
    assert reponse.status_code == 200
    assert "suivez aussi le nombre de bénéficiaires" in contenu(reponse)
    assert not EvaluationAction.objects.exists()


def test_le_rythme_est_fige_une_fois_une_periode_saisie(connecte, pilote, evaluation, saisie):
    client = connecte(pilote)
    reponse = client.get(url("parametrer", evaluation.action.pk))
    assert "le rythme ne peut plus changer" in contenu(reponse)
    # Un champ désactivé garde sa valeur, quoi qu'on envoie.
    envoi = {"rythme": "annee"} | {
        f"suivi_{s.indicateur_id}": "on" for s in evaluation.indicateurs.all()
    }
    assert client.post(url("parametrer", evaluation.action.pk), envoi).status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.rythme == "semestre"


@pytest.mark.parametrize("persona", ["membre", "referent", "formation_restreinte", "etranger"])
def test_seul_le_pilote_parametre(request, connecte, action, persona):
    client = connecte(request.getfixturevalue(persona))
    assert client.get(url("parametrer", action.pk)).status_code == 404
    assert client.post(url("parametrer", action.pk), {"rythme": "annee"}).status_code == 404
    assert not EvaluationAction.objects.exists()


# Page d'évaluation d'une action -------------------------------------------------------------


def test_l_action_mene_a_son_evaluation(connecte, membre, action):
    reponse = connecte(membre).get(reverse("programmes:action_detail", args=[action.pk]))
    assert url("action_evaluation", action.pk) in contenu(reponse)


def test_une_action_sans_evaluation_invite_le_pilote_a_la_parametrer(
    connecte, pilote, membre, action
):
    reponse = connecte(pilote).get(url("action_evaluation", action.pk))
    assert reponse.status_code == 200
    assert "pas encore paramétrée" in contenu(reponse)
    assert url("parametrer", action.pk) in contenu(reponse)
    reponse = connecte(membre).get(url("action_evaluation", action.pk))
    assert url("parametrer", action.pk) not in contenu(reponse)


def test_l_operateur_voit_ses_periodes_et_le_formulaire_de_saisie(
    connecte, membre, evaluation, saisie
):
    reponse = connecte(membre).get(url("action_evaluation", evaluation.action.pk))
    assert reponse.status_code == 200
    page = contenu(reponse)
    assert "Semestriel" in page
    assert "Nombre de bénéficiaires" in page
    assert f"{ANNEE}, 1er semestre" in page
    assert saisie.get_absolute_url() in page
    assert "Saisir une période" in page
    assert url("saisie_ouvrir", evaluation.pk) in page
    assert url("parametrer", evaluation.action.pk) not in page
    assert "1er semestre" in page and "2e semestre" in page


@pytest.mark.parametrize("persona", ["formation_restreinte", "membre_autre_institution"])
def test_qui_lit_sans_saisir_ne_voit_ni_saisies_ni_formulaire(
    request, connecte, evaluation, saisie, persona
):
    reponse = connecte(request.getfixturevalue(persona)).get(
        url("action_evaluation", evaluation.action.pk)
    )
    assert reponse.status_code == 200
    page = contenu(reponse)
    assert f"{ANNEE}, 1er semestre" in page
    assert saisie.get_absolute_url() not in page
    assert "Saisir une période" not in page
    assert f"Bilan {ANNEE}" in page


def test_le_bilan_de_l_annee_montre_valeur_annee_precedente_cible_et_atteinte(
    connecte, membre, pilote, evaluation, catalogue
):
    b = catalogue["beneficiaires"]
    for annee, nombre in ((ANNEE, "75"), (ANNEE - 1, "50")):
        saisie = services.saisie_ouvrir(evaluation, auteur=membre, annee=annee, numero=1)
        enregistrer(saisie, membre, {**textes(catalogue), b: nombre}, soumettre=True)
        services.saisie_valider(saisie, auteur=pilote)
    reponse = connecte(membre).get(url("action_evaluation", evaluation.action.pk))
    # Les blancs réduits à une espace (l'espace insécable de « 75 % » comprise).
    page = re.sub(r"\s+", " ", contenu(reponse))
    assert re.search(
        r"Nombre de bénéficiaires <span[^>]*>\(personnes\)</span> </th>"
        r" <td[^>]*>75</td> <td[^>]*>50</td> <td[^>]*>100</td> <td[^>]*>75 %</td>",
        page,
    )


def test_une_action_d_un_autre_groupe_donne_une_404(connecte, etranger, evaluation):
    assert connecte(etranger).get(url("action_evaluation", evaluation.action.pk)).status_code == (
        404
    )


# Ouvrir une période -------------------------------------------------------------------------


def test_ouvrir_une_periode_mene_a_sa_saisie(connecte, membre, evaluation):
    reponse = connecte(membre).post(
        url("saisie_ouvrir", evaluation.pk), {"annee": ANNEE, "numero": 2}
    )
    saisie = Saisie.objects.get()
    assert (saisie.annee, saisie.numero, saisie.statut) == (ANNEE, 2, "brouillon")
    assert reponse.status_code == 302
    assert reponse.url == saisie.get_absolute_url()


@pytest.mark.parametrize(
    ("envoi", "champ", "message"),
    [
        ({"annee": ANNEE, "numero": 3}, "numero", "Sélectionnez un choix valide."),
        ({"annee": ANNEE + 1, "numero": 1}, "annee", f"inférieure ou égale à {ANNEE}"),
        ({"annee": "", "numero": 1}, "annee", OBLIGATOIRE),
        ({"annee": 1999, "numero": 1}, "annee", "supérieure ou égale à 2000"),
    ],
)
def test_une_periode_invalide_s_affiche_sur_la_page_de_l_action(
    connecte, membre, evaluation, envoi, champ, message
):
    reponse = connecte(membre).post(url("saisie_ouvrir", evaluation.pk), envoi)
    assert reponse.status_code == 200
    assert message in erreur_du_champ(reponse, champ)
    assert "Évaluation de l'action « Chantiers éducatifs »" in contenu(reponse)
    assert not Saisie.objects.exists()


def test_ouvrir_une_periode_affiche_le_formulaire_sans_rien_ouvrir(connecte, membre, evaluation):
    reponse = connecte(membre).get(url("saisie_ouvrir", evaluation.pk))
    assert reponse.status_code == 200
    assert "Saisir cette période" in reponse.content.decode()
    assert not Saisie.objects.exists()


@pytest.mark.parametrize(
    "persona", ["membre_autre_institution", "formation_restreinte", "etranger", "autre_conseil"]
)
def test_qui_ne_saisit_pas_n_ouvre_pas_de_periode(request, connecte, evaluation, persona):
    reponse = connecte(request.getfixturevalue(persona)).post(
        url("saisie_ouvrir", evaluation.pk), {"annee": ANNEE, "numero": 1}
    )
    assert reponse.status_code == 404
    assert not Saisie.objects.exists()


# La saisie d'une période --------------------------------------------------------------------


def valeurs_du_formulaire(catalogue, zsp, **autres):
    """Un envoi complet et valide du formulaire de saisie (10 bénéficiaires)."""
    profil = champ_de(catalogue["profil_beneficiaires"])
    envoi = {
        champ_de(catalogue["beneficiaires"]): "10",
        champ_de(catalogue["frequence_interventions"]): "2,5",
        champ_de(catalogue["duree_prise_en_charge"]): "30",
        champ_de(catalogue["reiteration"]): "12,5",
        f"{profil}_age_13_15": "6",
        f"{profil}_age_16_17": "4",
        f"{profil}_sexe_femmes": "5",
        f"{profil}_sexe_hommes": "5",
        f"{profil}_territoire_{zsp.pk}": "7",
        f"{profil}_territoire_autre": "3",
    }
    for code in TEXTES:
        envoi[champ_de(catalogue[code])] = "Des ateliers chaque semaine."
    return {**envoi, **autres}


def test_le_formulaire_de_saisie_a_un_champ_par_indicateur(
    connecte, membre, saisie, catalogue, echelle, zsp
):
    reponse = connecte(membre).get(saisie.get_absolute_url())
    assert reponse.status_code == 200
    page = contenu(reponse)
    noms = champs(reponse)
    profil = champ_de(catalogue["profil_beneficiaires"])
    for code in ("beneficiaires", "frequence_interventions", "reiteration", *TEXTES):
        assert champ_de(catalogue[code]) in noms
    assert {f"{profil}_age_moins_13", f"{profil}_sexe_femmes", f"{profil}_territoire_autre"} <= (
        noms
    )
    assert f"{profil}_territoire_{zsp.pk}" in noms
    assert f'<label for="id_{profil}_sexe_femmes">' in page
    assert "<caption" in page and "Par tranche d'âge" in page
    # Une échelle : des boutons radio de 1 à 5.
    assert page.count(f'name="{champ_de(echelle)}"') == 6
    assert 'type="radio"' in page
    # Un nombre entier : un champ numérique.
    assert re.search(rf'type="number" name="{champ_de(catalogue["beneficiaires"])}"', page)
    # Le rappel : des faits et des chiffres d'ensemble, aucun nom.
    assert "ne nommez aucune personne" in page
    assert "Enregistrer le brouillon" in page and "Soumettre au pilote" in page


def test_un_brouillon_s_enregistre_virgule_francaise_comprise(
    connecte, membre, saisie, catalogue, zsp
):
    reponse = connecte(membre).post(
        saisie.get_absolute_url(),
        valeurs_du_formulaire(catalogue, zsp, brouillon="Enregistrer le brouillon"),
    )
    assert reponse.status_code == 302
    assert reponse.url == saisie.get_absolute_url()
    valeurs = {v.indicateur.code: v for v in Valeur.objects.select_related("indicateur")}
    assert valeurs["frequence_interventions"].nombre == Decimal("2.50")
    assert valeurs["reiteration"].nombre == Decimal("12.50")
    assert valeurs["profil_beneficiaires"].repartition["sexe"] == {"femmes": 5, "hommes": 5}
    saisie.refresh_from_db()
    assert saisie.statut == Saisie.Statut.BROUILLON
    # Le brouillon se rouvre avec ses valeurs, à la française.
    page = contenu(connecte(membre).get(saisie.get_absolute_url()))
    assert f'name="{champ_de(catalogue["frequence_interventions"])}" value="2,5"' in page


@pytest.mark.parametrize(
    ("code", "brute", "message"),
    [
        ("beneficiaires", "-3", "Saisissez un nombre entier positif ou nul."),
        ("beneficiaires", "dix", "Saisissez un nombre."),
        ("reiteration", "101", "Un pourcentage est compris entre 0 et 100."),
        ("duree_prise_en_charge", "0", "Une durée est strictement positive."),
        ("frequence_interventions", "2,5,1", "Saisissez un nombre."),
    ],
)
def test_un_nombre_invalide_s_affiche_a_cote_de_son_champ(
    connecte, membre, saisie, catalogue, zsp, code, brute, message
):
    champ = champ_de(catalogue[code])
    reponse = connecte(membre).post(
        saisie.get_absolute_url(), valeurs_du_formulaire(catalogue, zsp, **{champ: brute})
    )
    assert reponse.status_code == 200
    assert erreur_du_champ(reponse, champ) == message
    # La valeur saisie reste dans le champ, pour être corrigée.
    assert f'value="{brute}"' in reponse.content.decode()
    assert not Valeur.objects.exists()


def test_une_echelle_hors_de_1_a_5_est_refusee(connecte, membre, saisie, catalogue, zsp, echelle):
    reponse = connecte(membre).post(
        saisie.get_absolute_url(), valeurs_du_formulaire(catalogue, zsp, **{champ_de(echelle): "6"})
    )
    assert reponse.status_code == 200
    assert erreur_du_champ(reponse, champ_de(echelle)) == "Choisissez une note de 1 à 5."
    assert not Valeur.objects.exists()


def test_une_repartition_incoherente_s_affiche_a_cote_du_tableau(
    connecte, membre, saisie, catalogue, zsp
):
    profil = champ_de(catalogue["profil_beneficiaires"])
    reponse = connecte(membre).post(
        saisie.get_absolute_url(),
        valeurs_du_formulaire(catalogue, zsp, **{f"{profil}_sexe_hommes": "4"}),
    )
    assert reponse.status_code == 200
    assert erreur_du_champ(reponse, profil) == (
        "La répartition par sexe totalise 9 au lieu de 10 bénéficiaires."
    )
    assert not Valeur.objects.exists()


def test_une_case_negative_de_la_repartition_s_affiche_dans_la_case(
    connecte, membre, saisie, catalogue, zsp
):
    profil = champ_de(catalogue["profil_beneficiaires"])
    case = f"{profil}_age_moins_13"
    reponse = connecte(membre).post(
        saisie.get_absolute_url(), valeurs_du_formulaire(catalogue, zsp, **{case: "-1"})
    )
    assert reponse.status_code == 200
    assert "supérieure ou égale à 0" in erreur_du_champ(reponse, case)
    assert not Valeur.objects.exists()


def test_soumettre_exige_les_textes(connecte, membre, saisie, catalogue, zsp):
    difficultes = champ_de(catalogue["difficultes"])
    reponse = connecte(membre).post(
        saisie.get_absolute_url(),
        valeurs_du_formulaire(
            catalogue, zsp, **{difficultes: "", "soumettre": "Soumettre au pilote"}
        ),
    )
    assert reponse.status_code == 200
    assert erreur_du_champ(reponse, difficultes) == (
        "Ce texte est obligatoire pour soumettre la période."
    )
    assert not Valeur.objects.exists()
    saisie.refresh_from_db()
    assert saisie.statut == Saisie.Statut.BROUILLON


def test_une_saisie_soumise_se_lit_sans_se_modifier(connecte, membre, saisie, catalogue, zsp):
    client = connecte(membre)
    reponse = client.post(
        saisie.get_absolute_url(),
        valeurs_du_formulaire(catalogue, zsp, soumettre="Soumettre au pilote"),
    )
    assert reponse.status_code == 302
    saisie.refresh_from_db()
    assert saisie.statut == Saisie.Statut.SOUMISE

    reponse = client.get(saisie.get_absolute_url())
    page = contenu(reponse)
    assert "Soumise au pilote" in page
    assert not any(nom.startswith("indicateur_") for nom in champs(reponse))
    assert "Enregistrer le brouillon" not in page
    assert "12,5\xa0%" in page  # la réitération
    assert "Des ateliers chaque semaine." in page
    # L'opérateur n'est pas pilote : pas de validation.
    assert url("saisie_valider", saisie.pk) not in page

    # Un envoi malgré tout ne change rien.
    reponse = client.post(
        saisie.get_absolute_url(),
        valeurs_du_formulaire(catalogue, zsp, **{champ_de(catalogue["beneficiaires"]): "99"}),
        follow=True,
    )
    assert "ne se modifie plus" in contenu(reponse)
    assert Valeur.objects.get(indicateur=catalogue["beneficiaires"]).nombre == Decimal(10)


def soumettre(saisie, membre, catalogue):
    enregistrer(saisie, membre, {**textes(catalogue), catalogue["beneficiaires"]: "10"}, True)


def test_le_pilote_valide_une_saisie_soumise(connecte, pilote, membre, saisie, catalogue):
    soumettre(saisie, membre, catalogue)
    client = connecte(pilote)
    page = contenu(client.get(saisie.get_absolute_url()))
    assert url("saisie_valider", saisie.pk) in page
    assert url("saisie_renvoyer", saisie.pk) in page

    reponse = client.get(url("saisie_valider", saisie.pk))
    assert reponse.status_code == 200
    assert "Valider la saisie" in contenu(reponse)
    assert "Nombre de bénéficiaires" in contenu(reponse)
    reponse = client.post(url("saisie_valider", saisie.pk))
    assert reponse.status_code == 302
    saisie.refresh_from_db()
    assert (saisie.statut, saisie.validee_par) == (Saisie.Statut.VALIDEE, pilote)
    # Validée, elle ne se valide plus.
    reponse = client.post(url("saisie_valider", saisie.pk))
    assert reponse.status_code == 200
    assert "seule une saisie soumise se valide" in contenu(reponse)


def test_un_brouillon_ne_se_valide_ni_ne_se_renvoie(connecte, pilote, saisie):
    client = connecte(pilote)
    reponse = client.post(url("saisie_valider", saisie.pk))
    assert reponse.status_code == 200
    assert "seule une saisie soumise se valide" in contenu(reponse)
    reponse = client.post(url("saisie_renvoyer", saisie.pk), {"commentaire_renvoi": "À revoir."})
    assert reponse.status_code == 200
    assert "seule une saisie soumise se renvoie pour correction" in contenu(reponse)
    saisie.refresh_from_db()
    assert saisie.statut == Saisie.Statut.BROUILLON


def test_le_pilote_renvoie_avec_un_commentaire_que_l_operateur_lit(
    connecte, client, pilote, membre, saisie, catalogue, zsp
):
    soumettre(saisie, membre, catalogue)
    connecte(pilote)
    reponse = client.post(url("saisie_renvoyer", saisie.pk), {"commentaire_renvoi": "  "})
    assert reponse.status_code == 200
    assert erreur_du_champ(reponse, "commentaire_renvoi") == OBLIGATOIRE
    saisie.refresh_from_db()
    assert saisie.statut == Saisie.Statut.SOUMISE

    reponse = client.post(
        url("saisie_renvoyer", saisie.pk),
        {"commentaire_renvoi": "Le nombre de bénéficiaires semble faible."},
    )
    assert reponse.status_code == 302
    saisie.refresh_from_db()
    assert saisie.statut == Saisie.Statut.RENVOYEE

    connecte(membre)
    reponse = client.get(saisie.get_absolute_url())
    page = contenu(reponse)
    assert "Renvoyée pour correction par le pilote" in page
    assert "Le nombre de bénéficiaires semble faible." in page
    # Elle se corrige et se soumet de nouveau.
    assert champ_de(catalogue["beneficiaires"]) in champs(reponse)
    reponse = client.post(
        saisie.get_absolute_url(),
        valeurs_du_formulaire(catalogue, zsp, soumettre="Soumettre au pilote"),
    )
    assert reponse.status_code == 302
    saisie.refresh_from_db()
    assert saisie.statut == Saisie.Statut.SOUMISE


@pytest.mark.parametrize("persona", ["membre", "referent", "formation_restreinte", "etranger"])
def test_seul_le_pilote_valide_ou_renvoie(request, connecte, membre, saisie, catalogue, persona):
    soumettre(saisie, membre, catalogue)
    client = connecte(request.getfixturevalue(persona))
    assert client.get(url("saisie_valider", saisie.pk)).status_code == 404
    assert client.post(url("saisie_valider", saisie.pk)).status_code == 404
    reponse = client.post(url("saisie_renvoyer", saisie.pk), {"commentaire_renvoi": "Non."})
    assert reponse.status_code == 404
    saisie.refresh_from_db()
    assert saisie.statut == Saisie.Statut.SOUMISE


@pytest.mark.parametrize(
    "persona", ["membre_autre_institution", "formation_restreinte", "etranger", "autre_conseil"]
)
def test_une_saisie_n_est_ouverte_qu_a_qui_saisit(
    request, connecte, saisie, catalogue, zsp, persona
):
    client = connecte(request.getfixturevalue(persona))
    assert client.get(saisie.get_absolute_url()).status_code == 404
    reponse = client.post(saisie.get_absolute_url(), valeurs_du_formulaire(catalogue, zsp))
    assert reponse.status_code == 404
    assert not Valeur.objects.exists()


def test_l_operateur_d_un_autre_groupe_recoit_une_404(connecte, conseil, saisie, coordonnateur):
    """Un opérateur de l'institution porteuse, membre d'un autre groupe seulement."""
    autre = GroupeFactory(conseil=conseil, nom="Groupe voisin")
    operateur = UtilisateurFactory(email="operateur@voisin.fr")
    ajouter_membre(autre, operateur, saisie.evaluation.action.porteur, coordonnateur)
    client = connecte(operateur)
    assert client.get(saisie.get_absolute_url()).status_code == 404
    assert client.get(url("action_evaluation", saisie.evaluation.action.pk)).status_code == 404


# Mes saisies --------------------------------------------------------------------------------


def test_mes_saisies_montre_les_periodes_a_saisir_et_les_brouillons(
    connecte, membre, evaluation, catalogue
):
    renvoyee = services.saisie_ouvrir(evaluation, auteur=membre, annee=ANNEE, numero=1)
    reponse = connecte(membre).get(url("mes_saisies"))
    assert reponse.status_code == 200
    page = contenu(reponse)
    assert "Chantiers éducatifs" in page
    assert renvoyee.get_absolute_url() in page
    assert "brouillon" in page
    # Pas de section de validation pour qui ne pilote rien.
    assert "Saisies à valider" not in page


def test_une_periode_commencee_sans_saisie_s_ouvre_depuis_mes_saisies(
    connecte, membre, action, catalogue
):
    evaluation = parametrer(action, catalogue, rythme="annee")
    client = connecte(membre)
    page = contenu(client.get(url("mes_saisies")))
    assert f"la période {ANNEE}</span>" in page
    reponse = client.post(url("saisie_ouvrir", evaluation.pk), {"annee": ANNEE, "numero": 1})
    assert reponse.status_code == 302
    page = contenu(client.get(url("mes_saisies")))
    assert f"la période {ANNEE}</span>" not in page


def test_le_pilote_trouve_les_saisies_a_valider(connecte, pilote, membre, saisie, catalogue):
    soumettre(saisie, membre, catalogue)
    page = contenu(connecte(pilote).get(url("mes_saisies")))
    assert "Saisies à valider" in page
    assert url("saisie_valider", saisie.pk) in page
    assert "1 saisie soumise" in page


def test_mes_saisies_est_vide_pour_qui_ne_saisit_rien(connecte, etranger, evaluation):
    page = contenu(connecte(etranger).get(url("mes_saisies")))
    assert "Vous ne saisissez les indicateurs d'aucune action." in page
    assert "Chantiers éducatifs" not in page


def test_la_navigation_mene_a_mes_saisies(connecte, membre):
    page = contenu(connecte(membre).get(reverse("accueil"), follow=True))
    assert url("mes_saisies") in page


def test_la_barre_du_conseil_mene_aux_indicateurs(connecte, coordonnateur, conseil):
    page = contenu(connecte(coordonnateur).get(url("indicateurs", conseil.pk)))
    assert 'aria-current="page"' in page
    assert url("indicateurs", conseil.pk) in page


# Nombre de requêtes -------------------------------------------------------------------------


def peupler(taille, groupe, institution, pilote, membre, catalogue):
    """``taille`` actions évaluées du groupe, chacune avec des saisies à tous les statuts,
    et ``taille`` périodes validées avec leurs valeurs sur la première."""
    plan = plan_de(groupe, titre=f"Plan de {taille} actions")
    b, r = catalogue["beneficiaires"], catalogue["reiteration"]
    premiere = None
    for n in range(taille):
        action = action_de(
            plan, f"Action {n}", porteur=institution, date_debut=datetime.date(ANNEE - 30, 1, 1)
        )
        evaluation = EvaluationAction.objects.create(action=action, rythme="trimestre")
        IndicateurSuivi.objects.create(evaluation=evaluation, indicateur=b, cible=100)
        IndicateurSuivi.objects.create(evaluation=evaluation, indicateur=r, cible=10)
        for numero, statut in enumerate(("brouillon", "renvoyee", "soumise"), start=1):
            Saisie.objects.create(
                evaluation=evaluation, annee=ANNEE, numero=numero, statut=statut, saisie_par=membre
            )
        premiere = premiere or evaluation
    for n in range(taille):
        saisie = Saisie.objects.create(
            evaluation=premiere,
            annee=ANNEE - 1 - n,
            numero=1,
            statut="validee",
            saisie_par=membre,
            validee_par=pilote,
        )
        Valeur.objects.create(saisie=saisie, indicateur=b, nombre=10 + n)
        Valeur.objects.create(saisie=saisie, indicateur=r, nombre=5)
    return premiere


@pytest.fixture
def mesurer(client, django_assert_max_num_queries):
    def mesurer(utilisateur, adresse):
        client.force_login(utilisateur)
        with django_assert_max_num_queries(MAX_REQUETES) as requetes:
            reponse = client.get(adresse)
        assert reponse.status_code == 200
        return reponse, requetes

    return mesurer


@pytest.fixture
def deux_tailles(conseil, coordonnateur, institution, pilote, membre, catalogue):
    """Deux groupes de même forme, l'un de PETITE actions, l'autre de GRANDE ; le pilote et
    le membre y sont pilote et membre de l'institution porteuse."""
    tailles = {}
    for taille in (PETITE, GRANDE):
        groupe = GroupeFactory(conseil=conseil, nom=f"Groupe de {taille}")
        operateur = UtilisateurFactory(email=f"operateur{taille}@testville.fr")
        chef = UtilisateurFactory(email=f"pilote{taille}@testville.fr")
        ajouter_membre(groupe, operateur, institution, coordonnateur)
        ajouter_membre(groupe, chef, institution, coordonnateur)
        designer_pilote(groupe, chef, coordonnateur)
        premiere = peupler(taille, groupe, institution, chef, operateur, catalogue)
        tailles[taille] = (operateur, chef, premiere)
    return tailles


def test_mes_saisies_en_nombre_de_requetes_constant(mesurer, deux_tailles):
    mesures = {}
    for taille, (operateur, chef, _) in deux_tailles.items():
        reponse, requetes_operateur = mesurer(operateur, url("mes_saisies"))
        assert f"{taille} actions à évaluer" in contenu(reponse)
        reponse, requetes_pilote = mesurer(chef, url("mes_saisies"))
        assert f"{taille} saisies soumises" in contenu(reponse)
        mesures[taille] = (requetes_operateur, requetes_pilote)
    for i in range(2):
        assert_meme_nombre_de_requetes(mesures[PETITE][i], mesures[GRANDE][i])


def test_l_evaluation_d_une_action_en_nombre_de_requetes_constant(mesurer, deux_tailles):
    mesures = {}
    for taille, (operateur, _, premiere) in deux_tailles.items():
        reponse, requetes = mesurer(operateur, url("action_evaluation", premiere.action.pk))
        assert f"{ANNEE - taille}, 1er trimestre" in contenu(reponse)
        mesures[taille] = requetes
    assert_meme_nombre_de_requetes(mesures[PETITE], mesures[GRANDE])
