"""Le suivi individuel confidentiel : charte déontologique, situations et leurs identités,
doublons, archives en lecture seule, journal des accès immuable, purge aux deux termes de
conservation, agrégats aux petits nombres masqués, comptes rendus sans nom.

Chaque refus vérifie que rien n'a été écrit : ni dossier, ni ligne du journal."""

import datetime
import io
import json
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from clspd.models import Programme
from evaluation import services as evaluation_services
from groupes import selectors, services
from groupes.models import (
    AcceptationCharte,
    ActionSuivi,
    Decision,
    GroupeOperationnel,
    JournalAcces,
    JournalImmuable,
    NoteSuivi,
    Situation,
)
from tests.conftest import ajouter_membre
from tests.evaluation.test_rapports import texte_du_pdf
from tests.factories import GroupeFactory, PointFactory, ReunionFactory, programme

Operation = JournalAcces.Operation
MotifFin = Situation.MotifFin

NOM = "Fictivenom"
PRENOM = "Prénomfictif"


def jour(decalage=0):
    return timezone.localdate() + datetime.timedelta(days=decalage)


def ans_avant(date, annees):
    """La même date ``annees`` plus tôt ; un 29 février devient le 28."""
    try:
        return date.replace(year=date.year - annees)
    except ValueError:
        return date.replace(year=date.year - annees, day=28)


def champs(referent, **autres):
    date_debut = autres.get("date_debut", jour(-30))
    return {
        "nom": NOM,
        "prenom": PRENOM,
        "sexe": Situation.Sexe.FEMININ,
        "date_naissance": ans_avant(date_debut, 15),
        "scolarite": Situation.Scolarite.DECROCHAGE,
        "date_debut": date_debut,
        "origines": [Situation.Origine.ETABLISSEMENT, Situation.Origine.FAMILLE],
        "programme": programme(),
        "referent": referent,
        **autres,
    }


def creer(groupe, auteur, referent=None, **autres):
    return services.situation_creer(
        groupe=groupe, auteur=auteur, adresse_ip="192.0.2.1", **champs(referent or auteur, **autres)
    )


def clore(situation, auteur, date_fin=None, motif_fin=MotifFin.SOLUTION):
    return services.situation_clore(
        situation, auteur=auteur, date_fin=date_fin or jour(-1), motif_fin=motif_fin
    )


def rien_ecrit():
    return not Situation.objects.exists() and not JournalAcces.objects.exists()


@pytest.fixture
def ccop(conseil, zsp, institution, coordonnateur, membre):
    ccop = GroupeFactory(
        conseil=conseil,
        nom="CCOP du Centre",
        nature=GroupeOperationnel.Nature.CCOP,
        territoire=zsp,
        programme=None,
    )
    ajouter_membre(ccop, membre, institution, coordonnateur)
    return ccop


@pytest.fixture
def groupe_tranquillite(conseil, institution, coordonnateur, membre):
    groupe = GroupeFactory(
        conseil=conseil,
        nom="Groupe tranquillité publique",
        programme=programme(Programme.Axe.TRANQUILLITE),
    )
    ajouter_membre(groupe, membre, institution, coordonnateur)
    return groupe


@pytest.fixture
def situation(groupe, membre):
    return creer(groupe, membre)


def publier(groupe, auteur, texte="Les informations échangées restent dans le groupe."):
    return services.charte_publier(
        groupe=groupe,
        auteur=auteur,
        charte_deontologique=texte,
        reglement_interieur="Le groupe se réunit chaque mois.",
        adoptee_le=jour(-1),
    )


# Charte déontologique -----------------------------------------------------------------------


def test_les_versions_de_la_charte_se_numerotent(groupe, coordonnateur):
    premiere = publier(groupe, coordonnateur)
    seconde = publier(groupe, coordonnateur, texte="Version révisée")

    assert (premiere.version, seconde.version) == (1, 2)
    assert selectors.charte_en_vigueur(groupe) == seconde


def test_chaque_groupe_numerote_ses_chartes(groupe, autre_groupe, coordonnateur):
    publier(groupe, coordonnateur)

    assert publier(autre_groupe, coordonnateur).version == 1


def test_accepter_sans_charte_est_refuse(groupe, membre):
    with pytest.raises(ValidationError) as erreur:
        services.charte_accepter(groupe=groupe, utilisateur=membre)

    assert erreur.value.messages == ["Le groupe n'a pas encore de charte déontologique."]
    assert not AcceptationCharte.objects.exists()


def test_seul_un_membre_accepte_la_charte(groupe, coordonnateur, etranger):
    publier(groupe, coordonnateur)

    with pytest.raises(ValidationError) as erreur:
        services.charte_accepter(groupe=groupe, utilisateur=etranger)

    assert erreur.value.messages == ["Seuls les membres du groupe acceptent sa charte."]
    assert not AcceptationCharte.objects.exists()


