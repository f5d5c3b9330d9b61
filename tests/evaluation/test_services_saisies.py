"""Les services et sélecteurs de la saisie des indicateurs : le catalogue de la fiche
méthodologique, chaque règle de validation avec son mauvais cas (rien n'est écrit), le
cycle brouillon, soumission, validation, renvoi, le paramétrage d'une action, qui peut
saisir, et les cumuls d'une action sur un jeu de données connu.

Les données (``action``, ``evaluation``, ``catalogue``...) sont dans ``conftest.py``.
"""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from clspd.models import Conseil
from evaluation import selectors, services
from evaluation.models import Indicateur, IndicateurSuivi, Saisie, Valeur
from evaluation.services import SaisieVerrouillee, champ_de
from tests.evaluation.conftest import (
    TEXTES,
    enregistrer,
    parametrer,
    repartition,
    textes,
)
from tests.factories import TerritoireFactory
from tests.programmes.conftest import ANNEE, action_de

pytestmark = pytest.mark.django_db


def erreurs(exc_info, indicateur):
    return exc_info.value.message_dict[champ_de(indicateur)]


def valider_une_periode(evaluation, auteur, pilote, annee, numero, valeurs):
    """Une période saisie, soumise et validée ; les textes sont remplis."""
    saisie = services.saisie_ouvrir(evaluation, auteur=auteur, annee=annee, numero=numero)
    catalogue = {i.code: i for i in Indicateur.objects.filter(conseil__isnull=True)}
    enregistrer(saisie, auteur, {**textes(catalogue), **valeurs}, soumettre=True)
    return services.saisie_valider(saisie, auteur=pilote)


# Le catalogue de la fiche méthodologique -----------------------------------------------------


def test_le_catalogue_compte_quinze_indicateurs_en_trois_familles(catalogue):
    assert len(catalogue) == 15
    familles = {}
    for indicateur in catalogue.values():
        familles.setdefault(indicateur.famille, set()).add(indicateur.code)
    assert familles == {
        "realisation": {
            "beneficiaires",
            "profil_beneficiaires",
            "frequence_interventions",
            "duree_prise_en_charge",
            "professionnels",
            "intervenants",
        },
        "impact": {
            "solutions_trouvees",
            "realisations_positives",
            "evolutions_comportementales",
            "reiteration",
        },
        "qualitatif": set(TEXTES),
    }


def test_chaque_indicateur_du_catalogue_a_son_type(catalogue):
    types = {code: indicateur.type for code, indicateur in catalogue.items()}
    assert types["profil_beneficiaires"] == "repartition"
    assert types["beneficiaires"] == "entier"
    assert types["frequence_interventions"] == "decimal"
    assert types["duree_prise_en_charge"] == "duree"
    assert types["reiteration"] == "pourcentage"
    for code in ("professionnels", "intervenants", "solutions_trouvees"):
        assert types[code] == "entier"
    for code in TEXTES:
        assert types[code] == "texte"
    assert catalogue["duree_prise_en_charge"].unite == "jours"
    assert all(i.conseil_id is None and i.est_national for i in catalogue.values())


# Indicateurs locaux ---------------------------------------------------------------------------


def test_un_indicateur_local_ne_peut_pas_etre_une_repartition(conseil):
    with pytest.raises(ValidationError) as exc_info:
        services.indicateur_local_creer(
            conseil=conseil, nom="Profil", famille="realisation", type="repartition"
        )
    assert "type" in exc_info.value.message_dict
    assert not Indicateur.objects.filter(conseil=conseil).exists()


def test_un_indicateur_du_catalogue_ne_se_modifie_pas(catalogue):
    with pytest.raises(ValidationError):
        services.indicateur_local_modifier(catalogue["beneficiaires"], nom="Autre nom")
    catalogue["beneficiaires"].refresh_from_db()
    assert catalogue["beneficiaires"].nom == "Nombre de bénéficiaires"


def test_le_type_d_un_indicateur_local_ne_change_plus_une_fois_saisi(
    evaluation, saisie, echelle, membre
):
    enregistrer(saisie, membre, {echelle: "4"})
    with pytest.raises(ValidationError) as exc_info:
        services.indicateur_local_modifier(echelle, type="entier")
    assert exc_info.value.message_dict["type"] == [
        "Des valeurs sont déjà saisies pour cet indicateur : son type ne change plus."
    ]
    echelle.refresh_from_db()
    assert echelle.type == "echelle"
    # Son nom, lui, se corrige.
    services.indicateur_local_modifier(echelle, nom="Satisfaction des écoles")
    echelle.refresh_from_db()
    assert echelle.nom == "Satisfaction des écoles"


