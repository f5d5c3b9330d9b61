"""Les vues des réunions, par le client de test : planifier et modifier l'ordre du jour,
convoquer, annuler, noter les présences, rédiger et valider le compte rendu, le corriger, le
télécharger en PDF, suivre ses décisions, s'abonner au calendrier.

Une saisie refusée affiche l'erreur française à côté de son champ et n'écrit rien ; un
compte rendu validé refuse toute modification avec le message du service. Les 404 par
persona sont dans ``tests/test_permissions.py``, les règles des services dans
``test_services_reunions.py``.
"""

import datetime
import io
import re
from types import SimpleNamespace

import icalendar
import pytest
from django.core import mail
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.html import escape
from pypdf import PdfReader

from groupes import services
from groupes.models import (
    CompteRendu,
    Convocation,
    Decision,
    ParticipantExterieur,
    PointOrdreDuJour,
    Presence,
    Reunion,
)
from tests.factories import InstitutionFactory, PointFactory, ReunionFactory
from tests.groupes.test_views import CHOIX_INVALIDE, erreur_du_champ, ligne

pytestmark = pytest.mark.django_db

VERROU = "Le compte rendu est validé : il ne peut plus être modifié."


def jour(decalage=0):
    return timezone.localdate() + datetime.timedelta(days=decalage)


def trop_long(longueur):
    return (
        f"Assurez-vous que cette valeur comporte au plus {longueur} caractères "
        f"(actuellement {longueur + 1})."
    )


def nommer(utilisateur, prenom, nom):
    """Un nom fixe (et non tiré par Faker) pour chercher la personne dans une page ou un PDF."""
    utilisateur.first_name, utilisateur.last_name = prenom, nom
    utilisateur.save(update_fields=["first_name", "last_name"])
    return utilisateur


def sans_doublon(reponse, champ):
    """Les erreurs affichées sous le champ, qui ne répètent pas deux fois le même message."""
    erreurs = re.findall(
        rf'id="error_\d+_id_{champ}"><strong>(.*?)</strong>', reponse.content.decode()
    )
    assert len(erreurs) == len(set(erreurs)), f"message répété sous {champ} : {erreurs}"
    return erreurs


def etat_de_la_base():
    """Le nombre d'objets de chaque modèle des réunions : une saisie refusée n'y change rien."""
    modeles = (
        Reunion,
        PointOrdreDuJour,
        Convocation,
        Presence,
        ParticipantExterieur,
        CompteRendu,
        Decision,
    )
    return {modele.__name__: modele.objects.count() for modele in modeles}


def erreurs_generales(reponse):
    """Le texte des erreurs qui ne visent aucun champ (bandeaux d'alerte)."""
    blocs = re.findall(
        r'<div class="alert[^"]*alert-danger[^"]*"[^>]*>(.*?)</div>', reponse.content.decode(), re.S
    )
    return " ".join(re.sub(r"<[^>]+>", " ", bloc) for bloc in blocs)


def gestion(prefixe, total, initiales=0):
    return {
        f"{prefixe}-TOTAL_FORMS": str(total),
        f"{prefixe}-INITIAL_FORMS": str(initiales),
        f"{prefixe}-MIN_NUM_FORMS": "0",
        f"{prefixe}-MAX_NUM_FORMS": "50",
    }


def formulaire_reunion(points, *, initiales=0, **champs):
    """Les données du formulaire de réunion ; ``points`` : un dict par ligne de l'ordre du
    jour (``titre``, ``description``, ``ORDER``, ``DELETE`` à True pour cocher)."""
    donnees = {
        "objet": "Réunion de rentrée",
        "date": jour(7).isoformat(),
        "heure_debut": "14:00",
        "heure_fin": "16:00",
        "lieu": "Mairie, salle du conseil",
        "lien_visio": "",
        **gestion("points", len(points), initiales),
    }
    for index, point in enumerate(points):
        for cle, valeur in point.items():
            if cle == "DELETE":
                if valeur:
                    donnees[f"points-{index}-DELETE"] = "on"
            else:
                donnees[f"points-{index}-{cle}"] = valeur
    donnees.update(champs)
    return donnees


def titres(reunion):
    return list(reunion.points.order_by("ordre").values_list("ordre", "titre"))


def planifier(groupe, auteur, decalage=7, intitules=("Tour de table", "Situation du quartier")):
    return services.reunion_planifier(
        groupe=groupe,
        auteur=auteur,
        objet="Réunion mensuelle",
        date=jour(decalage),
        heure_debut=datetime.time(14),
        heure_fin=datetime.time(16),
        lieu="Mairie",
        points=[{"titre": titre} for titre in intitules],
    )


@pytest.fixture
def reunion_passee(groupe, pilote, membre):
    """Hier, deux points à l'ordre du jour, le pilote et un membre dans le groupe."""
    reunion = ReunionFactory(
        groupe=groupe, cree_par=pilote, date=jour(-1), objet="Réunion de suivi"
    )
    PointFactory(reunion=reunion, ordre=1, titre="Tour de table")
    PointFactory(reunion=reunion, ordre=2, titre="Rodéos urbains")
    return reunion


def appartenance(groupe, utilisateur):
    return groupe.appartenances.get(utilisateur=utilisateur, date_fin__isnull=True)


@pytest.fixture
def reunion_validee(reunion_passee, groupe, pilote, membre, institution):
    """Un compte rendu complet et validé (version 1), écrit par les services."""
    nommer(membre, "Camille", "Martin")
    nommer(pilote, "Dominique", "Bernard")
    reunion = reunion_passee
    services.presences_enregistrer(
        reunion,
        auteur=pilote,
        presences=[
            (appartenance(groupe, pilote), Presence.Statut.PRESENT, ""),
            (appartenance(groupe, membre), Presence.Statut.REPRESENTE, "Léa Petit"),
        ],
        participants_exterieurs=[("Jean Durand", "Bailleur social Habitat")],
    )
    tour, rodeos = reunion.points.order_by("ordre")
    services.compte_rendu_enregistrer(
        reunion,
        auteur=pilote,
        synthese="Synthèse de la version une.",
        notes={tour: "Chacun présente son actualité.", rodeos: "Trois signalements en mai."},
    )
    services.decision_ajouter(
        reunion,
        auteur=pilote,
        libelle="Réunir les bailleurs",
        porteur=membre,
        echeance=jour(20),
        statut=Decision.Statut.A_FAIRE,
    )
    services.decision_ajouter(
        reunion,
        auteur=pilote,
        libelle="Installer des ralentisseurs",
        institution_porteuse=institution,
        statut=Decision.Statut.EN_COURS,
    )
    services.compte_rendu_valider(reunion, auteur=pilote)
    return reunion


