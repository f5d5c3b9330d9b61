"""Le plan d'action d'un groupe dans Chromium : la pilote écrit son plan, deux actions et leurs
financements, propose une nouvelle action ; un membre de la formation restreinte la retient ;
le coordonnateur filtre les actions du conseil et en télécharge l'export XLSX. Chaque page
visitée passe axe (WCAG 2.1 A et AA) ; une ligne de financement se saisit sans JavaScript."""

import datetime
import io
import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from clspd import services as conseil_services
from clspd.models import Conseil, Institution, Programme, Territoire
from groupes import services as groupe_services
from groupes.models import GroupeOperationnel
from programmes import services as programme_services
from programmes.exports import ENTETES_ACTIONS
from programmes.models import Action, Financement, PlanAction, Proposition
from tests.e2e.test_parcours import expect, se_connecter
from tests.factories import CommuneFactory, UtilisateurFactory, programme

pytestmark = pytest.mark.e2e

NOM_GROUPE = "Groupe jeunes de Testville"
AUTRE_GROUPE = "Groupe tranquillité de Testville"
TITRE_PLAN = "Plan d'action de l'année"
CHANTIERS = "Chantiers éducatifs d'été"
SORTIES = "Sorties culturelles du mercredi"
PROPOSEE = "Boxe éducative au gymnase"
HORS_FILTRE = "Vidéoprotection du parking"


def champ(texte):
    """Le champ dont l'étiquette commence par ce texte (crispy y ajoute l'astérisque)."""
    return re.compile(rf"^\s*{re.escape(texte)}(\W|$)")


def le(annee, mois, jour):
    return datetime.date(annee, mois, jour).isoformat()


