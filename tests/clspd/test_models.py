"""Les règles des modèles du cœur : codes INSEE, territoire, annuaire, comptes, cadre national."""

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DataError, IntegrityError, transaction

from clspd.models import (
    Commune,
    Institution,
    MembreFormationRestreinte,
    Programme,
    Strategie,
    Territoire,
    Utilisateur,
)
from tests.factories import CommuneFactory, ConseilFactory, InstitutionFactory, UtilisateurFactory

MESSAGE_INSEE = "Le code INSEE compte 5 caractères : des chiffres, ou 2A / 2B suivis de 3 chiffres."


def erreurs(objet):
    with pytest.raises(ValidationError) as erreur:
        objet.full_clean()
    return erreur.value.message_dict


# Communes : le code INSEE ---------------------------------------------------------------


@pytest.mark.parametrize("code", ["75056", "2A004", "2B033"])
def test_code_insee_valide_accepte(db, code):
    commune = Commune(code_insee=code, nom="Commune valide")
    commune.full_clean()
    commune.save()
    assert Commune.objects.filter(code_insee=code).exists()


@pytest.mark.parametrize("code", ["7505", "750560", "2C004", "AB123"])
def test_code_insee_invalide_refuse_avec_le_message_francais(db, code):
    assert MESSAGE_INSEE in erreurs(Commune(code_insee=code, nom="Commune invalide"))["code_insee"]


def test_code_insee_vide_refuse(db):
    assert erreurs(Commune(code_insee="", nom="Sans code"))["code_insee"] == [
        "Ce champ ne peut pas être vide."
    ]


@pytest.mark.parametrize("code", ["7505", "750560", "2C004", "AB123", ""])
def test_code_insee_invalide_refuse_par_la_base_en_masse(db, code):
    # PostgreSQL refuse un code trop long dès la longueur de la colonne (DataError).
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        Commune.objects.bulk_create([Commune(code_insee=code, nom="Commune invalide")])
    assert not Commune.objects.filter(nom="Commune invalide").exists()


