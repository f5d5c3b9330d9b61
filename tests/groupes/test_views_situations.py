"""Les vues du suivi individuel, par le client de test : la charte qui ouvre les situations,
l'ouverture, la modification et la clôture d'un dossier, ses notes et ses actions, les
archives motivées, le journal des accès.

Une saisie refusée affiche l'erreur française sous son champ et n'écrit rien, ni dossier ni
ligne du journal. Chaque liste, recherche, consultation ou modification écrit une ligne au
journal, sans aucune donnée personnelle. Qui n'est pas du groupe reçoit une 404 partout.
Les règles des services sont dans ``test_situations.py``.
"""

import dataclasses
import datetime
import re
from collections.abc import Callable

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from clspd.models import Programme
from groupes import services
from groupes.models import (
    AcceptationCharte,
    ActionSuivi,
    Charte,
    JournalAcces,
    NoteSuivi,
    Situation,
)
from groupes.services import groupe_synchroniser_permissions
from groupes.urls import urlpatterns
from tests.evaluation.test_rapports import texte_du_pdf
from tests.factories import (
    AppartenanceFactory,
    GroupeFactory,
    ReunionFactory,
    UtilisateurFactory,
    programme,
)
from tests.groupes.test_requetes import assert_meme_nombre_de_requetes
from tests.groupes.test_views import CHOIX_INVALIDE, erreur_du_champ
from tests.groupes.test_views_reunions import formulaire_reunion

pytestmark = pytest.mark.django_db

Operation = JournalAcces.Operation

NOM = "Fictivenom"
PRENOM = "Prénomfictif"
AVIS = "Chaque consultation est enregistrée dans le journal des accès"
IP = "127.0.0.1"  # REMOTE_ADDR du client de test


def jour(decalage=0):
    return timezone.localdate() + datetime.timedelta(days=decalage)


def ans_avant(date, annees):
    try:
        return date.replace(year=date.year - annees)
    except ValueError:
        return date.replace(year=date.year - annees, day=28)


def publier(groupe, auteur, texte="Les informations échangées restent dans le groupe."):
    return services.charte_publier(
        groupe=groupe,
        auteur=auteur,
        charte_deontologique=texte,
        reglement_interieur="Le groupe se réunit chaque mois.",
        adoptee_le=jour(-1),
    )


def creer(groupe, auteur, **autres):
    date_debut = autres.pop("date_debut", jour(-30))
    champs = {
        "nom": NOM,
        "prenom": PRENOM,
        "sexe": Situation.Sexe.FEMININ,
        "date_naissance": ans_avant(date_debut, 15),
        "representants_legaux": "Mère : 06 00 00 00 00",
        "scolarite": Situation.Scolarite.DECROCHAGE,
        "date_debut": date_debut,
        "origines": [Situation.Origine.ETABLISSEMENT],
        "programme": programme(),
        "referent": auteur,
        **autres,
    }
    return services.situation_creer(groupe=groupe, auteur=auteur, **champs)


def formulaire_situation(referent, **champs):
    date_debut = jour(-30)
    donnees = {
        "nom": "Nouveaunom",
        "prenom": "Nouveauprénom",
        "sexe": Situation.Sexe.MASCULIN,
        "date_naissance": ans_avant(date_debut, 16).isoformat(),
        "representants_legaux": "Père : 06 11 11 11 11",
        "scolarite": Situation.Scolarite.SCOLARISE,
        "date_debut": date_debut.isoformat(),
        "origines": [Situation.Origine.POLICE, Situation.Origine.FAMILLE],
        "referent": referent.pk,
        "programme": programme().pk,
    }
    donnees.update(champs)
    return {cle: valeur for cle, valeur in donnees.items() if valeur is not None}


def etat_de_la_base():
    modeles = (Situation, ActionSuivi, NoteSuivi, JournalAcces, Charte, AcceptationCharte)
    return {modele.__name__: modele.objects.count() for modele in modeles}


def operations():
    return list(
        JournalAcces.objects.order_by("horodatage", "pk").values_list("operation", flat=True)
    )


def assert_journal_sans_donnees_personnelles(*situations):
    """Aucune ligne du journal ne contient un nom, un prénom ou une date de naissance."""
    lignes = list(JournalAcces.objects.values())
    assert lignes
    for ligne in lignes:
        texte = " ".join(str(valeur) for valeur in ligne.values()).casefold()
        for situation in situations:
            for donnee in (
                situation.nom,
                situation.prenom,
                situation.date_naissance.isoformat(),
                situation.date_naissance.strftime("%d/%m/%Y"),
            ):
                assert donnee.casefold() not in texte, f"{donnee} figure au journal : {ligne}"


def url(nom, *args):
    return reverse(f"groupes:{nom}", args=args)


@pytest.fixture
def charte(groupe, coordonnateur):
    return publier(groupe, coordonnateur)


@pytest.fixture
def lecteur(client, groupe, membre, charte):
    """Le membre, connecté, qui a accepté la charte en vigueur."""
    services.charte_accepter(groupe=groupe, utilisateur=membre)
    client.force_login(membre)
    return membre


@pytest.fixture
def situation(groupe, pilote, charte):
    services.charte_accepter(groupe=groupe, utilisateur=pilote)
    return creer(groupe, pilote)


@pytest.fixture
def archivee(situation, pilote):
    return services.situation_clore(
        situation, auteur=pilote, date_fin=jour(-1), motif_fin=Situation.MotifFin.ORIENTATION
    )


# La charte, porte des situations ------------------------------------------------------------