# Paramétrage d'une action ---------------------------------------------------------------------


def test_parametrer_une_action_retient_ses_indicateurs_et_cibles(action, catalogue):
    evaluation = parametrer(action, catalogue, rythme="trimestre", beneficiaires=Decimal(40))
    assert evaluation.rythme == "trimestre"
    suivis = {s.indicateur.code: s.cible for s in selectors.indicateurs_suivis(evaluation)}
    assert len(suivis) == 10
    assert suivis["beneficiaires"] == Decimal(40)
    assert suivis["reiteration"] is None
    # Un second paramétrage retire les indicateurs décochés.
    services.evaluation_parametrer(
        action, rythme="trimestre", cibles={catalogue["beneficiaires"]: Decimal(50)}
    )
    assert [(s.indicateur.code, s.cible) for s in selectors.indicateurs_suivis(evaluation)] == [
        ("beneficiaires", Decimal(50))
    ]


def test_le_rythme_ne_change_plus_une_fois_une_periode_saisie(action, catalogue, membre):
    evaluation = parametrer(action, catalogue, rythme="semestre")
    # Sans saisie, il change encore.
    evaluation = parametrer(action, catalogue, rythme="trimestre")
    services.saisie_ouvrir(evaluation, auteur=membre, annee=ANNEE, numero=1)
    with pytest.raises(ValidationError) as exc_info:
        parametrer(action, catalogue, rythme="annee")
    assert exc_info.value.message_dict["rythme"] == [
        "Des périodes sont déjà saisies : le rythme ne peut plus changer."
    ]
    evaluation.refresh_from_db()
    assert evaluation.rythme == "trimestre"


def test_un_indicateur_local_d_un_autre_conseil_est_refuse(action, autre_conseil):
    ailleurs = services.indicateur_local_creer(
        conseil=Conseil.objects.get(nom="CLSPD d'Ailleurs"),
        nom="Indicateur d'ailleurs",
        famille="impact",
        type="entier",
    )
    with pytest.raises(ValidationError) as exc_info:
        services.evaluation_parametrer(action, rythme="annee", cibles={ailleurs: None})
    assert exc_info.value.message_dict["indicateurs"] == [
        "Un indicateur n'est pas celui de ce conseil."
    ]
    assert not IndicateurSuivi.objects.exists()


@pytest.mark.parametrize(
    ("code", "cible", "message"),
    [
        ("beneficiaires", Decimal(-1), "Saisissez un nombre entier positif ou nul."),
        ("beneficiaires", Decimal("12.5"), "Saisissez un nombre entier positif ou nul."),
        ("reiteration", Decimal(150), "Un pourcentage est compris entre 0 et 100."),
        ("duree_prise_en_charge", Decimal(0), "Une durée est strictement positive."),
        ("difficultes", Decimal(3), "Seul un indicateur chiffré a une cible."),
    ],
)
def test_une_cible_se_verifie_selon_le_type_de_l_indicateur(
    action, catalogue, code, cible, message
):
    with pytest.raises(ValidationError) as exc_info:
        services.evaluation_parametrer(
            action,
            rythme="annee",
            cibles={catalogue["beneficiaires"]: None, catalogue[code]: cible},
        )
    assert exc_info.value.message_dict[champ_de(catalogue[code])] == [message]
    assert not IndicateurSuivi.objects.exists()


def test_le_profil_des_beneficiaires_suppose_leur_nombre(action, catalogue):
    with pytest.raises(ValidationError) as exc_info:
        services.evaluation_parametrer(
            action, rythme="annee", cibles={catalogue["profil_beneficiaires"]: None}
        )
    assert "suivez aussi le nombre de bénéficiaires" in exc_info.value.messages[0]
    assert not IndicateurSuivi.objects.exists()


# Périodes -------------------------------------------------------------------------------------


