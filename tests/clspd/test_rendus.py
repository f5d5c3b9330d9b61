"""Les PDF longs, rendus hors de la requête : l'estimation du nombre de pages (étalonnée sur
de vrais rendus), la demande et sa page d'avancement réservées au demandeur, le processus
de rendu et sa file, les échecs (accès perdu, erreur), le lancement borné par
PDF_TRAVAILLEURS_MAX et la purge après 24 heures.

Les tests rendent dans la requête (``PDF_EN_ARRIERE_PLAN`` faux, tests/conftest.py), par le
même chemin que le processus de rendu ; ceux qui ont besoin d'une file en attente
reprennent l'arrière-plan, où seul ``subprocess.Popen`` est simulé.
"""

import datetime
import html
import io
import logging
import random
import signal
import sys
from unittest import mock

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import resolve, reverse
from django.utils import timezone
from pypdf import PdfReader

from clspd import rendus
from clspd.models import MembreFormationRestreinte, Programme, RenduPDF
from evaluation import selectors as evaluation_selectors
from evaluation import services as evaluation_services
from evaluation.views.rapports import document_du_rapport
from groupes import services as groupe_services
from groupes.models import Appartenance
from groupes.views.reunions import document_du_compte_rendu
from programmes import services as programme_services
from programmes.models import Action
from programmes.views.plans import document_du_plan
from tests.factories import (
    InstitutionFactory,
    PointFactory,
    ReunionFactory,
    programme,
)

pytestmark = pytest.mark.django_db

Etat = RenduPDF.Etat

PHRASE = (
    "accompagnement des jeunes du quartier vers la formation et l'emploi prévention "
    "situationnelle médiation sociale nocturne dans les transports chantier éducatif d'été "
    "aide aux victimes de violences intrafamiliales permanence juridique au commissariat"
)
MOTS = PHRASE.split()


def texte(longueur, paragraphes=1, graine=0):
    """Un texte de mots ordinaires, de ``longueur`` caractères en ``paragraphes``."""
    hasard = random.Random(graine)
    morceaux = []
    for _ in range(paragraphes):
        morceau = ""
        while len(morceau) < longueur // paragraphes:
            morceau += hasard.choice(MOTS) + " "
        morceaux.append(morceau[: longueur // paragraphes].strip())
    return "\n\n".join(morceaux).capitalize()


def pages_du_pdf(contenu):
    return len(PdfReader(io.BytesIO(contenu)).pages)


def texte_du_pdf(contenu):
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(contenu)).pages)


def lire(reponse):
    """Le texte de la page, entités HTML décodées."""
    return html.unescape(reponse.content.decode())


def rendu_de(reponse):
    """La demande vers laquelle renvoie une réponse 303."""
    assert reponse.status_code == 303, reponse.status_code
    return RenduPDF.objects.get(pk=resolve(reponse["Location"]).kwargs["pk"])


def avancement(rendu):
    return reverse("rendu_pdf", args=[rendu.pk])


def etat(rendu):
    return reverse("rendu_pdf_etat", args=[rendu.pk])


def telechargement(rendu):
    return reverse("rendu_pdf_telecharger", args=[rendu.pk])


@pytest.fixture
def plan(groupe):
    return programme_services.plan_creer(
        groupe=groupe,
        titre="Plan jeunesse",
        date_debut=datetime.date(timezone.localdate().year, 1, 1),
        date_fin=datetime.date(timezone.localdate().year, 12, 31),
    )


def ajouter_actions(plan, nombre, longueur, graine=0):
    """Des actions en nombre, insérées d'un coup (comme seed_scale) : seule leur taille
    compte ici."""
    porteur = InstitutionFactory(conseil=plan.groupe.conseil, nom="Centre social des Lilas")
    Action.objects.bulk_create(
        Action(
            plan=plan,
            titre=texte(longueur, graine=graine + rang),
            programme=programme(),
            porteur=porteur,
            date_debut=plan.date_debut,
            statut=Action.Statut.EN_COURS,
        )
        for rang in range(nombre)
    )