def test_sans_acceptation_le_membre_est_renvoye_vers_la_charte(client, groupe, membre, situation):
    client.force_login(membre)
    avant = etat_de_la_base()

    for nom, cle in [("situations", groupe.pk), ("situation_creer", groupe.pk)]:
        reponse = client.get(url(nom, cle))
        assert reponse.status_code == 302
        assert reponse["Location"] == url("charte", groupe.pk)
    reponse = client.get(url("situations", groupe.pk), follow=True)

    contenu = reponse.content.decode()
    assert 'value="J&#x27;accepte la charte"' in contenu
    assert "Les informations échangées restent dans le groupe." in contenu
    # Ni nom, ni référence, ni nombre de suivis.
    assert NOM not in contenu and situation.reference not in contenu
    assert "suivi en cours" not in contenu and "1 suivi" not in contenu
    # Le dossier lui-même n'existe pas pour lui.
    assert client.get(url("situation_detail", situation.pk)).status_code == 404
    assert etat_de_la_base() == avant


def test_accepter_la_charte_ouvre_les_situations(client, groupe, membre, charte, situation):
    client.force_login(membre)

    reponse = client.post(url("charte", groupe.pk), {"version": charte.version})

    assert reponse.status_code == 302
    assert reponse["Location"] == url("situations", groupe.pk)
    acceptation = AcceptationCharte.objects.get(utilisateur=membre)
    assert acceptation.charte == charte
    reponse = client.get(url("situations", groupe.pk))
    assert reponse.status_code == 200
    contenu = reponse.content.decode()
    assert NOM in contenu and situation.reference in contenu
    assert AVIS in contenu
    page = client.get(url("charte", groupe.pk)).content.decode()
    assert "Vous avez accepté cette version de la charte." in page
    assert 'name="version"' not in page


def test_une_nouvelle_version_de_la_charte_ferme_a_nouveau_les_situations(
    client, groupe, lecteur, coordonnateur, situation
):
    assert client.get(url("situations", groupe.pk)).status_code == 200

    client.force_login(coordonnateur)
    reponse = client.post(
        url("charte_publier", groupe.pk),
        {
            "charte_deontologique": "Version révisée : rien ne sort du groupe.",
            "reglement_interieur": "",
            "adoptee_le": jour().isoformat(),
        },
    )
    assert reponse.status_code == 302
    assert groupe.chartes.count() == 2

    client.force_login(lecteur)
    reponse = client.get(url("situations", groupe.pk))
    assert reponse.status_code == 302
    assert reponse["Location"] == url("charte", groupe.pk)
    assert client.get(url("situation_detail", situation.pk)).status_code == 404
    page = client.get(url("charte", groupe.pk)).content.decode()
    assert "Version révisée : rien ne sort du groupe." in page
    assert "Version 2" in page

    client.post(url("charte", groupe.pk), {"version": 2})
    assert client.get(url("situations", groupe.pk)).status_code == 200


def test_accepter_une_version_remplacee_entre_temps_est_refuse(
    client, groupe, membre, coordonnateur, charte
):
    client.force_login(membre)
    publier(groupe, coordonnateur, texte="Une version publiée pendant la lecture.")

    reponse = client.post(url("charte", groupe.pk), {"version": charte.version})

    assert reponse.status_code == 200
    assert "Une nouvelle version de la charte vient d&#x27;être publiée" in (
        reponse.content.decode()
    )
    assert not AcceptationCharte.objects.exists()


def test_le_pilote_voit_qui_a_accepte_quelle_version(
    client, groupe, pilote, membre, coordonnateur, charte
):
    services.charte_accepter(groupe=groupe, utilisateur=pilote)
    services.charte_accepter(groupe=groupe, utilisateur=membre)
    publier(groupe, coordonnateur, texte="Deuxième version.")
    services.charte_accepter(groupe=groupe, utilisateur=pilote)
    client.force_login(pilote)

    contenu = client.get(url("charte", groupe.pk)).content.decode()

    en_vigueur, anciennes = contenu.split("Version 1, adoptée le")
    assert "Version 2 (en vigueur) : 1 acceptation" in en_vigueur
    membres_en_attente = en_vigueur.split("pas accepté la version en vigueur")[1]
    assert str(membre) in membres_en_attente
    assert str(pilote) not in membres_en_attente
    assert str(pilote) in anciennes and str(membre) in anciennes
    # Seul le coordonnateur publie une nouvelle version.
    assert url("charte_publier", groupe.pk) not in contenu


def test_le_membre_ne_voit_pas_les_acceptations(client, groupe, pilote, membre, charte):
    services.charte_accepter(groupe=groupe, utilisateur=pilote)
    client.force_login(membre)

    contenu = client.get(url("charte", groupe.pk)).content.decode()

    assert "Acceptations" not in contenu
    assert str(pilote) not in contenu


def test_le_coordonnateur_publie_la_premiere_version(client, groupe, coordonnateur):
    client.force_login(coordonnateur)
    page = client.get(url("charte", groupe.pk)).content.decode()
    assert "pas encore de charte déontologique" in page
    assert url("charte_publier", groupe.pk) in page

    reponse = client.post(
        url("charte_publier", groupe.pk),
        {
            "charte_deontologique": "Première charte.",
            "reglement_interieur": "Règlement.",
            "adoptee_le": jour(-2).isoformat(),
        },
    )

    assert reponse.status_code == 302
    charte = Charte.objects.get()
    assert (charte.version, charte.redigee_par, charte.adoptee_le) == (1, coordonnateur, jour(-2))


def test_publier_une_charte_sans_texte_est_refuse(client, groupe, coordonnateur, charte):
    client.force_login(coordonnateur)
    avant = etat_de_la_base()

    reponse = client.post(
        url("charte_publier", groupe.pk),
        {"charte_deontologique": "", "reglement_interieur": "", "adoptee_le": "pas une date"},
    )

    assert reponse.status_code == 200
    assert erreur_du_champ(reponse, "charte_deontologique") == "Ce champ est obligatoire."
    assert erreur_du_champ(reponse, "adoptee_le") == "Saisissez une date valide."
    assert etat_de_la_base() == avant