def test_un_ancien_membre_n_accepte_plus_la_charte(groupe, coordonnateur, membre):
    publier(groupe, coordonnateur)
    services.membre_retirer(groupe.appartenances.get(utilisateur=membre))

    with pytest.raises(ValidationError):
        services.charte_accepter(groupe=groupe, utilisateur=membre)

    assert not AcceptationCharte.objects.exists()


def test_l_acceptation_vaut_pour_la_version_en_vigueur_et_par_personne(
    groupe, coordonnateur, pilote, membre
):
    publier(groupe, coordonnateur)
    assert not selectors.a_accepte_la_charte(membre, groupe)

    services.charte_accepter(groupe=groupe, utilisateur=membre)
    services.charte_accepter(groupe=groupe, utilisateur=membre)

    assert selectors.a_accepte_la_charte(membre, groupe)
    assert not selectors.a_accepte_la_charte(pilote, groupe)
    assert AcceptationCharte.objects.filter(utilisateur=membre).count() == 1

    nouvelle = publier(groupe, coordonnateur, texte="Version révisée")
    assert not selectors.a_accepte_la_charte(membre, groupe)

    services.charte_accepter(groupe=groupe, utilisateur=membre)
    assert selectors.a_accepte_la_charte(membre, groupe)
    assert not selectors.a_accepte_la_charte(pilote, groupe)
    assert [a.utilisateur for a in selectors.acceptations_de_la_charte(nouvelle)] == [membre]


def test_accepter_la_charte_d_un_groupe_ne_vaut_pas_pour_un_autre(
    groupe, autre_groupe, coordonnateur, membre, institution
):
    ajouter_membre(autre_groupe, membre, institution, coordonnateur)
    publier(groupe, coordonnateur)
    publier(autre_groupe, coordonnateur)

    services.charte_accepter(groupe=groupe, utilisateur=membre)

    assert not selectors.a_accepte_la_charte(membre, autre_groupe)


# Situations : création --------------------------------------------------------------------


def test_creer_dans_un_groupe_du_programme_jeunes(groupe, membre):
    situation = creer(groupe, membre)

    assert situation.groupe == groupe
    assert situation.reference.startswith("S-")
    assert not situation.est_archivee


def test_creer_dans_une_ccop(ccop, membre):
    assert creer(ccop, membre).groupe == ccop


def test_creer_refuse_hors_programme_jeunes_et_ccop(groupe_tranquillite, membre):
    with pytest.raises(ValidationError) as erreur:
        creer(groupe_tranquillite, membre)

    assert erreur.value.messages == [
        "Le suivi individuel est réservé aux groupes du programme jeunes et aux CCOP."
    ]
    assert rien_ecrit()


def test_date_de_naissance_dans_le_futur_refusee(groupe, membre):
    with pytest.raises(ValidationError) as erreur:
        creer(groupe, membre, date_naissance=jour(1))

    assert erreur.value.message_dict["date_naissance"] == [
        "La date de naissance doit être dans le passé."
    ]
    assert rien_ecrit()


@pytest.mark.parametrize(
    ("annees", "decalage", "acceptee"),
    [
        (10, 1, False),  # 9 ans la veille de ses 10 ans
        (10, 0, True),  # 10 ans le jour même
        (25, 1, True),  # 24 ans la veille de ses 25 ans
        (25, 0, False),  # 25 ans
    ],
)
def test_age_au_debut_du_suivi(groupe, membre, annees, decalage, acceptee):
    debut = jour(-30)
    naissance = ans_avant(debut, annees) + datetime.timedelta(days=decalage)

    if acceptee:
        assert creer(groupe, membre, date_debut=debut, date_naissance=naissance)
    else:
        with pytest.raises(ValidationError) as erreur:
            creer(groupe, membre, date_debut=debut, date_naissance=naissance)
        assert "de 10 à 24 ans" in erreur.value.message_dict["date_naissance"][0]
        assert rien_ecrit()


def test_debut_du_suivi_dans_le_futur_refuse(groupe, membre):
    with pytest.raises(ValidationError) as erreur:
        creer(groupe, membre, date_debut=jour(1))

    assert erreur.value.message_dict["date_debut"] == ["Le suivi ne peut commencer dans le futur."]
    assert rien_ecrit()


@pytest.mark.parametrize("origines", [[], ["police", "voisinage"], ["inconnue"]])
def test_origines_vides_ou_hors_liste_refusees(groupe, membre, origines):
    with pytest.raises(ValidationError) as erreur:
        creer(groupe, membre, origines=origines)

    assert "origines" in erreur.value.message_dict
    assert rien_ecrit()


