"""Le suivi individuel dans Chromium : un membre accepte la charte du groupe jeunes, ouvre le
dossier d'une personne suivie ; la pilote voit son passage au journal des accès ; une
personne de la formation restreinte n'atteint ni le dossier ni la liste. Chaque page visitée
passe axe (WCAG 2.1 A et AA)."""

import datetime
import re
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from clspd import services as conseil_services
from clspd.models import Conseil, Institution, Programme
from groupes import services as groupe_services
from groupes.models import AcceptationCharte, GroupeOperationnel, JournalAcces, Situation
from tests.e2e.test_parcours import expect, libelle, se_connecter
from tests.factories import CommuneFactory, UtilisateurFactory, programme

pytestmark = pytest.mark.e2e

NOM = "Fictivenom"
PRENOM = "Prénomfictif"


@pytest.fixture
def donnees(base_de_donnees):
    """Un groupe jeunes, sa pilote (qui a accepté la charte), un membre qui ne l'a pas encore
    acceptée, et une personne de la formation restreinte du conseil."""
    coordonnateur = UtilisateurFactory(email="coordination@testville.fr", first_name="Claire")
    conseil = conseil_services.conseil_creer(
        nom="CLSPD de Testville",
        type=Conseil.Type.CLSPD,
        communes=[CommuneFactory(nom="Testville")],
        coordonnateurs=[coordonnateur],
    )
    institution = conseil_services.institution_creer(
        conseil=conseil, nom="Mission locale", categorie=Institution.Categorie.AUTRE
    )
    groupe = groupe_services.groupe_creer(
        conseil=conseil,
        nom="Jeunes en difficulté",
        nature=GroupeOperationnel.Nature.THEMATIQUE,
        programme=programme(Programme.Axe.JEUNES),
    )
    pilote = UtilisateurFactory(email="pilote@testville.fr", first_name="Paula", last_name="Pilote")
    membre = UtilisateurFactory(email="membre@testville.fr", first_name="Marc", last_name="Membre")
    hier = timezone.localdate() - datetime.timedelta(days=1)
    for personne in (pilote, membre):
        groupe_services.membre_ajouter(
            groupe=groupe,
            auteur=coordonnateur,
            email=personne.email,
            first_name=personne.first_name,
            last_name=personne.last_name,
            fonction="",
            institution=institution,
            date_debut=hier,
            base_url="http://testserver",
        )
    groupe_services.pilote_designer(
        groupe=groupe,
        auteur=coordonnateur,
        pilote=pilote,
        date_designation=hier,
        accord_maire_le=hier,
        accord_prefet_le=hier,
    )
    groupe_services.charte_publier(
        groupe=groupe,
        auteur=coordonnateur,
        charte_deontologique="Les informations partagées ne sortent pas du groupe.",
        reglement_interieur="Le groupe se réunit chaque mois.",
        adoptee_le=hier,
    )
    groupe_services.charte_accepter(groupe=groupe, utilisateur=pilote)
    formation_restreinte = UtilisateurFactory(
        email="fr@testville.fr", first_name="Fanny", last_name="Formation"
    )
    conseil_services.formation_restreinte_ajouter(
        conseil=conseil,
        utilisateur=formation_restreinte,
        institution=institution,
        qualite="Procureur de la République",
        programme=None,
        date_debut=hier,
    )
    return SimpleNamespace(
        groupe=groupe, pilote=pilote, membre=membre, formation_restreinte=formation_restreinte
    )