def test_un_groupe_sans_suivi_individuel_n_a_ni_charte_ni_situations(
    client, conseil, coordonnateur
):
    groupe = GroupeFactory(conseil=conseil, programme=programme(Programme.Axe.TRANQUILLITE))
    client.force_login(coordonnateur)

    for nom in ("charte", "charte_publier", "situations", "situation_creer", "archives", "journal"):
        assert client.get(url(nom, groupe.pk)).status_code == 404, nom
    assert "Suivi individuel" not in client.get(groupe.get_absolute_url()).content.decode()


def test_la_fiche_du_groupe_mene_au_suivi_individuel(client, groupe, membre, pilote):
    client.force_login(membre)
    contenu = client.get(groupe.get_absolute_url()).content.decode()
    assert url("situations", groupe.pk) in contenu and url("charte", groupe.pk) in contenu
    assert url("journal", groupe.pk) not in contenu

    client.force_login(pilote)
    contenu = client.get(groupe.get_absolute_url()).content.decode()
    assert url("journal", groupe.pk) in contenu and url("archives", groupe.pk) in contenu


def test_le_releve_de_decisions_ne_designe_la_situation_que_par_sa_reference(
    client, groupe, pilote, membre, situation
):
    reunion = ReunionFactory(groupe=groupe, cree_par=pilote, date=jour(-1))
    services.compte_rendu_enregistrer(reunion, auteur=pilote, synthese="", notes={})
    services.decision_ajouter(
        reunion,
        auteur=pilote,
        libelle="Proposer un accompagnement scolaire",
        porteur=membre,
        situation=situation,
    )
    client.force_login(pilote)
    brouillon = client.get(reunion.get_absolute_url()).content.decode()
    services.compte_rendu_valider(reunion, auteur=pilote)
    client.force_login(membre)  # sans avoir accepté la charte
    valide = client.get(reunion.get_absolute_url()).content.decode()

    for contenu in (brouillon, valide):
        assert f"ituation {situation.reference}" in contenu
        assert NOM not in contenu and PRENOM not in contenu
    # Le compte rendu validé et le suivi des décisions actées.
    assert valide.count(f"Situation {situation.reference}") == 2


# Réunions et décisions : la situation désignée par sa référence ---------------------------


def cases_des_situations(reponse):
    return re.findall(r'name="situations" value="(\d+)"', reponse.content.decode())


def test_planifier_une_reunion_qui_examine_des_situations(
    client, groupe, pilote, membre, situation, django_capture_on_commit_callbacks
):
    autre = creer(groupe, pilote, nom="Autrenom", prenom="Autreprénom")
    client.force_login(pilote)
    avant = JournalAcces.objects.count()

    formulaire = client.get(url("reunion_creer", groupe.pk))
    assert sorted(cases_des_situations(formulaire)) == sorted([str(situation.pk), str(autre.pk)])
    assert f"{situation.reference} — {PRENOM} {NOM}" in formulaire.content.decode()
    # Présenter la liste des situations au pilote est une liste, écrite au journal.
    assert operations()[avant:] == [Operation.LISTER]

    reponse = client.post(
        url("reunion_creer", groupe.pk),
        formulaire_reunion([{"titre": "Situations"}], situations=[situation.pk]),
    )

    assert reponse.status_code == 302
    reunion = groupe.reunions.get()
    assert list(reunion.situations.all()) == [situation]
    page = client.get(reunion.get_absolute_url()).content.decode()
    assert f'<a href="{url("situation_detail", situation.pk)}">{situation.reference}</a>' in page
    assert NOM not in page and autre.reference not in page
    # La convocation ne donne que la référence.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("reunion_convoquer", reunion.pk))
    assert {courriel.to[0] for courriel in mail.outbox} == {pilote.email, membre.email}
    for courriel in mail.outbox:
        ((html, _),) = courriel.alternatives
        for texte in (courriel.body, html):
            assert f"Situations individuelles à examiner : {situation.reference}" in texte
            assert NOM not in texte and PRENOM not in texte
            assert situation.date_naissance.strftime("%d/%m/%Y") not in texte
    # Le membre qui n'a pas accepté la charte voit la référence, sans lien vers le dossier.
    client.force_login(membre)
    page = client.get(reunion.get_absolute_url()).content.decode()
    assert situation.reference in page
    assert url("situation_detail", situation.pk) not in page


def test_sans_la_charte_le_pilote_ne_designe_aucune_situation(client, groupe, pilote, charte):
    situation = creer(groupe, pilote)  # le service ne demande pas la charte ; la vue, si
    AcceptationCharte.objects.filter(utilisateur=pilote).delete()
    client.force_login(pilote)
    avant = JournalAcces.objects.count()

    formulaire = client.get(url("reunion_creer", groupe.pk))
    assert cases_des_situations(formulaire) == []
    assert situation.reference not in formulaire.content.decode()
    client.post(
        url("reunion_creer", groupe.pk),
        formulaire_reunion([{"titre": "Point"}], situations=[situation.pk]),
    )

    assert not groupe.reunions.get().situations.exists()
    assert JournalAcces.objects.count() == avant


@pytest.mark.parametrize("quoi", ["autre_groupe", "archivee", "inconnue", "hors_des_bornes"])
def test_une_situation_hors_du_groupe_ou_close_n_est_pas_a_examiner(
    client, conseil, groupe, pilote, situation, quoi
):
    if quoi == "autre_groupe":
        ailleurs = GroupeFactory(conseil=conseil, programme=groupe.programme)
        cible = Situation.objects.create(
            groupe=ailleurs,
            cree_par=pilote,
            nom="Ailleurs",
            prenom="Personne",
            sexe="F",
            date_naissance=situation.date_naissance,
            date_debut=situation.date_debut,
            origines=["famille"],
            programme=programme(),
            referent=pilote,
        ).pk
    elif quoi == "archivee":
        cible = creer(groupe, pilote, nom="Closenom").pk
        services.situation_clore(
            Situation.objects.get(pk=cible), auteur=pilote, date_fin=jour(), motif_fin="solution"
        )
    elif quoi == "inconnue":
        cible = 999_999
    else:
        # Trouvé par tests/test_fuzz.py : au-delà de 64 bits, la requête des situations
        # échouait (OverflowError, une erreur 500).
        cible = str(2**64)
    client.force_login(pilote)
    avant = etat_de_la_base()

    reponse = client.post(
        url("reunion_creer", groupe.pk),
        formulaire_reunion([{"titre": "Point"}], situations=[cible]),
    )

    assert reponse.status_code == 200
    assert "Sélectionnez un choix valide" in reponse.content.decode()
    assert not groupe.reunions.exists()
    assert JournalAcces.objects.count() == avant["JournalAcces"] + 1  # la seule liste