def url_du_plan(plan):
    return reverse("programmes:plan_pdf", args=[plan.pk])


@pytest.fixture
def seuil_bas(monkeypatch):
    """Tout PDF passe par l'arrière-plan : la mécanique se vérifie sur de petits rendus."""
    monkeypatch.setattr(rendus, "SEUIL_PAGES", 0)


@pytest.fixture
def popen(settings, monkeypatch):
    """L'arrière-plan, sans processus : ``subprocess.Popen`` simulé (des processus qui
    tournent encore). Dans un test, la transaction n'est jamais validée : une demande reste
    en attente tant que le test ne lance pas lui-même les rappels de validation."""
    settings.PDF_EN_ARRIERE_PLAN = True
    monkeypatch.setattr(rendus, "_TRAVAILLEURS", [])
    simule = mock.Mock(name="Popen")
    simule.return_value.poll.return_value = None
    monkeypatch.setattr(rendus.subprocess, "Popen", simule)
    return simule


def demander(client, utilisateur, url):
    client.force_login(utilisateur)
    return rendu_de(client.get(url))


# Court : dans la requête ; long : hors de la requête ------------------------------------------


def test_un_pdf_court_reste_dans_la_requete(client, membre, plan):
    ajouter_actions(plan, 10, 60)
    client.force_login(membre)

    reponse = client.get(url_du_plan(plan))

    assert reponse.status_code == 200
    assert reponse["Content-Type"] == "application/pdf"
    assert isinstance(reponse.content, bytes) and reponse.content.startswith(b"%PDF-")
    assert reponse["Cache-Control"] == "private, no-store"
    assert document_du_plan(membre, pk=plan.pk).pages_estimees <= rendus.SEUIL_PAGES
    assert not RenduPDF.objects.exists()


def test_un_pdf_long_renvoie_vers_son_avancement_puis_se_telecharge(
    client, membre, plan, seuil_bas
):
    ajouter_actions(plan, 30, 60)
    client.force_login(membre)

    reponse = client.get(url_du_plan(plan))

    rendu = rendu_de(reponse)
    assert reponse["Location"] == avancement(rendu)
    assert rendu.demandeur == membre
    assert rendu.document == "programmes.views.plans.document_du_plan"
    assert rendu.parametres == {"pk": plan.pk}
    assert rendu.etat == Etat.TERMINE and rendu.progression == 100
    assert rendu.debute_le and rendu.termine_le and rendu.poste is None

    page = client.get(avancement(rendu))
    assert page.status_code == 200
    assert page["Cache-Control"] == "private, no-store"
    contenu = lire(page)
    assert "<h1>Préparation de votre PDF</h1>" in contenu
    assert "Plan d'action demandé le" in contenu
    assert f'Votre PDF est prêt<span id="rendu-pages"> : {rendu.pages} pages' in contenu
    assert f'href="{telechargement(rendu)}">Télécharger le PDF</a>' in contenu
    # Rien à suivre : ni script, ni lien « Actualiser » visible.
    assert "rendu-pdf.js" not in contenu
    assert '<p id="rendu-actualiser" hidden>' in contenu

    fichier = client.get(telechargement(rendu))
    assert fichier.status_code == 200
    assert fichier["Content-Type"] == "application/pdf"
    annee = plan.date_debut.year
    assert fichier["Content-Disposition"] == (
        f'attachment; filename="plan-d-action-groupe-jeunes-de-testville-{annee}.pdf"'
    )
    assert fichier["Cache-Control"] == "private, no-store"
    assert pages_du_pdf(fichier.content) == rendu.pages >= 2
    lu = texte_du_pdf(fichier.content)
    assert "Plan d'action : Plan jeunesse" in lu
    assert "Document confidentiel" in lu
    # Généré au nom du demandeur, avec des liens vers le site de la demande.
    assert f"Généré par {membre}" in lu
    assert rendu.origine == "http://testserver/"


