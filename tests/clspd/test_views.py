"""Les vues du cœur : comptes (connexion, réinitialisation, activation), annuaire,
territoire, formation restreinte, administration technique."""

import re

import pytest
from django.core import mail
from django.utils import timezone
from django.utils.html import escape

from clspd import permissions
from clspd.models import Conseil, Institution, MembreFormationRestreinte, Territoire, Utilisateur
from clspd.permissions import Action
from tests.factories import (
    MOT_DE_PASSE,
    CommuneFactory,
    ConseilFactory,
    InstitutionFactory,
    UtilisateurFactory,
)

CONNEXION = "/compte/connexion/"
MOT_DE_PASSE_NEUF = "une-phrase-de-passe-solide-2026"


def connecte(client):
    return "_auth_user_id" in client.session


def lien(courriel, chemin):
    trouve = re.search(rf"http://testserver({chemin}[\w-]+/[\w-]+/)", courriel.body)
    assert trouve, courriel.body
    return trouve.group(1)


def erreur_du_champ(reponse, champ):
    """Le texte de l'erreur affichée sous le champ (gabarit crispy bootstrap5)."""
    html = reponse.content.decode()
    assert re.search(rf'<(input|select|textarea)[^>]*is-invalid[^>]*id="id_{champ}"', html), (
        f"le champ {champ} n'est pas marqué invalide"
    )
    trouve = re.search(rf'id="error_1_id_{champ}"><strong>(.*?)</strong>', html)
    assert trouve, f"aucune erreur sous le champ {champ}"
    return trouve.group(1)


# Connexion et déconnexion ---------------------------------------------------------------


def test_page_de_connexion_publique(client, db):
    reponse = client.get(CONNEXION)
    assert reponse.status_code == 200
    assert "Adresse électronique" in reponse.content.decode()


def test_connexion_par_adresse(client, coordonnateur):
    reponse = client.post(CONNEXION, {"username": coordonnateur.email, "password": MOT_DE_PASSE})
    assert reponse.status_code == 302
    assert reponse["Location"] == "/"
    assert int(client.session["_auth_user_id"]) == coordonnateur.pk


def test_connexion_insensible_a_la_casse(client, coordonnateur):
    reponse = client.post(
        CONNEXION, {"username": "Coordination@TESTVILLE.fr", "password": MOT_DE_PASSE}
    )
    assert reponse.status_code == 302
    assert int(client.session["_auth_user_id"]) == coordonnateur.pk


def test_connexion_suit_next(client, coordonnateur, groupe):
    reponse = client.post(
        CONNEXION,
        {
            "username": coordonnateur.email,
            "password": MOT_DE_PASSE,
            "next": f"/groupes/{groupe.pk}/",
        },
    )
    assert reponse["Location"] == f"/groupes/{groupe.pk}/"


@pytest.mark.parametrize(
    ("email", "mot_de_passe"),
    [
        ("coordination@testville.fr", "mauvais-mot-de-passe"),
        ("inconnu@testville.fr", MOT_DE_PASSE),
    ],
)
def test_connexion_refusee(client, coordonnateur, email, mot_de_passe):
    reponse = client.post(CONNEXION, {"username": email, "password": mot_de_passe})
    assert reponse.status_code == 200
    assert escape("Adresse électronique ou mot de passe incorrect.") in reponse.content.decode()
    assert not connecte(client)


def test_connexion_d_un_compte_inactif_refusee(client, coordonnateur):
    coordonnateur.is_active = False
    coordonnateur.save(update_fields=["is_active"])
    reponse = client.post(CONNEXION, {"username": coordonnateur.email, "password": MOT_DE_PASSE})
    assert reponse.status_code == 200
    assert escape("Adresse électronique ou mot de passe incorrect.") in reponse.content.decode()
    assert not connecte(client)


def test_deconnexion_par_post(client, coordonnateur):
    client.force_login(coordonnateur)
    reponse = client.post("/compte/deconnexion/")
    assert reponse.status_code == 302
    assert reponse["Location"] == CONNEXION
    assert not connecte(client)
    assert client.get("/").status_code == 302