def test_plusieurs_origines_de_la_liste(groupe, membre):
    situation = creer(groupe, membre, origines=["police", "justice", "autre"])

    situation.refresh_from_db()
    assert situation.origines == ["police", "justice", "autre"]


def test_le_referent_est_un_autre_membre_du_groupe(groupe, pilote, membre):
    assert creer(groupe, membre, referent=pilote).referent == pilote


def test_le_membre_d_un_autre_groupe_n_est_pas_referent(groupe, membre, etranger):
    with pytest.raises(ValidationError) as erreur:
        creer(groupe, membre, referent=etranger)

    assert erreur.value.message_dict == {"referent": ["Le référent est un membre du groupe."]}
    assert rien_ecrit()


def test_un_ancien_membre_n_est_plus_referent(groupe, pilote, membre):
    services.membre_retirer(groupe.appartenances.get(utilisateur=membre))

    with pytest.raises(ValidationError) as erreur:
        creer(groupe, pilote, referent=membre)

    assert "referent" in erreur.value.message_dict
    assert rien_ecrit()


def test_modifier_garde_le_referent_parmi_les_membres(situation, membre, pilote, etranger):
    services.situation_modifier(situation, auteur=membre, referent=pilote)
    lignes = JournalAcces.objects.count()

    with pytest.raises(ValidationError) as erreur:
        services.situation_modifier(situation, auteur=membre, referent=etranger)

    assert "referent" in erreur.value.message_dict
    situation.refresh_from_db()
    assert situation.referent == pilote
    assert JournalAcces.objects.count() == lignes


@pytest.mark.parametrize(
    ("nom", "prenom"),
    [
        (NOM, PRENOM),
        (NOM.upper(), PRENOM.lower()),
        (f"  {NOM.lower()} ", PRENOM.upper()),
    ],
)
def test_un_doublon_dans_le_groupe_est_detecte(situation, groupe, membre, nom, prenom):
    lignes = JournalAcces.objects.count()

    with pytest.raises(ValidationError) as erreur:
        creer(groupe, membre, nom=nom, prenom=prenom)

    assert erreur.value.message_dict == {
        "nom": [f"Cette personne est déjà suivie par le groupe (dossier {situation.reference})."]
    }
    assert list(Situation.objects.all()) == [situation]
    assert JournalAcces.objects.count() == lignes


def test_meme_nom_autre_date_de_naissance_n_est_pas_un_doublon(situation, groupe, membre):
    autre = creer(
        groupe, membre, date_naissance=situation.date_naissance - datetime.timedelta(days=1)
    )

    assert autre != situation


def test_la_meme_personne_peut_etre_suivie_dans_un_autre_groupe(situation, autre_groupe, etranger):
    assert creer(autre_groupe, etranger).groupe == autre_groupe


def test_la_meme_personne_est_suivie_a_nouveau_apres_la_cloture(situation, groupe, membre):
    clore(situation, membre)

    nouvelle = creer(groupe, membre)

    assert nouvelle.reference != situation.reference


def test_la_creation_est_journalisee_sans_nom(groupe, membre):
    situation = creer(groupe, membre)

    (ligne,) = JournalAcces.objects.all()
    assert (ligne.operation, ligne.reference, ligne.utilisateur, ligne.groupe) == (
        Operation.CREER,
        situation.reference,
        membre,
        groupe,
    )
    assert ligne.adresse_ip == "192.0.2.1"
    valeurs = " ".join(str(getattr(ligne, f.attname)) for f in JournalAcces._meta.concrete_fields)
    assert NOM.lower() not in valeurs.lower()
    assert PRENOM.lower() not in valeurs.lower()


# Clôture et archive -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("date_fin", "motif_fin", "champ"),
    [
        (None, "", "date_fin"),
        (None, MotifFin.SOLUTION, "date_fin"),
        (jour(-1), "", "motif_fin"),
        (jour(-1), "inconnu", "motif_fin"),
        (jour(1), MotifFin.SOLUTION, "date_fin"),
    ],
)
def test_clore_exige_une_date_et_un_motif(situation, membre, date_fin, motif_fin, champ):
    lignes = JournalAcces.objects.count()

    with pytest.raises(ValidationError) as erreur:
        services.situation_clore(situation, auteur=membre, date_fin=date_fin, motif_fin=motif_fin)

    assert champ in erreur.value.message_dict
    situation.refresh_from_db()
    assert (situation.date_fin, situation.motif_fin) == (None, "")
    assert JournalAcces.objects.count() == lignes