def test_une_periode_au_dela_du_rythme_est_refusee(evaluation, membre):
    with pytest.raises(ValidationError) as exc_info:
        services.saisie_ouvrir(evaluation, auteur=membre, annee=ANNEE, numero=3)
    assert exc_info.value.message_dict["numero"] == ["Cette période n'existe pas pour ce rythme."]
    assert not Saisie.objects.exists()


def test_une_periode_a_venir_est_refusee(evaluation, membre):
    with pytest.raises(ValidationError) as exc_info:
        services.saisie_ouvrir(evaluation, auteur=membre, annee=ANNEE + 1, numero=1)
    assert "annee" in exc_info.value.message_dict
    assert not Saisie.objects.exists()


def test_ouvrir_une_periode_deja_saisie_la_reprend(evaluation, saisie, pilote):
    assert services.saisie_ouvrir(evaluation, auteur=pilote, annee=ANNEE, numero=1) == saisie
    assert Saisie.objects.count() == 1


def test_les_periodes_commencees_suivent_le_rythme_et_les_dates_de_l_action(evaluation):
    evaluation.rythme = "trimestre"
    action = evaluation.action
    assert selectors.periodes_commencees(evaluation, ANNEE, datetime.date(ANNEE, 5, 2)) == [1, 2]
    assert selectors.periodes_commencees(evaluation, ANNEE - 1, datetime.date(ANNEE, 1, 1)) == [
        1,
        2,
        3,
        4,
    ]
    action.date_debut, action.date_fin = datetime.date(ANNEE, 4, 1), datetime.date(ANNEE, 8, 31)
    assert selectors.periodes_commencees(evaluation, ANNEE, datetime.date(ANNEE, 12, 31)) == [2, 3]
    evaluation.rythme = "annee"
    assert (
        selectors.periodes_commencees(evaluation, ANNEE + 1, datetime.date(ANNEE + 1, 6, 1)) == []
    )


# Validation des valeurs -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "brute", "message"),
    [
        ("beneficiaires", "-3", "Saisissez un nombre entier positif ou nul."),
        ("beneficiaires", "2,5", "Saisissez un nombre entier positif ou nul."),
        ("beneficiaires", "douze", "Saisissez un nombre."),
        ("frequence_interventions", "1e400", "Saisissez un nombre."),
        ("frequence_interventions", "-0,5", "Saisissez un nombre positif ou nul."),
        ("reiteration", "101", "Un pourcentage est compris entre 0 et 100."),
        ("reiteration", "-1", "Un pourcentage est compris entre 0 et 100."),
        ("duree_prise_en_charge", "0", "Une durée est strictement positive."),
        ("duree_prise_en_charge", "-2", "Une durée est strictement positive."),
    ],
)
def test_un_nombre_invalide_est_refuse_et_rien_n_est_ecrit(
    saisie, membre, catalogue, code, brute, message
):
    with pytest.raises(ValidationError) as exc_info:
        enregistrer(saisie, membre, {catalogue["beneficiaires"]: "10", catalogue[code]: brute})
    assert erreurs(exc_info, catalogue[code]) == [message]
    assert not Valeur.objects.exists()
    saisie.refresh_from_db()
    assert saisie.statut == Saisie.Statut.BROUILLON


@pytest.mark.parametrize(
    ("brute", "message"),
    [
        ("0", "Choisissez une note de 1 à 5."),
        ("6", "Choisissez une note de 1 à 5."),
        ("2,5", "Choisissez une note de 1 à 5."),
        ("trois", "Saisissez un nombre."),
    ],
)
def test_une_echelle_va_de_1_a_5(saisie, membre, echelle, brute, message):
    with pytest.raises(ValidationError) as exc_info:
        enregistrer(saisie, membre, {echelle: brute})
    assert erreurs(exc_info, echelle) == [message]
    assert not Valeur.objects.exists()


def test_toutes_les_erreurs_sont_rapportees_ensemble(saisie, membre, catalogue, echelle):
    with pytest.raises(ValidationError) as exc_info:
        enregistrer(
            saisie,
            membre,
            {catalogue["beneficiaires"]: "-1", catalogue["reiteration"]: "101", echelle: "6"},
        )
    assert set(exc_info.value.message_dict) == {
        champ_de(catalogue["beneficiaires"]),
        champ_de(catalogue["reiteration"]),
        champ_de(echelle),
    }