def test_le_service_refuse_une_situation_d_un_autre_groupe(conseil, groupe, pilote, situation):
    ailleurs = GroupeFactory(conseil=conseil, programme=groupe.programme)
    reunion = services.reunion_planifier(
        groupe=ailleurs,
        auteur=pilote,
        objet="Réunion",
        date=jour(3),
        heure_debut=datetime.time(9),
        heure_fin=datetime.time(10),
        lieu="Mairie",
    )

    with pytest.raises(ValidationError) as erreur:
        services.reunion_modifier(
            reunion, auteur=pilote, base_url="http://testserver", situations=[situation]
        )

    assert erreur.value.message_dict == {
        "situations": ["Seules les situations en cours du groupe peuvent être examinées."]
    }
    assert not reunion.situations.exists()


def test_une_situation_deja_designee_le_reste_apres_sa_cloture(groupe, pilote, situation):
    reunion = services.reunion_planifier(
        groupe=groupe,
        auteur=pilote,
        objet="Réunion",
        date=jour(3),
        heure_debut=datetime.time(9),
        heure_fin=datetime.time(10),
        lieu="Mairie",
        situations=[situation],
    )
    services.situation_clore(situation, auteur=pilote, date_fin=jour(), motif_fin="solution")

    services.reunion_modifier(
        reunion,
        auteur=pilote,
        base_url="http://testserver",
        objet="Autre objet",
        situations=[situation],
    )

    assert list(reunion.situations.all()) == [situation]


def test_une_decision_designe_une_situation_et_le_pdf_n_en_montre_que_la_reference(
    client, groupe, pilote, membre, situation
):
    reunion = ReunionFactory(groupe=groupe, cree_par=pilote, date=jour(-1))
    reunion.situations.add(situation)
    client.force_login(pilote)

    formulaire = client.get(url("decision_ajouter", reunion.pk)).content.decode()
    assert f"{situation.reference} — {PRENOM} {NOM}" in formulaire
    reponse = client.post(
        url("decision_ajouter", reunion.pk),
        {
            "libelle": "Proposer un accompagnement scolaire",
            "porteur": membre.pk,
            "statut": "a_faire",
            "situation": situation.pk,
        },
    )
    assert reponse.status_code == 302
    decision = reunion.decisions.get()
    assert decision.situation == situation
    # Modifier la décision sans changer la situation la garde.
    client.post(
        url("decision_modifier", decision.pk),
        {
            "libelle": "Accompagnement scolaire",
            "porteur": membre.pk,
            "statut": "a_faire",
            "situation": situation.pk,
        },
    )
    decision.refresh_from_db()
    assert (decision.libelle, decision.situation) == ("Accompagnement scolaire", situation)
    services.compte_rendu_enregistrer(reunion, auteur=pilote, synthese="Synthèse", notes={})
    compte_rendu = services.compte_rendu_valider(reunion, auteur=pilote)
    assert compte_rendu.contenu["situations"] == [situation.reference]
    assert compte_rendu.contenu["decisions"][0]["situation"] == situation.reference

    client.force_login(membre)
    texte, _ = texte_du_pdf(client.get(url("compte_rendu_pdf", reunion.pk, 1)))

    assert f"Désignées par leur seule référence : {situation.reference}." in texte
    assert f"Situation {situation.reference}" in texte
    for donnee in (NOM, PRENOM, situation.date_naissance.strftime("%d/%m/%Y")):
        assert donnee not in texte


def test_sans_la_charte_la_decision_garde_sa_situation(client, groupe, pilote, membre, situation):
    reunion = ReunionFactory(groupe=groupe, cree_par=pilote, date=jour(-1))
    services.compte_rendu_enregistrer(reunion, auteur=pilote, synthese="", notes={})
    decision = services.decision_ajouter(
        reunion, auteur=pilote, libelle="Décision", porteur=membre, situation=situation
    )
    AcceptationCharte.objects.filter(utilisateur=pilote).delete()
    client.force_login(pilote)

    formulaire = client.get(url("decision_modifier", decision.pk)).content.decode()
    assert 'name="situation"' not in formulaire and NOM not in formulaire
    client.post(
        url("decision_modifier", decision.pk),
        {"libelle": "Décision revue", "porteur": membre.pk, "statut": "a_faire"},
    )

    decision.refresh_from_db()
    assert (decision.libelle, decision.situation) == ("Décision revue", situation)


# Liste, recherche, consultation : le journal ------------------------------------------------


def test_la_liste_et_la_recherche_sont_journalisees_sans_le_terme_cherche(
    client, groupe, lecteur, pilote, situation
):
    autre = creer(groupe, pilote, nom="Autrenom", prenom="Autreprénom")

    liste = client.get(url("situations", groupe.pk))
    recherche = client.get(url("situations", groupe.pk), {"q": NOM.lower()})
    par_reference = client.get(url("situations", groupe.pk), {"q": autre.reference})

    assert [s.pk for s in liste.context["page_obj"]] == [autre.pk, situation.pk]
    assert [s.pk for s in recherche.context["page_obj"]] == [situation.pk]
    assert [s.pk for s in par_reference.context["page_obj"]] == [autre.pk]
    assert "Autrenom" not in recherche.content.decode()
    assert "1 suivi en cours pour cette recherche" in recherche.content.decode()
    lignes = JournalAcces.objects.filter(utilisateur=lecteur).order_by("pk")
    assert [(ligne.operation, ligne.reference, ligne.motif) for ligne in lignes] == [
        (Operation.LISTER, "", ""),
        (Operation.RECHERCHER, "", ""),
        (Operation.RECHERCHER, "", ""),
    ]
    assert {ligne.adresse_ip for ligne in lignes} == {IP}
    assert_journal_sans_donnees_personnelles(situation, autre)
    assert not JournalAcces.objects.filter(motif__icontains=autre.reference).exists()


