"""Le parcours d'une réunion dans Chromium, du côté du pilote : planifier, convoquer, noter les
présences, rédiger le compte rendu et le relevé de décisions, valider, télécharger le PDF.
Chaque page visitée passe axe (WCAG 2.1 A et AA) ; la planification marche sans JavaScript."""

import datetime
import io
import re
from types import SimpleNamespace

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from clspd import services as conseil_services
from clspd.models import Conseil, Institution
from groupes import services as groupe_services
from groupes.models import CompteRendu, Convocation, Decision, GroupeOperationnel, Reunion
from tests.e2e.test_parcours import expect, se_connecter
from tests.factories import CommuneFactory, UtilisateurFactory, programme

pytestmark = pytest.mark.e2e

NOM_GROUPE = "Groupe jeunes de Testville"
OBJET_PASSEE = "Réunion de lancement"


def champ(texte):
    """Le champ dont l'étiquette commence par ce texte (crispy y ajoute l'astérisque)."""
    return re.compile(rf"^\s*{re.escape(texte)}(\W|$)")


@pytest.fixture
def donnees(base_de_donnees):
    """Un groupe avec sa pilote et un membre, deux institutions, et une réunion tenue hier
    avec son ordre du jour (le service de planification refuse le passé : elle est créée
    directement)."""
    coordonnateur = UtilisateurFactory(email="coordination@testville.fr")
    conseil = conseil_services.conseil_creer(
        nom="CLSPD de Testville",
        type=Conseil.Type.CLSPD,
        communes=[CommuneFactory(nom="Testville")],
        coordonnateurs=[coordonnateur],
    )
    commissariat = conseil_services.institution_creer(
        conseil=conseil, nom="Commissariat de Testville", categorie=Institution.Categorie.AUTRE
    )
    bailleur = conseil_services.institution_creer(
        conseil=conseil, nom="Testville Habitat", categorie=Institution.Categorie.BAILLEUR
    )
    pilote = UtilisateurFactory(
        email="paula.martin@testville.fr", first_name="Paula", last_name="Martin"
    )
    membre = UtilisateurFactory(
        email="marc.durand@testville.fr", first_name="Marc", last_name="Durand"
    )
    groupe = groupe_services.groupe_creer(
        conseil=conseil,
        nom=NOM_GROUPE,
        nature=GroupeOperationnel.Nature.THEMATIQUE,
        programme=programme(),
    )
    aujourdhui = timezone.localdate()
    for personne in (pilote, membre):
        groupe_services.membre_ajouter(
            groupe=groupe,
            auteur=coordonnateur,
            email=personne.email,
            first_name=personne.first_name,
            last_name=personne.last_name,
            fonction="",
            institution=commissariat,
            date_debut=aujourdhui - datetime.timedelta(days=30),
            base_url="http://testserver",
        )
    groupe_services.pilote_designer(
        groupe=groupe,
        auteur=coordonnateur,
        pilote=pilote,
        date_designation=aujourdhui - datetime.timedelta(days=20),
        accord_maire_le=aujourdhui - datetime.timedelta(days=25),
        accord_prefet_le=aujourdhui - datetime.timedelta(days=25),
    )
    passee = Reunion(
        groupe=groupe,
        objet=OBJET_PASSEE,
        date=aujourdhui - datetime.timedelta(days=1),
        heure_debut=datetime.time(9, 30),
        heure_fin=datetime.time(11, 0),
        lieu="Mairie de Testville, salle du conseil",
        cree_par=pilote,
    )
    passee.full_clean()
    passee.save()
    groupe_services.reunion_modifier(
        passee,
        auteur=pilote,
        base_url="http://testserver",
        points=[
            {"titre": "Diagnostic aux abords du collège", "description": ""},
            {"titre": "Offre de loisirs du mercredi", "description": ""},
        ],
    )
    return SimpleNamespace(
        groupe=groupe,
        pilote=pilote,
        membre=membre,
        bailleur=bailleur,
        passee=passee,
    )


