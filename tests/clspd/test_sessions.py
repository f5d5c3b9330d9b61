"""Sessions : 30 minutes d'inactivité, 12 heures au plus, déconnexion de partout, mot de
passe redemandé avant une action sensible ; « Mon compte » et l'export des données
personnelles."""

import json

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse

from clspd import sessions
from clspd.models import RenduPDF
from groupes import services as groupe_services
from tests.factories import MOT_DE_PASSE, UtilisateurFactory

pytestmark = pytest.mark.django_db

MINUTE = 60


def vieillir(client, **decalages):
    """Recule dans le temps les instants notés dans la session (en secondes)."""
    session = client.session
    for cle, secondes in decalages.items():
        session[getattr(sessions, cle)] = sessions.maintenant() - secondes
    session.save()


def est_connecte(client):
    return "_auth_user_id" in client.session


@pytest.fixture
def connecte(client, membre):
    client.force_login(membre)
    return client


def test_la_connexion_note_ses_instants(connecte):
    session = connecte.session
    for cle in (sessions.CONNEXION, sessions.ACTIVITE, sessions.AUTHENTIFICATION):
        assert abs(session[cle] - sessions.maintenant()) <= 2


def test_moins_de_30_minutes_d_inactivite_garde_la_session(connecte):
    vieillir(connecte, ACTIVITE=29 * MINUTE)

    assert connecte.get(reverse("accueil")).status_code == 200

    assert est_connecte(connecte)
    # L'activité est notée à nouveau.
    assert sessions.maintenant() - connecte.session[sessions.ACTIVITE] <= 2


def test_30_minutes_d_inactivite_ferment_la_session(connecte):
    vieillir(connecte, ACTIVITE=31 * MINUTE)
    adresse = reverse("groupes:mes_decisions")

    reponse = connecte.get(adresse)

    assert reponse.status_code == 302
    assert reponse["Location"] == redirect_to_login(adresse)["Location"]
    assert not est_connecte(connecte)
    page = connecte.get(reponse["Location"]).content.decode()
    assert "Votre session a expiré" in page


def test_12_heures_apres_la_connexion_la_session_se_ferme_meme_active(connecte):
    vieillir(connecte, CONNEXION=12 * 3600 + 1, ACTIVITE=MINUTE)

    assert connecte.get(reverse("accueil")).status_code == 302

    assert not est_connecte(connecte)


def test_l_activite_ne_s_ecrit_qu_une_fois_par_minute(connecte):
    connecte.get(reverse("accueil"))
    avant = connecte.session[sessions.ACTIVITE]
    vieillir(connecte, ACTIVITE=10)

    connecte.get(reverse("accueil"))

    assert connecte.session[sessions.ACTIVITE] == avant - 10


def test_se_deconnecter_de_partout(client, membre, pilote):
    autre_appareil = type(client)()
    for appareil in (client, autre_appareil):
        appareil.force_login(membre)
    client_du_pilote = type(client)()
    client_du_pilote.force_login(pilote)

    reponse = client.post(reverse("deconnexion_partout"))

    assert reponse.status_code == 302
    assert reponse["Location"] == reverse("connexion")
    assert not est_connecte(client)
    assert autre_appareil.get(reverse("accueil")).status_code == 302
    assert not est_connecte(autre_appareil)
    # Les autres personnes restent connectées.
    assert client_du_pilote.get(reverse("accueil")).status_code == 200


def test_mon_compte(connecte, membre):
    contenu = connecte.get(reverse("mon_compte")).content.decode()

    assert membre.email in contenu
    for lien in ("mot_de_passe_modifier", "deconnexion_partout", "mes_donnees"):
        assert reverse(lien) in contenu


# Mot de passe redemandé avant une action sensible ------------------------------------------


def ajout_de_membre(groupe):
    return reverse("groupes:membre_ajouter", args=[groupe.pk])


@pytest.fixture
def coordination(client, coordonnateur):
    client.force_login(coordonnateur)
    return client


def test_juste_apres_la_connexion_l_action_sensible_s_ouvre(coordination, groupe):
    assert coordination.get(ajout_de_membre(groupe)).status_code == 200


@pytest.mark.parametrize(
    "nom",
    ["groupes:membre_ajouter", "groupes:pilote_designer", "formation_restreinte_ajouter"],
)
def test_apres_10_minutes_le_mot_de_passe_est_redemande(coordination, groupe, conseil, nom):
    vieillir(coordination, AUTHENTIFICATION=11 * MINUTE)
    cle = conseil.pk if nom == "formation_restreinte_ajouter" else groupe.pk
    adresse = reverse(nom, args=[cle])

    reponse = coordination.get(adresse)

    assert reponse.status_code == 302
    assert (
        reponse["Location"]
        == redirect_to_login(adresse, login_url=reverse("reauthentification"))["Location"]
    )
    assert est_connecte(coordination)


def test_le_mot_de_passe_redonne_rouvre_l_action(coordination, coordonnateur, groupe):
    vieillir(coordination, AUTHENTIFICATION=11 * MINUTE)
    adresse = ajout_de_membre(groupe)
    confirmation = f"{reverse('reauthentification')}?next={adresse}"

    erreur = coordination.post(confirmation, {"password": "pas-le-bon"})
    assert erreur.status_code == 200
    assert "Mot de passe incorrect." in erreur.content.decode()
    assert AccessAttempt.objects.get().failures_since_start == 1
    assert coordination.get(adresse).status_code == 302

    reponse = coordination.post(confirmation, {"password": MOT_DE_PASSE})

    assert reponse.status_code == 302
    assert reponse["Location"] == adresse
    assert coordination.get(adresse).status_code == 200


