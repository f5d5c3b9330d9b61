"""Les règles des groupes opérationnels, des appartenances et des désignations de pilote,
dans clean() et, quand la base peut les tenir, dans ses contraintes."""

import datetime

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from clspd.models import Programme, Territoire
from groupes.models import Appartenance, DesignationPilote, GroupeOperationnel
from tests.factories import (
    ConseilFactory,
    InstitutionFactory,
    TerritoireFactory,
    UtilisateurFactory,
    programme,
)

Nature = GroupeOperationnel.Nature
AUJOURDHUI = timezone.localdate()
HIER = AUJOURDHUI - datetime.timedelta(days=1)


@pytest.fixture
def quartier(conseil):
    return TerritoireFactory(conseil=conseil, nom="Les Tilleuls", type=Territoire.Type.QUARTIER)


@pytest.fixture
def qpv(conseil):
    return TerritoireFactory(conseil=conseil, nom="QPV des Tilleuls", type=Territoire.Type.QPV)


def erreurs(objet):
    with pytest.raises(ValidationError) as erreur:
        objet.full_clean()
    return erreur.value.message_dict


def refuse_par_la_base(fonction):
    with pytest.raises(IntegrityError), transaction.atomic():
        fonction()


def nouveau_groupe(conseil, **champs):
    return GroupeOperationnel(conseil=conseil, nom=champs.pop("nom", "Nouveau groupe"), **champs)


# GroupeOperationnel : clean() -----------------------------------------------------------


def test_groupe_thematique_avec_programme_accepte(conseil):
    nouveau_groupe(conseil, nature=Nature.THEMATIQUE, programme=programme()).full_clean()


def test_groupe_thematique_sans_programme_refuse(conseil):
    assert erreurs(nouveau_groupe(conseil, nature=Nature.THEMATIQUE))["programme"] == [
        "Choisissez le programme auquel le groupe est consacré."
    ]


def test_groupe_territorial_avec_programme_et_territoire_accepte(conseil, quartier):
    groupe = nouveau_groupe(
        conseil,
        nature=Nature.TERRITORIAL,
        programme=programme(Programme.Axe.VICTIMES),
        territoire=quartier,
    )
    groupe.full_clean()


def test_groupe_territorial_sans_programme_ni_territoire_refuse(conseil):
    message = erreurs(nouveau_groupe(conseil, nature=Nature.TERRITORIAL))
    assert message["programme"] == ["Choisissez le programme auquel le groupe est consacré."]
    assert message["territoire"] == ["Choisissez le territoire du groupe."]


def test_groupe_territorial_sans_territoire_refuse(conseil):
    groupe = nouveau_groupe(conseil, nature=Nature.TERRITORIAL, programme=programme())
    assert erreurs(groupe)["territoire"] == ["Choisissez le territoire du groupe."]


def test_ccop_sur_une_zsp_acceptee(conseil, zsp):
    nouveau_groupe(conseil, nature=Nature.CCOP, territoire=zsp).full_clean()


@pytest.mark.parametrize("territoire", ["qpv", "quartier"])
def test_ccop_hors_zsp_refusee(request, conseil, territoire):
    groupe = nouveau_groupe(
        conseil, nature=Nature.CCOP, territoire=request.getfixturevalue(territoire)
    )
    assert erreurs(groupe) == {
        "territoire": ["Une CCOP est rattachée à une zone de sécurité prioritaire (ZSP)."]
    }


def test_ccop_sans_territoire_refusee(conseil):
    assert erreurs(nouveau_groupe(conseil, nature=Nature.CCOP))["territoire"] == [
        "Choisissez le territoire du groupe."
    ]


@pytest.mark.parametrize("nature", [Nature.CCOP, Nature.TERRITORIAL, Nature.THEMATIQUE])
def test_groupe_sur_le_territoire_d_un_autre_conseil_refuse(conseil, nature):
    ailleurs = TerritoireFactory(conseil=ConseilFactory(), type=Territoire.Type.ZSP)
    groupe = nouveau_groupe(conseil, nature=nature, programme=programme(), territoire=ailleurs)
    assert erreurs(groupe)["territoire"] == ["Ce territoire n'appartient pas au conseil."]