def test_la_liste_affiche_l_age_et_le_referent(client, groupe, lecteur, pilote, situation):
    contenu = client.get(url("situations", groupe.pk)).content.decode()

    assert "15 ans" in contenu
    assert str(pilote) in contenu
    assert situation.date_debut.strftime("%d/%m/%Y") in contenu


def test_la_consultation_d_un_dossier_est_journalisee(client, groupe, lecteur, pilote, situation):
    services.note_suivi_ajouter(situation, auteur=pilote, texte="Présent à l'entretien du lundi.")
    services.action_suivi_ajouter(
        situation, auteur=pilote, libelle="Inscription au club de boxe", date_debut=jour(-10)
    )
    avant = JournalAcces.objects.count()

    reponse = client.get(url("situation_detail", situation.pk))

    contenu = reponse.content.decode()
    assert reponse.status_code == 200
    assert AVIS in contenu
    assert NOM in contenu and PRENOM in contenu
    assert "Établissement scolaire" in contenu
    assert escape("Présent à l'entretien du lundi.") in contenu
    assert f"par {pilote}" in contenu
    assert "Inscription au club de boxe" in contenu
    ligne = JournalAcces.objects.latest("pk")
    assert JournalAcces.objects.count() == avant + 1
    assert (ligne.operation, ligne.reference, ligne.utilisateur, ligne.adresse_ip) == (
        Operation.CONSULTER,
        situation.reference,
        lecteur,
        IP,
    )
    assert_journal_sans_donnees_personnelles(situation)


def test_les_pages_du_suivi_ne_sont_pas_gardees_en_cache(client, groupe, lecteur, situation):
    for adresse in (url("situations", groupe.pk), url("situation_detail", situation.pk)):
        assert "no-store" in client.get(adresse)["Cache-Control"]


def test_un_membre_qui_quitte_le_groupe_perd_l_acces_aussitot(client, groupe, lecteur, situation):
    assert client.get(url("situation_detail", situation.pk)).status_code == 200

    services.membre_retirer(groupe.appartenances.get(utilisateur=lecteur))

    assert client.get(url("situation_detail", situation.pk)).status_code == 404
    assert client.get(url("situations", groupe.pk)).status_code == 404


# Ouvrir un dossier --------------------------------------------------------------------------


def test_ouvrir_un_dossier(client, groupe, lecteur):
    page = client.get(url("situation_creer", groupe.pk))
    assert page.status_code == 200
    assert AVIS in page.content.decode()
    assert page.context["form"]["programme"].value() == groupe.programme_id

    reponse = client.post(url("situation_creer", groupe.pk), formulaire_situation(lecteur))

    situation = Situation.objects.get()
    assert reponse.status_code == 302
    assert reponse["Location"] == url("situation_detail", situation.pk)
    assert (situation.nom, situation.prenom, situation.cree_par) == (
        "Nouveaunom",
        "Nouveauprénom",
        lecteur,
    )
    assert situation.origines == [Situation.Origine.POLICE, Situation.Origine.FAMILLE]
    ligne = JournalAcces.objects.get()
    assert (ligne.operation, ligne.reference, ligne.adresse_ip) == (
        Operation.CREER,
        situation.reference,
        IP,
    )
    assert_journal_sans_donnees_personnelles(situation)


def choix_invalide(valeur):
    """Le message d'un choix hors liste, pour un groupe de cases ou de boutons radio."""
    return f"Sélectionnez un choix valide. {valeur} n’en fait pas partie."


def erreur_du_groupe(reponse, champ):
    """L'erreur sous un champ, y compris un groupe de cases à cocher ou de boutons radio
    (``erreur_du_champ`` cherche un seul élément marqué invalide)."""
    html = reponse.content.decode()
    trouve = re.search(rf'id="error_1_id_{champ}"><strong>(.*?)</strong>', html)
    assert trouve, f"aucune erreur sous le champ {champ}"
    return trouve.group(1).replace("&#x27;", "'")


SAISIES_REFUSEES = {
    "naissance-future": (
        {"date_naissance": jour(1).isoformat()},
        "date_naissance",
        "La date de naissance doit être dans le passé.",
    ),
    "25-ans-au-debut": (
        {"date_naissance": ans_avant(jour(-30), 25).isoformat()},
        "date_naissance",
        "Le suivi concerne des jeunes de 10 à 24 ans au début du suivi (ici 25 ans).",
    ),
    "9-ans-au-debut": (
        {"date_naissance": (ans_avant(jour(-30), 10) + datetime.timedelta(days=1)).isoformat()},
        "date_naissance",
        "Le suivi concerne des jeunes de 10 à 24 ans au début du suivi (ici 9 ans).",
    ),
    "debut-futur": (
        {"date_debut": jour(1).isoformat()},
        "date_debut",
        "Le suivi ne peut commencer dans le futur.",
    ),
    "sans-origine": ({"origines": []}, "origines", "Cochez au moins une origine du signalement."),
    "origine-inconnue": (
        {"origines": ["rumeur"]},
        "origines",
        choix_invalide("rumeur"),
    ),
    "sexe-hors-liste": ({"sexe": "X"}, "sexe", choix_invalide("X")),
    "nom-vide": ({"nom": "  "}, "nom", "Ce champ est obligatoire."),
}