def test_charte_dossier_journal_et_cloisonnement(ouvrir_session, donnees):
    groupe = donnees.groupe
    aujourdhui = timezone.localdate()

    # 1. Le membre va aux situations : la charte d'abord.
    membre = ouvrir_session()
    page = membre.page
    se_connecter(membre, donnees.membre, verifier=False)
    membre.aller(groupe.get_absolute_url())
    page.get_by_role("link", name="Les situations suivies").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Charte déontologique du groupe {groupe.nom}"
    )
    expect(page.get_by_text("Les informations partagées ne sortent pas du groupe.")).to_be_visible()
    membre.verifier_accessibilite()
    page.get_by_role("button", name="J'accepte la charte").click()
    assert AcceptationCharte.objects.filter(utilisateur=donnees.membre).exists()

    # 2. La liste s'ouvre, avec l'avis que chaque accès est enregistré.
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Situations suivies par le groupe {groupe.nom}"
    )
    expect(
        page.get_by_text("Chaque consultation est enregistrée dans le journal des accès")
    ).to_be_visible()
    membre.verifier_accessibilite()

    # 3. Il ouvre un dossier ; une erreur d'âge s'affiche sous son champ.
    page.get_by_role("link", name="Ouvrir un dossier").click()
    membre.verifier_accessibilite()
    page.get_by_label(libelle("Nom")).fill(NOM)
    page.get_by_label(libelle("Prénom")).fill(PRENOM)
    page.get_by_role("radio", name="Féminin").check()
    page.get_by_label(libelle("Date de naissance")).fill(
        aujourdhui.replace(year=aujourdhui.year - 30).isoformat()
    )
    page.get_by_label(libelle("Situation scolaire ou professionnelle")).select_option(
        Situation.Scolarite.DECROCHAGE
    )
    page.get_by_role("checkbox", name="Établissement scolaire").check()
    page.get_by_label(libelle("Référent")).select_option(label=str(donnees.membre))
    page.get_by_role("button", name="Enregistrer le dossier").click()

    naissance = page.get_by_label(libelle("Date de naissance"))
    expect(naissance).to_have_attribute("aria-invalid", "true")
    assert not Situation.objects.exists()
    membre.verifier_accessibilite()
    naissance.fill(aujourdhui.replace(year=aujourdhui.year - 15).isoformat())
    page.get_by_role("button", name="Enregistrer le dossier").click()

    situation = Situation.objects.get()
    expect(page.get_by_role("heading", level=1)).to_contain_text(situation.reference)
    expect(page.get_by_text(NOM).first).to_be_visible()
    membre.verifier_accessibilite()

    # 4. La pilote voit ce passage au journal des accès : qui, quoi, quel dossier.
    pilote = ouvrir_session()
    page_pilote = pilote.page
    se_connecter(pilote, donnees.pilote, verifier=False)
    pilote.aller(groupe.get_absolute_url())
    page_pilote.get_by_role("link", name="Le journal des accès").click()
    expect(page_pilote.get_by_role("heading", level=1)).to_have_text(
        f"Journal des accès aux situations du groupe {groupe.nom}"
    )
    pilote.verifier_accessibilite()
    lignes = page_pilote.get_by_role("row").filter(has_text=str(donnees.membre))
    creation = lignes.filter(has_text="Création")
    expect(creation).to_have_count(1)
    expect(creation).to_contain_text(situation.reference)
    expect(
        lignes.filter(has_text="Consultation").filter(has_text=situation.reference)
    ).to_have_count(1)
    # Le journal ne contient pas le nom de la personne suivie.
    expect(page_pilote.get_by_text(NOM)).to_have_count(0)
    assert JournalAcces.objects.filter(utilisateur=donnees.membre).exists()

    # 5. La formation restreinte n'atteint ni le dossier, ni la liste, ni le journal.
    formation = ouvrir_session()
    se_connecter(formation, donnees.formation_restreinte, verifier=False)
    for chemin in (
        reverse("groupes:situation_detail", args=[situation.pk]),
        reverse("groupes:situations", args=[groupe.pk]),
        reverse("groupes:journal", args=[groupe.pk]),
    ):
        reponse = formation.aller(chemin)
        assert reponse.status == 404, chemin
        expect(formation.page.get_by_text(NOM)).to_have_count(0)
    formation.aller("/")
    expect(formation.page.get_by_text(re.compile("situation", re.IGNORECASE))).to_have_count(0)