def test_clore_archive_le_dossier_et_le_journalise(situation, membre):
    clore(situation, membre, date_fin=jour(-1), motif_fin=MotifFin.ORIENTATION)

    situation.refresh_from_db()
    assert situation.est_archivee
    assert (situation.date_fin, situation.motif_fin) == (jour(-1), MotifFin.ORIENTATION)
    assert JournalAcces.objects.filter(
        operation=Operation.CLORE, reference=situation.reference, utilisateur=membre
    ).exists()
    assert list(selectors.situations_du_groupe(situation.groupe)) == []


def test_un_dossier_en_cours_se_modifie_et_se_complete(situation, membre):
    services.situation_modifier(situation, auteur=membre, scolarite=Situation.Scolarite.FORMATION)
    services.note_suivi_ajouter(situation, auteur=membre, texte=" Rendez-vous honoré. ")
    services.action_suivi_ajouter(
        situation, auteur=membre, libelle="Stage de découverte", date_debut=jour(-5)
    )

    assert situation.notes.get().texte == "Rendez-vous honoré."
    assert situation.actions.get().libelle == "Stage de découverte"
    assert JournalAcces.objects.filter(operation=Operation.MODIFIER).count() == 3


def test_un_dossier_archive_est_en_lecture_seule(situation, membre):
    clore(situation, membre)
    lignes = JournalAcces.objects.count()
    refus = [
        lambda: services.situation_modifier(situation, auteur=membre, nom="Autre"),
        lambda: services.note_suivi_ajouter(situation, auteur=membre, texte="Note"),
        lambda: services.action_suivi_ajouter(
            situation, auteur=membre, libelle="Action", date_debut=jour(-1)
        ),
        lambda: clore(situation, membre, motif_fin=MotifFin.AUTRE),
    ]

    for appel in refus:
        with pytest.raises(ValidationError) as erreur:
            appel()
        assert erreur.value.messages == [
            "Ce suivi est clos : son dossier est archivé, en lecture seule."
        ]

    situation.refresh_from_db()
    assert (situation.nom, situation.motif_fin) == (NOM, MotifFin.SOLUTION)
    assert not NoteSuivi.objects.exists()
    assert not ActionSuivi.objects.exists()
    assert JournalAcces.objects.count() == lignes


@pytest.mark.parametrize("motif", ["", "   "])
def test_consulter_une_archive_exige_un_motif(situation, membre, pilote, motif):
    clore(situation, membre)
    lignes = JournalAcces.objects.count()

    with pytest.raises(ValidationError) as erreur:
        services.archive_consulter(situation, auteur=pilote, motif=motif)

    assert erreur.value.message_dict == {
        "motif": ["Indiquez le motif de la consultation de l'archive."]
    }
    assert JournalAcces.objects.count() == lignes


def test_consulter_une_archive_journalise_le_motif(situation, membre, pilote):
    clore(situation, membre)

    services.archive_consulter(
        situation, auteur=pilote, motif="Demande du parquet", adresse_ip="192.0.2.7"
    )

    ligne = JournalAcces.objects.get(operation=Operation.CONSULTER_ARCHIVE)
    assert (ligne.reference, ligne.utilisateur, ligne.motif, ligne.adresse_ip) == (
        situation.reference,
        pilote,
        "Demande du parquet",
        "192.0.2.7",
    )


def test_un_dossier_en_cours_ne_se_consulte_pas_comme_une_archive(situation, pilote):
    lignes = JournalAcces.objects.count()

    with pytest.raises(ValidationError):
        services.archive_consulter(situation, auteur=pilote, motif="Vérification")

    assert JournalAcces.objects.count() == lignes


# Journal des accès --------------------------------------------------------------------------


@pytest.fixture
def ligne(situation):
    return JournalAcces.objects.get()


def test_une_ligne_du_journal_ne_se_modifie_pas(ligne):
    ligne.motif = "Réécrit"

    with pytest.raises(JournalImmuable):
        ligne.save()

    assert JournalAcces.objects.get().motif == ""


def test_une_ligne_du_journal_ne_s_efface_pas(ligne):
    with pytest.raises(JournalImmuable):
        ligne.delete()

    assert JournalAcces.objects.count() == 1


@pytest.mark.parametrize(
    "ecriture",
    [
        lambda: JournalAcces.objects.update(motif="Réécrit"),
        lambda: JournalAcces.objects.filter(operation=Operation.CREER).update(utilisateur=None),
        lambda: JournalAcces.objects.all().delete(),
        lambda: JournalAcces.objects.filter(operation=Operation.CREER).delete(),
        lambda: GroupeOperationnel.objects.get().journal_acces.all().delete(),
        lambda: JournalAcces.objects.bulk_update(
            [JournalAcces(pk=JournalAcces.objects.get().pk, motif="Réécrit")], ["motif"]
        ),
    ],
)
def test_le_journal_ne_se_modifie_pas_par_lot(ligne, ecriture):
    avant = list(JournalAcces.objects.values())

    # Le lot se joue dans sa propre transaction, comme tout appelant l'écrirait.
    with pytest.raises(JournalImmuable), transaction.atomic():
        ecriture()

    assert list(JournalAcces.objects.values()) == avant