def test_des_valeurs_valides_sont_enregistrees(saisie, membre, catalogue, echelle, zsp):
    enregistrer(
        saisie,
        membre,
        {
            catalogue["beneficiaires"]: "10",
            catalogue["profil_beneficiaires"]: repartition(zsp),
            catalogue["frequence_interventions"]: "2,5",
            catalogue["duree_prise_en_charge"]: "45",
            catalogue["reiteration"]: "12,5",
            echelle: "4",
            catalogue["difficultes"]: "  Des locaux trop petits.  ",
        },
    )
    valeurs = {v.indicateur.code or v.indicateur.nom: v for v in Valeur.objects.all()}
    assert valeurs["beneficiaires"].nombre == Decimal(10)
    assert valeurs["frequence_interventions"].nombre == Decimal("2.50")
    assert valeurs["reiteration"].nombre == Decimal("12.50")
    assert valeurs["Satisfaction des partenaires"].nombre == Decimal(4)
    assert valeurs["difficultes"].texte == "Des locaux trop petits."
    # Les cases vides de la répartition valent zéro.
    assert valeurs["profil_beneficiaires"].repartition == {
        "age": {"moins_13": 0, "13_15": 6, "16_17": 4, "18_25": 0, "plus_25": 0},
        "sexe": {"femmes": 5, "hommes": 5},
        "territoire": {str(zsp.pk): 7, "autre": 3},
    }
    saisie.refresh_from_db()
    assert saisie.statut == Saisie.Statut.BROUILLON


# Répartition des bénéficiaires ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("dimension", "valeurs", "message"),
    [
        ("age", {"13_15": 6, "16_17": 3}, "La répartition par âge totalise 9 au lieu de 10"),
        ("sexe", {"femmes": 5, "hommes": 6}, "La répartition par sexe totalise 11 au lieu de 10"),
        ("territoire", {"autre": 3}, "La répartition par territoire totalise 3 au lieu de 10"),
    ],
)
def test_chaque_dimension_de_la_repartition_totalise_les_beneficiaires(
    saisie, membre, catalogue, zsp, dimension, valeurs, message
):
    profil = catalogue["profil_beneficiaires"]
    with pytest.raises(ValidationError) as exc_info:
        enregistrer(
            saisie,
            membre,
            {
                catalogue["beneficiaires"]: "10",
                profil: repartition(zsp, **{dimension: valeurs}),
            },
        )
    assert erreurs(exc_info, profil) == [f"{message} bénéficiaires."]
    assert not Valeur.objects.exists()


def test_une_case_inconnue_de_la_repartition_est_refusee(saisie, membre, catalogue, zsp):
    profil = catalogue["profil_beneficiaires"]
    territoire_d_ailleurs = TerritoireFactory()
    for inconnue in (
        repartition(zsp, age={"13_15": 6, "16_17": 3, "99_ans": 1}),
        repartition(zsp, territoire={str(territoire_d_ailleurs.pk): 10}),
    ):
        with pytest.raises(ValidationError) as exc_info:
            enregistrer(saisie, membre, {catalogue["beneficiaires"]: "10", profil: inconnue})
        assert erreurs(exc_info, profil) == ["La répartition contient une case inconnue."]
    assert not Valeur.objects.exists()


@pytest.mark.parametrize("case", [-1, 2.5, "3", True])
def test_une_case_de_la_repartition_est_un_entier_positif(saisie, membre, catalogue, zsp, case):
    profil = catalogue["profil_beneficiaires"]
    with pytest.raises(ValidationError) as exc_info:
        enregistrer(
            saisie,
            membre,
            {
                catalogue["beneficiaires"]: "10",
                profil: repartition(zsp, sexe={"femmes": case, "hommes": 10}),
            },
        )
    assert erreurs(exc_info, profil) == ["Chaque case de la répartition est un entier positif."]
    assert not Valeur.objects.exists()


def test_une_repartition_sans_nombre_de_beneficiaires_est_refusee(saisie, membre, catalogue, zsp):
    profil = catalogue["profil_beneficiaires"]
    with pytest.raises(ValidationError) as exc_info:
        enregistrer(saisie, membre, {profil: repartition(zsp)})
    assert erreurs(exc_info, profil) == ["Saisissez d'abord le nombre de bénéficiaires."]


# Textes qualitatifs ---------------------------------------------------------------------------