def ouvrir_le_groupe(session, donnees):
    page = session.page
    se_connecter(session, donnees.pilote, verifier=False)
    page.get_by_role("region", name="Mes groupes").get_by_role("link", name=NOM_GROUPE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(NOM_GROUPE)


def test_parcours_du_pilote_de_la_planification_au_pdf(ouvrir_session, donnees):
    session = ouvrir_session(accept_downloads=True)
    page = session.page
    statut = page.get_by_role("status")
    dans_sept_jours = timezone.localdate() + datetime.timedelta(days=7)

    # 1. La pilote se connecte et ouvre son groupe.
    se_connecter(session, donnees.pilote)
    page.get_by_role("region", name="Mes groupes").get_by_role("link", name=NOM_GROUPE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(NOM_GROUPE)
    session.verifier_accessibilite()

    # 2. Elle planifie une réunion, avec deux points à l'ordre du jour.
    page.get_by_role("link", name="Planifier une réunion").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Planifier une réunion du groupe {NOM_GROUPE}"
    )
    session.verifier_accessibilite()
    page.get_by_label(champ("Objet")).fill("Point d'étape du groupe")
    page.get_by_label(champ("Date")).fill(dans_sept_jours.isoformat())
    page.get_by_label(champ("Heure de début")).fill("14:00")
    page.get_by_label(champ("Heure de fin")).fill("16:00")
    page.get_by_label(champ("Lieu")).fill("Mairie de Testville, salle du conseil")
    for numero, titre in [(1, "Suivi des décisions"), (2, "Présence éducative de rue")]:
        point = page.get_by_role("group", name=f"Point {numero}", exact=True)
        point.get_by_label(champ("Intitulé")).fill(titre)
    page.get_by_role("button", name="Planifier la réunion").click()

    reunion = Reunion.objects.get(objet="Point d'étape du groupe")
    expect(page).to_have_url(f"{session.url_serveur}{reunion.get_absolute_url()}")
    expect(statut).to_contain_text("La réunion est planifiée.")
    expect(page.get_by_role("region", name="Ordre du jour").get_by_role("listitem")).to_have_text(
        ["Suivi des décisions", "Présence éducative de rue"]
    )
    assert reunion.date == dans_sept_jours
    session.verifier_accessibilite()

    # 3. Elle envoie la convocation : un courriel à chaque membre, chaque envoi noté.
    page.get_by_role("link", name="Envoyer la convocation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Envoyer la convocation")
    session.verifier_accessibilite()
    page.get_by_role("button", name="Envoyer la convocation").click()
    expect(statut).to_contain_text("La convocation est envoyée aux membres du groupe.")
    envois = page.get_by_role("region", name="Envois")
    expect(envois.get_by_role("row").filter(has_text="Convocation")).to_have_count(2)
    assert sorted(courriel.to[0] for courriel in mail.outbox) == [
        donnees.membre.email,
        donnees.pilote.email,
    ]
    # Chacun reçoit l'invitation à ajouter à son agenda.
    assert [[nom for nom, *_ in c.attachments] for c in mail.outbox] == [["invitation.ics"]] * 2
    assert Convocation.objects.filter(reunion=reunion).count() == 2
    session.verifier_accessibilite()

    # 4. La réunion d'hier : depuis la liste des réunions du groupe.
    fil = page.get_by_role("navigation", name="Fil d'Ariane")
    fil.get_by_role("link", name=NOM_GROUPE).click()
    page.get_by_role("link", name="Toutes les réunions du groupe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Réunions du groupe {NOM_GROUPE}")
    session.verifier_accessibilite()
    page.get_by_role("link", name=OBJET_PASSEE).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(OBJET_PASSEE)
    session.verifier_accessibilite()

    # 5. Les présences : un membre représenté sans représentant nommé est refusé.
    page.get_by_role("link", name="Noter les présences").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Présences à la réunion")
    session.verifier_accessibilite()
    pilote = page.get_by_role("group", name=str(donnees.pilote), exact=False)
    membre = page.get_by_role("group", name=str(donnees.membre), exact=False)
    pilote.get_by_label(champ("Présence de")).select_option(label="Présent(e)")
    membre.get_by_label(champ("Présence de")).select_option(label="Représenté(e)")
    page.get_by_role("button", name="Enregistrer les présences").click()
    representant = membre.get_by_label(re.compile("représenté\\(e\\) par"))
    expect(representant).to_have_attribute("aria-invalid", "true")
    expect(representant).to_have_accessible_description(
        re.compile("Indiquez qui représentait ce membre.")
    )
    assert not donnees.passee.presences.exists()
    session.verifier_accessibilite()
    representant.fill("Jeanne Petit, adjointe")
    exterieur = page.get_by_role("group", name="Participant 1", exact=True)
    exterieur.get_by_label(champ("Nom et prénom")).fill("Martine Dubois")
    exterieur.get_by_label(champ("Institution")).fill("Association des habitants")
    page.get_by_role("button", name="Enregistrer les présences").click()
    expect(statut).to_contain_text("Les présences sont enregistrées.")
    session.verifier_accessibilite()

    # 6. Le compte rendu : les notes de chaque point et la synthèse.
    page.get_by_role("link", name="Rédiger le compte rendu").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Compte rendu de la réunion")
    session.verifier_accessibilite()
    page.get_by_label(champ("Notes — point 1")).fill("Les regroupements se concentrent le soir.")
    page.get_by_label(champ("Notes — point 2")).fill("L'offre reste insuffisante.")
    page.get_by_label(champ("Synthèse")).fill("Deux axes de travail sont retenus.")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(statut).to_contain_text("Le brouillon du compte rendu est enregistré.")
    session.verifier_accessibilite()

    # 7. Deux décisions : l'une portée par un membre, l'autre par une institution.
    decisions = [
        ("Réunir les bailleurs sociaux du quartier", "Porteur (membre)", str(donnees.membre)),
        ("Étudier l'éclairage des halls", "Porteur (institution)", donnees.bailleur.nom),
    ]
    for libelle, porteur, nom in decisions:
        page.get_by_role("link", name="Ajouter une décision").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Ajouter une décision au relevé")
        session.verifier_accessibilite()
        page.get_by_label(champ("Décision")).fill(libelle)
        page.get_by_label(champ(porteur)).select_option(label=nom)
        page.get_by_label(champ("Échéance")).fill(dans_sept_jours.isoformat())
        page.get_by_role("button", name="Enregistrer la décision").click()
        expect(statut).to_contain_text("La décision est ajoutée au relevé.")
    releve = page.get_by_role("region", name="Relevé de décisions")
    expect(releve.get_by_role("row")).to_have_count(3)  # l'en-tête et les deux décisions
    session.verifier_accessibilite()

    # 8. Elle valide le compte rendu : il ne se modifie plus.
    page.get_by_role("link", name="Valider le compte rendu").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Valider le compte rendu")
    session.verifier_accessibilite()
    page.get_by_role("button", name="Valider le compte rendu").click()
    expect(statut).to_contain_text("Le compte rendu est validé")
    expect(page.get_by_role("link", name="Rédiger le compte rendu")).to_have_count(0)
    assert CompteRendu.objects.get(reunion=donnees.passee).est_valide
    session.verifier_accessibilite()

    # 9. Et télécharge le PDF de la version validée.
    with page.expect_download() as telechargement:
        page.get_by_role("link", name=re.compile("Télécharger le compte rendu en PDF")).click()
    fichier = telechargement.value
    assert fichier.suggested_filename.endswith("-v1.pdf")
    with open(fichier.path(), "rb") as pdf:
        texte = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.read())).pages)
    texte = re.sub(r"\s+", " ", texte)
    for attendu in [
        OBJET_PASSEE,
        "Jeanne Petit, adjointe",
        "Martine Dubois",
        "Les regroupements se concentrent le soir.",
        "Deux axes de travail sont retenus.",
        "Réunir les bailleurs sociaux du quartier",
        donnees.bailleur.nom,
    ]:
        assert attendu in texte, f"« {attendu} » absent du PDF"