# Purge --------------------------------------------------------------------------------------

AUJOURDHUI = datetime.date(2025, 6, 15)


def dossier(groupe, auteur, nom, *, naissance, debut, fin=None):
    situation = creer(groupe, auteur, nom=nom, date_naissance=naissance, date_debut=debut)
    if fin:
        clore(situation, auteur, date_fin=fin)
    return situation


def restantes():
    return set(Situation.objects.values_list("nom", flat=True))


def test_purge_trois_ans_apres_la_cloture_au_jour_pres(groupe, membre):
    naissance, debut = datetime.date(2005, 1, 1), datetime.date(2020, 1, 1)
    dossier(
        groupe,
        membre,
        "Exactement",
        naissance=naissance,
        debut=debut,
        fin=AUJOURDHUI.replace(year=2022),
    )
    dossier(
        groupe,
        membre,
        "UnJourTrop",
        naissance=naissance,
        debut=debut,
        fin=datetime.date(2022, 6, 16),
    )
    dossier(groupe, membre, "EnCours", naissance=naissance, debut=debut)

    assert services.situations_purger(AUJOURDHUI) == 1

    assert restantes() == {"UnJourTrop", "EnCours"}


def test_purge_au_vingt_cinquieme_anniversaire_meme_en_cours(groupe, membre):
    debut = datetime.date(2020, 1, 1)
    dossier(groupe, membre, "VingtCinqAns", naissance=datetime.date(2000, 6, 15), debut=debut)
    dossier(groupe, membre, "Demain", naissance=datetime.date(2000, 6, 16), debut=debut)

    assert services.situations_purger(AUJOURDHUI) == 1

    assert restantes() == {"Demain"}
    assert services.situations_purger(AUJOURDHUI + datetime.timedelta(days=1)) == 1
    assert restantes() == set()


@pytest.mark.parametrize(
    ("aujourdhui", "purgees"),
    [
        # Né un 29 février : 24 ans le 28 février d'une année non bissextile, 25 le 1er mars.
        (datetime.date(2025, 2, 28), set()),
        (datetime.date(2025, 3, 1), {"Bissextile"}),
        # Un 29 février : les termes échus le 28 (25 ans, trois ans après la clôture) le
        # restent ; ceux du 1er mars ne le sont pas encore.
        (datetime.date(2028, 2, 29), {"Bissextile", "VeilleDuMars", "CloseLe28"}),
    ],
)
def test_purge_un_29_fevrier(groupe, membre, aujourdhui, purgees):
    debut = datetime.date(2015, 1, 1)
    dossier(groupe, membre, "Bissextile", naissance=datetime.date(2000, 2, 29), debut=debut)
    dossier(groupe, membre, "VeilleDuMars", naissance=datetime.date(2003, 2, 28), debut=debut)
    dossier(groupe, membre, "PremierMars", naissance=datetime.date(2003, 3, 1), debut=debut)
    dossier(
        groupe,
        membre,
        "CloseLe28",
        naissance=datetime.date(2005, 1, 1),
        debut=datetime.date(2020, 1, 1),
        fin=datetime.date(2025, 2, 28),
    )
    dossier(
        groupe,
        membre,
        "CloseLe1erMars",
        naissance=datetime.date(2005, 1, 1),
        debut=datetime.date(2020, 1, 1),
        fin=datetime.date(2025, 3, 1),
    )

    tous = restantes()
    assert services.situations_purger(aujourdhui) == len(purgees)

    assert restantes() == tous - purgees


def test_purge_a_blanc_compte_sans_rien_effacer(groupe, membre):
    dossier(
        groupe,
        membre,
        "AEffacer",
        naissance=datetime.date(2000, 6, 15),
        debut=datetime.date(2020, 1, 1),
    )
    lignes = JournalAcces.objects.count()

    assert services.situations_purger(AUJOURDHUI, pour_de_bon=False) == 1

    assert restantes() == {"AEffacer"}
    assert JournalAcces.objects.count() == lignes


