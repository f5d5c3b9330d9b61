"""Nombre de requêtes des pages des réunions : le même pour un petit et pour un grand jeu de
données, et borné.

Comme dans ``test_requetes.py``, chaque test construit deux jeux, mesure la même page sur
chacun et compare : une requête par ligne (N+1) ferait échouer la comparaison, avec la
liste des requêtes SQL dans le message. Les données de masse passent par ``bulk_create`` ;
les comptes rendus sont validés par le service, pour que leur copie figée soit réelle.
"""

import datetime
import io

import icalendar
import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from groupes import services
from groupes.models import (
    Appartenance,
    Convocation,
    Decision,
    ParticipantExterieur,
    PointOrdreDuJour,
    Presence,
    Reunion,
)
from groupes.services import groupe_synchroniser_permissions
from tests.factories import (
    AppartenanceFactory,
    GroupeFactory,
    InstitutionFactory,
    ReunionFactory,
    UtilisateurFactory,
)

PETITE, GRANDE = 3, 30
MAX_REQUETES = 15
PAR_PAGE = 25

# Des tests demandent leurs fixtures de base par getfixturevalue : ce marqueur les range
# avec les autres tests de base de données, avant les tests du navigateur qui la vident.
pytestmark = pytest.mark.django_db


@pytest.fixture
def mesurer(client, django_assert_max_num_queries):
    """GET en tant que ``utilisateur`` (``None`` : sans connexion) : la réponse (200) et les
    requêtes SQL qu'elle a faites."""

    def mesurer(utilisateur, url):
        client.logout()
        if utilisateur is not None:
            client.force_login(utilisateur)
        # Le cache des types de contenu est chaud, comme en service après la première
        # requête, quel que soit le test qui a tourné avant.
        ContentType.objects.get_for_models(*apps.get_models())
        with django_assert_max_num_queries(MAX_REQUETES) as requetes:
            reponse = client.get(url)
        assert reponse.status_code == 200
        return reponse, requetes

    return mesurer


def assert_meme_nombre_de_requetes(petite, grande, tailles=(PETITE, GRANDE)):
    def sql(requetes):
        return "\n".join(f"  {q['sql']}" for q in requetes.captured_queries)

    assert len(grande) == len(petite), (
        f"{len(petite)} requêtes pour {tailles[0]} objets, {len(grande)} pour {tailles[1]} :\n"
        f"--- petite\n{sql(petite)}\n--- grande\n{sql(grande)}"
    )
    assert len(grande) <= MAX_REQUETES


def jour(decalage):
    return timezone.localdate() + datetime.timedelta(days=decalage)


def affiches(contenu, textes):
    return [texte for texte in textes if texte in contenu]


# Construction des données ------------------------------------------------------------------


def groupe_peuple(conseil, nombre_de_membres, *, personne, role=Appartenance.Role.MEMBRE):
    """Un groupe où ``personne`` a le rôle donné, avec ``nombre_de_membres`` autres membres.

    Renvoie le groupe et ses appartenances (celle de ``personne`` en premier)."""
    groupe = GroupeFactory(conseil=conseil)
    institution = InstitutionFactory(conseil=conseil, nom=f"Institution du {groupe.nom}")
    appartenances = [
        AppartenanceFactory(
            groupe=groupe, utilisateur=personne, institution=institution, role=role
        ),
        *(
            AppartenanceFactory(
                groupe=groupe,
                institution=institution,
                utilisateur=UtilisateurFactory(first_name="Membre", last_name=f"Numero{i:02d}"),
            )
            for i in range(1, nombre_de_membres + 1)
        ),
    ]
    groupe_synchroniser_permissions(groupe)
    return groupe, appartenances


def ordre_du_jour(reunion, nombre):
    PointOrdreDuJour.objects.bulk_create(
        PointOrdreDuJour(
            reunion=reunion,
            ordre=i,
            titre=f"Point {i:02d}",
            description=f"Précisions du point {i:02d}",
            notes=f"Notes du point {i:02d}",
        )
        for i in range(1, nombre + 1)
    )


