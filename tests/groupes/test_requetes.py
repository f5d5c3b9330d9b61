"""Nombre de requêtes des pages de liste : le même pour 2 et pour 30 objets, et borné.

Chaque test construit deux jeux de données, un petit et un grand, mesure la même page
sur chacun et compare. Une requête par ligne (N+1) ferait échouer la comparaison, avec la
liste des requêtes SQL dans le message.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from clspd import services as conseil_services
from clspd.models import Programme, Territoire
from groupes.models import Appartenance, DesignationPilote, GroupeOperationnel
from groupes.services import groupe_synchroniser_permissions
from tests.factories import (
    AppartenanceFactory,
    ConseilFactory,
    GroupeFactory,
    InstitutionFactory,
    MembreFormationRestreinteFactory,
    TerritoireFactory,
    UtilisateurFactory,
    programme,
)

PETITE, GRANDE = 2, 30
MAX_REQUETES = 15
PAR_PAGE = 25

# Des tests demandent leurs fixtures de base par getfixturevalue : ce marqueur les range
# avec les autres tests de base de données, avant les tests du navigateur qui la vident.
pytestmark = pytest.mark.django_db


@pytest.fixture
def mesurer(client, django_assert_max_num_queries):
    """GET en tant que ``utilisateur`` : la réponse (200) et les requêtes SQL qu'elle a faites."""

    def mesurer(utilisateur, url):
        client.force_login(utilisateur)
        with django_assert_max_num_queries(MAX_REQUETES) as requetes:
            reponse = client.get(url)
        assert reponse.status_code == 200
        return reponse, requetes

    return mesurer


def assert_meme_nombre_de_requetes(petite, grande):
    def sql(requetes):
        return "\n".join(f"  {q['sql']}" for q in requetes.captured_queries)

    assert len(grande) == len(petite), (
        f"{len(petite)} requêtes pour {PETITE} objets, {len(grande)} pour {GRANDE} :\n"
        f"--- petite\n{sql(petite)}\n--- grande\n{sql(grande)}"
    )
    assert len(grande) <= MAX_REQUETES


def hier(jours=1):
    return timezone.localdate() - datetime.timedelta(days=jours)


def noms_affiches(reponse, noms):
    contenu = reponse.content.decode()
    return [nom for nom in noms if nom in contenu]


# Synthèse d'un conseil ---------------------------------------------------------------------


def conseil_peuple(taille, *, coordonnateur, formation_restreinte):
    """Un conseil de ``taille`` groupes thématiques (un pilote et deux membres chacun),
    plus une CCOP inactive que les filtres écartent."""
    conseil = ConseilFactory(nom=f"CLSPD de {taille} groupes")
    conseil_services.coordonnateur_ajouter(conseil=conseil, utilisateur=coordonnateur)
    conseil_services.formation_restreinte_ajouter(
        conseil=conseil,
        utilisateur=formation_restreinte,
        institution=None,
        qualite="",
        programme=None,
        date_debut=timezone.localdate(),
    )
    quartier = TerritoireFactory(conseil=conseil, nom="Quartier des Lilas")
    zsp = TerritoireFactory(conseil=conseil, nom="ZSP Nord", type=Territoire.Type.ZSP)
    institution = InstitutionFactory(conseil=conseil)
    for i in range(1, taille + 1):
        groupe = GroupeFactory(conseil=conseil, nom=f"Groupe {i:02d}", territoire=quartier)
        AppartenanceFactory(
            groupe=groupe,
            institution=institution,
            role=Appartenance.Role.PILOTE,
            utilisateur=UtilisateurFactory(first_name="Pilote", last_name=f"Numero{i:02d}"),
        )
        AppartenanceFactory.create_batch(2, groupe=groupe, institution=institution)
        AppartenanceFactory(groupe=groupe, institution=institution, date_fin=hier())
        groupe_synchroniser_permissions(groupe)
    GroupeFactory(
        conseil=conseil,
        nom="Cellule hors filtres",
        nature=GroupeOperationnel.Nature.CCOP,
        programme=None,
        territoire=zsp,
        actif=False,
    )
    return conseil