def url(nom, *args):
    return reverse(f"groupes:{nom}", args=args)


# Planifier et modifier une réunion ---------------------------------------------------------


def test_planifier_une_reunion_dans_l_ordre_choisi(client, pilote, groupe):
    client.force_login(pilote)
    assert client.get(url("reunion_creer", groupe.pk)).status_code == 200

    reponse = client.post(
        url("reunion_creer", groupe.pk),
        formulaire_reunion(
            [
                {"titre": "Tour de table", "ORDER": "2"},
                {"titre": "Bilan des rodéos", "description": "Chiffres de la police", "ORDER": "3"},
                {"titre": "Accueil des nouveaux membres", "ORDER": "1"},
                {"titre": "", "description": "", "ORDER": ""},  # ligne laissée vide
            ]
        ),
    )

    reunion = Reunion.objects.get()
    assert reponse.status_code == 302
    assert reponse["Location"] == url("reunion_detail", reunion.pk)
    assert (reunion.groupe, reunion.cree_par, reunion.objet) == (
        groupe,
        pilote,
        "Réunion de rentrée",
    )
    assert titres(reunion) == [
        (1, "Accueil des nouveaux membres"),
        (2, "Tour de table"),
        (3, "Bilan des rodéos"),
    ]
    assert reunion.points.get(ordre=3).description == "Chiffres de la police"
    page = client.get(reponse["Location"]).content.decode()
    assert "La réunion est planifiée." in page
    assert page.index("Accueil des nouveaux membres") < page.index("Bilan des rodéos")


def test_modifier_reordonne_et_retire_des_points(client, pilote, groupe):
    reunion = planifier(groupe, pilote, intitules=("Tour de table", "Bilan", "Prévention"))
    tour, bilan, prevention = reunion.points.order_by("ordre")
    client.force_login(pilote)
    page = client.get(url("reunion_modifier", reunion.pk)).content.decode()
    assert 'value="Prévention"' in page

    reponse = client.post(
        url("reunion_modifier", reunion.pk),
        formulaire_reunion(
            [
                {"titre": "Tour de table", "ORDER": "1", "DELETE": True},
                {"titre": "Bilan", "ORDER": "3"},
                {"titre": "Prévention des rixes", "ORDER": "1"},
                {"titre": "Questions diverses", "ORDER": "4"},
            ],
            initiales=3,
            objet="Réunion déplacée",
        ),
    )

    assert reponse.status_code == 302
    reunion.refresh_from_db()
    assert reunion.objet == "Réunion déplacée"
    assert titres(reunion) == [(1, "Prévention des rixes"), (2, "Bilan"), (3, "Questions diverses")]
    # Les points gardés restent les mêmes objets (leurs notes les suivent) ; le retiré disparaît.
    assert reunion.points.get(ordre=1).pk == prevention.pk
    assert reunion.points.get(ordre=2).pk == bilan.pk
    assert not PointOrdreDuJour.objects.filter(pk=tour.pk).exists()


REFUS_DE_PLANIFICATION = {
    "point-sans-intitule": (
        {"points": [{"titre": "", "description": "Des précisions sans intitulé"}]},
        "points-0-titre",
        "Ce champ est obligatoire.",
    ),
    "date-passee": (
        {"date": jour(-1).isoformat()},
        "date",
        "Une nouvelle réunion se planifie dans le futur.",
    ),
    "date-invalide": ({"date": "31/02/2026"}, "date", "Saisissez une date valide."),
    "fin-avant-debut": (
        {"heure_debut": "16:00", "heure_fin": "15:00"},
        "heure_fin",
        "L'heure de fin doit suivre l'heure de début.",
    ),
    "ni-lieu-ni-lien": (
        {"lieu": "", "lien_visio": ""},
        "lieu",
        "Indiquez un lieu ou un lien de visioconférence.",
    ),
    "lien-qui-n-est-pas-une-adresse": (
        {"lien_visio": "javascript:alert(1)"},
        "lien_visio",
        "Saisissez une URL valide.",
    ),
    "objet-trop-long": ({"objet": "x" * 201}, "objet", trop_long(200)),
    "intitule-trop-long": ({"points": [{"titre": "x" * 301}]}, "points-0-titre", trop_long(300)),
    "precisions-trop-longues": (
        {"points": [{"titre": "Bilan", "description": "x" * 2001}]},
        "points-0-description",
        trop_long(2000),
    ),
    "ordre-illisible": (
        {"points": [{"titre": "Bilan", "ORDER": "premier"}]},
        "points-0-ORDER",
        "Saisissez un nombre entier.",
    ),
    "ordre-demesure": (
        {"points": [{"titre": "Bilan", "ORDER": "9" * 5000}]},
        "points-0-ORDER",
        "Saisissez un nombre entier.",
    ),
}


@pytest.mark.parametrize(
    ("champs", "champ", "message"),
    REFUS_DE_PLANIFICATION.values(),
    ids=REFUS_DE_PLANIFICATION.keys(),
)
def test_planifier_refuse(client, pilote, groupe, champs, champ, message):
    champs = dict(champs)  # les paramètres sont partagés : ne pas les modifier sur place
    points = champs.pop("points", [{"titre": "Tour de table"}])
    avant = etat_de_la_base()
    client.force_login(pilote)

    reponse = client.post(url("reunion_creer", groupe.pk), formulaire_reunion(points, **champs))

    assert reponse.status_code == 200
    assert erreur_du_champ(reponse, champ) == escape(message)
    sans_doublon(reponse, champ)
    assert etat_de_la_base() == avant


