"""L'évaluation d'une action dans Chromium : un opérateur (membre du groupe pour l'institution
porteuse) saisit la période depuis « Mes saisies » et la soumet, la pilote la valide, le
coordonnateur prépare le rapport de l'année et le soumet à la formation restreinte, dont une
membre commente une partie, conclut, clôt l'examen et télécharge le PDF (agrégats seulement :
aucun nom ni courriel). Chaque page visitée passe axe (WCAG 2.1 A et AA) ; un tableau de
répartition incohérent est refusé en français ; un brouillon s'enregistre sans JavaScript."""

import datetime
import io
import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone
from pypdf import PdfReader

from clspd import services as conseil_services
from clspd.models import Conseil, Institution, Territoire
from evaluation import services as evaluation_services
from evaluation.models import CommentaireRapport, Indicateur, RapportEvaluation, Saisie, Valeur
from groupes import services as groupe_services
from groupes.models import GroupeOperationnel
from programmes import services as programme_services
from programmes.models import Action
from tests.e2e.test_parcours import expect, se_connecter
from tests.factories import CommuneFactory, UtilisateurFactory, programme

pytestmark = pytest.mark.e2e

NOM_CONSEIL = "CLSPD de Testville"
NOM_GROUPE = "Groupe jeunes de Testville"
TITRE_ACTION = "Chantiers éducatifs d'été"
NOMBRE = "Nombre de bénéficiaires"
PROFIL = "Profil des bénéficiaires"
REITERATION = "Réitération des comportements à l'origine de la mesure"
APPRECIATION = "Appréciation par l'opérateur de l'évolution de la situation des bénéficiaires"
DIFFICULTES = "Difficultés et obstacles rencontrés"
TEXTE_APPRECIATION = "Une participation régulière et des liens renoués avec les éducateurs."
TEXTE_DIFFICULTES = "Des créneaux du gymnase difficiles à obtenir pendant l'été."
COMMENTAIRE = "Une action à reconduire, en élargissant le public aux 18-25 ans."
CONCLUSIONS = "La formation restreinte soutient la poursuite des chantiers en 2027."


def champ(texte):
    """Le champ dont l'étiquette commence par ce texte (crispy y ajoute l'astérisque)."""
    return re.compile(rf"^\s*{re.escape(texte)}(\W|$)")