def test_une_decision_s_ajoute_au_clavier_seul(ouvrir_session, donnees):
    session = ouvrir_session()
    page = session.page
    ouvrir_le_groupe(session, donnees)
    session.aller(reverse("groupes:decision_ajouter", args=[donnees.passee.pk]))

    # Le lien d'évitement, puis le premier champ du formulaire.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Aller au contenu")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("main")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label(champ("Décision"))).to_be_focused()
    page.keyboard.type("Réunir les bailleurs sociaux du quartier")
    page.keyboard.press("Tab")
    expect(page.get_by_label(champ("Porteur (membre)"))).to_be_focused()
    page.keyboard.type(donnees.membre.first_name)  # la recherche au clavier d'une liste
    expect(page.get_by_label(champ("Porteur (membre)"))).to_have_value(str(donnees.membre.pk))

    # Tabulation jusqu'au bouton d'envoi, puis Entrée.
    bouton = page.get_by_role("button", name="Enregistrer la décision")
    for _ in range(20):
        if bouton.evaluate("b => b === document.activeElement"):
            break
        page.keyboard.press("Tab")
    expect(bouton).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("La décision est ajoutée au relevé.")
    assert Decision.objects.get(reunion=donnees.passee).porteur == donnees.membre


def test_sans_javascript_la_reunion_se_planifie(ouvrir_session, donnees):
    session = ouvrir_session(java_script_enabled=False)
    page = session.page
    ouvrir_le_groupe(session, donnees)
    page.get_by_role("link", name="Planifier une réunion").click()
    dans_un_mois = timezone.localdate() + datetime.timedelta(days=30)
    page.get_by_label(champ("Date")).fill(dans_un_mois.isoformat())
    page.get_by_label(champ("Heure de début")).fill("10:00")
    # Une fin avant le début : l'erreur revient du serveur, sans script.
    page.get_by_label(champ("Heure de fin")).fill("09:00")
    page.get_by_label(champ("Lieu")).fill("Mairie de Testville")
    page.get_by_role("group", name="Point 1", exact=True).get_by_label(champ("Intitulé")).fill(
        "Bilan"
    )
    page.get_by_role("button", name="Planifier la réunion").click()
    expect(page.get_by_label(champ("Heure de fin"))).to_have_accessible_description(
        re.compile("L'heure de fin doit suivre l'heure de début.")
    )
    assert not Reunion.objects.filter(date=dans_un_mois).exists()

    page.get_by_label(champ("Heure de fin")).fill("12:00")
    page.get_by_role("button", name="Planifier la réunion").click()
    reunion = Reunion.objects.get(date=dans_un_mois)
    expect(page).to_have_url(f"{session.url_serveur}{reunion.get_absolute_url()}")
    expect(page.get_by_role("status")).to_contain_text("La réunion est planifiée.")
    assert [p.titre for p in reunion.points.all()] == ["Bilan"]