FILTRES = {
    "sans-filtre": lambda conseil: {},
    "nature-programme-actif": lambda conseil: {
        "nature": GroupeOperationnel.Nature.THEMATIQUE,
        "programme": programme().pk,
        "actif": "oui",
    },
    "territoire": lambda conseil: {
        "territoire": conseil.territoires.get(nom="Quartier des Lilas").pk
    },
}


@pytest.mark.parametrize("filtre", FILTRES)
@pytest.mark.parametrize("persona", ["coordonnateur", "formation_restreinte"])
def test_synthese_du_conseil(request, mesurer, persona, filtre):
    utilisateur = request.getfixturevalue(persona)
    roles = {
        "coordonnateur": request.getfixturevalue("coordonnateur"),
        "formation_restreinte": request.getfixturevalue("formation_restreinte"),
    }
    petit, grand = (conseil_peuple(taille, **roles) for taille in (PETITE, GRANDE))

    def url(conseil):
        return (
            reverse("groupes:conseil", args=[conseil.pk])
            + "?"
            + "&".join(f"{cle}={valeur}" for cle, valeur in FILTRES[filtre](conseil).items())
        )

    _, requetes_petit = mesurer(utilisateur, url(petit))
    reponse, requetes_grand = mesurer(utilisateur, url(grand))

    assert_meme_nombre_de_requetes(requetes_petit, requetes_grand)
    hors_filtre = 0 if filtre == "sans-filtre" else 1
    page = reponse.context["page_obj"]
    assert page.paginator.count == GRANDE + 1 - hors_filtre
    assert len(page.object_list) == PAR_PAGE
    # Triés par état puis par nom : les 25 premiers groupes actifs, avec leur pilote.
    noms = [f"Groupe {i:02d}" for i in range(1, GRANDE + 1)]
    assert noms_affiches(reponse, noms) == noms[:PAR_PAGE]
    pilotes = [f"Pilote Numero{i:02d}" for i in range(1, GRANDE + 1)]
    assert noms_affiches(reponse, pilotes) == pilotes[:PAR_PAGE]
    assert [g.nb_membres for g in page.object_list] == [3] * PAR_PAGE
    assert "Cellule hors filtres" not in reponse.content.decode()  # page 2, ou filtrée
    assert "Page 1 sur 2" in reponse.content.decode()


# Fiche d'un groupe ---------------------------------------------------------------------------


def groupe_peuple(taille, *, conseil, membre, auteur):
    """Un groupe de ``taille`` membres actuels, ``taille`` anciens membres et ``taille``
    désignations de pilote (la dernière en cours), dont ``membre`` fait partie."""
    groupe = GroupeFactory(conseil=conseil, nom=f"Groupe de {taille} membres")
    institution = InstitutionFactory(conseil=conseil)
    AppartenanceFactory(groupe=groupe, utilisateur=membre, institution=institution)
    for i in range(1, taille + 1):
        AppartenanceFactory(
            groupe=groupe,
            institution=institution,
            role=Appartenance.Role.PILOTE if i == taille else Appartenance.Role.MEMBRE,
            utilisateur=UtilisateurFactory(first_name="Actuel", last_name=f"Membre{i:02d}"),
        )
        AppartenanceFactory(
            groupe=groupe,
            institution=institution,
            date_debut=hier(400),
            date_fin=hier(100 + i),
            utilisateur=UtilisateurFactory(first_name="Ancien", last_name=f"Membre{i:02d}"),
        )
    debut = hier(taille + 1)
    DesignationPilote.objects.bulk_create(
        DesignationPilote(
            groupe=groupe,
            pilote=UtilisateurFactory(first_name="Pilote", last_name=f"Designe{i:02d}"),
            date_designation=debut + datetime.timedelta(days=i),
            accord_maire_le=debut + datetime.timedelta(days=i),
            accord_prefet_le=debut + datetime.timedelta(days=i),
            date_fin=None if i == taille else debut + datetime.timedelta(days=i + 1),
            designe_par=auteur,
        )
        for i in range(1, taille + 1)
    )
    groupe_synchroniser_permissions(groupe)
    return groupe