@pytest.mark.parametrize(
    ("gestion_falsifiee", "message"),
    [
        (gestion("points", 51), "Veuillez soumettre au plus 50 formulaires."),
        ({}, "Des données du formulaire ManagementForm sont manquantes ou ont été manipulées."),
    ],
    ids=["un-de-trop", "sans-formulaire-de-gestion"],
)
def test_planifier_refuse_un_formulaire_de_gestion_falsifie(
    client, pilote, groupe, gestion_falsifiee, message
):
    donnees = formulaire_reunion([{"titre": "Tour de table"}])
    for cle in gestion("points", 0):
        del donnees[cle]
    avant = etat_de_la_base()
    client.force_login(pilote)

    reponse = client.post(url("reunion_creer", groupe.pk), {**donnees, **gestion_falsifiee})

    assert reponse.status_code == 200
    assert escape(message) in reponse.content.decode()
    assert etat_de_la_base() == avant


def test_modifier_refuse_un_ordre_illisible_sans_rien_changer(client, pilote, groupe):
    reunion = planifier(groupe, pilote)
    client.force_login(pilote)

    reponse = client.post(
        url("reunion_modifier", reunion.pk),
        formulaire_reunion(
            [
                {"titre": "Tour de table", "ORDER": "2"},
                {"titre": "Situation", "ORDER": "un"},
            ],
            initiales=2,
            objet="Objet qui ne doit pas passer",
        ),
    )

    assert reponse.status_code == 200
    assert erreur_du_champ(reponse, "points-1-ORDER") == "Saisissez un nombre entier."
    reunion.refresh_from_db()
    assert reunion.objet == "Réunion mensuelle"
    assert titres(reunion) == [(1, "Tour de table"), (2, "Situation du quartier")]


def test_modifier_avec_un_initial_forms_falsifie_garde_les_points(client, pilote, groupe):
    # Régression : INITIAL_FORMS à 0 faisait des points existants des lignes facultatives,
    # sans cleaned_data, et la vue répondait 500.
    reunion = planifier(groupe, pilote)
    client.force_login(pilote)

    reponse = client.post(
        url("reunion_modifier", reunion.pk),
        formulaire_reunion(
            [{"titre": "Tour de table", "description": ""}, {"titre": "", "description": ""}],
            initiales=0,
        ),
    )

    assert reponse.status_code == 200
    assert erreur_du_champ(reponse, "points-1-titre") == "Ce champ est obligatoire."
    assert titres(reunion) == [(1, "Tour de table"), (2, "Situation du quartier")]


@pytest.mark.parametrize("ordre", ["0", "-3", "9" * 30])
def test_un_ordre_hors_bornes_ne_fait_que_ranger_les_points(client, pilote, groupe, ordre):
    client.force_login(pilote)

    reponse = client.post(
        url("reunion_creer", groupe.pk),
        formulaire_reunion(
            [
                {"titre": "Premier", "ORDER": "1"},
                {"titre": "Hors bornes", "ORDER": ordre},
                {"titre": "Dernier", "ORDER": "2"},
            ]
        ),
    )

    # Le numéro d'ordre ne sert qu'à trier : la base reçoit 1, 2, 3.
    assert reponse.status_code == 302
    attendu = {
        "0": ["Premier", "Hors bornes", "Dernier"],  # 0 : la place de la ligne
        "-3": ["Hors bornes", "Premier", "Dernier"],
        "9" * 30: ["Premier", "Dernier", "Hors bornes"],
    }[ordre]
    assert titres(Reunion.objects.get()) == list(enumerate(attendu, start=1))


# Convoquer et annuler ----------------------------------------------------------------------


def test_convoquer_envoie_une_invitation_a_chaque_membre(
    client, pilote, membre, groupe, institution, django_capture_on_commit_callbacks
):
    nommer(membre, "Camille", "Martin")
    reunion = planifier(groupe, pilote)
    client.force_login(pilote)

    page = client.get(url("reunion_convoquer", reunion.pk)).content.decode()
    assert "<li>Camille Martin (Commissariat de Testville)</li>" in page
    assert f"<li>{escape(pilote)} (Commissariat de Testville)</li>" in page

    with django_capture_on_commit_callbacks(execute=True):
        reponse = client.post(url("reunion_convoquer", reunion.pk))

    assert reponse.status_code == 302
    assert reponse["Location"] == url("reunion_detail", reunion.pk)
    assert sorted(courriel.to for courriel in mail.outbox) == [[membre.email], [pilote.email]]
    for courriel in mail.outbox:
        ((nom, contenu, type_mime),) = courriel.attachments
        assert (nom, type_mime) == ("invitation.ics", "text/calendar; method=REQUEST")
        (evenement,) = icalendar.Calendar.from_ical(contenu).walk("VEVENT")
        assert evenement["UID"] == f"{reunion.uid}@clspd"
    assert Convocation.objects.filter(reunion=reunion).count() == 2
    detail = client.get(reponse["Location"])
    assert "La convocation est envoyée aux membres du groupe." in detail.content.decode()
    assert "<td>Convocation</td>" in ligne(detail, "Camille Martin")


def test_convoquer_sans_ordre_du_jour_est_refuse(client, pilote, membre, groupe):
    reunion = planifier(groupe, pilote, intitules=())
    client.force_login(pilote)

    reponse = client.post(url("reunion_convoquer", reunion.pk))

    assert reponse.status_code == 200
    assert escape("Rédigez l'ordre du jour avant d'envoyer la convocation.") in erreurs_generales(
        reponse
    )
    assert mail.outbox == []
    assert not Convocation.objects.exists()


def test_annuler_previent_les_convoques(
    client, pilote, membre, groupe, django_capture_on_commit_callbacks
):
    reunion = planifier(groupe, pilote)
    with django_capture_on_commit_callbacks(execute=True):
        services.reunion_convoquer(reunion, auteur=pilote, base_url="http://testserver")
    mail.outbox.clear()
    client.force_login(pilote)
    assert client.get(url("reunion_annuler", reunion.pk)).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        reponse = client.post(url("reunion_annuler", reunion.pk))

    assert reponse.status_code == 302
    reunion.refresh_from_db()
    assert reunion.est_annulee
    assert len(mail.outbox) == 2
    calendrier = icalendar.Calendar.from_ical(mail.outbox[0].attachments[0][1])
    assert calendrier["METHOD"] == "CANCEL"
    page = client.get(reponse["Location"]).content.decode()
    assert "Cette réunion a été annulée le" in page
    assert "Envoyer la convocation" not in page

    # Une seconde annulation est refusée, sans nouvel envoi.
    reponse = client.post(url("reunion_annuler", reunion.pk))
    assert reponse.status_code == 200
    assert "Cette réunion est annulée." in erreurs_generales(reponse)
    assert Convocation.objects.filter(type=Convocation.Type.ANNULATION).count() == 2