def test_la_demande_identique_en_cours_est_reprise(client, membre, plan, seuil_bas, popen):
    premiere = demander(client, membre, url_du_plan(plan))
    seconde = demander(client, membre, url_du_plan(plan))

    assert premiere.pk == seconde.pk
    assert RenduPDF.objects.get().etat == Etat.EN_ATTENTE


# La page d'avancement, son JSON et le fichier : au seul demandeur -----------------------------


@pytest.mark.parametrize("vue", [avancement, etat, telechargement])
@pytest.mark.parametrize("persona", ["pilote", "coordonnateur", "etranger", "autre_conseil"])
def test_reserves_au_demandeur(request, client, membre, plan, seuil_bas, vue, persona):
    rendu = demander(client, membre, url_du_plan(plan))
    # Le pilote et le coordonnateur lisent ce plan : pas pour autant la demande d'un autre.
    client.force_login(request.getfixturevalue(persona))

    assert client.get(vue(rendu)).status_code == 404


@pytest.mark.parametrize("vue", [avancement, etat, telechargement])
def test_anonyme_renvoye_vers_la_connexion(client, membre, plan, seuil_bas, vue):
    rendu = demander(client, membre, url_du_plan(plan))
    client.logout()

    reponse = client.get(vue(rendu))

    assert reponse.status_code == 302
    assert reponse["Location"].startswith(reverse("connexion") + "?next=")


@pytest.mark.parametrize("nom", ["rendu_pdf", "rendu_pdf_etat", "rendu_pdf_telecharger"])
def test_identifiant_inconnu(client, membre, nom):
    client.force_login(membre)

    assert (
        client.get(reverse(nom, args=["5d3f2a4e-0000-4000-8000-000000000000"])).status_code == 404
    )
    assert client.get(f"/pdf/{'1' * 5}/").status_code == 404


def test_le_json_ne_donne_que_l_avancement(client, membre, plan, seuil_bas):
    rendu = demander(client, membre, url_du_plan(plan))

    reponse = client.get(etat(rendu))

    assert reponse["Content-Type"] == "application/json"
    assert reponse["Cache-Control"] == "private, no-store"
    donnees = reponse.json()
    assert donnees == {
        "etat": "termine",
        "etat_libelle": "terminé",
        "etape": "Terminé",
        "progression": 100,
        "pages": rendu.pages,
        "telecharger": telechargement(rendu),
        "redemander": None,
    }
    brut = reponse.content.decode()
    for secret in ("Plan jeunesse", "Groupe jeunes", "plan-d-action", "%PDF", membre.email):
        assert secret not in brut


def test_en_attente_la_page_se_suit_sans_javascript(client, membre, plan, seuil_bas, popen):
    rendu = demander(client, membre, url_du_plan(plan))

    contenu = lire(client.get(avancement(rendu)))

    assert 'aria-live="polite"' in contenu
    assert "En attente d'un poste de rendu : 0 %" in contenu
    assert '<label for="rendu-progression" class="form-label">' in contenu
    assert '<progress id="rendu-progression" max="100" value="0">' in contenu
    assert f'<a href="{avancement(rendu)}">Actualiser l\'avancement</a>' in contenu
    assert '<script src="/static/js/rendu-pdf.js" defer></script>' in contenu
    assert f'data-adresse-etat="{etat(rendu)}"' in contenu
    # Aucun script ni style en ligne (CSP stricte).
    assert "<script>" not in contenu and " style=" not in contenu


# Le processus de rendu ------------------------------------------------------------------------