@pytest.fixture
def donnees(base_de_donnees):
    """Un conseil et son coordonnateur, un quartier ; un groupe, sa pilote (du commissariat)
    et un opérateur (du centre social, qui porte l'action) ; une membre de la formation
    restreinte ; le plan de l'année et son action, évaluée chaque année : le nombre de
    bénéficiaires, leur profil, un pourcentage et deux textes."""
    aujourdhui = timezone.localdate()
    annee = aujourdhui.year
    il_y_a = datetime.timedelta(days=30)
    coordonnateur = UtilisateurFactory(
        email="coordination@testville.fr", first_name="Claire", last_name="Coordonne"
    )
    conseil = conseil_services.conseil_creer(
        nom=NOM_CONSEIL,
        type=Conseil.Type.CLSPD,
        communes=[CommuneFactory(nom="Testville")],
        coordonnateurs=[coordonnateur],
    )
    commissariat = conseil_services.institution_creer(
        conseil=conseil, nom="Commissariat de Testville", categorie=Institution.Categorie.AUTRE
    )
    centre_social = conseil_services.institution_creer(
        conseil=conseil, nom="Centre social des Lilas", categorie=Institution.Categorie.AUTRE
    )
    quartier = conseil_services.territoire_creer(
        conseil=conseil, nom="Quartier des Lilas", type=Territoire.Type.QUARTIER
    )
    pilote = UtilisateurFactory(
        email="paula.martin@testville.fr", first_name="Paula", last_name="Martin"
    )
    operateur = UtilisateurFactory(
        email="olivier.lenoir@centre-social.fr", first_name="Olivier", last_name="Lenoir"
    )
    deleguee = UtilisateurFactory(
        email="delphine.prefet@testville.fr", first_name="Delphine", last_name="Préfet"
    )
    conseil_services.formation_restreinte_ajouter(
        conseil=conseil,
        utilisateur=deleguee,
        institution=None,
        qualite="Déléguée du préfet",
        programme=None,
        date_debut=aujourdhui - il_y_a,
    )
    groupe = groupe_services.groupe_creer(
        conseil=conseil,
        nom=NOM_GROUPE,
        nature=GroupeOperationnel.Nature.THEMATIQUE,
        programme=programme(),
    )
    for personne, institution in ((pilote, commissariat), (operateur, centre_social)):
        groupe_services.membre_ajouter(
            groupe=groupe,
            auteur=coordonnateur,
            email=personne.email,
            first_name=personne.first_name,
            last_name=personne.last_name,
            fonction="",
            institution=institution,
            date_debut=aujourdhui - il_y_a,
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
    plan = programme_services.plan_creer(
        groupe=groupe,
        titre="Plan d'action de l'année",
        date_debut=datetime.date(annee, 1, 1),
        date_fin=datetime.date(annee, 12, 31),
    )
    action = programme_services.action_creer(
        plan=plan,
        titre=TITRE_ACTION,
        programme=programme(),
        porteur=centre_social,
        date_debut=datetime.date(annee, 1, 1),
        statut=Action.Statut.EN_COURS,
    )
    catalogue = {i.code: i for i in Indicateur.objects.filter(conseil__isnull=True)}
    evaluation = evaluation_services.evaluation_parametrer(
        action,
        rythme="annee",
        cibles={
            catalogue["beneficiaires"]: Decimal(50),
            catalogue["profil_beneficiaires"]: None,
            catalogue["reiteration"]: Decimal(20),
            catalogue["evolution_beneficiaires"]: None,
            catalogue["difficultes"]: None,
        },
    )
    return SimpleNamespace(
        conseil=conseil,
        coordonnateur=coordonnateur,
        pilote=pilote,
        operateur=operateur,
        deleguee=deleguee,
        quartier=quartier,
        evaluation=evaluation,
        annee=annee,
    )


def ouvrir_mes_saisies(session):
    page = session.page
    principale = page.get_by_role("navigation", name="Navigation principale")
    principale.get_by_role("link", name="Mes saisies").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes saisies")


def ouvrir_les_rapports(session, personne):
    """Connexion, le conseil depuis « Mes conseils », puis l'onglet des rapports (axe sur
    chaque page)."""
    page = session.page
    se_connecter(session, personne)
    session.verifier_accessibilite()
    page.get_by_role("region", name="Mes conseils").get_by_role("link", name=NOM_CONSEIL).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(NOM_CONSEIL)
    session.verifier_accessibilite()
    sections = page.get_by_role("navigation", name="Sections du conseil")
    sections.get_by_role("link", name="Rapports d'évaluation").click()
    expect(page.get_by_role("heading", level=2)).to_have_text("Rapports d'évaluation")
    session.verifier_accessibilite()


def remplir_repartition(page, *, age, sexe, territoire):
    """Les trois tableaux du profil : {catégorie: nombre} par dimension."""
    profil = page.get_by_role("group", name=PROFIL)
    for legende, cases in (
        ("Par tranche d'âge", age),
        ("Par sexe", sexe),
        ("Par territoire", territoire),
    ):
        for categorie, nombre in cases.items():
            profil.get_by_label(f"{legende} : {categorie}", exact=True).fill(str(nombre))


def test_saisie_validation_rapport_examen_et_pdf(ouvrir_session, donnees):
    annee = donnees.annee
    periode = str(annee)
    quartier = donnees.quartier.nom

    # 1. L'opérateur ouvre la période de l'année depuis « Mes saisies ».
    operateur = ouvrir_session()
    page = operateur.page
    se_connecter(operateur, donnees.operateur)
    operateur.verifier_accessibilite()
    ouvrir_mes_saisies(operateur)
    ligne = (
        page.get_by_role("region", name="Mes actions")
        .get_by_role("row")
        .filter(has_text=TITRE_ACTION)
    )
    expect(ligne).to_contain_text(NOM_GROUPE)
    operateur.verifier_accessibilite()
    ligne.get_by_role("button", name=f"Saisir la période {periode}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"{TITRE_ACTION} : saisie de la période {periode}"
    )
    saisie = Saisie.objects.get(evaluation=donnees.evaluation, annee=annee)
    expect(page).to_have_url(f"{operateur.url_serveur}{saisie.get_absolute_url()}")
    operateur.verifier_accessibilite()

    # 2. Il remplit tout, mais la répartition par âge ne totalise pas le nombre saisi :
    # l'erreur s'affiche en français à côté du tableau, et rien n'est soumis.
    page.get_by_label(champ(NOMBRE)).fill("37")
    remplir_repartition(
        page,
        age={"13 à 15 ans": 20, "16 et 17 ans": 16},
        sexe={"Femmes": 17, "Hommes": 20},
        territoire={quartier: 30, "Autre territoire ou non renseigné": 7},
    )
    page.get_by_label(champ(REITERATION)).fill("12,5")
    page.get_by_label(champ(APPRECIATION)).fill(TEXTE_APPRECIATION)
    page.get_by_label(champ(DIFFICULTES)).fill(TEXTE_DIFFICULTES)
    page.get_by_role("button", name="Soumettre au pilote").click()
    expect(page.get_by_role("alert").filter(has_text="Rien n'est enregistré")).to_be_visible()
    expect(page.get_by_role("group", name=PROFIL)).to_have_accessible_description(
        re.compile("La répartition par âge totalise 36 au lieu de 37 bénéficiaires.")
    )
    # Ce qui a été saisi reste dans les champs.
    expect(page.get_by_label(champ(NOMBRE))).to_have_value("37")
    expect(page.get_by_label(champ(DIFFICULTES))).to_have_value(TEXTE_DIFFICULTES)
    saisie.refresh_from_db()
    assert saisie.statut == Saisie.Statut.BROUILLON
    assert not Valeur.objects.filter(saisie=saisie).exists()
    operateur.verifier_accessibilite()

    # 3. Il corrige la case fautive et soumet la période au pilote.
    remplir_repartition(page, age={"16 et 17 ans": 17}, sexe={}, territoire={})
    page.get_by_role("button", name="Soumettre au pilote").click()
    expect(page.get_by_role("status")).to_contain_text(
        f"La période {periode} est soumise au pilote."
    )
    expect(page.get_by_role("button", name="Soumettre au pilote")).to_have_count(0)
    operateur.verifier_accessibilite()
    saisie.refresh_from_db()
    assert saisie.statut == Saisie.Statut.SOUMISE
    assert saisie.saisie_par == donnees.operateur
    valeurs = {v.indicateur.code: v for v in saisie.valeurs.select_related("indicateur")}
    assert valeurs["beneficiaires"].nombre == Decimal("37")
    assert valeurs["reiteration"].nombre == Decimal("12.5")
    assert valeurs["profil_beneficiaires"].repartition["age"]["16_17"] == 17
    assert valeurs["difficultes"].texte == TEXTE_DIFFICULTES

    # 4. La pilote la retrouve parmi les saisies à valider, la relit et la valide.
    pilote = ouvrir_session()
    page = pilote.page
    se_connecter(pilote, donnees.pilote)
    pilote.verifier_accessibilite()
    ouvrir_mes_saisies(pilote)
    a_valider = page.get_by_role("region", name="Saisies à valider")
    expect(a_valider.get_by_role("row").filter(has_text=TITRE_ACTION)).to_contain_text(
        str(donnees.operateur)
    )
    pilote.verifier_accessibilite()
    a_valider.get_by_role("link", name=f"Valider {TITRE_ACTION}, {periode}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Valider la saisie {periode} de « {TITRE_ACTION} »"
    )
    expect(page.get_by_role("definition").filter(has_text="37")).to_have_count(1)
    pilote.verifier_accessibilite()
    page.get_by_role("button", name="Valider la saisie").click()
    expect(page.get_by_role("status")).to_contain_text(
        f"La saisie de la période {periode} est validée."
    )
    pilote.verifier_accessibilite()
    saisie.refresh_from_db()
    assert saisie.statut == Saisie.Statut.VALIDEE
    assert saisie.validee_par == donnees.pilote

    # 5. Le coordonnateur prépare le rapport de l'année pour tout le conseil et le soumet.
    coordination = ouvrir_session()
    page = coordination.page
    ouvrir_les_rapports(coordination, donnees.coordonnateur)
    page.get_by_role("link", name="Préparer un rapport").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Préparer un rapport d'évaluation")
    coordination.verifier_accessibilite()
    page.get_by_label(champ("Année évaluée")).fill(periode)
    page.get_by_role("button", name="Préparer le rapport").click()
    titre = f"Rapport d'évaluation {annee} — tout le conseil"
    expect(page.get_by_role("heading", level=1)).to_have_text(titre)
    expect(page.get_by_role("status")).to_contain_text(f"Le rapport « {titre} » est préparé.")
    groupe = page.get_by_role("region", name=NOM_GROUPE, exact=True)
    expect(groupe).to_contain_text(TEXTE_APPRECIATION)
    expect(groupe.get_by_role("row").filter(has_text="Saisies validées")).to_contain_text(
        "1 sur 1 attendue"
    )
    coordination.verifier_accessibilite()
    rapport = RapportEvaluation.objects.get(conseil=donnees.conseil, annee=annee)
    page.get_by_role("link", name="Soumettre à la formation restreinte").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Soumettre le rapport à la formation restreinte"
    )
    expect(page.get_by_role("main")).to_contain_text(
        "La saisie qu'il contient ne pourra plus être modifiée."
    )
    coordination.verifier_accessibilite()
    page.get_by_role("button", name="Soumettre à la formation restreinte").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Le rapport est soumis à la formation restreinte."
    )
    coordination.verifier_accessibilite()
    rapport.refresh_from_db()
    assert rapport.statut == RapportEvaluation.Statut.SOUMIS
    assert list(rapport.saisies.all()) == [saisie]

    # 6. La déléguée du préfet ouvre le rapport soumis et commente la partie du groupe.
    formation = ouvrir_session(accept_downloads=True)
    page = formation.page
    ouvrir_les_rapports(formation, donnees.deleguee)
    ligne = page.get_by_role("row").filter(has_text=titre)
    expect(ligne).to_contain_text("Soumis à la formation restreinte")
    ligne.get_by_role("link", name=titre, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(titre)
    formation.verifier_accessibilite()
    groupe = page.get_by_role("region", name=NOM_GROUPE, exact=True)
    groupe.get_by_label(champ(f"Commentaire sur « {NOM_GROUPE} »")).fill(COMMENTAIRE)
    groupe.get_by_role("button", name="Commenter").click()
    expect(page.get_by_role("status")).to_contain_text("Votre commentaire est enregistré.")
    expect(
        groupe.get_by_role("region", name="Commentaires de la formation restreinte")
    ).to_contain_text(COMMENTAIRE)
    formation.verifier_accessibilite()
    commentaire = CommentaireRapport.objects.get(rapport=rapport)
    assert commentaire.partie == f"groupe-{donnees.evaluation.action.plan.groupe_id}"
    assert commentaire.auteur == donnees.deleguee

    # 7. Elle écrit les conclusions et clôt l'examen : les formulaires disparaissent.
    conclusions = page.get_by_role("region", name="Conclusions de la formation restreinte")
    conclusions.get_by_label(champ("Conclusions de la formation restreinte")).fill(CONCLUSIONS)
    conclusions.get_by_label(champ("Marquer le rapport comme examiné")).check()
    conclusions.get_by_role("button", name="Enregistrer les conclusions").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Le rapport est examiné : son examen est clos."
    )
    expect(conclusions).to_contain_text(CONCLUSIONS)
    expect(page.get_by_role("button", name="Commenter")).to_have_count(0)
    expect(page.get_by_role("button", name="Enregistrer les conclusions")).to_have_count(0)
    formation.verifier_accessibilite()
    rapport.refresh_from_db()
    assert rapport.statut == RapportEvaluation.Statut.EXAMINE
    assert rapport.examine_par == donnees.deleguee
    assert rapport.conclusions == CONCLUSIONS

    # 8. Elle télécharge le PDF : le groupe, les chiffres saisis, le commentaire, les
    # conclusions, et aucune des personnes qui ont saisi, validé ou préparé.
    with page.expect_download() as telechargement:
        page.get_by_role("link", name="Télécharger le PDF").click()
    fichier = telechargement.value
    assert fichier.suggested_filename == f"rapport-devaluation-{annee}-tout-le-conseil.pdf"
    with open(fichier.path(), "rb") as pdf:  # le chemin n'a pas d'extension : un flux
        lecteur = PdfReader(io.BytesIO(pdf.read()))
    texte = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in lecteur.pages))
    metadonnees = " ".join(str(valeur) for valeur in (lecteur.metadata or {}).values())
    for attendu in [titre, "Sommaire", "Synthèse", NOM_GROUPE, COMMENTAIRE, CONCLUSIONS]:
        assert attendu in texte, f"« {attendu} » absent du PDF"
    # La page du groupe : son tableau (valeur, année précédente, cible, atteinte) et ses textes.
    debut_du_groupe = f"{NOM_GROUPE} Thématique Activité"
    assert debut_du_groupe in texte, "la section du groupe manque au PDF"
    section = texte.split(debut_du_groupe, 1)[1]
    for attendu in [
        "Saisies validées 1 sur 1 attendue",
        f"{NOMBRE} Indicateurs de réalisation personnes 37 — 50 74 %",
        f"{REITERATION} Indicateurs d'impact quantitatif % 12,5 — 20",
        f"{APPRECIATION} ({periode}) {TEXTE_APPRECIATION}",
        f"{DIFFICULTES} ({periode}) {TEXTE_DIFFICULTES}",
        "Commentaires de la formation restreinte Le ",  # une date, pas de nom
        COMMENTAIRE,
    ]:
        assert attendu in section, f"« {attendu} » absent de la section du groupe"
    # Ni nom ni courriel de l'opérateur, de la pilote ou du coordonnateur, dans le texte comme
    # dans les métadonnées. (Le pied de page commun des PDF, clspd.pdf, nomme en revanche qui
    # a téléchargé le document : la déléguée.)
    for personne in (donnees.operateur, donnees.pilote, donnees.coordonnateur):
        for donnee_personnelle in (personne.first_name, personne.last_name, personne.email):
            assert donnee_personnelle not in texte, f"« {donnee_personnelle} » dans le PDF"
            assert donnee_personnelle not in metadonnees, f"« {donnee_personnelle} » en métadonnée"