def test_une_reunion_passee_ne_s_annule_plus(client, pilote, reunion_passee):
    client.force_login(pilote)

    reponse = client.post(url("reunion_annuler", reunion_passee.pk))

    assert reponse.status_code == 200
    assert escape("Une réunion commencée ou passée ne s'annule plus.") in erreurs_generales(reponse)
    reunion_passee.refresh_from_db()
    assert not reunion_passee.est_annulee


# Présences, compte rendu, décisions, validation -------------------------------------------


def presences_donnees(groupe, statuts, exterieurs=(), deja_notes=0):
    """``statuts`` : {utilisateur: (statut, represente_par)} ; ``exterieurs`` : [(nom,
    institution)], dont les ``deja_notes`` premiers sont déjà enregistrés ; une ligne vide
    en plus, comme sur la page."""
    donnees = {}
    for utilisateur, (statut, represente_par) in statuts.items():
        prefixe = f"membre-{appartenance(groupe, utilisateur).pk}"
        donnees[f"{prefixe}-statut"] = statut
        donnees[f"{prefixe}-represente_par"] = represente_par
    donnees.update(gestion("exterieurs", len(exterieurs) + 1, deja_notes))
    for index, (nom, institution) in enumerate(exterieurs):
        donnees[f"exterieurs-{index}-nom"] = nom
        donnees[f"exterieurs-{index}-institution"] = institution
    return donnees


def decision_donnees(**champs):
    return {
        "libelle": "Réunir les bailleurs",
        "porteur": "",
        "institution_porteuse": "",
        "echeance": "",
        "statut": Decision.Statut.A_FAIRE,
        **champs,
    }


def test_du_compte_rendu_redige_a_sa_validation(
    client, coordonnateur, pilote, membre, groupe, institution, reunion_passee
):
    nommer(membre, "Camille", "Martin")
    reunion = reunion_passee
    tour, rodeos = reunion.points.order_by("ordre")
    client.force_login(pilote)

    reponse = client.post(
        url("presences", reunion.pk),
        presences_donnees(
            groupe,
            {membre: ("present", ""), pilote: ("represente", "Léa Petit")},
            exterieurs=[("Jean Durand", "Bailleur social Habitat")],
        ),
    )
    assert reponse.status_code == 302
    assert set(reunion.presences.values_list("appartenance__utilisateur", "statut")) == {
        (membre.pk, "present"),
        (pilote.pk, "represente"),
    }
    assert reunion.presences.get(statut="represente").represente_par == "Léa Petit"
    assert list(reunion.participants_exterieurs.values_list("nom", "institution")) == [
        ("Jean Durand", "Bailleur social Habitat")
    ]

    reponse = client.post(
        url("compte_rendu_modifier", reunion.pk),
        {
            "synthese": "Synthèse encore provisoire.",
            f"notes_{tour.pk}": "Chacun présente son actualité.",
            f"notes_{rodeos.pk}": "Trois signalements en mai.",
        },
    )
    assert reponse.status_code == 302
    rodeos.refresh_from_db()
    assert rodeos.notes == "Trois signalements en mai."

    for donnees in (
        decision_donnees(porteur=membre.pk, echeance=jour(20).isoformat()),
        decision_donnees(
            libelle="Installer des ralentisseurs",
            institution_porteuse=institution.pk,
            statut=Decision.Statut.EN_COURS,
        ),
    ):
        assert client.post(url("decision_ajouter", reunion.pk), donnees).status_code == 302
    assert reunion.decisions.count() == 2

    # Le brouillon : visible du pilote et du coordonnateur, pas des membres.
    detail = url("reunion_detail", reunion.pk)
    for redacteur in (pilote, coordonnateur):
        client.force_login(redacteur)
        page = client.get(detail).content.decode()
        assert "Synthèse encore provisoire." in page
        assert "brouillon</strong>, visible du pilote et du coordonnateur seulement" in page
    client.force_login(membre)
    page = client.get(detail).content.decode()
    assert "Le compte rendu n'est pas encore validé." in page
    for confidentiel in ("Synthèse encore provisoire.", "Trois signalements", "Réunir les"):
        assert confidentiel not in page

    client.force_login(pilote)
    assert client.get(url("compte_rendu_valider", reunion.pk)).status_code == 200
    reponse = client.post(url("compte_rendu_valider", reunion.pk))
    assert reponse.status_code == 302
    compte_rendu = reunion.comptes_rendus.get()
    assert (compte_rendu.statut, compte_rendu.version, compte_rendu.valide_par) == (
        CompteRendu.Statut.VALIDE,
        1,
        pilote,
    )

    client.force_login(membre)
    reponse = client.get(detail)
    page = reponse.content.decode()
    assert "Synthèse encore provisoire." in page
    assert "Trois signalements en mai." in page
    assert "Version 1 —" in page
    assert url("compte_rendu_pdf", reunion.pk, 1) in page
    assert "Présent(e)" in ligne(reponse, "Camille Martin")
    assert "Représenté(e)" in ligne(reponse, "Léa Petit")
    assert "Jean Durand (Bailleur social Habitat)" in page
    releve = ligne(reponse, "Réunir les bailleurs")
    assert "Camille Martin" in releve
    assert jour(20).strftime("%d/%m/%Y") in releve
    assert "À faire" in releve
    assert "Commissariat de Testville" in ligne(reponse, "Installer des ralentisseurs")
    # Le membre lit, il n'a pas les actions du pilote.
    assert f'href="{url("compte_rendu_modifier", reunion.pk)}"' not in page


def _premiere_decision(m):
    return m.reunion.decisions.order_by("pk").first().pk