def test_deconnexion_par_get_refusee(client, coordonnateur):
    client.force_login(coordonnateur)
    assert client.get("/compte/deconnexion/").status_code == 405
    assert connecte(client)


@pytest.mark.parametrize("url", ["/", "/conseils/1/", "/groupes/1/", "/conseils/1/institutions/"])
def test_connexion_obligatoire(client, db, url):
    reponse = client.get(url)
    assert reponse.status_code == 302
    assert reponse["Location"] == f"{CONNEXION}?next={url}"


# Réinitialisation du mot de passe -------------------------------------------------------


def test_reinitialisation_envoie_un_courriel_a_un_compte_actif(client, coordonnateur):
    reponse = client.post("/compte/reinitialisation/", {"email": "COORDINATION@testville.fr"})
    assert reponse.status_code == 302
    assert reponse["Location"] == "/compte/reinitialisation/envoyee/"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [coordonnateur.email]

    # Le lien du courriel mène bien au choix d'un nouveau mot de passe.
    reponse = client.get(lien(mail.outbox[0], "/compte/reinitialisation/"), follow=True)
    assert reponse.status_code == 200
    assert "Enregistrer le mot de passe" in reponse.content.decode()


@pytest.mark.parametrize("email", ["inconnu@testville.fr", "invite@testville.fr"])
def test_reinitialisation_sans_courriel_pour_une_adresse_inconnue_ou_inactive(
    client, coordonnateur, email
):
    invite = UtilisateurFactory(email="invite@testville.fr", is_active=False)
    invite.set_unusable_password()
    invite.save()
    reponse = client.post("/compte/reinitialisation/", {"email": email})
    # Même réponse que pour une adresse connue : rien ne révèle l'existence d'un compte.
    assert reponse.status_code == 302
    assert reponse["Location"] == "/compte/reinitialisation/envoyee/"
    assert mail.outbox == []


# Activation d'un compte invité ----------------------------------------------------------


def inviter_par_la_formation_restreinte(client, coordonnateur, conseil, institution, email):
    client.force_login(coordonnateur)
    return client.post(
        f"/conseils/{conseil.pk}/formation-restreinte/ajouter/",
        {
            "email": email,
            "first_name": "Claire",
            "last_name": "Nouvelle",
            "fonction": "Substitute du procureur",
            "institution": institution.pk,
            "qualite": "Parquet",
            "programme": "",
            "date_debut": timezone.localdate().isoformat(),
        },
    )