def test_un_texte_manquant_est_permis_dans_un_brouillon(saisie, membre, catalogue):
    enregistrer(saisie, membre, {catalogue["beneficiaires"]: "10"})
    saisie.refresh_from_db()
    assert saisie.statut == Saisie.Statut.BROUILLON
    assert Valeur.objects.get(indicateur=catalogue["difficultes"]).texte == ""


def test_un_texte_manquant_empeche_de_soumettre(saisie, membre, catalogue):
    valeurs = {**textes(catalogue), catalogue["difficultes"]: "   "}
    with pytest.raises(ValidationError) as exc_info:
        enregistrer(saisie, membre, valeurs, soumettre=True)
    assert exc_info.value.message_dict == {
        champ_de(catalogue["difficultes"]): ["Ce texte est obligatoire pour soumettre la période."]
    }
    assert not Valeur.objects.exists()
    saisie.refresh_from_db()
    assert saisie.statut == Saisie.Statut.BROUILLON


# Le cycle d'une saisie ------------------------------------------------------------------------


def test_brouillon_soumission_renvoi_puis_validation(saisie, membre, pilote, catalogue):
    enregistrer(saisie, membre, {catalogue["beneficiaires"]: "10"})
    enregistrer(saisie, membre, {**textes(catalogue), catalogue["beneficiaires"]: "12"}, True)
    saisie.refresh_from_db()
    assert saisie.statut == Saisie.Statut.SOUMISE
    assert saisie.soumise_le is not None

    services.saisie_renvoyer(saisie, auteur=pilote, commentaire="Le nombre semble faux.")
    saisie.refresh_from_db()
    assert saisie.statut == Saisie.Statut.RENVOYEE
    assert saisie.commentaire_renvoi == "Le nombre semble faux."

    # Renvoyée, elle se corrige et se soumet de nouveau.
    enregistrer(saisie, membre, {**textes(catalogue), catalogue["beneficiaires"]: "11"}, True)
    services.saisie_valider(saisie, auteur=pilote)
    saisie.refresh_from_db()
    assert saisie.statut == Saisie.Statut.VALIDEE
    assert saisie.validee_par == pilote
    assert Valeur.objects.get(indicateur=catalogue["beneficiaires"]).nombre == Decimal(11)


def test_un_brouillon_ne_se_valide_pas_ni_ne_se_renvoie(saisie, pilote):
    with pytest.raises(ValidationError, match="Seule une saisie soumise se valide"):
        services.saisie_valider(saisie, auteur=pilote)
    with pytest.raises(ValidationError, match="Seule une saisie soumise se renvoie"):
        services.saisie_renvoyer(saisie, auteur=pilote, commentaire="À revoir.")
    saisie.refresh_from_db()
    assert saisie.statut == Saisie.Statut.BROUILLON
    assert saisie.validee_par is None


def test_une_saisie_soumise_ne_se_modifie_plus(saisie, membre, catalogue):
    enregistrer(saisie, membre, {**textes(catalogue), catalogue["beneficiaires"]: "10"}, True)
    with pytest.raises(ValidationError, match="soumise ou validée"):
        enregistrer(saisie, membre, {**textes(catalogue), catalogue["beneficiaires"]: "99"})
    assert Valeur.objects.get(indicateur=catalogue["beneficiaires"]).nombre == Decimal(10)


def test_un_renvoi_sans_commentaire_est_refuse(saisie, membre, pilote, catalogue):
    enregistrer(saisie, membre, textes(catalogue), soumettre=True)
    with pytest.raises(ValidationError) as exc_info:
        services.saisie_renvoyer(saisie, auteur=pilote, commentaire="  ")
    assert exc_info.value.message_dict == {"commentaire_renvoi": ["Dites ce qu'il faut corriger."]}
    saisie.refresh_from_db()
    assert saisie.statut == Saisie.Statut.SOUMISE


def test_une_saisie_d_un_rapport_remis_est_verrouillee(
    evaluation, saisie, membre, pilote, coordonnateur, conseil, catalogue
):
    enregistrer(saisie, membre, {**textes(catalogue), catalogue["beneficiaires"]: "10"}, True)
    services.saisie_valider(saisie, auteur=pilote)
    rapport = services.rapport_preparer(conseil=conseil, annee=ANNEE, auteur=coordonnateur)
    # Un rapport seulement préparé ne verrouille rien.
    assert not selectors.saisie_verrouillee(saisie)
    services.rapport_soumettre(rapport, auteur=coordonnateur)
    assert selectors.saisie_verrouillee(saisie)
    with pytest.raises(SaisieVerrouillee):
        enregistrer(saisie, membre, {catalogue["beneficiaires"]: "99"})
    assert Valeur.objects.get(indicateur=catalogue["beneficiaires"]).nombre == Decimal(10)