# Chaque page d'écriture du compte rendu, une fois celui-ci validé : (URL, données du POST),
# d'après ``m`` (reunion, groupe, pilote, membre).
ECRITURES_APRES_VALIDATION = {
    "compte_rendu_modifier": lambda m: (
        url("compte_rendu_modifier", m.reunion.pk),
        {"synthese": "Réécrite après coup"},
    ),
    "presences": lambda m: (
        url("presences", m.reunion.pk),
        presences_donnees(
            m.groupe,
            dict.fromkeys((m.pilote, m.membre), ("absent", "")),
            exterieurs=[("Jean Durand", "Bailleur social Habitat")],
            deja_notes=1,
        ),
    ),
    "decision_ajouter": lambda m: (
        url("decision_ajouter", m.reunion.pk),
        decision_donnees(libelle="Ajoutée après coup", porteur=m.membre.pk),
    ),
    "decision_modifier": lambda m: (
        url("decision_modifier", _premiere_decision(m)),
        decision_donnees(libelle="Modifiée après coup", porteur=m.membre.pk),
    ),
    "decision_supprimer": lambda m: (url("decision_supprimer", _premiere_decision(m)), {}),
    "compte_rendu_valider": lambda m: (url("compte_rendu_valider", m.reunion.pk), {}),
    "reunion_modifier": lambda m: (
        url("reunion_modifier", m.reunion.pk),
        formulaire_reunion(
            [{"titre": "Tour de table"}, {"titre": "Réécrit"}],
            initiales=2,
            date=m.reunion.date.isoformat(),
        ),
    ),
}


@pytest.mark.parametrize("page", ECRITURES_APRES_VALIDATION)
def test_un_compte_rendu_valide_ne_se_modifie_plus(
    client, pilote, membre, groupe, reunion_validee, page
):
    m = SimpleNamespace(reunion=reunion_validee, groupe=groupe, pilote=pilote, membre=membre)
    adresse, donnees = ECRITURES_APRES_VALIDATION[page](m)
    avant = etat_de_la_base()
    decisions = list(Decision.objects.values_list("libelle", "porteur", "statut"))
    client.force_login(pilote)

    reponse = client.post(adresse, donnees)

    assert reponse.status_code == 200
    assert VERROU in erreurs_generales(reponse)
    assert etat_de_la_base() == avant
    assert list(Decision.objects.values_list("libelle", "porteur", "statut")) == decisions
    assert reunion_validee.comptes_rendus.get().synthese == "Synthèse de la version une."
    assert list(reunion_validee.points.values_list("titre", flat=True)) == [
        "Tour de table",
        "Rodéos urbains",
    ]
    assert set(reunion_validee.presences.values_list("statut", flat=True)) == {
        "present",
        "represente",
    }


def test_la_page_d_un_compte_rendu_valide_n_offre_plus_que_la_correction(
    client, pilote, reunion_validee
):
    client.force_login(pilote)

    page = client.get(url("reunion_detail", reunion_validee.pk)).content.decode()

    assert url("compte_rendu_corriger", reunion_validee.pk) in page
    for action in ("compte_rendu_modifier", "presences", "decision_ajouter", "reunion_modifier"):
        assert f'href="{url(action, reunion_validee.pk)}"' not in page


def refus_du_compte_rendu(groupe, reunion, pilote, membre, etranger, institution_d_ailleurs):
    """Chaque refus : (nom de l'URL, données du POST, champ, message)."""
    point = reunion.points.order_by("ordre").first()
    pk_membre = appartenance(groupe, membre).pk

    def presences(statut, represente_par="", exterieurs=()):
        return presences_donnees(
            groupe,
            {pilote: ("present", ""), membre: (statut, represente_par)},
            exterieurs=exterieurs,
        )

    return {
        "synthese-trop-longue": (
            "compte_rendu_modifier",
            {"synthese": "x" * 20001},
            "synthese",
            trop_long(20000),
        ),
        "notes-trop-longues": (
            "compte_rendu_modifier",
            {"synthese": "Courte", f"notes_{point.pk}": "x" * 20001},
            f"notes_{point.pk}",
            trop_long(20000),
        ),
        "porteur-inconnu": (
            "decision_ajouter",
            decision_donnees(porteur="999999"),
            "porteur",
            CHOIX_INVALIDE,
        ),
        "porteur-d-un-autre-groupe": (
            "decision_ajouter",
            decision_donnees(porteur=etranger.pk),
            "porteur",
            CHOIX_INVALIDE,
        ),
        "deux-porteurs": (
            "decision_ajouter",
            decision_donnees(porteur=membre.pk, institution_porteuse=institution_d_ailleurs.pk),
            "institution_porteuse",
            CHOIX_INVALIDE,
        ),
        "sans-porteur": (
            "decision_ajouter",
            decision_donnees(),
            "porteur",
            "Choisissez un membre du groupe ou une institution partenaire.",
        ),
        "decision-trop-longue": (
            "decision_ajouter",
            decision_donnees(libelle="x" * 2001, porteur=membre.pk),
            "libelle",
            trop_long(2000),
        ),
        "statut-de-decision-inconnu": (
            "decision_ajouter",
            decision_donnees(porteur=membre.pk, statut="oubliee"),
            "statut",
            "Sélectionnez un choix valide. oubliee n’en fait pas partie.",
        ),
        "statut-de-presence-inconnu": (
            "presences",
            presences("en_vacances"),
            f"membre-{pk_membre}-statut",
            "Sélectionnez un choix valide. en_vacances n’en fait pas partie.",
        ),
        "sans-presence": (
            "presences",
            presences_donnees(groupe, {pilote: ("present", "")}),
            f"membre-{pk_membre}-statut",
            "Ce champ est obligatoire.",
        ),
        "represente-sans-representant": (
            "presences",
            presences("represente", "  "),
            f"membre-{pk_membre}-represente_par",
            "Indiquez qui représentait ce membre.",
        ),
        "exterieur-sans-institution": (
            "presences",
            presences("present", exterieurs=[("Jean Durand", "")]),
            "exterieurs-0-institution",
            "Ce champ est obligatoire.",
        ),
    }