def test_activation_d_un_compte_invite(
    client, coordonnateur, conseil, institution, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        inviter_par_la_formation_restreinte(
            client, coordonnateur, conseil, institution, "claire.nouvelle@exemple.fr"
        )
    client.logout()
    invitee = Utilisateur.objects.get(email="claire.nouvelle@exemple.fr")
    assert not invitee.is_active
    activation = lien(mail.outbox[0], "/compte/activation/")

    # Le lien pose le jeton en session puis redirige vers le formulaire.
    reponse = client.get(activation)
    assert reponse.status_code == 302
    formulaire = reponse["Location"]
    assert formulaire.endswith("/activer/")
    assert "Activer mon compte" in client.get(formulaire).content.decode()

    # Trop court : refusé, le compte reste inactif.
    reponse = client.post(formulaire, {"new_password1": "court", "new_password2": "court"})
    assert reponse.status_code == 200
    assert "12 caractères" in reponse.content.decode()
    invitee.refresh_from_db()
    assert not invitee.is_active

    reponse = client.post(
        formulaire, {"new_password1": MOT_DE_PASSE_NEUF, "new_password2": MOT_DE_PASSE_NEUF}
    )
    assert reponse.status_code == 302
    assert reponse["Location"] == CONNEXION
    invitee.refresh_from_db()
    assert invitee.is_active
    assert invitee.check_password(MOT_DE_PASSE_NEUF)

    reponse = client.post(
        CONNEXION, {"username": "claire.nouvelle@exemple.fr", "password": MOT_DE_PASSE_NEUF}
    )
    assert reponse.status_code == 302
    assert int(client.session["_auth_user_id"]) == invitee.pk
    assert client.get(f"/conseils/{conseil.pk}/formation-restreinte/").status_code == 200

    # Le lien ne resert pas.
    client.logout()
    reponse = client.get(activation, follow=True)
    assert reponse.status_code == 200
    assert "Ce lien d'activation n'est plus valide" in reponse.content.decode()
    reponse = client.post(formulaire, {"new_password1": "x" * 14, "new_password2": "x" * 14})
    invitee.refresh_from_db()
    assert invitee.check_password(MOT_DE_PASSE_NEUF)


def test_activation_avec_un_jeton_faux(client, db):
    invitee = UtilisateurFactory(is_active=False)
    reponse = client.get(f"/compte/activation/{invitee.pk}/faux-jeton/", follow=True)
    assert reponse.status_code == 200
    assert "Ce lien d'activation n'est plus valide" in reponse.content.decode()


# Annuaire des institutions --------------------------------------------------------------


def test_institution_liste(client, coordonnateur, conseil, institution):
    client.force_login(coordonnateur)
    reponse = client.get(f"/conseils/{conseil.pk}/institutions/")
    assert reponse.status_code == 200
    assert institution.nom in reponse.content.decode()


def test_institution_creer(client, coordonnateur, conseil):
    client.force_login(coordonnateur)
    reponse = client.post(
        f"/conseils/{conseil.pk}/institutions/nouvelle/",
        {"nom": "Collège Jean-Moulin", "categorie": "education", "courriel": "ce@ac.fr"},
    )
    assert reponse.status_code == 302
    assert reponse["Location"] == f"/conseils/{conseil.pk}/institutions/"
    assert Institution.objects.get(nom="Collège Jean-Moulin").conseil == conseil


def test_institution_creer_nom_en_double(client, coordonnateur, conseil, institution):
    client.force_login(coordonnateur)
    reponse = client.post(
        f"/conseils/{conseil.pk}/institutions/nouvelle/",
        {"nom": institution.nom, "categorie": "police_nationale"},
    )
    assert reponse.status_code == 200
    assert erreur_du_champ(reponse, "nom") == escape(
        "L'annuaire de ce conseil a déjà une institution de ce nom."
    )
    assert Institution.objects.filter(conseil=conseil).count() == 1


def test_institution_creer_champs_invalides(client, coordonnateur, conseil):
    client.force_login(coordonnateur)
    reponse = client.post(
        f"/conseils/{conseil.pk}/institutions/nouvelle/",
        {"nom": "", "categorie": "inconnue", "courriel": "pas-une-adresse"},
    )
    assert reponse.status_code == 200
    assert erreur_du_champ(reponse, "nom") == "Ce champ est obligatoire."
    assert "inconnue" in erreur_du_champ(reponse, "categorie")
    assert erreur_du_champ(reponse, "courriel") == "Saisissez une adresse de courriel valide."
    assert not Institution.objects.filter(conseil=conseil).exists()


def test_institution_modifier(client, coordonnateur, institution):
    client.force_login(coordonnateur)
    url = f"/institutions/{institution.pk}/modifier/"
    assert client.get(url).status_code == 200
    reponse = client.post(url, {"nom": "Commissariat central", "categorie": "police_nationale"})
    assert reponse.status_code == 302
    institution.refresh_from_db()
    assert (institution.nom, institution.categorie) == ("Commissariat central", "police_nationale")


def test_institution_modifier_vers_un_nom_pris(client, coordonnateur, conseil, institution):
    autre = InstitutionFactory(conseil=conseil, nom="Mairie de Testville")
    client.force_login(coordonnateur)
    reponse = client.post(
        f"/institutions/{autre.pk}/modifier/", {"nom": institution.nom, "categorie": "commune"}
    )
    assert reponse.status_code == 200
    assert erreur_du_champ(reponse, "nom") == escape(
        "L'annuaire de ce conseil a déjà une institution de ce nom."
    )
    autre.refresh_from_db()
    assert (autre.nom, autre.categorie) == ("Mairie de Testville", "autre")


def test_institution_supprimer(client, coordonnateur, conseil):
    institution = InstitutionFactory(conseil=conseil, nom="Association dissoute")
    client.force_login(coordonnateur)
    url = f"/institutions/{institution.pk}/supprimer/"
    assert "Supprimer définitivement" in client.get(url).content.decode()
    reponse = client.post(url)
    assert reponse.status_code == 302
    assert not Institution.objects.filter(pk=institution.pk).exists()


def test_institution_supprimer_representee_refuse(client, coordonnateur, membre, institution):
    client.force_login(coordonnateur)
    reponse = client.post(f"/institutions/{institution.pk}/supprimer/")
    assert reponse.status_code == 200
    assert "elle ne peut pas être supprimée" in reponse.content.decode()
    assert Institution.objects.filter(pk=institution.pk).exists()


@pytest.mark.parametrize(
    "url",
    [
        "/institutions/{ailleurs}/modifier/",
        "/institutions/{ailleurs}/supprimer/",
        "/institutions/999999/modifier/",
        "/conseils/{autre_conseil}/institutions/",
        "/conseils/{autre_conseil}/institutions/nouvelle/",
        "/conseils/999999/institutions/",
    ],
)
def test_annuaire_d_un_autre_conseil_introuvable(client, coordonnateur, url):
    ailleurs = InstitutionFactory(nom="Institution d'ailleurs")
    client.force_login(coordonnateur)
    url = url.format(ailleurs=ailleurs.pk, autre_conseil=ailleurs.conseil_id)
    assert client.get(url).status_code == 404
    assert client.post(url, {"nom": "Piratée", "categorie": "autre"}).status_code == 404
    ailleurs.refresh_from_db()
    assert ailleurs.nom == "Institution d'ailleurs"
    assert not Institution.objects.filter(nom="Piratée").exists()


@pytest.mark.parametrize("persona", ["pilote", "membre", "formation_restreinte"])
def test_annuaire_reserve_au_coordonnateur(request, client, conseil, institution, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(f"/conseils/{conseil.pk}/institutions/").status_code == 404
    assert client.post(f"/institutions/{institution.pk}/supprimer/").status_code == 404
    assert Institution.objects.filter(pk=institution.pk).exists()


# Territoire -----------------------------------------------------------------------------


def test_territoire_creer(client, coordonnateur, conseil):
    client.force_login(coordonnateur)
    commune = conseil.communes.get()
    reponse = client.post(
        f"/conseils/{conseil.pk}/territoires/nouveau/",
        {"nom": "Les Tilleuls", "type": "qpv", "commune": commune.pk},
    )
    assert reponse.status_code == 302
    assert reponse["Location"] == f"/conseils/{conseil.pk}/territoires/"
    territoire = Territoire.objects.get(nom="Les Tilleuls")
    assert (territoire.conseil, territoire.commune) == (conseil, commune)
    assert "Les Tilleuls" in client.get(reponse["Location"]).content.decode()


def test_territoire_creer_avec_la_commune_d_un_autre_conseil(client, coordonnateur, conseil):
    ailleurs = ConseilFactory(communes=[CommuneFactory(nom="Ailleurs-sur-Mer")])
    client.force_login(coordonnateur)
    reponse = client.post(
        f"/conseils/{conseil.pk}/territoires/nouveau/",
        {"nom": "Le Port", "type": "quartier", "commune": ailleurs.communes.get().pk},
    )
    assert reponse.status_code == 200
    assert erreur_du_champ(reponse, "commune") == (
        "Sélectionnez un choix valide. Ce choix ne fait pas partie de ceux disponibles."
    )
    assert "Ailleurs-sur-Mer" not in reponse.content.decode()  # pas proposée
    assert not Territoire.objects.filter(nom="Le Port").exists()


def test_territoire_creer_nom_en_double(client, coordonnateur, conseil, zsp):
    client.force_login(coordonnateur)
    reponse = client.post(
        f"/conseils/{conseil.pk}/territoires/nouveau/", {"nom": zsp.nom, "type": "quartier"}
    )
    assert reponse.status_code == 200
    assert erreur_du_champ(reponse, "nom") == escape("Ce conseil a déjà un territoire de ce nom.")
    assert Territoire.objects.filter(conseil=conseil).count() == 1


def test_territoire_modifier(client, coordonnateur, zsp):
    client.force_login(coordonnateur)
    reponse = client.post(
        f"/territoires/{zsp.pk}/modifier/", {"nom": "ZSP Centre et Gare", "type": "zsp"}
    )
    assert reponse.status_code == 302
    zsp.refresh_from_db()
    assert zsp.nom == "ZSP Centre et Gare"


def test_territoire_d_un_autre_conseil_introuvable(client, coordonnateur, autre_conseil):
    ailleurs = Conseil.objects.get(nom="CLSPD d'Ailleurs")
    territoire = Territoire.objects.create(conseil=ailleurs, nom="Ailleurs", type="quartier")
    client.force_login(coordonnateur)
    assert client.get(f"/territoires/{territoire.pk}/modifier/").status_code == 404
    assert client.get(f"/conseils/{ailleurs.pk}/territoires/").status_code == 404
    assert client.get(f"/conseils/{ailleurs.pk}/territoires/nouveau/").status_code == 404


# Formation restreinte -------------------------------------------------------------------


def test_formation_restreinte_ajouter_une_personne_invitee(
    client, coordonnateur, conseil, institution, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        reponse = inviter_par_la_formation_restreinte(
            client, coordonnateur, conseil, institution, "Claire.Nouvelle@Exemple.fr"
        )
    assert reponse.status_code == 302
    assert reponse["Location"] == f"/conseils/{conseil.pk}/formation-restreinte/"
    invitee = Utilisateur.objects.get(email="claire.nouvelle@exemple.fr")
    assert not invitee.is_active
    siege = MembreFormationRestreinte.objects.get(utilisateur=invitee)
    assert (siege.conseil, siege.institution, siege.date_fin) == (conseil, institution, None)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["claire.nouvelle@exemple.fr"]

    page = client.get(reponse["Location"]).content.decode()
    assert "Une invitation à activer son compte lui a été envoyée." in page
    assert "Claire Nouvelle" in page


def test_formation_restreinte_ajouter_une_personne_existante(
    client, coordonnateur, conseil, institution, membre, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        reponse = inviter_par_la_formation_restreinte(
            client, coordonnateur, conseil, institution, membre.email
        )
    assert reponse.status_code == 302
    assert MembreFormationRestreinte.objects.filter(utilisateur=membre).exists()
    assert mail.outbox == []
    assert permissions.peut(membre, Action.CONSULTER, conseil)


def test_formation_restreinte_ajouter_deux_fois(
    client, coordonnateur, conseil, institution, formation_restreinte
):
    reponse = inviter_par_la_formation_restreinte(
        client, coordonnateur, conseil, institution, formation_restreinte.email
    )
    assert reponse.status_code == 200
    assert escape("Cette personne siège déjà à la formation restreinte.") in (
        reponse.content.decode()
    )
    assert MembreFormationRestreinte.objects.filter(utilisateur=formation_restreinte).count() == 1


def test_formation_restreinte_ajouter_sans_date(client, coordonnateur, conseil, institution):
    client.force_login(coordonnateur)
    reponse = client.post(
        f"/conseils/{conseil.pk}/formation-restreinte/ajouter/",
        {
            "email": "x@exemple.fr",
            "first_name": "X",
            "last_name": "Y",
            "institution": institution.pk,
        },
    )
    assert reponse.status_code == 200
    assert erreur_du_champ(reponse, "date_debut") == "Ce champ est obligatoire."
    assert not Utilisateur.objects.filter(email="x@exemple.fr").exists()


def test_formation_restreinte_retirer(client, coordonnateur, conseil, formation_restreinte):
    siege = MembreFormationRestreinte.objects.get(utilisateur=formation_restreinte)
    client.force_login(coordonnateur)
    url = f"/formation-restreinte/{siege.pk}/retirer/"
    assert client.get(url).status_code == 200
    reponse = client.post(url, {"date_fin": timezone.localdate().isoformat()})
    assert reponse.status_code == 302
    siege.refresh_from_db()
    assert siege.date_fin == timezone.localdate()
    # L'accès cesse aussitôt, et le siège terminé ne se retire plus.
    assert client.get(url).status_code == 404
    client.force_login(formation_restreinte)
    assert client.get(f"/conseils/{conseil.pk}/formation-restreinte/").status_code == 404


def test_formation_restreinte_retirer_avant_le_debut(client, coordonnateur, formation_restreinte):
    siege = MembreFormationRestreinte.objects.get(utilisateur=formation_restreinte)
    client.force_login(coordonnateur)
    reponse = client.post(f"/formation-restreinte/{siege.pk}/retirer/", {"date_fin": "2000-01-01"})
    assert reponse.status_code == 200
    assert escape("La date de fin précède la date de début.") in reponse.content.decode()
    siege.refresh_from_db()
    assert siege.date_fin is None


def test_formation_restreinte_consulte_sa_composition_sans_la_modifier(
    client, conseil, formation_restreinte
):
    siege = MembreFormationRestreinte.objects.get(utilisateur=formation_restreinte)
    client.force_login(formation_restreinte)
    page = client.get(f"/conseils/{conseil.pk}/formation-restreinte/").content.decode()
    assert escape(str(formation_restreinte)) in page
    assert "Ajouter un membre" not in page
    assert client.get(f"/conseils/{conseil.pk}/formation-restreinte/ajouter/").status_code == 404
    assert client.post(f"/formation-restreinte/{siege.pk}/retirer/").status_code == 404


def test_formation_restreinte_d_un_autre_conseil_introuvable(
    client, autre_conseil, conseil, formation_restreinte
):
    siege = MembreFormationRestreinte.objects.get(utilisateur=formation_restreinte)
    client.force_login(autre_conseil)
    assert client.get(f"/conseils/{conseil.pk}/formation-restreinte/").status_code == 404
    assert client.post(f"/formation-restreinte/{siege.pk}/retirer/").status_code == 404
    siege.refresh_from_db()
    assert siege.date_fin is None


# Administration technique ---------------------------------------------------------------


@pytest.fixture
def superutilisateur(db):
    return UtilisateurFactory(email="admin@exemple.fr", is_superuser=True, is_staff=True)


def test_administration_refusee_au_coordonnateur(client, coordonnateur):
    coordonnateur.is_staff = True  # même marqué « staff »
    coordonnateur.save(update_fields=["is_staff"])
    client.force_login(coordonnateur)
    reponse = client.get("/admin/")
    assert reponse.status_code == 302
    assert reponse["Location"].startswith("/admin/login/")
    assert client.get("/admin/clspd/conseil/").status_code == 302


def test_administration_ouverte_au_superutilisateur(client, superutilisateur, conseil):
    client.force_login(superutilisateur)
    assert client.get("/admin/").status_code == 200
    assert client.get(f"/admin/clspd/conseil/{conseil.pk}/change/").status_code == 200


def formulaire_conseil(conseil, coordonnateurs, communes=None):
    return {
        "nom": conseil.nom,
        "type": conseil.type,
        "communes": [c.pk for c in communes or conseil.communes.all()],
        "coordonnateurs": [u.pk for u in coordonnateurs],
        "_save": "Enregistrer",
    }


def test_administration_nouveau_coordonnateur_recoit_la_permission(
    client, superutilisateur, conseil, coordonnateur
):
    nouveau = UtilisateurFactory()
    client.force_login(superutilisateur)
    reponse = client.post(
        f"/admin/clspd/conseil/{conseil.pk}/change/",
        formulaire_conseil(conseil, [nouveau]),
    )
    assert reponse.status_code == 302
    assert list(conseil.coordonnateurs.all()) == [nouveau]
    assert permissions.peut(nouveau, Action.COORDONNER, conseil)
    assert not permissions.peut(coordonnateur, Action.COORDONNER, conseil)


def test_administration_conseil_communes_invalides(client, superutilisateur, conseil):
    nouveau = UtilisateurFactory()
    client.force_login(superutilisateur)
    reponse = client.post(
        f"/admin/clspd/conseil/{conseil.pk}/change/",
        formulaire_conseil(
            conseil, [nouveau], communes=[*conseil.communes.all(), CommuneFactory()]
        ),
    )
    assert reponse.status_code == 200
    assert "Un CLSPD couvre une seule commune." in reponse.content.decode()
    assert conseil.communes.count() == 1
    assert not permissions.peut(nouveau, Action.COORDONNER, conseil)