def test_la_commande_traite_la_file_dans_l_ordre(
    client, membre, pilote, plan, seuil_bas, popen, monkeypatch
):
    ajouter_actions(plan, 40, 60)
    autre_plan = programme_services.plan_creer(
        groupe=plan.groupe,
        titre="Plan suivant",
        date_debut=plan.date_debut,
        date_fin=plan.date_fin,
    )
    demandes = [
        demander(client, membre, url_du_plan(plan)),
        demander(client, pilote, url_du_plan(plan)),
        demander(client, membre, url_du_plan(autre_plan)),
    ]
    progressions = {}
    emit = rendus._SuiviDeLaMiseEnPage.emit

    def espion(suivi, record):
        emit(suivi, record)
        progressions.setdefault(suivi.rendu.pk, []).append(suivi.progression)

    monkeypatch.setattr(rendus._SuiviDeLaMiseEnPage, "INTERVALLE", 0)
    monkeypatch.setattr(rendus._SuiviDeLaMiseEnPage, "emit", espion)
    sortie = io.StringIO()

    call_command("rendre_les_pdf", stdout=sortie)

    assert sortie.getvalue() == "3 PDF rendu(s).\n"
    faits = list(RenduPDF.objects.order_by("debute_le", "termine_le"))
    assert [r.pk for r in faits] == [d.pk for d in demandes]
    for fait in faits:
        assert fait.etat == Etat.TERMINE and fait.progression == 100 and fait.etape == "Terminé"
        assert fait.pages == pages_du_pdf(bytes(fait.contenu))
    assert faits[0].pages >= 3
    # La mise en page avance page à page, entre 10 et 65 %.
    for suivies in progressions.values():
        assert suivies == sorted(suivies) and max(suivies) <= 65
    assert any(10 < p < 65 for p in progressions[faits[0].pk])
    assert logging.getLogger("weasyprint.progress").level == logging.WARNING


def test_acces_perdu_avant_le_rendu(client, membre, plan, seuil_bas, popen):
    rendu = demander(client, membre, url_du_plan(plan))
    groupe_services.membre_retirer(
        Appartenance.objects.actives().get(groupe=plan.groupe, utilisateur=membre)
    )

    call_command("rendre_les_pdf", stdout=io.StringIO())

    rendu.refresh_from_db()
    assert rendu.etat == Etat.ECHEC
    assert rendu.etape == "Le document n'existe plus, ou vous n'y avez plus accès."
    assert rendu.contenu is None and rendu.pages is None and rendu.poste is None
    page = lire(client.get(avancement(rendu)))
    assert "le PDF n'a pas pu être préparé" in page
    assert f'href="{url_du_plan(plan)}">Demander à nouveau le PDF</a>' in page
    assert "Plan jeunesse" not in page
    assert client.get(etat(rendu)).json()["redemander"] == url_du_plan(plan)
    reponse = client.get(telechargement(rendu))
    assert reponse.status_code == 303 and reponse["Location"] == avancement(rendu)


def test_une_erreur_de_rendu_finit_en_echec_sans_detail(
    client, membre, plan, seuil_bas, popen, monkeypatch, caplog
):
    rendu = demander(client, membre, url_du_plan(plan))

    def en_panne(*args, **kwargs):
        raise ValueError("Plan jeunesse : contenu confidentiel")

    monkeypatch.setattr(rendus.pdf, "preparer_pdf", en_panne)
    with caplog.at_level(logging.INFO, logger="clspd.rendus"):
        rendus.traiter_la_file()

    rendu.refresh_from_db()
    assert rendu.etat == Etat.ECHEC and rendu.contenu is None
    assert rendu.etape == "Une erreur est survenue pendant la préparation du document."
    assert f"Rendu PDF {rendu.pk} : échec (ValueError)" in caplog.messages
    # Le journal : des identifiants et des états, jamais un nom ni un contenu.
    journal = "\n".join(caplog.messages)
    for secret in ("confidentiel", "Plan jeunesse", membre.email, str(membre)):
        assert secret not in journal


def test_le_processus_de_rendu_borne_chaque_rendu(
    client, membre, plan, seuil_bas, popen, monkeypatch, settings
):
    """Une alarme à ``PDF_DUREE_MAXIMALE_MINUTES`` par rendu : WeasyPrint bloqué n'occupe
    pas un poste indéfiniment."""
    settings.PDF_DUREE_MAXIMALE_MINUTES = 7
    rendu = demander(client, membre, url_du_plan(plan))
    alarmes = []
    monkeypatch.setattr(signal, "alarm", alarmes.append)

    def bloque(*args, **kwargs):
        signal.getsignal(signal.SIGALRM)(signal.SIGALRM, None)  # l'alarme sonne

    monkeypatch.setattr(rendus.pdf, "preparer_pdf", bloque)

    call_command("rendre_les_pdf", stdout=io.StringIO())

    assert alarmes == [7 * 60, 0]
    rendu.refresh_from_db()
    assert rendu.etat == Etat.ECHEC and rendu.contenu is None
    assert rendu.etape == "La préparation a pris trop de temps et a été interrompue."