def presences(reunion, appartenances):
    statuts = [Presence.Statut.PRESENT, Presence.Statut.EXCUSE, Presence.Statut.REPRESENTE]
    Presence.objects.bulk_create(
        Presence(
            reunion=reunion,
            appartenance=appartenance,
            statut=statuts[i % 3],
            represente_par="Un adjoint" if statuts[i % 3] == Presence.Statut.REPRESENTE else "",
        )
        for i, appartenance in enumerate(appartenances)
    )


def decisions(reunion, nombre, *, porteurs, institution, prefixe="Décision", echeance=None):
    """``nombre`` décisions ; une sur trois portée par l'institution, les autres par un membre."""
    Decision.objects.bulk_create(
        Decision(
            reunion=reunion,
            libelle=f"{prefixe} {i:02d}",
            porteur=None if i % 3 == 0 else porteurs[i % len(porteurs)],
            institution_porteuse=institution if i % 3 == 0 else None,
            echeance=echeance,
        )
        for i in range(1, nombre + 1)
    )


def rediger(reunion, auteur, synthese="Synthèse de la réunion."):
    return services.compte_rendu_enregistrer(reunion, auteur=auteur, synthese=synthese, notes={})


def valider(reunion, auteur, synthese="Synthèse de la réunion."):
    rediger(reunion, auteur, synthese)
    return services.compte_rendu_valider(reunion, auteur=auteur)


# Liste des réunions d'un groupe ------------------------------------------------------------


def groupe_aux_reunions(conseil, taille, *, personne, role):
    """``taille`` réunions passées (deux points, les présences des trois membres) : un
    compte rendu validé pour deux sur trois, un brouillon pour les autres ; plus une réunion
    à venir annulée."""
    groupe, appartenances = groupe_peuple(conseil, 2, personne=personne, role=role)
    auteur = appartenances[0].utilisateur
    for i in range(1, taille + 1):
        reunion = ReunionFactory(
            groupe=groupe, cree_par=auteur, date=jour(-i), objet=f"Réunion {i:02d}"
        )
        ordre_du_jour(reunion, 2)
        presences(reunion, appartenances)
        if i % 3:
            valider(reunion, auteur)
        else:
            rediger(reunion, auteur)
    annulee = ReunionFactory(groupe=groupe, cree_par=auteur, date=jour(5), objet="Annulée")
    services.reunion_annuler(annulee, auteur=auteur, base_url="http://testserver")
    return groupe


@pytest.mark.parametrize("role", [Appartenance.Role.MEMBRE, Appartenance.Role.PILOTE])
def test_liste_des_reunions(conseil, mesurer, role):
    personne = UtilisateurFactory()
    petit, grand = (
        groupe_aux_reunions(conseil, taille, personne=personne, role=role)
        for taille in (PETITE, GRANDE)
    )

    _, requetes_petit = mesurer(personne, reverse("groupes:reunions", args=[petit.pk]))
    reponse, requetes_grand = mesurer(personne, reverse("groupes:reunions", args=[grand.pk]))

    assert_meme_nombre_de_requetes(requetes_petit, requetes_grand)
    contenu = reponse.content.decode()
    assert f"{GRANDE + 1} réunions" in contenu
    assert "Page 1 sur 2" in contenu
    # De la plus récente à la plus ancienne : l'annulée à venir, puis les 24 plus récentes.
    objets = [f"Réunion {i:02d}</a>" for i in range(1, GRANDE + 1)]
    assert affiches(contenu, objets) == objets[: PAR_PAGE - 1]
    valides = [i for i in range(1, PAR_PAGE) if i % 3]
    assert contenu.count("Validé (version 1)") == len(valides)
    brouillons = contenu.count("Brouillon")
    assert brouillons == (PAR_PAGE - 1 - len(valides) if role == "pilote" else 0)


# Fiche d'une réunion -------------------------------------------------------------------------