def test_sans_javascript_un_brouillon_de_saisie_s_enregistre(ouvrir_session, donnees):
    session = ouvrir_session(java_script_enabled=False)
    page = session.page
    se_connecter(session, donnees.operateur, verifier=False)
    ouvrir_mes_saisies(session)
    page.get_by_role("button", name=f"Saisir la période {donnees.annee}").click()
    saisie = Saisie.objects.get(evaluation=donnees.evaluation, annee=donnees.annee)
    expect(page).to_have_url(f"{session.url_serveur}{saisie.get_absolute_url()}")
    page.get_by_label(champ(NOMBRE)).fill("12")
    remplir_repartition(
        page,
        age={"Moins de 13 ans": 12},
        sexe={"Femmes": 5, "Hommes": 7},
        territoire={donnees.quartier.nom: 12},
    )
    page.get_by_label(champ(REITERATION)).fill("8,25")
    # Un brouillon n'exige pas encore les textes.
    page.get_by_label(champ(DIFFICULTES)).fill(TEXTE_DIFFICULTES)
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page).to_have_url(f"{session.url_serveur}{saisie.get_absolute_url()}")
    expect(page.get_by_role("status")).to_contain_text("Le brouillon est enregistré.")
    expect(page.get_by_label(champ(NOMBRE))).to_have_value("12")
    expect(page.get_by_label(champ(REITERATION))).to_have_value("8,25")
    saisie.refresh_from_db()
    assert saisie.statut == Saisie.Statut.BROUILLON
    valeurs = {v.indicateur.code: v for v in saisie.valeurs.select_related("indicateur")}
    assert valeurs["beneficiaires"].nombre == Decimal("12")
    assert valeurs["reiteration"].nombre == Decimal("8.25")
    assert valeurs["profil_beneficiaires"].repartition["sexe"] == {"femmes": 5, "hommes": 7}
    assert valeurs["evolution_beneficiaires"].texte == ""
    assert valeurs["difficultes"].texte == TEXTE_DIFFICULTES