@pytest.mark.parametrize(
    "cas",
    [
        "synthese-trop-longue",
        "notes-trop-longues",
        "porteur-inconnu",
        "porteur-d-un-autre-groupe",
        "deux-porteurs",
        "sans-porteur",
        "decision-trop-longue",
        "statut-de-decision-inconnu",
        "statut-de-presence-inconnu",
        "sans-presence",
        "represente-sans-representant",
        "exterieur-sans-institution",
    ],
)
def test_le_compte_rendu_refuse(client, pilote, membre, etranger, groupe, reunion_passee, cas):
    ailleurs = InstitutionFactory(nom="Institution d'un autre conseil")
    nom, donnees, champ, message = refus_du_compte_rendu(
        groupe, reunion_passee, pilote, membre, etranger, ailleurs
    )[cas]
    avant = etat_de_la_base()
    client.force_login(pilote)

    reponse = client.post(url(nom, reunion_passee.pk), donnees)

    assert reponse.status_code == 200
    assert erreur_du_champ(reponse, champ) == escape(message)
    sans_doublon(reponse, champ)
    assert etat_de_la_base() == avant
    assert not reunion_passee.points.exclude(notes="").exists()


def test_les_presences_refusent_trop_de_participants_exterieurs(client, pilote, membre, groupe):
    reunion = ReunionFactory(groupe=groupe, cree_par=pilote, date=jour(-1))
    donnees = presences_donnees(groupe, {membre: ("present", ""), pilote: ("present", "")})
    donnees.update(gestion("exterieurs", 51))
    client.force_login(pilote)

    reponse = client.post(url("presences", reunion.pk), donnees)

    # Rien n'est écrit. (Le message « au plus 50 formulaires » n'est pas encore affiché :
    # presences.html ne rend pas participants.non_form_errors.)
    assert reponse.status_code == 200
    assert not Presence.objects.exists()
    assert not CompteRendu.objects.exists()


def test_enregistrer_de_nouveau_les_presences_garde_les_participants_exterieurs(
    client, pilote, membre, groupe, reunion_passee
):
    # Régression : une ligne déjà enregistrée et renvoyée telle quelle était perdue.
    services.presences_enregistrer(
        reunion_passee,
        auteur=pilote,
        presences=[],
        participants_exterieurs=[("Jean Durand", "Bailleur social Habitat")],
    )
    client.force_login(pilote)
    page = client.get(url("presences", reunion_passee.pk)).content.decode()
    assert 'name="exterieurs-INITIAL_FORMS" value="1"' in page
    assert 'value="Jean Durand"' in page
    statuts = {pilote: ("present", ""), membre: ("excuse", "")}

    reponse = client.post(
        url("presences", reunion_passee.pk),
        presences_donnees(
            groupe,
            statuts,
            exterieurs=[
                ("Jean Durand", "Bailleur social Habitat"),
                ("Ana Lopes", "Mission locale"),
            ],
            deja_notes=1,
        ),
    )

    assert reponse.status_code == 302
    assert list(
        reunion_passee.participants_exterieurs.order_by("nom").values_list("nom", flat=True)
    ) == ["Ana Lopes", "Jean Durand"]

    # Cocher « Supprimer » retire la ligne, et elle seule.
    donnees = presences_donnees(
        groupe,
        statuts,
        exterieurs=[("Ana Lopes", "Mission locale"), ("Jean Durand", "Bailleur social Habitat")],
        deja_notes=2,
    )
    donnees["exterieurs-1-DELETE"] = "on"
    assert client.post(url("presences", reunion_passee.pk), donnees).status_code == 302
    assert list(reunion_passee.participants_exterieurs.values_list("nom", flat=True)) == [
        "Ana Lopes"
    ]


def test_le_compte_rendu_ne_se_redige_pas_avant_la_reunion(client, pilote, membre, groupe):
    reunion = planifier(groupe, pilote)
    client.force_login(pilote)

    reponse = client.post(
        url("presences", reunion.pk),
        presences_donnees(groupe, {membre: ("present", ""), pilote: ("present", "")}),
    )

    assert reponse.status_code == 200
    assert "Le compte rendu se rédige le jour de la réunion ou après." in erreurs_generales(reponse)
    assert not Presence.objects.exists()
    assert not CompteRendu.objects.exists()


# Correction et versions --------------------------------------------------------------------


def test_corriger_ouvre_une_nouvelle_version(client, pilote, membre, reunion_validee):
    reunion = reunion_validee
    client.force_login(pilote)
    assert client.get(url("compte_rendu_corriger", reunion.pk)).status_code == 200

    reponse = client.post(
        url("compte_rendu_corriger", reunion.pk),
        {"motif_correction": "Le nombre de signalements était faux."},
    )
    assert reponse.status_code == 302
    reponse = client.post(
        url("compte_rendu_modifier", reunion.pk), {"synthese": "Synthèse de la version deux."}
    )
    assert reponse.status_code == 302
    assert client.post(url("compte_rendu_valider", reunion.pk)).status_code == 302

    assert list(reunion.comptes_rendus.values_list("version", "statut")) == [
        (2, "valide"),
        (1, "valide"),
    ]
    client.force_login(membre)
    v1 = client.get(url("compte_rendu_version", reunion.pk, 1)).content.decode()
    assert "Synthèse de la version une." in v1
    assert "Synthèse de la version deux." not in v1
    v2 = client.get(url("compte_rendu_version", reunion.pk, 2)).content.decode()
    assert "Synthèse de la version deux." in v2
    assert "Synthèse de la version une." not in v2
    assert "Le nombre de signalements était faux." in v2
    detail = client.get(url("reunion_detail", reunion.pk)).content.decode()
    assert "Synthèse de la version deux." in detail
    assert url("compte_rendu_version", reunion.pk, 1) in detail
    # Une version qui n'existe pas (ou pas encore validée) : 404.
    assert client.get(url("compte_rendu_version", reunion.pk, 3)).status_code == 404


@pytest.mark.parametrize(
    ("motif", "message"),
    [
        ("", "Ce champ est obligatoire."),
        ("   ", "Ce champ est obligatoire."),
        ("x" * 2001, trop_long(2000)),
    ],
    ids=["vide", "blanc", "trop-long"],
)
def test_corriger_exige_un_motif(client, pilote, reunion_validee, motif, message):
    client.force_login(pilote)

    reponse = client.post(
        url("compte_rendu_corriger", reunion_validee.pk), {"motif_correction": motif}
    )

    assert reponse.status_code == 200
    assert erreur_du_champ(reponse, "motif_correction") == escape(message)
    assert reunion_validee.comptes_rendus.count() == 1


