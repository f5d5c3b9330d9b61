"""Le parcours d'un groupe opérationnel, de sa création à la connexion de son pilote, dans
Chromium : chaque page visitée passe axe (WCAG 2.1 A et AA), et l'étranger reçoit une 404."""

import datetime
import re
from types import SimpleNamespace

import pytest
from django.utils import timezone

from clspd import services as conseil_services
from clspd.models import Conseil, Institution, Territoire
from groupes import services as groupe_services
from groupes.models import GroupeOperationnel
from tests.factories import MOT_DE_PASSE, CommuneFactory, UtilisateurFactory, programme

pytestmark = pytest.mark.e2e

NOM_GROUPE = "CCOP du Centre"


def expect(*args, **kwargs):
    from playwright.sync_api import expect as attendre

    return attendre(*args, **kwargs)


@pytest.fixture
def donnees(base_de_donnees):
    """Un conseil, son coordonnateur, une institution, une ZSP, un quartier et un programme ;
    la future pilote (un compte sans groupe) et un étranger, membre d'un autre groupe."""
    coordonnateur = UtilisateurFactory(
        email="coordination@testville.fr", first_name="Claire", last_name="Coordonne"
    )
    conseil = conseil_services.conseil_creer(
        nom="CLSPD de Testville",
        type=Conseil.Type.CLSPD,
        communes=[CommuneFactory(nom="Testville")],
        coordonnateurs=[coordonnateur],
    )
    institution = conseil_services.institution_creer(
        conseil=conseil, nom="Commissariat de Testville", categorie=Institution.Categorie.AUTRE
    )
    zsp = conseil_services.territoire_creer(
        conseil=conseil, nom="ZSP du Centre", type=Territoire.Type.ZSP
    )
    quartier = conseil_services.territoire_creer(
        conseil=conseil, nom="Quartier des Halles", type=Territoire.Type.QUARTIER
    )
    pilote = UtilisateurFactory(
        email="paula.martin@testville.fr", first_name="Paula", last_name="Martin"
    )
    etranger = UtilisateurFactory(
        email="etranger@testville.fr", first_name="Eve", last_name="Etrangere"
    )
    autre_groupe = groupe_services.groupe_creer(
        conseil=conseil,
        nom="Groupe tranquillité",
        nature=GroupeOperationnel.Nature.THEMATIQUE,
        programme=programme(),
    )
    groupe_services.membre_ajouter(
        groupe=autre_groupe,
        auteur=coordonnateur,
        email=etranger.email,
        first_name=etranger.first_name,
        last_name=etranger.last_name,
        fonction="",
        institution=institution,
        base_url="http://testserver",
    )
    return SimpleNamespace(
        conseil=conseil,
        coordonnateur=coordonnateur,
        institution=institution,
        zsp=zsp,
        quartier=quartier,
        programme=programme(),
        pilote=pilote,
        etranger=etranger,
    )


@pytest.fixture
def groupe_pilote(donnees):
    """Le groupe du parcours, déjà créé et piloté (pour les tests qui n'en font pas le tour)."""
    groupe = groupe_services.groupe_creer(
        conseil=donnees.conseil,
        nom=NOM_GROUPE,
        nature=GroupeOperationnel.Nature.CCOP,
        programme=donnees.programme,
        territoire=donnees.zsp,
    )
    groupe_services.membre_ajouter(
        groupe=groupe,
        auteur=donnees.coordonnateur,
        email=donnees.pilote.email,
        first_name=donnees.pilote.first_name,
        last_name=donnees.pilote.last_name,
        fonction="",
        institution=donnees.institution,
        base_url="http://testserver",
    )
    aujourdhui = timezone.localdate()
    groupe_services.pilote_designer(
        groupe=groupe,
        auteur=donnees.coordonnateur,
        pilote=donnees.pilote,
        date_designation=aujourdhui,
        accord_maire_le=aujourdhui,
        accord_prefet_le=aujourdhui,
    )
    return groupe