@pytest.fixture
def donnees(base_de_donnees):
    """Un conseil, son coordonnateur, trois institutions et un quartier ; un groupe du
    programme « jeunes » et sa pilote ; une membre de la formation restreinte ; un autre
    groupe, avec une action d'un autre programme (que le filtre du coordonnateur écarte)."""
    coordonnateur = UtilisateurFactory(
        email="coordination@testville.fr", first_name="Claire", last_name="Coordonne"
    )
    conseil = conseil_services.conseil_creer(
        nom="CLSPD de Testville",
        type=Conseil.Type.CLSPD,
        communes=[CommuneFactory(nom="Testville")],
        coordonnateurs=[coordonnateur],
    )

    def institution(nom, categorie=Institution.Categorie.AUTRE):
        return conseil_services.institution_creer(conseil=conseil, nom=nom, categorie=categorie)

    commissariat = institution("Commissariat de Testville")
    bailleur = institution("Testville Habitat", Institution.Categorie.BAILLEUR)
    centre_social = institution("Centre social des Lilas")
    quartier = conseil_services.territoire_creer(
        conseil=conseil, nom="Quartier des Lilas", type=Territoire.Type.QUARTIER
    )
    pilote = UtilisateurFactory(
        email="paula.martin@testville.fr", first_name="Paula", last_name="Martin"
    )
    deleguee = UtilisateurFactory(
        email="delphine.prefet@testville.fr", first_name="Delphine", last_name="Préfet"
    )
    aujourdhui = timezone.localdate()
    conseil_services.formation_restreinte_ajouter(
        conseil=conseil,
        utilisateur=deleguee,
        institution=None,
        qualite="Déléguée du préfet",
        programme=None,
        date_debut=aujourdhui - datetime.timedelta(days=30),
    )
    groupe = groupe_services.groupe_creer(
        conseil=conseil,
        nom=NOM_GROUPE,
        nature=GroupeOperationnel.Nature.THEMATIQUE,
        programme=programme(),
    )
    groupe_services.membre_ajouter(
        groupe=groupe,
        auteur=coordonnateur,
        email=pilote.email,
        first_name=pilote.first_name,
        last_name=pilote.last_name,
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
    autre_groupe = groupe_services.groupe_creer(
        conseil=conseil,
        nom=AUTRE_GROUPE,
        nature=GroupeOperationnel.Nature.THEMATIQUE,
        programme=programme(Programme.Axe.TRANQUILLITE),
    )
    autre_plan = programme_services.plan_creer(
        groupe=autre_groupe,
        titre="Plan tranquillité",
        date_debut=datetime.date(aujourdhui.year, 1, 1),
        date_fin=datetime.date(aujourdhui.year, 12, 31),
    )
    programme_services.action_creer(
        plan=autre_plan,
        titre=HORS_FILTRE,
        programme=programme(Programme.Axe.TRANQUILLITE),
        porteur=bailleur,
        date_debut=datetime.date(aujourdhui.year, 2, 1),
        statut=Action.Statut.VALIDEE,
    )
    return SimpleNamespace(
        conseil=conseil,
        coordonnateur=coordonnateur,
        commissariat=commissariat,
        bailleur=bailleur,
        centre_social=centre_social,
        quartier=quartier,
        groupe=groupe,
        pilote=pilote,
        deleguee=deleguee,
        annee=aujourdhui.year,
    )


def ouvrir_le_conseil(session, personne, conseil):
    """Connexion, puis le conseil depuis « Mes conseils » (axe sur chaque page)."""
    page = session.page
    se_connecter(session, personne)
    session.verifier_accessibilite()
    page.get_by_role("region", name="Mes conseils").get_by_role("link", name=conseil.nom).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(conseil.nom)
    session.verifier_accessibilite()
    return page.get_by_role("navigation", name="Sections du conseil")


def ajouter_action(session, *, titre, porteur, partenaires, debut, fin, statut, territoire=None):
    page = session.page
    page.get_by_role("link", name="Ajouter une action").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Ajouter une action au plan « {TITRE_PLAN} »"
    )
    session.verifier_accessibilite()
    page.get_by_label(champ("Titre")).fill(titre)
    page.get_by_label(champ("Objectifs")).fill("Occuper les jeunes du quartier l'été.")
    page.get_by_label(champ("Public visé")).fill("Jeunes de 14 à 18 ans")
    if territoire:
        page.get_by_label(champ("Territoire")).select_option(label=str(territoire))
    page.get_by_label(champ("Institution porteuse")).select_option(label=porteur.nom)
    for partenaire in partenaires:
        page.get_by_role("checkbox", name=partenaire.nom).check()
    page.get_by_label(champ("Début")).fill(debut)
    page.get_by_label(champ("Fin")).fill(fin)
    page.get_by_label(champ("Statut")).select_option(label=statut)
    page.get_by_role("button", name="Enregistrer l'action").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(titre)
    expect(page.get_by_role("status")).to_contain_text(f"L'action « {titre} » est enregistrée.")
    session.verifier_accessibilite()


def ajouter_financement(session, *, source, demande, accorde="", decision=""):
    page = session.page
    page.get_by_role("link", name="Ajouter une ligne de financement").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ajouter une ligne de financement")
    session.verifier_accessibilite()
    page.get_by_label(champ("Source")).select_option(label=source)
    page.get_by_label(champ("Montant demandé")).fill(demande)
    page.get_by_label(champ("Montant accordé")).fill(accorde)
    page.get_by_label(champ("Date de la décision")).fill(decision)
    page.get_by_role("button", name="Enregistrer la ligne de financement").click()
    expect(page.get_by_role("status")).to_contain_text("La ligne de financement est enregistrée.")
    session.verifier_accessibilite()


def revenir_au_plan(session):
    page = session.page
    fil = page.get_by_role("navigation", name="Fil d'Ariane")
    fil.get_by_role("link", name=TITRE_PLAN).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITRE_PLAN)
    session.verifier_accessibilite()


def montants(ligne):
    """Les cellules (hors en-tête de ligne) d'une ligne de tableau."""
    return ligne.get_by_role("cell")