def test_la_purge_efface_le_dossier_et_ne_journalise_que_sa_reference(groupe, pilote, membre):
    situation = dossier(
        groupe, membre, NOM, naissance=datetime.date(2000, 6, 15), debut=datetime.date(2020, 1, 1)
    )
    gardee = dossier(
        groupe,
        membre,
        "Gardée",
        naissance=datetime.date(2005, 1, 1),
        debut=datetime.date(2020, 1, 1),
    )
    services.note_suivi_ajouter(situation, auteur=membre, texte="Rendez-vous honoré.")
    services.action_suivi_ajouter(
        situation, auteur=membre, libelle="Chantier éducatif", date_debut=jour(-10)
    )
    reunion = ReunionFactory(groupe=groupe, cree_par=pilote, date=jour(-1))
    decision = services.decision_ajouter(
        reunion,
        auteur=pilote,
        libelle="Orienter vers la mission locale",
        porteur=membre,
        situation=situation,
    )

    services.situations_purger(AUJOURDHUI)

    assert list(Situation.objects.all()) == [gardee]
    assert not NoteSuivi.objects.exists()
    assert not ActionSuivi.objects.exists()
    decision.refresh_from_db()
    assert decision.situation is None
    (ligne,) = JournalAcces.objects.filter(operation=Operation.PURGER)
    assert (ligne.reference, ligne.utilisateur, ligne.groupe, ligne.motif) == (
        situation.reference,
        None,
        groupe,
        "",
    )
    valeurs = " ".join(str(getattr(ligne, f.attname)) for f in JournalAcces._meta.concrete_fields)
    assert NOM.lower() not in valeurs.lower()
    assert PRENOM.lower() not in valeurs.lower()


def test_une_ligne_de_purge_par_dossier(groupe, autre_groupe, membre, etranger):
    a = dossier(
        groupe, membre, "Un", naissance=datetime.date(2000, 1, 1), debut=datetime.date(2020, 1, 1)
    )
    b = dossier(
        groupe, membre, "Deux", naissance=datetime.date(2000, 2, 1), debut=datetime.date(2020, 1, 1)
    )
    c = dossier(
        autre_groupe,
        etranger,
        "Trois",
        naissance=datetime.date(2000, 3, 1),
        debut=datetime.date(2020, 1, 1),
    )

    assert services.situations_purger(AUJOURDHUI) == 3

    assert sorted(
        JournalAcces.objects.filter(operation=Operation.PURGER).values_list("groupe", "reference")
    ) == sorted(
        [(groupe.pk, a.reference), (groupe.pk, b.reference), (autre_groupe.pk, c.reference)]
    )


def purger(*options):
    sortie = io.StringIO()
    with mock.patch("django.utils.timezone.localdate", return_value=AUJOURDHUI):
        call_command("purger_situations", *options, stdout=sortie)
    return sortie.getvalue()


def test_la_commande_a_blanc_compte_sans_rien_effacer(groupe, membre):
    debut = datetime.date(2020, 1, 1)
    dossier(groupe, membre, NOM, naissance=datetime.date(2000, 6, 15), debut=debut)
    dossier(groupe, membre, "Demain", naissance=datetime.date(2000, 6, 16), debut=debut)

    sortie = purger("--dry-run")

    assert sortie == "1 dossier(s) à purger (rien n'a été effacé).\n"
    assert restantes() == {NOM, "Demain"}
    assert not JournalAcces.objects.filter(operation=Operation.PURGER).exists()


def test_la_commande_purge_a_la_date_du_jour(groupe, membre):
    debut = datetime.date(2020, 1, 1)
    dossier(groupe, membre, NOM, naissance=datetime.date(2000, 6, 15), debut=debut)
    dossier(groupe, membre, "Demain", naissance=datetime.date(2000, 6, 16), debut=debut)

    sortie = purger()

    assert "1 dossier(s) purgé(s)." in sortie
    assert NOM not in sortie
    assert restantes() == {"Demain"}
    assert JournalAcces.objects.filter(operation=Operation.PURGER).count() == 1


# Agrégats -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("nombre", "affiche"), [(0, 0), (1, "< 5"), (4, "< 5"), (5, 5)])
def test_les_petits_nombres_sont_masques(nombre, affiche):
    assert selectors.masquer_les_petits_nombres(nombre) == affiche


@pytest.fixture
def annee(groupe, autre_groupe, membre, etranger):
    """Un jeu connu pour l'année dernière (A) :

    - 4 entrés en A, en cours ;
    - 1 entré en A, sorti en A (orientation) ;
    - 4 entrés en A-1, sortis en A (orientation) ;
    - 1 entré en A-1, sorti en A (déménagement) ;
    - 1 entré en A-1, en cours ;
    - 1 entré en A-2, sorti en A-1 (solution trouvée) : pas suivi en A ;
    - 1 entré cette année : pas suivi en A ;
    - 1 entré en A dans un autre groupe : ne compte pas.
    """
    a = timezone.localdate().year - 1
    numero = iter(range(100))

    def suivi(debut, fin=None, motif=None, dans=groupe, auteur=membre):
        situation = creer(
            dans,
            auteur,
            nom=f"Personne{next(numero)}",
            date_debut=debut,
            date_naissance=ans_avant(debut, 16),
        )
        if fin:
            clore(situation, auteur, date_fin=fin, motif_fin=motif)

    for _ in range(4):
        suivi(datetime.date(a, 3, 1))
    suivi(datetime.date(a, 3, 1), datetime.date(a, 9, 1), MotifFin.ORIENTATION)
    for _ in range(4):
        suivi(datetime.date(a - 1, 3, 1), datetime.date(a, 9, 1), MotifFin.ORIENTATION)
    suivi(datetime.date(a - 1, 3, 1), datetime.date(a, 10, 1), MotifFin.DEMENAGEMENT)
    suivi(datetime.date(a - 1, 3, 1))
    suivi(datetime.date(a - 2, 3, 1), datetime.date(a - 1, 6, 1), MotifFin.SOLUTION)
    suivi(datetime.date(a + 1, 1, 1))
    suivi(datetime.date(a, 3, 1), dans=autre_groupe, auteur=etranger)
    return a