@pytest.mark.parametrize("cas", SAISIES_REFUSEES)
def test_ouvrir_un_dossier_refuse_une_saisie_invalide(client, groupe, lecteur, cas):
    champs, champ, message = SAISIES_REFUSEES[cas]
    avant = etat_de_la_base()

    reponse = client.post(
        url("situation_creer", groupe.pk), formulaire_situation(lecteur, **champs)
    )

    assert reponse.status_code == 200
    assert erreur_du_groupe(reponse, champ) == message
    assert etat_de_la_base() == avant


def test_ouvrir_un_dossier_refuse_une_personne_deja_suivie(client, groupe, lecteur, situation):
    avant = etat_de_la_base()

    reponse = client.post(
        url("situation_creer", groupe.pk),
        formulaire_situation(
            lecteur,
            nom=NOM.upper(),
            prenom=PRENOM,
            date_naissance=situation.date_naissance.isoformat(),
        ),
    )

    assert reponse.status_code == 200
    assert erreur_du_champ(reponse, "nom") == (
        f"Cette personne est déjà suivie par le groupe (dossier {situation.reference})."
    )
    assert etat_de_la_base() == avant


def test_le_referent_est_un_membre_du_groupe(client, groupe, lecteur, etranger):
    avant = etat_de_la_base()

    reponse = client.post(url("situation_creer", groupe.pk), formulaire_situation(etranger))

    assert erreur_du_champ(reponse, "referent") == CHOIX_INVALIDE
    assert etat_de_la_base() == avant


# Modifier, noter, agir, clore ---------------------------------------------------------------


def test_modifier_un_dossier(client, groupe, lecteur, situation):
    page = client.get(url("situation_modifier", situation.pk))
    assert page.status_code == 200
    assert page.context["form"]["nom"].value() == NOM
    # Le formulaire montre le dossier : c'est une consultation.
    assert operations()[-1] == Operation.CONSULTER

    reponse = client.post(
        url("situation_modifier", situation.pk),
        formulaire_situation(
            lecteur,
            nom=NOM,
            prenom=PRENOM,
            date_naissance=situation.date_naissance.isoformat(),
            date_debut=situation.date_debut.isoformat(),
            scolarite=Situation.Scolarite.FORMATION,
        ),
    )

    assert reponse.status_code == 302
    assert reponse["Location"] == url("situation_detail", situation.pk)
    situation.refresh_from_db()
    assert situation.scolarite == Situation.Scolarite.FORMATION
    assert situation.referent == lecteur
    ligne = JournalAcces.objects.latest("pk")
    assert (ligne.operation, ligne.utilisateur, ligne.adresse_ip) == (
        Operation.MODIFIER,
        lecteur,
        IP,
    )
    assert_journal_sans_donnees_personnelles(situation)


@pytest.mark.parametrize(
    "cas", ["naissance-future", "25-ans-au-debut", "sans-origine", "origine-inconnue"]
)
def test_modifier_un_dossier_refuse_une_saisie_invalide(client, groupe, lecteur, situation, cas):
    champs, champ, message = SAISIES_REFUSEES[cas]
    client.get(url("situation_modifier", situation.pk))
    avant = etat_de_la_base()

    reponse = client.post(
        url("situation_modifier", situation.pk),
        formulaire_situation(lecteur, nom="Changé", **champs),
    )

    assert reponse.status_code == 200
    assert erreur_du_groupe(reponse, champ) == message
    assert etat_de_la_base() == avant
    situation.refresh_from_db()
    assert situation.nom == NOM


def test_ajouter_une_note(client, groupe, lecteur, situation):
    page = client.get(url("situation_note", situation.pk)).content.decode()
    assert "Écrivez des faits, pas des jugements" in page
    assert AVIS in page
    assert NOM not in page

    reponse = client.post(
        url("situation_note", situation.pk), {"texte": "  Absent au rendez-vous du 3.  "}
    )

    assert reponse.status_code == 302
    note = NoteSuivi.objects.get()
    assert (note.texte, note.auteur, note.situation) == (
        "Absent au rendez-vous du 3.",
        lecteur,
        situation,
    )
    assert operations()[-1] == Operation.MODIFIER
    detail = client.get(url("situation_detail", situation.pk)).content.decode()
    assert f"par {lecteur}" in detail
    assert timezone.localtime(note.ecrite_le).strftime("%d/%m/%Y") in detail


@pytest.mark.parametrize(
    ("texte", "message"),
    [
        (
            "x" * 1001,
            "Assurez-vous que cette valeur comporte au plus 1000 caractères (actuellement 1001).",
        ),
        ("   ", "Ce champ est obligatoire."),
    ],
)
def test_une_note_trop_longue_ou_vide_est_refusee(
    client, groupe, lecteur, situation, texte, message
):
    avant = etat_de_la_base()

    reponse = client.post(url("situation_note", situation.pk), {"texte": texte})

    assert reponse.status_code == 200
    assert erreur_du_champ(reponse, "texte") == message
    assert etat_de_la_base() == avant


def test_ajouter_une_action(client, groupe, lecteur, situation):
    reponse = client.post(
        url("situation_action", situation.pk),
        {
            "libelle": "Stage de découverte",
            "date_debut": jour(-5).isoformat(),
            "date_fin": jour(-1).isoformat(),
            "resultat": "Stage terminé ; attestation remise.",
        },
    )

    assert reponse.status_code == 302
    action = ActionSuivi.objects.get()
    assert (action.libelle, action.date_debut, action.date_fin) == (
        "Stage de découverte",
        jour(-5),
        jour(-1),
    )
    assert operations()[-1] == Operation.MODIFIER