@pytest.mark.parametrize("persona", ["membre", "coordonnateur"])
def test_fiche_du_groupe(request, mesurer, conseil, membre, coordonnateur, persona):
    utilisateur = request.getfixturevalue(persona)
    petit, grand = (
        groupe_peuple(taille, conseil=conseil, membre=membre, auteur=coordonnateur)
        for taille in (PETITE, GRANDE)
    )

    _, requetes_petit = mesurer(utilisateur, reverse("groupes:detail", args=[petit.pk]))
    reponse, requetes_grand = mesurer(utilisateur, reverse("groupes:detail", args=[grand.pk]))

    assert_meme_nombre_de_requetes(requetes_petit, requetes_grand)
    contenu = reponse.content.decode()
    actuels = [f"Actuel Membre{i:02d}" for i in range(1, GRANDE + 1)]
    assert noms_affiches(reponse, actuels) == actuels
    assert f"{GRANDE + 1} membres actuels" in contenu
    designes = [f"Pilote Designe{i:02d}" for i in range(1, GRANDE + 1)]
    assert noms_affiches(reponse, designes) == designes
    assert contenu.count("en cours") == 1
    anciens = [f"Ancien Membre{i:02d}" for i in range(1, GRANDE + 1)]
    if persona == "coordonnateur":
        assert noms_affiches(reponse, anciens) == anciens
        assert contenu.count(">Retirer<") == GRANDE + 1
    else:
        # Les anciens membres ne regardent que la coordination.
        assert noms_affiches(reponse, anciens) == []
        assert "Retirer" not in contenu


# Accueil -----------------------------------------------------------------------------------


def personne_dans_n_groupes(taille):
    """Une personne membre de ``taille`` groupes, qui coordonne ``taille`` conseils."""
    personne = UtilisateurFactory()
    for i in range(1, taille + 1):
        conseil = ConseilFactory(nom=f"CLSPD {taille}-{i:02d}")
        conseil_services.coordonnateur_ajouter(conseil=conseil, utilisateur=personne)
        groupe = GroupeFactory(
            conseil=conseil,
            nom=f"Groupe accueil {i:02d}",
            territoire=TerritoireFactory(conseil=conseil),
        )
        AppartenanceFactory(groupe=groupe, utilisateur=personne)
        groupe_synchroniser_permissions(groupe)
    # Une appartenance terminée ne figure pas dans « Mes groupes ».
    ancien = GroupeFactory(conseil=conseil, nom="Groupe quitté")
    AppartenanceFactory(groupe=ancien, utilisateur=personne, date_fin=hier())
    return personne


def test_accueil(db, mesurer):
    petite, grande = (personne_dans_n_groupes(taille) for taille in (PETITE, GRANDE))

    _, requetes_petite = mesurer(petite, reverse("accueil"))
    reponse, requetes_grande = mesurer(grande, reverse("accueil"))

    assert_meme_nombre_de_requetes(requetes_petite, requetes_grande)
    groupes = [f"Groupe accueil {i:02d}" for i in range(1, GRANDE + 1)]
    assert noms_affiches(reponse, groupes) == groupes
    conseils = [f"CLSPD {GRANDE}-{i:02d}" for i in range(1, GRANDE + 1)]
    assert noms_affiches(reponse, conseils) == conseils
    assert "Groupe quitté" not in reponse.content.decode()


# Annuaire, territoire, formation restreinte -----------------------------------------------


def conseil_coordonne(taille, coordonnateur):
    conseil = ConseilFactory(nom=f"CLSPD de taille {taille}")
    conseil_services.coordonnateur_ajouter(conseil=conseil, utilisateur=coordonnateur)
    return conseil