def test_la_reauthentification_ne_renvoie_pas_vers_un_autre_site(coordination):
    reponse = coordination.post(
        f"{reverse('reauthentification')}?next=https://exemple.org/",
        {"password": MOT_DE_PASSE},
    )

    assert reponse["Location"] == reverse("accueil")


def test_valider_un_compte_rendu_redemande_le_mot_de_passe(client, pilote, groupe):
    from tests.factories import ReunionFactory

    reunion = ReunionFactory(groupe=groupe, cree_par=pilote)
    client.force_login(pilote)
    vieillir(client, AUTHENTIFICATION=11 * MINUTE)
    adresse = reverse("groupes:compte_rendu_valider", args=[reunion.pk])

    reponse = client.post(adresse)

    assert reponse["Location"].startswith(reverse("reauthentification"))
    assert not reunion.comptes_rendus.exists()


# Données personnelles --------------------------------------------------------------------


def test_mes_donnees_en_json(client, groupe, membre, pilote, coordonnateur):
    groupe_services.charte_publier(
        groupe=groupe,
        auteur=coordonnateur,
        charte_deontologique="Charte",
        reglement_interieur="",
        adoptee_le=groupe.conseil.groupes.first().appartenances.first().date_debut,
    )
    groupe_services.charte_accepter(groupe=groupe, utilisateur=membre)
    client.force_login(membre)

    reponse = client.get(reverse("mes_donnees"))

    assert reponse.status_code == 200
    assert reponse["Content-Type"] == "application/json; charset=utf-8"
    assert reponse["Content-Disposition"].startswith('attachment; filename="mes-donnees-')
    donnees = json.loads(reponse.content)
    assert donnees["compte"]["adresse_electronique"] == membre.email
    assert [a["groupe"] for a in donnees["appartenances"]] == [groupe.nom]
    assert [a["version"] for a in donnees["acceptations_de_charte"]] == [1]
    # Rien sur les autres : ni le pilote, ni ses appartenances.
    assert pilote.email not in reponse.content.decode()


def test_mes_donnees_nomment_les_pdf_demandes_sans_leur_contenu(client, membre):
    RenduPDF.objects.create(
        demandeur=membre,
        document="evaluation.views.rapports.document_du_rapport",
        parametres={"pk": 1},
        adresse="/evaluation/rapports/1/pdf/",
        origine="https://clspd.invalid/",
        etat=RenduPDF.Etat.TERMINE,
        etape="Terminé",
        progression=100,
        pages_estimees=30,
        contenu=b"%PDF-1.7 contenu confidentiel",
        nom_fichier="rapport-confidentiel.pdf",
    )
    client.force_login(membre)

    reponse = client.get(reverse("mes_donnees"))

    assert json.loads(reponse.content)["pdf_demandes"] == [
        {
            "document": "rapport d'évaluation",
            "demande_le": RenduPDF.objects.get().cree_le.isoformat(),
            "etat": "terminé",
        }
    ]
    assert b"confidentiel" not in reponse.content


def test_mes_donnees_d_un_compte_sans_rien(client):
    utilisateur = UtilisateurFactory()
    client.force_login(utilisateur)

    donnees = json.loads(client.get(reverse("mes_donnees")).content)

    assert donnees["appartenances"] == [] and donnees["journal_des_acces"] == []


# Désactivation d'un compte ------------------------------------------------------------------


def test_desactiver_un_compte_garde_ce_qu_il_a_ecrit(client, groupe, pilote, membre):
    from django.contrib.admin import helpers

    from tests.factories import ReunionFactory

    reunion = ReunionFactory(groupe=groupe, cree_par=pilote)
    appareil_du_pilote = type(client)()
    appareil_du_pilote.force_login(pilote)
    admin = UtilisateurFactory(email="admin@testville.fr", is_staff=True, is_superuser=True)
    client.force_login(admin)

    reponse = client.post(
        reverse("admin:clspd_utilisateur_changelist"),
        {"action": "desactiver", helpers.ACTION_CHECKBOX_NAME: [pilote.pk]},
    )

    assert reponse.status_code == 302
    pilote.refresh_from_db()
    assert not pilote.is_active
    # Sa session ouverte est fermée ; il ne se reconnecte plus.
    reponse = appareil_du_pilote.get(reverse("groupes:mes_decisions"))
    assert reponse["Location"] == redirect_to_login(reverse("groupes:mes_decisions"))["Location"]
    refus = appareil_du_pilote.post(
        reverse("connexion"), {"username": pilote.email, "password": MOT_DE_PASSE}
    )
    assert refus.status_code == 200
    assert "Adresse électronique ou mot de passe incorrect." in refus.content.decode()
    # Ce qu'il a écrit demeure, à son nom.
    reunion.refresh_from_db()
    assert reunion.cree_par == pilote
    membre_client = type(client)()
    membre_client.force_login(membre)
    assert str(pilote) in membre_client.get(groupe.get_absolute_url()).content.decode()


def test_un_compte_ne_s_efface_pas_depuis_l_administration(client, membre):
    admin = UtilisateurFactory(email="admin@testville.fr", is_staff=True, is_superuser=True)
    client.force_login(admin)

    reponse = client.get(reverse("admin:clspd_utilisateur_delete", args=[membre.pk]))

    assert reponse.status_code == 403


def test_la_reauthentification_suit_une_adresse_relative_sans_erreur(coordination):
    """« 4 » est une adresse relative, non un nom de vue (l'erreur 500 trouvée en fuzzant)."""
    reponse = coordination.post(
        f"{reverse('reauthentification')}?next=4", {"password": MOT_DE_PASSE}
    )

    assert reponse.status_code == 302
    assert reponse["Location"] == "4"