def reunion_chargee(conseil, taille, *, personne, role, etat):
    """Une réunion d'hier avec ``taille`` membres présents ou non, points et décisions, des
    convocations et deux participants extérieurs ; avant elle, ``taille`` réunions au
    compte rendu validé, chacune avec une décision encore ouverte (le « suivi »)."""
    groupe, appartenances = groupe_peuple(conseil, taille, personne=personne, role=role)
    auteur = UtilisateurFactory()
    membres = [a.utilisateur for a in appartenances]
    institution = appartenances[0].institution
    for i in range(1, taille + 1):
        precedente = ReunionFactory(groupe=groupe, cree_par=auteur, date=jour(-10 - i))
        decisions(
            precedente,
            1,
            porteurs=membres,
            institution=institution,
            prefixe=f"Suivi {i:02d} :",
            echeance=jour(-i),
        )
        valider(precedente, auteur)
    reunion = ReunionFactory(groupe=groupe, cree_par=auteur, date=jour(-1))
    ordre_du_jour(reunion, taille)
    presences(reunion, appartenances)
    ParticipantExterieur.objects.bulk_create(
        ParticipantExterieur(reunion=reunion, nom=f"Invité {i}", institution="Association")
        for i in (1, 2)
    )
    Convocation.objects.bulk_create(
        Convocation(
            reunion=reunion,
            destinataire=membre,
            type=Convocation.Type.CONVOCATION,
            sequence=0,
            envoyee_par=auteur,
        )
        for membre in membres
    )
    decisions(reunion, taille, porteurs=membres, institution=institution, echeance=jour(30))
    if etat == "valide":
        valider(reunion, auteur)
    else:
        rediger(reunion, auteur)
    return reunion


@pytest.mark.parametrize(
    ("role", "etat"),
    [
        (Appartenance.Role.MEMBRE, "valide"),
        (Appartenance.Role.PILOTE, "valide"),
        (Appartenance.Role.PILOTE, "brouillon"),
    ],
)
def test_fiche_de_la_reunion(conseil, mesurer, role, etat):
    personne = UtilisateurFactory()
    petite, grande = (
        reunion_chargee(conseil, taille, personne=personne, role=role, etat=etat)
        for taille in (PETITE, GRANDE)
    )

    _, requetes_petite = mesurer(personne, reverse("groupes:reunion_detail", args=[petite.pk]))
    reponse, requetes_grande = mesurer(
        personne, reverse("groupes:reunion_detail", args=[grande.pk])
    )

    assert_meme_nombre_de_requetes(requetes_petite, requetes_grande)
    contenu = reponse.content.decode()
    suivi = [f"Suivi {i:02d} : 01" for i in range(1, GRANDE + 1)]
    assert affiches(contenu, suivi) == suivi
    assert contenu.count("(en retard)") == GRANDE
    points = [f"Point {i:02d}" for i in range(1, GRANDE + 1)]
    assert affiches(contenu, points) == points
    assert f"Notes du point {GRANDE:02d}" in contenu
    assert f"Décision {GRANDE:02d}" in contenu
    assert contenu.count("Membre Numero") >= GRANDE
    assert "Invité 2 (Association)" in contenu
    if role == "pilote":
        assert contenu.count("<td>Convocation</td>") == GRANDE + 1
    if etat == "brouillon":
        assert contenu.count(">modifier<") == GRANDE


# Mes décisions -------------------------------------------------------------------------------


def personne_aux_decisions(conseil, taille):
    """Une personne qui porte ``taille`` décisions actées, dans deux groupes et autant de
    réunions ; la moitié en retard. Une décision d'un compte rendu en brouillon ne compte pas."""
    personne = UtilisateurFactory()
    groupes = [groupe_peuple(conseil, 1, personne=personne)[0] for _ in range(2)]
    auteur = UtilisateurFactory()
    for i in range(1, taille + 1):
        reunion = ReunionFactory(groupe=groupes[i % 2], cree_par=auteur, date=jour(-i))
        Decision.objects.create(
            reunion=reunion,
            libelle=f"Ma décision {i:02d}",
            porteur=personne,
            echeance=jour(-1 if i % 2 else 10),
        )
        valider(reunion, auteur)
    brouillon = ReunionFactory(groupe=groupes[0], cree_par=auteur, date=jour(0))
    Decision.objects.create(reunion=brouillon, libelle="Pas encore actée", porteur=personne)
    rediger(brouillon, auteur)
    return personne