def test_liste_des_institutions(db, mesurer):
    coordonnateur = UtilisateurFactory()
    conseils = []
    for taille in (PETITE, GRANDE):
        conseil = conseil_coordonne(taille, coordonnateur)
        for i in range(1, taille + 1):
            InstitutionFactory(conseil=conseil, nom=f"Institution {i:02d}")
        conseils.append(conseil)

    urls = [reverse("institution_liste", args=[c.pk]) for c in conseils]
    _, requetes_petit = mesurer(coordonnateur, urls[0])
    reponse, requetes_grand = mesurer(coordonnateur, urls[1])

    assert_meme_nombre_de_requetes(requetes_petit, requetes_grand)
    noms = [f"Institution {i:02d}" for i in range(1, GRANDE + 1)]
    assert noms_affiches(reponse, noms) == noms[:PAR_PAGE]
    assert f"{GRANDE} institutions" in reponse.content.decode()
    assert "Page 1 sur 2" in reponse.content.decode()


def test_liste_des_territoires(db, mesurer):
    coordonnateur = UtilisateurFactory()
    conseils = []
    for taille in (PETITE, GRANDE):
        conseil = conseil_coordonne(taille, coordonnateur)
        commune = conseil.communes.get()
        for i in range(1, taille + 1):
            TerritoireFactory(
                conseil=conseil,
                nom=f"Territoire {i:02d}",
                commune=commune if i % 2 else None,
                type=Territoire.Type.QPV,
            )
        conseils.append(conseil)

    urls = [reverse("territoire_liste", args=[c.pk]) for c in conseils]
    _, requetes_petit = mesurer(coordonnateur, urls[0])
    reponse, requetes_grand = mesurer(coordonnateur, urls[1])

    assert_meme_nombre_de_requetes(requetes_petit, requetes_grand)
    contenu = reponse.content.decode()
    noms = [f"Territoire {i:02d}" for i in range(1, GRANDE + 1)]
    assert noms_affiches(reponse, noms) == noms[:PAR_PAGE]
    assert f"{GRANDE} territoires" in contenu
    assert contenu.count("plusieurs communes") == PAR_PAGE // 2


@pytest.mark.parametrize("persona", ["coordonnateur", "formation_restreinte"])
def test_formation_restreinte(db, mesurer, persona):
    lecteur = UtilisateurFactory(first_name="Lecteur", last_name="Unique")
    programmes = list(Programme.objects.filter(strategie__annee_debut=2013))
    conseils = []
    for taille in (PETITE, GRANDE):
        conseil = ConseilFactory(nom=f"CLSPD de taille {taille}")
        if persona == "coordonnateur":
            conseil_services.coordonnateur_ajouter(conseil=conseil, utilisateur=lecteur)
        institution = InstitutionFactory(conseil=conseil)
        for i in range(1, taille + 1):
            MembreFormationRestreinteFactory(
                conseil=conseil,
                utilisateur=UtilisateurFactory(first_name="Siege", last_name=f"Numero{i:02d}"),
                institution=institution,
                programme=programmes[i % len(programmes)] if i % 3 else None,
                qualite=f"Qualité {i:02d}",
            )
        MembreFormationRestreinteFactory(
            conseil=conseil,
            utilisateur=UtilisateurFactory(first_name="Siege", last_name="Termine"),
            date_debut=hier(10),
            date_fin=hier(),
        )
        if persona == "formation_restreinte":
            conseil_services.formation_restreinte_ajouter(
                conseil=conseil,
                utilisateur=lecteur,
                institution=institution,
                qualite="",
                programme=None,
                date_debut=timezone.localdate(),
            )
        else:
            conseil_services.conseil_synchroniser_permissions(conseil)
        conseils.append(conseil)

    urls = [reverse("formation_restreinte", args=[c.pk]) for c in conseils]
    _, requetes_petit = mesurer(lecteur, urls[0])
    reponse, requetes_grand = mesurer(lecteur, urls[1])

    assert_meme_nombre_de_requetes(requetes_petit, requetes_grand)
    contenu = reponse.content.decode()
    sieges = [f"Siege Numero{i:02d}" for i in range(1, GRANDE + 1)]
    assert noms_affiches(reponse, sieges) == sieges
    assert "Siege Termine" not in contenu
    assert contenu.count("Pour le programme") == len([i for i in range(1, GRANDE + 1) if i % 3])
    assert contenu.count(">Retirer<") == (GRANDE if persona == "coordonnateur" else 0)