def test_un_brouillon_ne_se_corrige_pas(client, pilote, reunion_passee):
    services.compte_rendu_enregistrer(reunion_passee, auteur=pilote, synthese="Brouillon", notes={})
    client.force_login(pilote)

    reponse = client.post(
        url("compte_rendu_corriger", reunion_passee.pk), {"motif_correction": "Pourquoi pas"}
    )

    assert reponse.status_code == 200
    assert "Seul un compte rendu validé se corrige." in erreurs_generales(reponse)
    assert reunion_passee.comptes_rendus.count() == 1


# PDF ---------------------------------------------------------------------------------------


def texte_du_pdf(reponse):
    assert reponse.status_code == 200
    assert reponse["Content-Type"] == "application/pdf"
    lecteur = PdfReader(io.BytesIO(reponse.content))
    texte = " ".join(page.extract_text() for page in lecteur.pages)
    return " ".join(texte.split()), len(lecteur.pages)


def test_le_pdf_du_compte_rendu(client, membre, groupe, reunion_validee):
    reunion = reunion_validee
    compte_rendu = reunion.comptes_rendus.get()
    client.force_login(membre)

    reponse = client.get(url("compte_rendu_pdf", reunion.pk, 1))

    texte, pages = texte_du_pdf(reponse)
    assert reponse["Content-Disposition"] == (
        f'attachment; filename="compte-rendu-{reunion.date:%Y-%m-%d}-v1.pdf"'
    )
    assert reponse["Cache-Control"] == "private, no-store"
    with translation.override("fr"):
        date_longue = formats.date_format(reunion.date, "l j F Y")
    validation = timezone.localtime(compte_rendu.valide_le).strftime("%d/%m/%Y")
    attendus = [
        "CLSPD de Testville — Groupe jeunes de Testville",
        f"Compte rendu de la réunion du {date_longue}",
        "Réunion de suivi, de 14:00 à 16:00",
        f"Version 1, validée le {validation}",
        "par Dominique Bernard",
        # Présences : l'institution et le nom de chaque membre, le représentant.
        "Commissariat de Testville Camille Martin Représenté(e) par Léa Petit",
        "Commissariat de Testville Dominique Bernard Présent(e)",
        "Jean Durand (Bailleur social Habitat)",
        # Ordre du jour et notes.
        "Tour de table",
        "Chacun présente son actualité.",
        "Rodéos urbains",
        "Trois signalements en mai.",
        # Relevé de décisions, avec leur porteur.
        f"Réunir les bailleurs Camille Martin {jour(20):%d/%m/%Y} À faire",
        "Installer des ralentisseurs Commissariat de Testville — En cours",
        "Synthèse de la version une.",
        "L132-5",
        "Généré par Camille Martin",
        f"page 1 / {pages}",
    ]
    manquants = [attendu for attendu in attendus if attendu not in texte]
    assert not manquants, f"absents du PDF : {manquants}\n--- texte extrait :\n{texte}"


def test_le_pdf_d_une_version_corrigee_garde_son_texte(client, pilote, membre, reunion_validee):
    reunion = reunion_validee
    services.compte_rendu_corriger(reunion, auteur=pilote, motif="Coquille")
    services.compte_rendu_enregistrer(
        reunion, auteur=pilote, synthese="Synthèse de la version deux.", notes={}
    )
    services.compte_rendu_valider(reunion, auteur=pilote)
    client.force_login(membre)

    v1, _ = texte_du_pdf(client.get(url("compte_rendu_pdf", reunion.pk, 1)))
    v2, _ = texte_du_pdf(client.get(url("compte_rendu_pdf", reunion.pk, 2)))

    assert "Synthèse de la version une." in v1
    assert "Synthèse de la version deux." not in v1
    assert "Version 1," in v1
    assert "Synthèse de la version deux." in v2
    assert "Version 2," in v2
    assert "Motif de la correction : Coquille" in v2


# Mes décisions -----------------------------------------------------------------------------


@pytest.fixture
def decisions_du_membre(reunion_passee, pilote, membre):
    """Trois décisions actées que porte le membre : à venir, en retard, sans échéance."""
    reunion = reunion_passee
    services.compte_rendu_enregistrer(reunion, auteur=pilote, synthese="", notes={})
    decisions = {
        libelle: services.decision_ajouter(
            reunion, auteur=pilote, libelle=libelle, porteur=membre, echeance=echeance
        )
        for libelle, echeance in (
            ("Décision à venir", jour(30)),
            ("Décision en retard", jour(-3)),
            ("Décision sans échéance", None),
        )
    }
    services.compte_rendu_valider(reunion, auteur=pilote)
    return decisions


def test_mes_decisions_en_retard_d_abord(client, membre, decisions_du_membre):
    client.force_login(membre)

    reponse = client.get(url("mes_decisions"))

    page = reponse.content.decode()
    positions = [
        page.index(libelle)
        for libelle in ("Décision en retard", "Décision à venir", "Décision sans échéance")
    ]
    assert positions == sorted(positions)
    assert "(en retard)" in ligne(reponse, "Décision en retard")
    assert "(en retard)" not in ligne(reponse, "Décision à venir")
    assert "3 décisions" in page
    retard = decisions_du_membre["Décision en retard"]
    assert url("decision_suivre", retard.pk) in ligne(reponse, "Décision en retard")


def test_le_porteur_marque_sa_decision_faite(client, membre, decisions_du_membre):
    decision = decisions_du_membre["Décision en retard"]
    client.force_login(membre)
    assert client.get(url("decision_suivre", decision.pk)).status_code == 200

    reponse = client.post(
        url("decision_suivre", decision.pk),
        {"statut": Decision.Statut.FAITE, "commentaire": "Réunion tenue avec les bailleurs."},
    )

    assert reponse.status_code == 302
    assert reponse["Location"] == url("mes_decisions")
    decision.refresh_from_db()
    assert (decision.statut, decision.commentaire, decision.suivi_par) == (
        Decision.Statut.FAITE,
        "Réunion tenue avec les bailleurs.",
        membre,
    )
    suivante = client.get(reponse["Location"])
    rangee = ligne(suivante, "Décision en retard")
    assert "Faite" in rangee
    assert "(en retard)" not in rangee
    # Faite, elle passe après les décisions ouvertes.
    page = suivante.content.decode()
    assert page.index("Décision sans échéance") < page.index("Décision en retard")