def test_agregats_de_l_annee(groupe, annee):
    assert selectors.agregats_du_suivi(groupe, annee) == {
        "suivies": 11,
        "entrees": 5,
        "sorties": 6,
        "solutions": 0,
        "sorties_par_motif": [
            {"motif": "Déménagement hors du territoire", "nombre": "< 5"},
            {"motif": "Orientation vers un autre dispositif", "nombre": 5},
        ],
    }


def test_agregats_de_l_annee_precedente_masquent_les_petits_nombres(groupe, annee):
    assert selectors.agregats_du_suivi(groupe, annee - 1) == {
        "suivies": 7,
        "entrees": 6,
        "sorties": "< 5",
        "solutions": "< 5",
        "sorties_par_motif": [{"motif": "Solution trouvée", "nombre": "< 5"}],
    }


def test_agregats_d_une_annee_sans_suivi(groupe, annee):
    assert selectors.agregats_du_suivi(groupe, annee - 5) == {
        "suivies": 0,
        "entrees": 0,
        "sorties": 0,
        "solutions": 0,
        "sorties_par_motif": [],
    }


def test_les_agregats_entrent_dans_le_rapport_d_evaluation_sans_aucun_nom(
    client, conseil, groupe, autre_groupe, coordonnateur, annee
):
    services.groupe_modifier(autre_groupe, programme=programme(Programme.Axe.TRANQUILLITE))
    rapport = evaluation_services.rapport_preparer(
        conseil=conseil, annee=annee, auteur=coordonnateur
    )

    groupes = {g["nom"]: g for partie in rapport.contenu["programmes"] for g in partie["groupes"]}
    assert groupes[groupe.nom]["suivi_individuel"] == selectors.agregats_du_suivi(groupe, annee)
    # Le groupe tranquillité ne suit personne : rien à son sujet.
    assert groupes[autre_groupe.nom]["suivi_individuel"] is None

    client.force_login(coordonnateur)
    texte, _ = texte_du_pdf(client.get(reverse("evaluation:rapport_pdf", args=[rapport.pk])))
    for attendu in (
        f"Situations suivies par le groupe en {annee}",
        "Situations suivies 11",
        "Entrées dans le suivi 5",
        "dont déménagement hors du territoire < 5",
        "Solutions trouvées 0",
    ):
        assert attendu in texte, attendu
    situations = Situation.objects.all()
    assert situations
    for situation in situations:
        assert situation.nom not in texte and situation.reference not in texte


def test_les_agregats_pre_remplissent_les_indicateurs_d_une_action_du_groupe(
    client, groupe, institution, membre, annee
):
    from evaluation.models import Indicateur
    from tests.programmes.conftest import action_de, plan_de

    indicateurs = {
        i.code: i
        for i in Indicateur.objects.filter(
            conseil=None, code__in=["beneficiaires", "solutions_trouvees", "intervenants"]
        )
    }
    action = action_de(
        plan_de(groupe, annee),
        "Accompagnement individualisé",
        porteur=institution,
        date_debut=datetime.date(annee, 1, 1),
    )
    evaluation = evaluation_services.evaluation_parametrer(
        action, rythme="annee", cibles=dict.fromkeys(indicateurs.values())
    )
    saisie = evaluation_services.saisie_ouvrir(evaluation, auteur=membre, annee=annee)
    client.force_login(membre)  # qui n'a pas accepté la charte : des agrégats seulement

    page = " ".join(client.get(saisie.get_absolute_url()).content.decode().split())

    assert "Situations suivies : 11 ; entrées : 5 ; sorties : 6 ; solutions trouvées : 0." in page
    champ = "indicateur_{}"
    assert f'name="{champ.format(indicateurs["beneficiaires"].pk)}" value="11"' in page
    # Aucune solution : rien à proposer ; un indicateur sans rapport reste vide.
    for code in ("solutions_trouvees", "intervenants"):
        assert f'name="{champ.format(indicateurs[code].pk)}" value=' not in page
    assert "Personne0" not in page
    # Une valeur déjà saisie n'est pas remplacée.
    evaluation_services.saisie_enregistrer(
        saisie, auteur=membre, valeurs={indicateurs["beneficiaires"]: "7"}
    )
    page = client.get(saisie.get_absolute_url()).content.decode()
    assert f'name="{champ.format(indicateurs["beneficiaires"].pk)}" value="7"' in page