def libelle(texte):
    """Le champ dont l'étiquette commence par ce texte (crispy y ajoute l'astérisque)."""
    return re.compile(rf"^\s*{texte}(\W|$)")


def se_connecter(session, utilisateur, *, verifier=True):
    page = session.page
    session.aller("/compte/connexion/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Connexion")
    if verifier:
        session.verifier_accessibilite()
    page.get_by_label(libelle("Adresse électronique")).fill(utilisateur.email)
    page.get_by_label(libelle("Mot de passe")).fill(MOT_DE_PASSE)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(f"{session.url_serveur}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Bonjour {utilisateur.first_name}")


def test_parcours_creation_membre_pilote_et_cloisonnement(ouvrir_session, donnees):
    aujourdhui = timezone.localdate()
    hier = (aujourdhui - datetime.timedelta(days=1)).isoformat()

    # 1. Le coordonnateur crée le groupe depuis la page du conseil.
    coordination = ouvrir_session()
    page = coordination.page
    se_connecter(coordination, donnees.coordonnateur)
    coordination.verifier_accessibilite()
    mes_conseils = page.get_by_role("region", name="Mes conseils")
    mes_conseils.get_by_role("link", name=donnees.conseil.nom).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(donnees.conseil.nom)
    coordination.verifier_accessibilite()

    page.get_by_role("link", name="Créer un groupe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Créer un groupe opérationnel")
    coordination.verifier_accessibilite()
    page.get_by_label(libelle("Nom")).fill(NOM_GROUPE)
    page.get_by_label(libelle("Nature")).select_option(GroupeOperationnel.Nature.CCOP)
    page.get_by_label(libelle("Programme")).select_option(label=str(donnees.programme))
    page.get_by_label(libelle("Territoire")).select_option(label=str(donnees.quartier))
    page.get_by_label(libelle("Objet du groupe")).fill("Suivi partenarial de la ZSP.")
    page.get_by_role("button", name="Enregistrer").click()

    # Une CCOP hors ZSP : l'erreur est annoncée, liée à son champ, et rien n'est créé.
    territoire = page.get_by_label(libelle("Territoire"))
    expect(territoire).to_have_attribute("aria-invalid", "true")
    expect(territoire).to_have_accessible_description(
        re.compile("Une CCOP est rattachée à une zone de sécurité prioritaire")
    )
    expect(
        page.get_by_text("Une CCOP est rattachée à une zone de sécurité prioritaire")
    ).to_be_visible()
    assert not GroupeOperationnel.objects.filter(nom=NOM_GROUPE).exists()
    coordination.verifier_accessibilite()
    territoire.select_option(label=str(donnees.zsp))
    page.get_by_role("button", name="Enregistrer").click()

    groupe = GroupeOperationnel.objects.get(nom=NOM_GROUPE)
    expect(page).to_have_url(f"{coordination.url_serveur}{groupe.get_absolute_url()}")
    expect(page.get_by_role("heading", level=1)).to_have_text(NOM_GROUPE)
    expect(page.get_by_role("status")).to_contain_text(f"Le groupe « {NOM_GROUPE} » est créé.")
    coordination.verifier_accessibilite()

    # 2. Il y ajoute la future pilote, qui a déjà un compte.
    page.get_by_role("link", name="Ajouter un membre").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ajouter un membre")
    coordination.verifier_accessibilite()
    page.get_by_label(libelle("Adresse électronique")).fill(donnees.pilote.email)
    page.get_by_label(libelle("Prénom")).fill(donnees.pilote.first_name)
    page.get_by_label(libelle("Nom")).fill(donnees.pilote.last_name)
    page.get_by_label(libelle("Institution")).select_option(label=str(donnees.institution))
    page.get_by_label(libelle("Date de début")).fill(hier)
    page.get_by_role("button", name="Ajouter au groupe").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(NOM_GROUPE)
    membres = page.get_by_role("region", name="Membres")
    ligne = membres.get_by_role("row").filter(has_text=str(donnees.pilote))
    role = ligne.get_by_role("cell").nth(2)  # Institution, Fonction, Rôle, Depuis le…
    expect(ligne).to_contain_text(donnees.institution.nom)
    expect(role).to_have_text("Membre")
    coordination.verifier_accessibilite()

    # 3. Il la désigne pilote, avec les dates des accords du maire et du préfet.
    page.get_by_role("link", name="Désigner le pilote").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Désigner le pilote")
    coordination.verifier_accessibilite()
    page.get_by_label(libelle("Pilote")).select_option(label=str(donnees.pilote))
    page.get_by_label(libelle("Date de désignation")).fill(aujourdhui.isoformat())
    page.get_by_label(libelle("Accord du maire le")).fill(hier)
    page.get_by_label(libelle("Accord du préfet le")).fill(hier)
    page.get_by_role("button", name="Désigner le pilote").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(NOM_GROUPE)
    expect(role).to_have_text("Pilote")
    designations = page.get_by_role("region", name="Désignations du pilote")
    expect(designations.get_by_role("row").filter(has_text=str(donnees.pilote))).to_contain_text(
        "en cours"
    )
    coordination.verifier_accessibilite()

    # 4. Il se déconnecte ; la pilote se connecte et trouve son groupe.
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Connexion")
    se_connecter(coordination, donnees.pilote, verifier=False)
    mes_groupes = page.get_by_role("region", name="Mes groupes")
    mon_role = mes_groupes.get_by_role("row").filter(has_text=NOM_GROUPE).get_by_role("cell")
    expect(mon_role.last).to_have_text("Pilote")
    coordination.verifier_accessibilite()
    mes_groupes.get_by_role("link", name=NOM_GROUPE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(NOM_GROUPE)
    expect(page.get_by_role("link", name="Ajouter un membre")).to_have_count(0)
    coordination.verifier_accessibilite()

    # 5. L'étranger, membre d'un autre groupe, demande l'adresse du groupe : 404.
    etranger = ouvrir_session()
    se_connecter(etranger, donnees.etranger, verifier=False)
    expect(etranger.page.get_by_role("region", name="Mes groupes")).not_to_contain_text(NOM_GROUPE)
    reponse = etranger.aller(groupe.get_absolute_url())
    assert reponse.status == 404
    expect(etranger.page.get_by_role("heading", level=1)).to_have_text("Page introuvable")
    expect(etranger.page.get_by_text(NOM_GROUPE)).to_have_count(0)
    etranger.verifier_accessibilite()


@pytest.mark.parametrize(
    "connecte",
    [
        pytest.param(False, id="connexion"),
        pytest.param(True, id="fiche-du-groupe"),
    ],
)
def test_le_premier_tab_atteint_le_lien_d_evitement(
    ouvrir_session, donnees, groupe_pilote, connecte
):
    session = ouvrir_session()
    page = session.page
    if connecte:
        se_connecter(session, donnees.pilote, verifier=False)
        session.aller(groupe_pilote.get_absolute_url())
    else:
        session.aller("/compte/connexion/")
    page.keyboard.press("Tab")
    lien = page.get_by_role("link", name="Aller au contenu")
    expect(lien).to_be_focused(timeout=1_000)
    expect(lien).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.get_by_role("main")).to_be_focused()


def test_sans_javascript_connexion_fiche_du_groupe_et_deconnexion(
    ouvrir_session, donnees, groupe_pilote
):
    session = ouvrir_session(java_script_enabled=False)
    page = session.page
    se_connecter(session, donnees.pilote, verifier=False)
    page.get_by_role("region", name="Mes groupes").get_by_role("link", name=NOM_GROUPE).click()
    expect(page).to_have_url(f"{session.url_serveur}{groupe_pilote.get_absolute_url()}")
    expect(page.get_by_role("heading", level=1)).to_have_text(NOM_GROUPE)

    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Connexion")
    assert session.aller(groupe_pilote.get_absolute_url()).url.startswith(
        f"{session.url_serveur}/compte/connexion/"
    )