def test_pas_de_telechargement_avant_la_fin(client, membre, plan, seuil_bas, popen):
    rendu = demander(client, membre, url_du_plan(plan))

    reponse = client.get(telechargement(rendu))

    assert reponse.status_code == 303 and reponse["Location"] == avancement(rendu)
    assert b"%PDF" not in reponse.content


def test_pas_de_telechargement_apres_perte_de_l_acces(client, membre, plan, seuil_bas):
    rendu = demander(client, membre, url_du_plan(plan))
    assert rendu.etat == Etat.TERMINE
    groupe_services.membre_retirer(
        Appartenance.objects.actives().get(groupe=plan.groupe, utilisateur=membre)
    )

    assert client.get(telechargement(rendu)).status_code == 404


def test_seules_les_fonctions_marquees_sont_des_documents():
    assert rendus.fonction_du_document(document_du_plan.nom_du_document) is document_du_plan
    for nom in ("os.system", "subprocess.Popen", "clspd.rendus.traiter_la_file", "inconnu"):
        with pytest.raises(rendus.DocumentInconnu):
            rendus.fonction_du_document(nom)


# Le lancement des processus -------------------------------------------------------------------


def en_attente(demandeur, nombre):
    return [
        RenduPDF.objects.create(
            demandeur=demandeur,
            document=document_du_plan.nom_du_document,
            parametres={"pk": rang},
            adresse="/",
            origine="http://testserver/",
            etape=rendus.EN_ATTENTE,
            pages_estimees=30,
            nom_fichier="plan.pdf",
        )
        for rang in range(nombre)
    ]


def test_la_demande_lance_un_processus_apres_validation(
    client, membre, plan, seuil_bas, popen, django_capture_on_commit_callbacks
):
    client.force_login(membre)
    with django_capture_on_commit_callbacks(execute=True):
        rendu = rendu_de(client.get(url_du_plan(plan)))

    popen.assert_called_once_with(
        [sys.executable, str(settings.BASE_DIR / "manage.py"), "rendre_les_pdf"],
        cwd=settings.BASE_DIR,
        stdin=rendus.subprocess.DEVNULL,
        stdout=rendus.subprocess.DEVNULL,
        stderr=None,
        start_new_session=True,
    )
    rendu.refresh_from_db()
    assert rendu.etat == Etat.EN_ATTENTE


def test_le_lancement_respecte_le_maximum(membre, popen, settings):
    settings.PDF_TRAVAILLEURS_MAX = 2
    demandes = en_attente(membre, 4)

    assert rendus.lancer_des_travailleurs() == 2
    assert popen.call_count == 2
    # Les deux processus tournent encore : aucun de plus.
    assert rendus.lancer_des_travailleurs() == 0
    assert popen.call_count == 2

    # Ils ont fini ; un rendu est en cours ailleurs (un autre processus web) : un seul poste.
    popen.return_value.poll.return_value = 0
    RenduPDF.objects.filter(pk=demandes[0].pk).update(
        etat=Etat.EN_COURS, poste=1, debute_le=timezone.now()
    )
    assert rendus.lancer_des_travailleurs() == 1
    assert popen.call_count == 3


def test_un_poste_par_rendu_en_cours(membre, settings):
    settings.PDF_TRAVAILLEURS_MAX = 2
    en_attente(membre, 3)

    premiere, seconde = rendus._reserver(), rendus._reserver()

    assert {premiere.poste, seconde.poste} == {1, 2}
    assert premiere.etat == seconde.etat == Etat.EN_COURS
    # Les deux postes sont pris : la troisième attend, et le processus s'arrête.
    assert rendus._reserver() is None
    assert rendus.traiter_la_file() == 0
    assert RenduPDF.objects.filter(etat=Etat.EN_ATTENTE).count() == 1