@pytest.mark.parametrize(
    ("champs", "champ", "message"),
    [
        (
            {"date_debut": jour(-1).isoformat(), "date_fin": jour(-5).isoformat()},
            "date_fin",
            "La fin de l&#x27;action ne peut précéder son début.",
        ),
        ({"libelle": ""}, "libelle", "Ce champ est obligatoire."),
        ({"date_debut": "31/02/2026"}, "date_debut", "Saisissez une date valide."),
    ],
)
def test_une_action_invalide_est_refusee(
    client, groupe, lecteur, situation, champs, champ, message
):
    avant = etat_de_la_base()
    donnees = {"libelle": "Stage", "date_debut": jour(-5).isoformat(), "date_fin": ""}

    reponse = client.post(url("situation_action", situation.pk), {**donnees, **champs})

    assert reponse.status_code == 200
    assert erreur_du_champ(reponse, champ) == message
    assert etat_de_la_base() == avant


def test_clore_un_suivi_l_archive(client, groupe, lecteur, situation):
    reponse = client.post(
        url("situation_clore", situation.pk),
        {"date_fin": jour().isoformat(), "motif_fin": Situation.MotifFin.SOLUTION},
    )

    assert reponse.status_code == 302
    assert reponse["Location"] == url("situations", groupe.pk)
    situation.refresh_from_db()
    assert (situation.date_fin, situation.motif_fin) == (jour(), Situation.MotifFin.SOLUTION)
    assert operations()[-1] == Operation.CLORE
    # Archivé : plus rien pour les membres, ni en liste ni en consultation.
    for nom in ("situation_detail", "situation_modifier", "situation_note", "situation_clore"):
        assert client.get(url(nom, situation.pk)).status_code == 404
    assert NOM not in client.get(url("situations", groupe.pk)).content.decode()
    assert_journal_sans_donnees_personnelles(situation)


@pytest.mark.parametrize(
    ("champs", "champ", "message"),
    [
        ({"date_fin": "veille du début"}, "date_fin", "La fin du suivi précède son début."),
        (
            {"date_fin": jour(1).isoformat()},
            "date_fin",
            "La fin du suivi ne peut être dans le futur.",
        ),
        ({"motif_fin": ""}, "motif_fin", "Ce champ est obligatoire."),
        ({"motif_fin": "fugue"}, "motif_fin", choix_invalide("fugue")),
    ],
)
def test_clore_refuse_une_saisie_invalide(
    client, groupe, lecteur, situation, champs, champ, message
):
    if champs.get("date_fin") == "veille du début":
        champs = {"date_fin": (situation.date_debut - datetime.timedelta(days=1)).isoformat()}
    avant = etat_de_la_base()

    reponse = client.post(
        url("situation_clore", situation.pk),
        {"date_fin": jour().isoformat(), "motif_fin": Situation.MotifFin.SOLUTION, **champs},
    )

    assert reponse.status_code == 200
    assert erreur_du_groupe(reponse, champ) == message
    assert etat_de_la_base() == avant
    situation.refresh_from_db()
    assert situation.date_fin is None


# Archives -----------------------------------------------------------------------------------


def test_le_membre_n_atteint_pas_les_archives(client, groupe, lecteur, archivee):
    assert client.get(url("archive", archivee.pk)).status_code == 404
    assert client.post(url("archive", archivee.pk), {"motif": "Curiosité"}).status_code == 404
    assert client.get(url("archives", groupe.pk)).status_code == 404
    assert not JournalAcces.objects.filter(operation=Operation.CONSULTER_ARCHIVE).exists()


def test_la_liste_des_archives_ne_montre_aucun_nom(client, groupe, pilote, archivee):
    client.force_login(pilote)

    contenu = client.get(url("archives", groupe.pk)).content.decode()

    assert archivee.reference in contenu
    assert "Orientation vers un autre dispositif" in contenu
    assert url("archive", archivee.pk) in contenu
    assert NOM not in contenu and PRENOM not in contenu


def test_l_archive_ne_s_ouvre_qu_avec_un_motif(client, groupe, pilote, archivee):
    client.force_login(pilote)
    avant = etat_de_la_base()

    page = client.get(url("archive", archivee.pk))
    sans_motif = client.post(url("archive", archivee.pk), {"motif": "   "})

    for reponse in (page, sans_motif):
        assert reponse.status_code == 200
        contenu = reponse.content.decode()
        assert NOM not in contenu and PRENOM not in contenu
        assert "Mère" not in contenu
        assert archivee.reference in contenu
    assert erreur_du_champ(sans_motif, "motif") == (
        "Indiquez le motif de la consultation de l&#x27;archive."
    )
    assert etat_de_la_base() == avant

    reponse = client.post(
        url("archive", archivee.pk), {"motif": "Demande du juge des enfants du 12 mars."}
    )

    contenu = reponse.content.decode()
    assert reponse.status_code == 200
    assert NOM in contenu and PRENOM in contenu
    assert "Modifier le dossier" not in contenu  # en lecture seule
    ligne = JournalAcces.objects.latest("pk")
    assert (ligne.operation, ligne.reference, ligne.motif, ligne.utilisateur, ligne.adresse_ip) == (
        Operation.CONSULTER_ARCHIVE,
        archivee.reference,
        "Demande du juge des enfants du 12 mars.",
        pilote,
        IP,
    )
    assert_journal_sans_donnees_personnelles(archivee)


def test_un_suivi_en_cours_n_est_pas_une_archive(client, pilote, situation):
    client.force_login(pilote)
    assert client.get(url("archive", situation.pk)).status_code == 404


# Journal des accès --------------------------------------------------------------------------


def test_le_pilote_consulte_le_journal(client, groupe, lecteur, pilote, situation):
    client.get(url("situation_detail", situation.pk))
    client.force_login(pilote)

    reponse = client.get(url("journal", groupe.pk))

    contenu = reponse.content.decode()
    assert reponse.status_code == 200
    assert str(lecteur) in contenu
    assert "Consultation" in contenu and "Création" in contenu
    assert situation.reference in contenu
    assert IP in contenu
    assert NOM not in contenu
    # Rien ne s'y modifie ni ne s'efface.
    assert "Modifier" not in contenu and "Supprimer" not in contenu
    assert not JournalAcces.objects.filter(utilisateur=pilote, operation=Operation.LISTER).exists()