def test_groupe_nom_unique_par_conseil_erreur_sur_le_nom(groupe):
    doublon = nouveau_groupe(
        groupe.conseil, nom=groupe.nom, nature=Nature.THEMATIQUE, programme=programme()
    )
    message = erreurs(doublon)
    assert message == {"nom": ["Ce conseil a déjà un groupe de ce nom."]}


def test_groupe_meme_nom_dans_un_autre_conseil_accepte(groupe):
    homonyme = nouveau_groupe(
        ConseilFactory(), nom=groupe.nom, nature=Nature.THEMATIQUE, programme=programme()
    )
    homonyme.full_clean()


# GroupeOperationnel : contraintes de la base --------------------------------------------


def test_base_refuse_un_groupe_thematique_sans_programme(groupe):
    refuse_par_la_base(
        lambda: GroupeOperationnel.objects.filter(pk=groupe.pk).update(programme=None)
    )
    groupe.refresh_from_db()
    assert groupe.programme is not None


def test_base_refuse_un_groupe_territorial_sans_territoire(conseil, quartier):
    groupe = GroupeOperationnel.objects.create(
        conseil=conseil,
        nom="Territorial",
        nature=Nature.TERRITORIAL,
        programme=programme(),
        territoire=quartier,
    )
    refuse_par_la_base(
        lambda: GroupeOperationnel.objects.filter(pk=groupe.pk).update(territoire=None)
    )
    refuse_par_la_base(
        lambda: GroupeOperationnel.objects.filter(pk=groupe.pk).update(programme=None)
    )


def test_base_refuse_une_ccop_sans_territoire(conseil):
    refuse_par_la_base(nouveau_groupe(conseil, nature=Nature.CCOP).save)
    assert not GroupeOperationnel.objects.filter(nom="Nouveau groupe").exists()


def test_base_refuse_une_nature_inconnue(groupe):
    refuse_par_la_base(lambda: GroupeOperationnel.objects.filter(pk=groupe.pk).update(nature="x"))


def test_base_refuse_un_nom_en_double(groupe):
    refuse_par_la_base(
        nouveau_groupe(
            groupe.conseil, nom=groupe.nom, nature=Nature.THEMATIQUE, programme=programme()
        ).save
    )


def test_base_accepte_une_ccop_avec_territoire_sans_programme(conseil, zsp):
    nouveau_groupe(conseil, nature=Nature.CCOP, territoire=zsp).save()
    assert GroupeOperationnel.objects.get(nom="Nouveau groupe").programme is None


# Appartenance ---------------------------------------------------------------------------


def nouvelle_appartenance(groupe, utilisateur, institution, **champs):
    return Appartenance(groupe=groupe, utilisateur=utilisateur, institution=institution, **champs)


def test_appartenance_valide(groupe, institution):
    appartenance = nouvelle_appartenance(
        groupe, UtilisateurFactory(), institution, date_debut=HIER, date_fin=AUJOURDHUI
    )
    appartenance.full_clean()


def test_appartenance_date_fin_avant_date_debut_refusee(groupe, institution):
    appartenance = nouvelle_appartenance(
        groupe, UtilisateurFactory(), institution, date_debut=AUJOURDHUI, date_fin=HIER
    )
    assert erreurs(appartenance)["date_fin"] == ["La date de fin précède la date de début."]


def test_base_refuse_une_appartenance_finie_avant_de_commencer(membre, groupe):
    appartenance = groupe.appartenances.get(utilisateur=membre)
    refuse_par_la_base(
        lambda: Appartenance.objects.filter(pk=appartenance.pk).update(
            date_fin=appartenance.date_debut - datetime.timedelta(days=1)
        )
    )
    appartenance.refresh_from_db()
    assert appartenance.date_fin is None