def test_plan_actions_proposition_decision_et_export(ouvrir_session, donnees):
    annee = donnees.annee

    # 1. La pilote ouvre son groupe, puis ses plans d'action, et crée le plan de l'année.
    pilote = ouvrir_session()
    page = pilote.page
    se_connecter(pilote, donnees.pilote)
    page.get_by_role("region", name="Mes groupes").get_by_role("link", name=NOM_GROUPE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(NOM_GROUPE)
    pilote.verifier_accessibilite()
    plans = page.get_by_role("region", name="Plans d'action")
    plans.get_by_role("link", name=re.compile("Les plans d'action du groupe")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Plans d'action du groupe {NOM_GROUPE}"
    )
    pilote.verifier_accessibilite()
    page.get_by_role("link", name="Nouveau plan d'action").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Nouveau plan d'action du groupe {NOM_GROUPE}"
    )
    pilote.verifier_accessibilite()
    page.get_by_label(champ("Titre")).fill(TITRE_PLAN)
    page.get_by_label(champ("Début de la période")).fill(le(annee, 1, 1))
    page.get_by_label(champ("Fin de la période")).fill(le(annee, 12, 31))
    page.get_by_label(champ("Statut")).select_option(label="En projet")
    page.get_by_role("button", name="Enregistrer le plan").click()
    plan = PlanAction.objects.get(titre=TITRE_PLAN)
    expect(page).to_have_url(f"{pilote.url_serveur}{plan.get_absolute_url()}")
    expect(page.get_by_role("status")).to_contain_text(
        f"Le plan d'action « {TITRE_PLAN} » est enregistré."
    )
    pilote.verifier_accessibilite()

    # 2. Deux actions, avec porteur, partenaires, dates et statut, et leurs financements.
    ajouter_action(
        pilote,
        titre=CHANTIERS,
        porteur=donnees.commissariat,
        partenaires=[donnees.centre_social, donnees.bailleur],
        debut=le(annee, 6, 1),
        fin=le(annee, 8, 31),
        statut="Validée",
        territoire=donnees.quartier,
    )
    ajouter_financement(
        pilote, source="FIPD", demande="10000", accorde="8000,50", decision=le(annee, 3, 15)
    )
    ajouter_financement(pilote, source="Commune", demande="5000")
    financements = page.get_by_role("region", name="Financements")
    total = financements.get_by_role("row").filter(has_text="Total de l'action")
    expect(montants(total).nth(0)).to_have_text("15 000,00 €")
    expect(montants(total).nth(1)).to_have_text("8 000,50 €")

    revenir_au_plan(pilote)
    ajouter_action(
        pilote,
        titre=SORTIES,
        porteur=donnees.centre_social,
        partenaires=[donnees.commissariat],
        debut=le(annee, 1, 15),
        fin=le(annee, 12, 15),
        statut="En cours",
    )
    ajouter_financement(pilote, source="CAF", demande="2500")

    # Les totaux du plan, calculés : par action, pour le plan et par source.
    revenir_au_plan(pilote)
    actions = page.get_by_role("region", name="Actions", exact=True)
    chantiers = actions.get_by_role("row").filter(has_text=CHANTIERS)
    expect(chantiers).to_contain_text("Centre social des Lilas, Testville Habitat")
    expect(chantiers).to_contain_text("Validée")
    expect(montants(chantiers).nth(-2)).to_have_text("15 000,00 €")
    expect(montants(chantiers).nth(-1)).to_have_text("8 000,50 €")
    total_plan = actions.get_by_role("row").filter(has_text="Total du plan")
    expect(montants(total_plan)).to_have_text(["17 500,00 €", "8 000,50 €"])
    sources = page.get_by_role("region", name="Financements par source")
    for source, attendus in [
        ("CAF", ["2 500,00 €", "0,00 €"]),
        ("Commune", ["5 000,00 €", "0,00 €"]),
        ("FIPD", ["10 000,00 €", "8 000,50 €"]),
        ("Total du plan", ["17 500,00 €", "8 000,50 €"]),
    ]:
        expect(montants(sources.get_by_role("row").filter(has_text=source))).to_have_text(attendus)

    # 3. Une nouvelle action, proposée à la formation restreinte.
    ajouter_action(
        pilote,
        titre=PROPOSEE,
        porteur=donnees.bailleur,
        partenaires=[donnees.centre_social],
        debut=le(annee, 9, 1),
        fin=le(annee, 12, 31),
        statut="Proposée",
    )
    ajouter_financement(pilote, source="FIPD", demande="4000")
    page.get_by_role("link", name="Proposer à la formation restreinte").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Proposer l'action « {PROPOSEE} » à la formation restreinte"
    )
    pilote.verifier_accessibilite()
    page.get_by_label(champ("Exposé")).fill("Un créneau au gymnase, 4 000 € demandés au FIPD.")
    page.get_by_role("button", name="Proposer à la formation restreinte").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(PROPOSEE)
    expect(page.get_by_role("status")).to_contain_text(
        f"L'action « {PROPOSEE} » est proposée à la formation restreinte."
    )
    historique = page.get_by_role("region", name="Propositions à la formation restreinte")
    expect(historique.get_by_role("row").nth(1)).to_contain_text("En attente")
    expect(page.get_by_role("link", name="Proposer à la formation restreinte")).to_have_count(0)
    pilote.verifier_accessibilite()

    # 4. La déléguée du préfet, à la formation restreinte, retient la proposition.
    formation = ouvrir_session()
    page = formation.page
    sections = ouvrir_le_conseil(formation, donnees.deleguee, donnees.conseil)
    sections.get_by_role("link", name="Propositions").click()
    expect(page.get_by_role("heading", level=2)).to_have_text(
        "Propositions d'actions à la formation restreinte"
    )
    formation.verifier_accessibilite()
    page.get_by_role("link", name=f"Statuer sur « {PROPOSEE} »").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Proposition : {PROPOSEE}")
    formation.verifier_accessibilite()
    decision = page.get_by_role("group", name=champ("Décision de la formation restreinte"))
    decision.get_by_role("radio", name="Retenue").check()
    page.get_by_label(champ("Commentaire")).fill("Retenue pour la rentrée.")
    page.get_by_label(champ("Financement accordé")).fill("3500")
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.get_by_role("status")).to_contain_text(
        f"Décision enregistrée pour « {PROPOSEE} » : retenue."
    )
    ligne = page.get_by_role("row").filter(has_text=PROPOSEE)
    expect(ligne).to_contain_text("Retenue")
    expect(montants(ligne).last).to_have_text("3 500,00 €")
    formation.verifier_accessibilite()
    ligne.get_by_role("link", name=PROPOSEE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(PROPOSEE)
    statut = page.get_by_role("definition").filter(has_text="Validée")
    expect(statut).to_have_count(1)
    formation.verifier_accessibilite()
    proposition = Proposition.objects.get(action__titre=PROPOSEE)
    assert proposition.decision == Proposition.Decision.RETENUE
    assert proposition.financement_accorde == Decimal("3500")
    assert proposition.decidee_par == donnees.deleguee
    assert proposition.action.statut == Action.Statut.VALIDEE

    # 5. Le coordonnateur filtre les actions du conseil par programme et exporte le XLSX.
    coordination = ouvrir_session(accept_downloads=True)
    page = coordination.page
    sections = ouvrir_le_conseil(coordination, donnees.coordonnateur, donnees.conseil)
    sections.get_by_role("link", name="Actions et financements").click()
    expect(page.get_by_role("heading", level=2)).to_have_text("Actions et financements")
    liste = page.get_by_role("region", name="Les actions", exact=True)
    expect(liste.get_by_role("row")).to_have_count(5)  # l'en-tête et quatre actions
    coordination.verifier_accessibilite()
    page.get_by_label(champ("Programme")).select_option(label=str(programme()))
    page.get_by_label(champ("Année du plan")).fill(str(annee))
    page.get_by_role("button", name="Filtrer").click()
    expect(liste.get_by_role("row")).to_have_count(4)  # l'en-tête et trois actions
    expect(liste).not_to_contain_text(HORS_FILTRE)
    expect(liste.get_by_role("row").filter(has_text=PROPOSEE)).to_contain_text("Validée")
    coordination.verifier_accessibilite()
    with page.expect_download() as telechargement:
        page.get_by_role("link", name="Actions (XLSX)").click()
    fichier = telechargement.value
    assert re.fullmatch(r"actions-clspd-de-testville-[\d-]+\.xlsx", fichier.suggested_filename)
    with open(fichier.path(), "rb") as xlsx:  # le chemin n'a pas d'extension : un flux
        classeur = load_workbook(io.BytesIO(xlsx.read()), read_only=True)
    entetes, *lignes = list(classeur["Actions"].iter_rows(values_only=True))
    classeur.close()
    assert entetes == ENTETES_ACTIONS
    par_titre = {ligne[2]: dict(zip(entetes, ligne, strict=True)) for ligne in lignes}
    assert sorted(par_titre) == sorted([CHANTIERS, SORTIES, PROPOSEE])
    attendus = {
        CHANTIERS: ("Validée", "Commissariat de Testville", 15000, 8000.5),
        SORTIES: ("En cours", "Centre social des Lilas", 2500, 0),
        PROPOSEE: ("Validée", "Testville Habitat", 4000, 0),
    }
    for titre, (statut, porteur, demande, accorde) in attendus.items():
        ligne = par_titre[titre]
        assert ligne["Groupe"] == NOM_GROUPE
        assert ligne["Plan"] == TITRE_PLAN
        assert ligne["Statut"] == statut
        assert ligne["Porteur"] == porteur
        for colonne, montant in [("Total demandé", demande), ("Total accordé", accorde)]:
            valeur = ligne[colonne]
            assert isinstance(valeur, int | float) and not isinstance(valeur, bool), (
                f"{titre}, {colonne} : {valeur!r} n'est pas un nombre"
            )
            assert valeur == montant
    assert set(par_titre[CHANTIERS]["Partenaires"].split(", ")) == {
        "Centre social des Lilas",
        "Testville Habitat",
    }
    assert par_titre[CHANTIERS]["Territoire"] == "Quartier des Lilas"
    assert par_titre[CHANTIERS]["Début"] == datetime.datetime(annee, 6, 1)


def test_sans_javascript_une_ligne_de_financement_se_saisit(ouvrir_session, donnees):
    annee = donnees.annee
    plan = programme_services.plan_creer(
        groupe=donnees.groupe,
        titre=TITRE_PLAN,
        date_debut=datetime.date(annee, 1, 1),
        date_fin=datetime.date(annee, 12, 31),
    )
    action = programme_services.action_creer(
        plan=plan,
        titre=CHANTIERS,
        programme=programme(),
        porteur=donnees.commissariat,
        date_debut=datetime.date(annee, 6, 1),
        statut=Action.Statut.VALIDEE,
    )
    session = ouvrir_session(java_script_enabled=False)
    page = session.page
    se_connecter(session, donnees.pilote, verifier=False)
    session.aller(plan.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text(TITRE_PLAN)
    page.get_by_role("region", name="Actions", exact=True).get_by_role(
        "link", name=CHANTIERS
    ).click()
    page.get_by_role("link", name="Ajouter une ligne de financement").click()
    page.get_by_label(champ("Source")).select_option(label="Région")
    page.get_by_label(champ("Montant demandé")).fill("1500,50")
    # Plus accordé que demandé, sans confirmation : l'erreur revient du serveur, sans script.
    page.get_by_label(champ("Montant accordé")).fill("2000")
    page.get_by_role("button", name="Enregistrer la ligne de financement").click()
    confirmation = page.get_by_label(champ("Je confirme"))
    expect(confirmation).to_have_accessible_description(
        re.compile("Le montant accordé dépasse le montant demandé")
    )
    assert not Financement.objects.filter(action=action).exists()

    confirmation.check()
    page.get_by_role("button", name="Enregistrer la ligne de financement").click()
    expect(page).to_have_url(f"{session.url_serveur}{action.get_absolute_url()}")
    expect(page.get_by_role("status")).to_contain_text("La ligne de financement est enregistrée.")
    financement = Financement.objects.get(action=action)
    assert financement.montant_demande == Decimal("1500.50")
    assert financement.montant_accorde == Decimal("2000")
    assert financement.depassement_confirme

    page.get_by_role("navigation", name="Fil d'Ariane").get_by_role("link", name=TITRE_PLAN).click()
    total_plan = (
        page.get_by_role("region", name="Actions", exact=True)
        .get_by_role("row")
        .filter(has_text="Total du plan")
    )
    expect(montants(total_plan)).to_have_text(["1 500,50 €", "2 000,00 €"])