def test_le_membre_n_atteint_pas_le_journal(client, groupe, lecteur):
    assert client.get(url("journal", groupe.pk)).status_code == 404


# Qui n'est pas du groupe : 404 partout ------------------------------------------------------


@dataclasses.dataclass
class Adresse:
    nom: str
    cle: Callable  # (groupe, situation en cours, archive) -> pk


ADRESSES = [
    Adresse("charte", lambda g, s, a: g.pk),
    Adresse("charte_publier", lambda g, s, a: g.pk),
    Adresse("situations", lambda g, s, a: g.pk),
    Adresse("situation_creer", lambda g, s, a: g.pk),
    Adresse("situation_detail", lambda g, s, a: s.pk),
    Adresse("situation_modifier", lambda g, s, a: s.pk),
    Adresse("situation_note", lambda g, s, a: s.pk),
    Adresse("situation_action", lambda g, s, a: s.pk),
    Adresse("situation_clore", lambda g, s, a: s.pk),
    Adresse("archives", lambda g, s, a: g.pk),
    Adresse("archive", lambda g, s, a: a.pk),
    Adresse("journal", lambda g, s, a: g.pk),
]


@pytest.mark.parametrize("persona", ["formation_restreinte", "etranger", "autre_conseil"])
@pytest.mark.parametrize("adresse", ADRESSES, ids=lambda a: a.nom)
def test_qui_n_est_pas_du_groupe_recoit_une_404(
    request, client, groupe, pilote, situation, persona, adresse
):
    archive = creer(groupe, pilote, nom="Archivenom")
    services.situation_clore(
        archive, auteur=pilote, date_fin=jour(), motif_fin=Situation.MotifFin.AUTRE
    )
    client.force_login(request.getfixturevalue(persona))
    avant = etat_de_la_base()
    cible = url(adresse.nom, adresse.cle(groupe, situation, archive))

    assert client.get(cible).status_code == 404
    assert client.post(cible, {"motif": "Essai", "version": 1, "texte": "x"}).status_code == 404
    assert etat_de_la_base() == avant


def test_les_adresses_du_suivi_sont_toutes_couvertes():
    noms = {p.name for p in urlpatterns if p.callback.__module__ == "groupes.views.situations"}
    assert noms == {a.nom for a in ADRESSES}


# Nombre de requêtes -------------------------------------------------------------------------

PETITE, GRANDE = 3, 30
MAX_REQUETES = 15


@pytest.fixture
def mesurer(client, django_assert_max_num_queries):
    def mesurer(utilisateur, adresse):
        client.force_login(utilisateur)
        ContentType.objects.get_for_models(*apps.get_models())
        with django_assert_max_num_queries(MAX_REQUETES) as requetes:
            reponse = client.get(adresse)
        assert reponse.status_code == 200
        return reponse, requetes

    return mesurer


def groupe_peuple(taille, *, conseil, lecteur, coordonnateur):
    """Un groupe jeunes de ``taille`` suivis en cours (chacun son référent) et ``taille``
    lignes au journal (chacune sa personne), dont ``lecteur`` a accepté la charte."""
    groupe = GroupeFactory(conseil=conseil, nom=f"Groupe jeunes de {taille}")
    AppartenanceFactory(groupe=groupe, utilisateur=lecteur)
    referents = [
        AppartenanceFactory(
            groupe=groupe, utilisateur=UtilisateurFactory(last_name=f"Referent{i:02d}")
        ).utilisateur
        for i in range(taille)
    ]
    groupe_synchroniser_permissions(groupe)
    publier(groupe, coordonnateur)
    services.charte_accepter(groupe=groupe, utilisateur=lecteur)
    debut = jour(-30)
    Situation.objects.bulk_create(
        Situation(
            groupe=groupe,
            nom=f"Nom{i:02d}",
            prenom="Prénom",
            sexe=Situation.Sexe.MASCULIN,
            date_naissance=ans_avant(debut, 12 + i % 10),
            scolarite=Situation.Scolarite.SCOLARISE,
            date_debut=debut,
            origines=[Situation.Origine.MAIRIE],
            programme=programme(),
            referent=referents[i],
            cree_par=lecteur,
        )
        for i in range(taille)
    )
    JournalAcces.objects.bulk_create(
        JournalAcces(
            groupe=groupe,
            reference=f"S-TEST-{i:04d}",
            utilisateur=referents[i],
            operation=Operation.CONSULTER,
            adresse_ip="192.0.2.1",
        )
        for i in range(taille)
    )
    return groupe


def test_requetes_de_la_liste_des_situations(mesurer, conseil, membre, coordonnateur):
    petit, grand = (
        groupe_peuple(t, conseil=conseil, lecteur=membre, coordonnateur=coordonnateur)
        for t in (PETITE, GRANDE)
    )

    _, requetes_petit = mesurer(membre, url("situations", petit.pk))
    reponse, requetes_grand = mesurer(membre, url("situations", grand.pk))

    assert_meme_nombre_de_requetes(requetes_petit, requetes_grand)
    assert len(reponse.context["page_obj"].object_list) == 25
    assert "Referent" in reponse.content.decode()
    _, requetes_recherche = mesurer(membre, url("situations", grand.pk) + "?q=Nom")
    assert len(requetes_recherche) == len(requetes_grand)


def test_requetes_du_journal(mesurer, conseil, membre, coordonnateur):
    petit, grand = (
        groupe_peuple(t, conseil=conseil, lecteur=membre, coordonnateur=coordonnateur)
        for t in (PETITE, GRANDE)
    )

    _, requetes_petit = mesurer(coordonnateur, url("journal", petit.pk))
    reponse, requetes_grand = mesurer(coordonnateur, url("journal", grand.pk))

    assert_meme_nombre_de_requetes(requetes_petit, requetes_grand)
    contenu = reponse.content.decode()
    assert contenu.count("S-TEST-") == 25
    assert "Page 1 sur 2" in contenu