def test_appartenance_active_en_double_refusee(membre, groupe, institution):
    doublon = nouvelle_appartenance(groupe, membre, institution)
    assert erreurs(doublon)[NON_FIELD_ERRORS] == ["Cette personne est déjà membre du groupe."]
    refuse_par_la_base(doublon.save)
    assert groupe.appartenances.filter(utilisateur=membre).count() == 1


def test_appartenance_de_nouveau_possible_apres_la_fin(membre, groupe, institution):
    Appartenance.objects.filter(groupe=groupe, utilisateur=membre).update(date_fin=AUJOURDHUI)
    retour = nouvelle_appartenance(groupe, membre, institution)
    retour.full_clean()
    retour.save()
    assert groupe.appartenances.filter(utilisateur=membre).count() == 2
    assert groupe.appartenances.actives().get(utilisateur=membre) == retour


def test_appartenance_a_un_autre_groupe_acceptee(membre, autre_groupe, institution):
    nouvelle_appartenance(autre_groupe, membre, institution).full_clean()


def test_appartenance_pour_une_institution_d_un_autre_conseil_refusee(groupe):
    appartenance = nouvelle_appartenance(groupe, UtilisateurFactory(), InstitutionFactory())
    assert erreurs(appartenance)["institution"] == [
        "Cette institution n'est pas dans l'annuaire du conseil."
    ]


def test_base_refuse_deux_pilotes_actifs(pilote, groupe, institution):
    second = nouvelle_appartenance(
        groupe, UtilisateurFactory(), institution, role=Appartenance.Role.PILOTE
    )
    assert erreurs(second)[NON_FIELD_ERRORS] == ["Le groupe a déjà un pilote."]
    refuse_par_la_base(second.save)


def test_base_refuse_un_role_inconnu(membre, groupe):
    refuse_par_la_base(
        lambda: Appartenance.objects.filter(groupe=groupe, utilisateur=membre).update(role="chef")
    )


# DesignationPilote ----------------------------------------------------------------------


def nouvelle_designation(groupe, pilote, coordonnateur, **dates):
    return DesignationPilote(
        groupe=groupe,
        pilote=pilote,
        designe_par=coordonnateur,
        date_designation=dates.get("date_designation", AUJOURDHUI),
        accord_maire_le=dates.get("accord_maire_le", HIER),
        accord_prefet_le=dates.get("accord_prefet_le", AUJOURDHUI),
    )


def test_designation_accords_le_jour_meme_ou_avant_acceptee(groupe, membre, coordonnateur):
    nouvelle_designation(groupe, membre, coordonnateur).full_clean()


def test_designation_accords_apres_la_designation_refuses(groupe, membre, coordonnateur):
    designation = nouvelle_designation(
        groupe,
        membre,
        coordonnateur,
        date_designation=HIER,
        accord_maire_le=AUJOURDHUI,
        accord_prefet_le=AUJOURDHUI,
    )
    message = erreurs(designation)
    assert message["accord_maire_le"] == ["L'accord du maire précède la désignation."]
    assert message["accord_prefet_le"] == ["L'accord du préfet précède la désignation."]
    refuse_par_la_base(designation.save)
    assert not DesignationPilote.objects.exists()


def test_designation_accord_du_prefet_seul_en_retard_refuse(groupe, membre, coordonnateur):
    designation = nouvelle_designation(
        groupe, membre, coordonnateur, date_designation=HIER, accord_maire_le=HIER
    )
    assert set(erreurs(designation)) == {"accord_prefet_le"}


def test_designation_en_cours_unique_par_groupe(pilote, groupe, membre, coordonnateur):
    seconde = nouvelle_designation(groupe, membre, coordonnateur)
    assert erreurs(seconde)[NON_FIELD_ERRORS] == ["Le groupe a déjà un pilote désigné."]
    refuse_par_la_base(seconde.save)
    assert groupe.designations.count() == 1


def test_base_refuse_une_designation_finie_avant_d_avoir_commence(pilote, groupe):
    designation = groupe.designations.get()
    refuse_par_la_base(
        lambda: DesignationPilote.objects.filter(pk=designation.pk).update(
            date_fin=designation.date_designation - datetime.timedelta(days=1)
        )
    )