def test_un_petit_nombre_ne_pre_remplit_rien(client, groupe, institution, membre, annee):
    from evaluation.models import Indicateur
    from tests.programmes.conftest import action_de, plan_de

    indicateurs = {
        i.code: i
        for i in Indicateur.objects.filter(
            conseil=None, code__in=["beneficiaires", "solutions_trouvees"]
        )
    }
    action = action_de(
        plan_de(groupe, annee - 1),
        "Accompagnement",
        porteur=institution,
        date_debut=datetime.date(annee - 1, 1, 1),
    )
    evaluation = evaluation_services.evaluation_parametrer(
        action, rythme="semestre", cibles=dict.fromkeys(indicateurs.values())
    )
    # Premier semestre de A-1 : sept suivis, six entrées, une sortie (solution trouvée).
    saisie = evaluation_services.saisie_ouvrir(evaluation, auteur=membre, annee=annee - 1)
    client.force_login(membre)

    page = " ".join(client.get(saisie.get_absolute_url()).content.decode().split())

    assert (
        "Situations suivies : 7 ; entrées : 6 ; sorties : &lt; 5 ; solutions trouvées : &lt; 5."
        in page
    )
    assert f'name="indicateur_{indicateurs["beneficiaires"].pk}" value="7"' in page
    assert f'name="indicateur_{indicateurs["solutions_trouvees"].pk}" value=' not in page


# Comptes rendus ----------------------------------------------------------------------------


def test_le_compte_rendu_valide_ne_designe_la_situation_que_par_sa_reference(
    groupe, pilote, membre, situation
):
    reunion = ReunionFactory(groupe=groupe, cree_par=pilote, date=jour(-1))
    PointFactory(reunion=reunion, ordre=1, titre="Situations à examiner")
    reunion.situations.add(situation)
    services.compte_rendu_enregistrer(
        reunion, auteur=pilote, synthese="Examen des situations", notes={}
    )
    services.decision_ajouter(
        reunion,
        auteur=pilote,
        libelle="Proposer un accompagnement scolaire",
        porteur=membre,
        echeance=jour(10),
        situation=situation,
    )

    compte_rendu = services.compte_rendu_valider(reunion, auteur=pilote)

    assert compte_rendu.contenu["decisions"][0]["situation"] == situation.reference
    fige = json.dumps(compte_rendu.contenu, ensure_ascii=False).lower()
    assert NOM.lower() not in fige
    assert PRENOM.lower() not in fige


def test_une_decision_sans_situation_n_en_designe_aucune(groupe, pilote, membre):
    reunion = ReunionFactory(groupe=groupe, cree_par=pilote, date=jour(-1))
    services.compte_rendu_enregistrer(reunion, auteur=pilote, synthese="", notes={})
    services.decision_ajouter(reunion, auteur=pilote, libelle="Décision", porteur=membre)

    compte_rendu = services.compte_rendu_valider(reunion, auteur=pilote)

    assert compte_rendu.contenu["decisions"][0]["situation"] == ""


def test_une_decision_ne_designe_pas_la_situation_d_un_autre_groupe(
    groupe, autre_groupe, pilote, membre, etranger
):
    ailleurs = creer(autre_groupe, etranger)
    reunion = ReunionFactory(groupe=groupe, cree_par=pilote, date=jour(-1))

    with pytest.raises(ValidationError) as erreur:
        services.decision_ajouter(
            reunion, auteur=pilote, libelle="Décision", porteur=membre, situation=ailleurs
        )

    assert "situation" in erreur.value.message_dict
    assert not Decision.objects.exists()


def test_renommer_un_dossier_en_doublon_est_refuse(situation, groupe, membre):
    autre = creer(groupe, membre, nom="AUTRE")

    with pytest.raises(ValidationError) as erreur:
        services.situation_modifier(autre, auteur=membre, nom=situation.nom.lower())

    assert situation.reference in erreur.value.message_dict["nom"][0]
    assert Situation.objects.get(pk=autre.pk).nom == "AUTRE"


def test_modifier_un_dossier_sans_changer_son_nom_n_est_pas_un_doublon(situation, membre):
    services.situation_modifier(situation, auteur=membre, representants_legaux="Père")

    assert Situation.objects.get(pk=situation.pk).representants_legaux == "Père"