def test_mes_decisions(conseil, mesurer):
    petite, grande = (personne_aux_decisions(conseil, taille) for taille in (PETITE, 40))

    _, requetes_petite = mesurer(petite, reverse("groupes:mes_decisions"))
    reponse, requetes_grande = mesurer(grande, reverse("groupes:mes_decisions"))

    assert_meme_nombre_de_requetes(requetes_petite, requetes_grande, tailles=(PETITE, 40))
    contenu = reponse.content.decode()
    assert "40 décisions" in contenu
    assert "Pas encore actée" not in contenu
    # Les 20 en retard d'abord (échéance hier), puis 5 des 20 à venir.
    assert contenu.count("(en retard)") == 20
    en_retard = [f"Ma décision {i:02d}" for i in range(1, 41, 2)]
    assert affiches(contenu, en_retard) == en_retard


# Flux du calendrier --------------------------------------------------------------------------


def personne_au_calendrier(conseil, taille):
    """Une personne de deux groupes, ``taille`` réunions à venir ou récentes (une sur cinq
    annulée), chacune avec trois points ; et une réunion trop ancienne pour le flux."""
    personne = UtilisateurFactory()
    groupes = [groupe_peuple(conseil, 1, personne=personne)[0] for _ in range(2)]
    auteur = UtilisateurFactory()
    reunions = Reunion.objects.bulk_create(
        Reunion(
            groupe=groupes[i % 2],
            objet=f"Réunion du calendrier {i:02d}",
            date=jour(i - taille // 2),
            heure_debut=datetime.time(14),
            heure_fin=datetime.time(16),
            lieu="Mairie",
            cree_par=auteur,
            annulee_le=timezone.now() if i % 5 == 0 else None,
        )
        for i in range(1, taille + 1)
    )
    for reunion in reunions:
        ordre_du_jour(reunion, 3)
    ReunionFactory(groupe=groupes[0], cree_par=auteur, date=jour(-200), objet="Trop ancienne")
    return personne, services.jeton_calendrier_renouveler(personne).jeton


def test_flux_du_calendrier(conseil, mesurer):
    (_, petit), (_, grand) = (
        personne_au_calendrier(conseil, taille) for taille in (PETITE, GRANDE)
    )

    _, requetes_petit = mesurer(None, reverse("groupes:calendrier_flux", args=[petit]))
    reponse, requetes_grand = mesurer(None, reverse("groupes:calendrier_flux", args=[grand]))

    assert_meme_nombre_de_requetes(requetes_petit, requetes_grand)
    evenements = icalendar.Calendar.from_ical(reponse.content).walk("VEVENT")
    assert len(evenements) == GRANDE
    assert sum(e["STATUS"] == "CANCELLED" for e in evenements) == GRANDE // 5
    assert all("3. Point 03" in e["DESCRIPTION"] for e in evenements)


# PDF du compte rendu -------------------------------------------------------------------------


def test_pdf_du_compte_rendu(conseil, mesurer):
    personne = UtilisateurFactory()
    petite, grande = (
        reunion_chargee(conseil, taille, personne=personne, role="membre", etat="valide")
        for taille in (PETITE, GRANDE)
    )

    def url(reunion):
        return reverse("groupes:compte_rendu_pdf", args=[reunion.pk, 1])

    _, requetes_petite = mesurer(personne, url(petite))
    reponse, requetes_grande = mesurer(personne, url(grande))

    assert_meme_nombre_de_requetes(requetes_petite, requetes_grande)
    assert reponse["Content-Type"] == "application/pdf"
    texte = " ".join(
        " ".join(
            page.extract_text() for page in PdfReader(io.BytesIO(reponse.content)).pages
        ).split()
    )
    assert f"Décision {GRANDE:02d}" in texte
    assert f"Suivi {GRANDE:02d} : 01" in texte