def test_une_demande_oubliee_est_relancee(client, membre, popen):
    ancienne, recente = en_attente(membre, 2)
    RenduPDF.objects.filter(pk=ancienne.pk).update(
        cree_le=timezone.now() - datetime.timedelta(minutes=1)
    )
    client.force_login(membre)

    client.get(etat(recente))
    assert popen.call_count == 0  # à peine demandée : son processus démarre

    client.get(etat(ancienne))
    assert popen.call_count == 2  # rien en cours : deux postes libres pour deux demandes


def test_un_rendu_trop_long_passe_en_echec(client, membre, popen, settings):
    settings.PDF_DUREE_MAXIMALE_MINUTES = 10
    (rendu,) = en_attente(membre, 1)
    RenduPDF.objects.filter(pk=rendu.pk).update(
        etat=Etat.EN_COURS, poste=1, debute_le=timezone.now() - datetime.timedelta(minutes=11)
    )
    client.force_login(membre)

    donnees = client.get(etat(rendu)).json()

    assert donnees["etat"] == "echec"
    assert donnees["etape"] == "La préparation a pris trop de temps et a été interrompue."
    assert RenduPDF.objects.get(pk=rendu.pk).poste is None
    # Le processus, s'il finit quand même, n'écrit plus rien.
    with pytest.raises(rendus._Abandonne):
        rendus._avancer(rendu, rendus.ECRITURE)


# Purge ----------------------------------------------------------------------------------------


def test_l_entretien_quotidien_efface_les_rendus_de_plus_de_24_heures(
    client, membre, plan, seuil_bas
):
    vieux = demander(client, membre, url_du_plan(plan))
    RenduPDF.objects.filter(pk=vieux.pk).update(
        cree_le=timezone.now() - datetime.timedelta(hours=25)
    )
    recent = demander(client, membre, url_du_plan(plan))
    sortie = io.StringIO()

    call_command("entretien_quotidien", "--dry-run", stdout=sortie)
    assert RenduPDF.objects.count() == 2
    assert "rendus PDF de plus de 24 heures : 1 ligne(s) à effacer" in sortie.getvalue()

    sortie = io.StringIO()
    call_command("entretien_quotidien", stdout=sortie)

    assert list(RenduPDF.objects.values_list("pk", flat=True)) == [recent.pk]
    assert "rendus PDF de plus de 24 heures : 1 ligne(s) effacée(s)" in sortie.getvalue()
    assert membre.email not in sortie.getvalue() and "Plan jeunesse" not in sortie.getvalue()


# Étalonnage : l'estimation face aux vrais rendus ----------------------------------------------


def telecharger(client, url):
    """Les octets du PDF de ``url`` et s'il a été rendu hors de la requête."""
    reponse = client.get(url)
    if reponse.status_code == 303:
        rendu = rendu_de(reponse)
        fichier = client.get(telechargement(rendu))
        assert fichier.status_code == 200
        assert rendu.pages == pages_du_pdf(fichier.content)
        return fichier.content, True
    assert reponse.status_code == 200
    return reponse.content, False


def verifier_l_estimation(client, utilisateur, url, fonction, **parametres):
    """Le PDF de ``url`` part en arrière-plan si, et seulement si, son estimation dépasse le
    seuil ; l'estimation ne sous-estime pas de plus d'une page (un PDF de plus de 21 pages
    ne se rend jamais dans la requête) et surestime de 30 % (et deux pages) au plus."""
    estimees = fonction(utilisateur, **parametres).pages_estimees
    client.force_login(utilisateur)

    contenu, en_arriere_plan = telecharger(client, url)

    reelles = pages_du_pdf(contenu)
    assert en_arriere_plan == (estimees > rendus.SEUIL_PAGES), (estimees, reelles)
    assert reelles - 1 <= estimees <= reelles * 1.3 + 2, (estimees, reelles)
    return estimees, reelles