def test_le_pilote_suit_une_decision_depuis_la_reunion(
    client, pilote, decisions_du_membre, reunion_passee
):
    decision = decisions_du_membre["Décision à venir"]
    client.force_login(pilote)

    reponse = client.post(
        url("decision_suivre", decision.pk),
        {"statut": Decision.Statut.EN_COURS, "commentaire": ""},
    )

    assert reponse.status_code == 302
    assert reponse["Location"] == url("reunion_detail", reunion_passee.pk)
    decision.refresh_from_db()
    assert (decision.statut, decision.suivi_par) == (Decision.Statut.EN_COURS, pilote)


@pytest.mark.parametrize(
    ("donnees", "message"),
    [
        ({"statut": "faite", "commentaire": "   "}, "Dites en un mot ce qui a été fait."),
        ({"statut": "en_cours", "commentaire": "x" * 2001}, trop_long(2000)),
    ],
    ids=["faite-sans-commentaire", "commentaire-trop-long"],
)
def test_le_suivi_refuse(client, membre, decisions_du_membre, donnees, message):
    decision = decisions_du_membre["Décision en retard"]
    client.force_login(membre)

    reponse = client.post(url("decision_suivre", decision.pk), donnees)

    assert reponse.status_code == 200
    assert erreur_du_champ(reponse, "commentaire") == escape(message)
    decision.refresh_from_db()
    assert (decision.statut, decision.commentaire, decision.suivi_le) == (
        Decision.Statut.A_FAIRE,
        "",
        None,
    )


def test_le_suivi_refuse_un_statut_inconnu(client, membre, decisions_du_membre):
    decision = decisions_du_membre["Décision en retard"]
    client.force_login(membre)

    reponse = client.post(
        url("decision_suivre", decision.pk), {"statut": "oubliee", "commentaire": "Rien"}
    )

    assert reponse.status_code == 200
    assert "Sélectionnez un choix valide. oubliee n’en fait pas partie." in reponse.content.decode()
    decision.refresh_from_db()
    assert decision.statut == Decision.Statut.A_FAIRE


# Calendrier --------------------------------------------------------------------------------


def adresse_d_abonnement(client):
    page = client.get(url("calendrier")).content.decode()
    trouve = re.search(r'id="adresse-calendrier"[^>]*value="([^"]+)"', page)
    assert trouve, "aucune adresse d'abonnement sur la page"
    return trouve.group(1)


def renouveler(client):
    reponse = client.post(url("calendrier"), {"action": "renouveler"})
    assert reponse.status_code == 302
    assert reponse["Location"] == url("calendrier")
    return adresse_d_abonnement(client)


@pytest.fixture
def reunions_du_calendrier(groupe, autre_groupe, pilote, etranger):
    a_venir = planifier(groupe, pilote)
    annulee = ReunionFactory(groupe=groupe, cree_par=pilote, objet="Réunion annulée", date=jour(14))
    services.reunion_annuler(annulee, auteur=pilote, base_url="http://testserver")
    ReunionFactory(groupe=autre_groupe, cree_par=etranger, objet="Réunion d'un autre groupe")
    return a_venir, annulee


def test_le_flux_du_calendrier(client, membre, reunions_du_calendrier):
    a_venir, annulee = reunions_du_calendrier
    client.force_login(membre)
    page = client.get(url("calendrier")).content.decode()
    assert "Vous n'avez pas d'adresse d'abonnement." in page

    adresse = renouveler(client)
    jeton = membre.jeton_calendrier.jeton
    assert adresse == f"http://testserver{url('calendrier_flux', jeton)}"
    client.logout()
    reponse = client.get(adresse)

    assert reponse.status_code == 200
    assert reponse["Content-Type"] == "text/calendar; charset=utf-8"
    assert reponse["Cache-Control"] == "private, no-store"
    calendrier = icalendar.Calendar.from_ical(reponse.content)
    evenements = {str(e["UID"]): e for e in calendrier.walk("VEVENT")}
    assert set(evenements) == {f"{a_venir.uid}@clspd", f"{annulee.uid}@clspd"}
    assert evenements[f"{a_venir.uid}@clspd"]["STATUS"] == "CONFIRMED"
    assert "Tour de table" in evenements[f"{a_venir.uid}@clspd"]["DESCRIPTION"]
    assert evenements[f"{annulee.uid}@clspd"]["STATUS"] == "CANCELLED"
    assert "Réunion d'un autre groupe" not in reponse.content.decode()


def test_revoquer_l_adresse_du_calendrier(client, membre, reunions_du_calendrier):
    client.force_login(membre)
    adresse = renouveler(client)

    reponse = client.post(url("calendrier"), {"action": "revoquer"})

    assert reponse.status_code == 302
    assert "Vous n'avez pas d'adresse" in client.get(url("calendrier")).content.decode()
    client.logout()
    assert client.get(adresse).status_code == 404


def test_renouveler_l_adresse_du_calendrier_eteint_l_ancienne(
    client, membre, reunions_du_calendrier
):
    client.force_login(membre)
    premiere = renouveler(client)

    seconde = renouveler(client)

    assert seconde != premiere
    client.logout()
    assert client.get(premiere).status_code == 404
    assert client.get(seconde).status_code == 200


def test_un_jeton_inconnu_ne_donne_rien(client, membre, reunions_du_calendrier):
    services.jeton_calendrier_renouveler(membre)

    reponse = client.get(url("calendrier_flux", "jeton-invente-de-toutes-pieces"))

    assert reponse.status_code == 404


def test_le_flux_d_un_ancien_membre_ne_montre_plus_le_groupe(
    client, membre, groupe, reunions_du_calendrier
):
    jeton = services.jeton_calendrier_renouveler(membre).jeton
    services.membre_retirer(appartenance(groupe, membre))

    reponse = client.get(url("calendrier_flux", jeton))

    assert reponse.status_code == 200
    assert icalendar.Calendar.from_ical(reponse.content).walk("VEVENT") == []