def test_code_insee_invalide_refuse_par_la_base_sans_validation(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        Commune(code_insee="2C004", nom="Commune invalide").save()
    assert not Commune.objects.filter(nom="Commune invalide").exists()


def test_code_insee_valide_accepte_par_la_base_en_masse(db):
    Commune.objects.bulk_create([Commune(code_insee="2A004", nom="Ajaccio")])
    assert Commune.objects.get(code_insee="2A004").nom == "Ajaccio"


# Territoire -----------------------------------------------------------------------------


def test_territoire_sur_une_commune_du_conseil_accepte(conseil):
    territoire = Territoire(
        conseil=conseil,
        nom="Centre-ville",
        type=Territoire.Type.QPV,
        commune=conseil.communes.get(),
    )
    territoire.full_clean()


def test_territoire_sans_commune_accepte(conseil):
    Territoire(conseil=conseil, nom="Intercommunal", type=Territoire.Type.ZSP).full_clean()


def test_territoire_sur_une_commune_d_un_autre_conseil_refuse(conseil):
    ailleurs = ConseilFactory(communes=[CommuneFactory(nom="Ailleurs")])
    territoire = Territoire(
        conseil=conseil,
        nom="Quartier d'ailleurs",
        type=Territoire.Type.QUARTIER,
        commune=ailleurs.communes.get(),
    )
    assert erreurs(territoire)["commune"] == ["Cette commune n'appartient pas au conseil."]


def test_territoire_nom_unique_par_conseil(zsp):
    doublon = Territoire(conseil=zsp.conseil, nom=zsp.nom, type=Territoire.Type.QUARTIER)
    assert erreurs(doublon)["nom"] == ["Ce conseil a déjà un territoire de ce nom."]


# Institutions ---------------------------------------------------------------------------


def test_institution_nom_unique_par_conseil_message_sur_le_nom(institution):
    doublon = Institution(
        conseil=institution.conseil, nom=institution.nom, categorie=Institution.Categorie.AUTRE
    )
    message = erreurs(doublon)
    assert message["nom"] == ["L'annuaire de ce conseil a déjà une institution de ce nom."]
    assert NON_FIELD_ERRORS not in message


def test_institution_meme_nom_accepte_dans_un_autre_conseil(institution):
    ailleurs = ConseilFactory()
    homonyme = Institution(
        conseil=ailleurs, nom=institution.nom, categorie=Institution.Categorie.POLICE_NATIONALE
    )
    homonyme.full_clean()
    homonyme.save()
    assert Institution.objects.filter(nom=institution.nom).count() == 2


def test_institution_modifiee_garde_son_nom_sans_se_heurter_a_elle_meme(institution):
    institution.telephone = "01 02 03 04 05"
    institution.full_clean()


def test_institution_nom_en_double_refuse_par_la_base(institution):
    with pytest.raises(IntegrityError), transaction.atomic():
        Institution.objects.bulk_create(
            [Institution(conseil=institution.conseil, nom=institution.nom, categorie="autre")]
        )
    assert Institution.objects.filter(nom=institution.nom).count() == 1


def test_institution_categorie_inconnue_refusee_par_la_base(conseil):
    with pytest.raises(IntegrityError), transaction.atomic():
        Institution.objects.bulk_create(
            [Institution(conseil=conseil, nom="Inconnue", categorie="inconnue")]
        )


# Comptes --------------------------------------------------------------------------------


def test_adresse_enregistree_en_minuscules(db):
    utilisateur = UtilisateurFactory(email="  Jeanne.Martin@Exemple.FR ")
    utilisateur.refresh_from_db()
    assert utilisateur.email == "jeanne.martin@exemple.fr"


def test_create_user_enregistre_en_minuscules(db):
    utilisateur = Utilisateur.objects.create_user("Paul.Durand@Exemple.fr", "un-long-mot-de-passe")
    assert Utilisateur.objects.get(pk=utilisateur.pk).email == "paul.durand@exemple.fr"


def test_create_user_sans_adresse_refuse(db):
    with pytest.raises(ValueError, match="L'adresse électronique est obligatoire"):
        Utilisateur.objects.create_user("", "un-long-mot-de-passe")


def test_recherche_par_cle_naturelle_insensible_a_la_casse(db):
    utilisateur = UtilisateurFactory(email="jeanne.martin@exemple.fr")
    trouve = Utilisateur.objects.get_by_natural_key("  JEANNE.Martin@Exemple.fr ")
    assert trouve == utilisateur


def test_recherche_par_cle_naturelle_adresse_inconnue(db):
    UtilisateurFactory(email="jeanne.martin@exemple.fr")
    with pytest.raises(Utilisateur.DoesNotExist):
        Utilisateur.objects.get_by_natural_key("jeanne.martine@exemple.fr")


def test_meme_adresse_autre_casse_refusee_par_la_base(db):
    UtilisateurFactory(email="jeanne.martin@exemple.fr")
    with pytest.raises(IntegrityError), transaction.atomic():
        UtilisateurFactory(email="JEANNE.MARTIN@exemple.fr")
    assert Utilisateur.objects.count() == 1


# Cadre national -------------------------------------------------------------------------


def test_migration_cree_les_trois_programmes_de_la_strategie_2013_2017(db):
    strategie = Strategie.objects.get(annee_debut=2013)
    assert strategie.annee_fin == 2017
    programmes = list(strategie.programmes.order_by("ordre"))
    assert [p.axe for p in programmes] == [
        Programme.Axe.JEUNES,
        Programme.Axe.VICTIMES,
        Programme.Axe.TRANQUILLITE,
    ]
    assert [p.ordre for p in programmes] == [1, 2, 3]
    assert all(p.actif and p.description for p in programmes)


def test_programme_nom_unique_par_strategie(db):
    existant = Programme.objects.get(axe=Programme.Axe.JEUNES)
    doublon = Programme(strategie=existant.strategie, nom=existant.nom, axe="jeunes")
    assert erreurs(doublon)[NON_FIELD_ERRORS] == ["Cette stratégie a déjà un programme de ce nom."]


def test_strategie_annees_dans_le_desordre_refusees(db):
    strategie = Strategie(nom="Stratégie à l'envers", annee_debut=2020, annee_fin=2019)
    assert erreurs(strategie)[NON_FIELD_ERRORS] == ["L'année de fin précède l'année de début."]


# Formation restreinte --------------------------------------------------------------------


def test_siege_pour_une_institution_d_un_autre_conseil_refuse(conseil):
    ailleurs = InstitutionFactory()
    siege = MembreFormationRestreinte(
        conseil=conseil,
        utilisateur=UtilisateurFactory(),
        institution=ailleurs,
        date_debut="2026-01-01",
    )
    assert erreurs(siege)["institution"] == ["Cette institution n'est pas de ce conseil."]


def test_siege_pour_une_institution_du_conseil_accepte(conseil, institution):
    siege = MembreFormationRestreinte(
        conseil=conseil,
        utilisateur=UtilisateurFactory(),
        institution=institution,
        date_debut="2026-01-01",
    )
    siege.full_clean()