@pytest.mark.parametrize(
    ("actions", "longueur", "partenaires", "arriere_plan"),
    [(10, 40, 0, False), (60, 60, 2, False), (250, 90, 0, True)],
)
def test_etalonnage_du_plan(client, membre, plan, actions, longueur, partenaires, arriere_plan):
    ajouter_actions(plan, actions, longueur)
    lies = [
        InstitutionFactory(conseil=plan.groupe.conseil, nom=f"Association {texte(30, graine=n)}")
        for n in range(partenaires)
    ]
    for action in plan.actions.all():
        action.partenaires.set(lies)

    estimees, _ = verifier_l_estimation(
        client, membre, url_du_plan(plan), document_du_plan, pk=plan.pk
    )

    assert (estimees > rendus.SEUIL_PAGES) == arriere_plan


@pytest.mark.parametrize(("points", "arriere_plan"), [(3, False), (40, True)])
def test_etalonnage_du_compte_rendu(client, pilote, membre, groupe, points, arriere_plan):
    reunion = ReunionFactory(
        groupe=groupe, cree_par=pilote, date=timezone.localdate() - datetime.timedelta(days=2)
    )
    ordre = [
        PointFactory(reunion=reunion, ordre=rang + 1, description=texte(120, graine=rang))
        for rang in range(points)
    ]
    groupe_services.compte_rendu_enregistrer(
        reunion,
        auteur=pilote,
        synthese=texte(1200, 3, graine=99),
        notes={point: texte(1500, 3, graine=rang) for rang, point in enumerate(ordre)},
    )
    for rang in range(points // 4):
        groupe_services.decision_ajouter(
            reunion, auteur=pilote, libelle=texte(100, graine=rang), porteur=membre
        )
    groupe_services.compte_rendu_valider(reunion, auteur=pilote)

    estimees, _ = verifier_l_estimation(
        client,
        membre,
        reverse("groupes:compte_rendu_pdf", args=[reunion.pk, 1]),
        document_du_compte_rendu,
        pk=reunion.pk,
        version=1,
    )

    assert (estimees > rendus.SEUIL_PAGES) == arriere_plan


def test_etalonnage_du_rapport(client):
    """Sur le jeu à l'échelle (20 groupes par conseil, 10 actions et 5 indicateurs par
    groupe) : le rapport d'un petit programme reste dans la requête, celui d'un grand part
    en arrière-plan, commenté partout et conclu longuement."""
    call_command("seed_scale", factor=0.002, seed=2026, stdout=io.StringIO())
    siege = MembreFormationRestreinte.objects.order_by("pk").first()
    conseil, formation_restreinte = siege.conseil, siege.utilisateur
    coordonnateur = conseil.coordonnateurs.order_by("pk").first()
    annee = timezone.localdate().year
    programmes = {p.axe: p for p in evaluation_selectors.programmes_des_groupes(conseil)}
    resultats = {}
    for axe, commente in ((Programme.Axe.VICTIMES, False), (Programme.Axe.TRANQUILLITE, True)):
        rapport = evaluation_services.rapport_preparer(
            conseil=conseil, annee=annee, programme=programmes[axe], auteur=coordonnateur
        )
        if commente:
            evaluation_services.rapport_soumettre(rapport, auteur=coordonnateur)
            for rang, partie in enumerate(sorted(evaluation_selectors.parties_du_rapport(rapport))):
                evaluation_services.rapport_commenter(
                    rapport,
                    auteur=formation_restreinte,
                    partie=partie,
                    texte=texte(400, graine=rang),
                )
            evaluation_services.rapport_conclure(
                rapport, auteur=formation_restreinte, conclusions=texte(1500, 3)
            )
        resultats[axe] = verifier_l_estimation(
            client,
            coordonnateur,
            reverse("evaluation:rapport_pdf", args=[rapport.pk]),
            document_du_rapport,
            pk=rapport.pk,
        )

    assert resultats[Programme.Axe.VICTIMES][0] <= rendus.SEUIL_PAGES
    assert resultats[Programme.Axe.TRANQUILLITE][0] > rendus.SEUIL_PAGES