# Qui saisit -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "saisit"),
    [
        ("pilote", True),
        ("coordonnateur", True),
        ("referent", True),
        ("membre", True),
        ("membre_autre_institution", False),
        ("formation_restreinte", False),
        ("etranger", False),
        ("autre_conseil", False),
    ],
)
def test_qui_saisit_les_valeurs_d_une_action(request, evaluation, persona, saisit):
    utilisateur = request.getfixturevalue(persona)
    assert (evaluation in selectors.evaluations_saisissables(utilisateur)) is saisit


def test_seul_le_pilote_valide(evaluation, saisie, membre, pilote, coordonnateur, catalogue):
    enregistrer(saisie, membre, textes(catalogue), soumettre=True)
    assert list(selectors.saisies_a_valider(pilote)) == [saisie]
    assert list(selectors.saisies_a_valider(coordonnateur)) == [saisie]
    assert not selectors.saisies_a_valider(membre).exists()


# Cumuls d'une action --------------------------------------------------------------------------


def test_le_bilan_d_une_action_sur_un_jeu_de_donnees_connu(
    action, evaluation, membre, pilote, catalogue, groupe, institution
):
    b, r, f = (catalogue[c] for c in ("beneficiaires", "reiteration", "frequence_interventions"))
    # Cette année : deux semestres validés.
    valider_une_periode(evaluation, membre, pilote, ANNEE, 1, {b: "30", r: "10", f: "2,5"})
    valider_une_periode(evaluation, membre, pilote, ANNEE, 2, {b: "45", r: "20", f: "3,5"})
    # L'an dernier : un semestre validé, un autre seulement soumis (il ne compte pas).
    valider_une_periode(evaluation, membre, pilote, ANNEE - 1, 1, {b: "50", r: "40"})
    soumise = services.saisie_ouvrir(evaluation, auteur=membre, annee=ANNEE - 1, numero=2)
    enregistrer(soumise, membre, {**textes(catalogue), b: "999"}, soumettre=True)
    # Une autre action du même groupe ne compte pas non plus.
    autre = action_de(action.plan, "Autre action", porteur=institution)
    autre_evaluation = parametrer(autre, catalogue, rythme="annee", beneficiaires=Decimal(5))
    valider_une_periode(autre_evaluation, membre, pilote, ANNEE, 1, {b: "1000"})

    tableau = {ligne["nom"]: ligne for ligne in selectors.tableau_de_l_action(action, ANNEE)}
    assert tableau[b.nom] == {
        "nom": b.nom,
        "famille": "Indicateurs de réalisation",
        "unite": "personnes",
        "valeur": 75.0,  # 30 + 45 : les entiers s'additionnent
        "precedent": 50.0,
        "cible": 100.0,
        "taux": 75,
    }
    assert tableau[r.nom] == {
        "nom": r.nom,
        "famille": "Indicateurs d'impact quantitatif",
        "unite": "%",
        "valeur": 15.0,  # (10 + 20) / 2 : les pourcentages se moyennent
        "precedent": 40.0,
        "cible": 20.0,
        "taux": 75,
    }
    assert tableau[f.nom]["valeur"] == 3.0
    assert tableau[f.nom]["precedent"] is None
    assert tableau[f.nom]["cible"] is None
    assert tableau[f.nom]["taux"] is None
    # Ni textes ni répartition dans les cumuls.
    assert set(tableau) == {b.nom, r.nom, f.nom}


@pytest.mark.parametrize(
    ("valeur", "cible", "taux"),
    [("12.5", "20", 63), ("37", "50", 74), ("10", "0", None), (None, "20", None)],
)
def test_taux_d_atteinte_arrondi_au_plus_proche(valeur, cible, taux):
    """62,5 % s'affiche 63 % (arrondi commercial), pas 62 % (arrondi au pair)."""
    assert selectors._taux(valeur and Decimal(valeur), Decimal(cible)) == taux
