"""Les règles des réunions : planification, convocations, compte rendu verrouillé et versions,
report des décisions, présences des seuls membres, suivi des décisions, jeton de calendrier."""

import datetime

import icalendar
import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from groupes import selectors, services
from groupes.models import CompteRendu, Convocation, Decision, Presence, Reunion
from tests.conftest import ajouter_membre
from tests.factories import InstitutionFactory, PointFactory, ReunionFactory, UtilisateurFactory

BASE_URL = "http://testserver"


def jour(decalage):
    return timezone.localdate() + datetime.timedelta(days=decalage)


def planifier(groupe, auteur, decalage=7, **champs):
    donnees = {
        "objet": "Réunion mensuelle",
        "date": jour(decalage),
        "heure_debut": datetime.time(14, 0),
        "heure_fin": datetime.time(16, 0),
        "lieu": "Mairie",
        "points": [{"titre": "Tour de table"}, {"titre": "Situation du quartier"}],
        **champs,
    }
    return services.reunion_planifier(groupe=groupe, auteur=auteur, **donnees)


def reunion_passee(groupe, auteur, decalage=-1, **champs):
    reunion = ReunionFactory(groupe=groupe, cree_par=auteur, date=jour(decalage), **champs)
    PointFactory(reunion=reunion, ordre=1, titre="Tour de table")
    return reunion


def calendrier_joint(courriel):
    ((_nom, contenu, type_mime),) = courriel.attachments
    assert type_mime.startswith("text/calendar")
    return icalendar.Calendar.from_ical(contenu)


def evenement(calendrier):
    (vevent,) = calendrier.walk("VEVENT")
    return vevent


# Planification ------------------------------------------------------------------------------


def test_planifier_cree_la_reunion_et_son_ordre_du_jour(groupe, pilote):
    reunion = planifier(groupe, pilote)

    assert [(p.ordre, p.titre) for p in reunion.points.all()] == [
        (1, "Tour de table"),
        (2, "Situation du quartier"),
    ]
    assert reunion.sequence == 0


def test_planifier_refuse_une_date_passee(groupe, pilote):
    with pytest.raises(ValidationError) as erreur:
        planifier(groupe, pilote, decalage=-1)

    assert erreur.value.message_dict == {
        "date": ["Une nouvelle réunion se planifie dans le futur."]
    }
    assert not Reunion.objects.exists()


def test_planifier_refuse_une_fin_avant_le_debut(groupe, pilote):
    with pytest.raises(ValidationError) as erreur:
        planifier(groupe, pilote, heure_debut=datetime.time(16), heure_fin=datetime.time(15))

    assert "heure_fin" in erreur.value.message_dict
    assert not Reunion.objects.exists()


def test_planifier_exige_un_lieu_ou_un_lien(groupe, pilote):
    with pytest.raises(ValidationError) as erreur:
        planifier(groupe, pilote, lieu="", lien_visio="")

    assert erreur.value.message_dict["lieu"] == ["Indiquez un lieu ou un lien de visioconférence."]


def test_planifier_refuse_un_point_sans_intitule_sans_rien_ecrire(groupe, pilote):
    with pytest.raises(ValidationError):
        planifier(groupe, pilote, points=[{"titre": "Tour de table"}, {"titre": ""}])

    assert not Reunion.objects.exists()


def test_modifier_l_ordre_du_jour_garde_les_points_et_leurs_notes(groupe, pilote):
    reunion = planifier(groupe, pilote)
    tour, situation = reunion.points.all()
    tour.notes = "Notes"
    tour.save()

    services.reunion_modifier(
        reunion,
        auteur=pilote,
        base_url=BASE_URL,
        points=[{"point": situation, "titre": "Situation"}, {"point": tour, "titre": "Tour"}],
    )

    assert [(p.pk, p.titre, p.notes) for p in reunion.points.all()] == [
        (situation.pk, "Situation", ""),
        (tour.pk, "Tour", "Notes"),
    ]


def test_modifier_refuse_un_point_d_une_autre_reunion(groupe, pilote):
    reunion = planifier(groupe, pilote)
    autre = planifier(groupe, pilote, decalage=14)
    etranger = autre.points.first()

    with pytest.raises(ValidationError):
        services.reunion_modifier(
            reunion, auteur=pilote, base_url=BASE_URL, points=[{"point": etranger, "titre": "X"}]
        )

    assert etranger.reunion_id == autre.pk
    assert Reunion.objects.get(pk=autre.pk).points.count() == 2


# Convocations et iCalendar -----------------------------------------------------------------


def test_convoquer_envoie_un_courriel_par_membre_avec_une_invitation(
    groupe, pilote, membre, django_capture_on_commit_callbacks
):
    reunion = planifier(groupe, pilote)

    with django_capture_on_commit_callbacks(execute=True):
        nombre = services.reunion_convoquer(reunion, auteur=pilote, base_url=BASE_URL)

    assert nombre == 2
    assert sorted(c.to[0] for c in mail.outbox) == [membre.email, pilote.email]
    courriel = next(c for c in mail.outbox if c.to == [membre.email])
    assert "Tour de table" in courriel.body
    assert courriel.alternatives[0][1] == "text/html"
    calendrier = calendrier_joint(courriel)
    assert calendrier["METHOD"] == "REQUEST"
    assert evenement(calendrier)["SEQUENCE"] == 0
    assert evenement(calendrier)["UID"] == f"{reunion.uid}@clspd"
    assert set(
        Convocation.objects.filter(reunion=reunion).values_list("destinataire__email", "type")
    ) == {(membre.email, "convocation"), (pilote.email, "convocation")}


def test_rien_ne_part_si_la_transaction_echoue(groupe, pilote, membre):
    reunion = planifier(groupe, pilote)

    services.reunion_convoquer(reunion, auteur=pilote, base_url=BASE_URL)

    # Sans validation de la transaction (test dans une transaction annulée) : aucun envoi.
    assert mail.outbox == []


def test_deplacer_une_reunion_convoquee_envoie_une_mise_a_jour(
    groupe, pilote, membre, django_capture_on_commit_callbacks
):
    reunion = planifier(groupe, pilote)
    with django_capture_on_commit_callbacks(execute=True):
        services.reunion_convoquer(reunion, auteur=pilote, base_url=BASE_URL)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.reunion_modifier(
            reunion, auteur=pilote, base_url=BASE_URL, heure_debut=datetime.time(15)
        )

    reunion.refresh_from_db()
    assert reunion.sequence == 1
    assert len(mail.outbox) == 2
    vevent = evenement(calendrier_joint(mail.outbox[0]))
    assert vevent["UID"] == f"{reunion.uid}@clspd"
    assert vevent["SEQUENCE"] == 1
    assert vevent.decoded("DTSTART").hour == 15
    assert Convocation.objects.filter(type=Convocation.Type.MISE_A_JOUR).count() == 2


def test_changer_l_objet_seul_n_envoie_rien(
    groupe, pilote, membre, django_capture_on_commit_callbacks
):
    reunion = planifier(groupe, pilote)
    with django_capture_on_commit_callbacks(execute=True):
        services.reunion_convoquer(reunion, auteur=pilote, base_url=BASE_URL)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.reunion_modifier(reunion, auteur=pilote, base_url=BASE_URL, objet="Autre objet")

    assert mail.outbox == []
    assert Reunion.objects.get(pk=reunion.pk).sequence == 0


def test_reconvoquer_envoie_une_mise_a_jour_aux_convoques_et_convoque_les_nouveaux(
    groupe, pilote, membre, institution, coordonnateur, django_capture_on_commit_callbacks
):
    reunion = planifier(groupe, pilote)
    with django_capture_on_commit_callbacks(execute=True):
        services.reunion_convoquer(reunion, auteur=pilote, base_url=BASE_URL)
    nouveau = UtilisateurFactory(email="nouveau@testville.fr")
    ajouter_membre(groupe, nouveau, institution, coordonnateur)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.reunion_convoquer(reunion, auteur=pilote, base_url=BASE_URL)

    envois = dict(
        Convocation.objects.filter(reunion=reunion, sequence=1).values_list(
            "destinataire__email", "type"
        )
    )
    assert envois == {
        "nouveau@testville.fr": "convocation",
        membre.email: "mise_a_jour",
        pilote.email: "mise_a_jour",
    }
    assert {evenement(calendrier_joint(c))["SEQUENCE"] for c in mail.outbox} == {1}


def test_annuler_envoie_cancel_aux_convoques(
    groupe, pilote, membre, django_capture_on_commit_callbacks
):
    reunion = planifier(groupe, pilote)
    with django_capture_on_commit_callbacks(execute=True):
        services.reunion_convoquer(reunion, auteur=pilote, base_url=BASE_URL)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.reunion_annuler(reunion, auteur=pilote, base_url=BASE_URL)

    reunion.refresh_from_db()
    assert reunion.est_annulee
    assert len(mail.outbox) == 2
    calendrier = calendrier_joint(mail.outbox[0])
    assert calendrier["METHOD"] == "CANCEL"
    assert evenement(calendrier)["SEQUENCE"] == 1
    assert evenement(calendrier)["STATUS"] == "CANCELLED"


def test_une_reunion_annulee_ne_se_convoque_ni_ne_se_modifie(groupe, pilote, membre):
    reunion = planifier(groupe, pilote)
    services.reunion_annuler(reunion, auteur=pilote, base_url=BASE_URL)

    with pytest.raises(ValidationError):
        services.reunion_convoquer(reunion, auteur=pilote, base_url=BASE_URL)
    with pytest.raises(ValidationError):
        services.reunion_modifier(reunion, auteur=pilote, base_url=BASE_URL, objet="Autre")
    with pytest.raises(ValidationError):
        services.reunion_annuler(reunion, auteur=pilote, base_url=BASE_URL)
    assert not Convocation.objects.exists()


def test_on_ne_convoque_pas_a_une_reunion_passee(groupe, pilote, membre):
    reunion = reunion_passee(groupe, pilote)

    with pytest.raises(ValidationError) as erreur:
        services.reunion_convoquer(reunion, auteur=pilote, base_url=BASE_URL)

    assert "passée" in erreur.value.messages[0]
    assert not Convocation.objects.exists()


def test_on_ne_convoque_pas_sans_ordre_du_jour(groupe, pilote, membre):
    reunion = planifier(groupe, pilote, points=[])

    with pytest.raises(ValidationError) as erreur:
        services.reunion_convoquer(reunion, auteur=pilote, base_url=BASE_URL)

    assert erreur.value.messages == ["Rédigez l'ordre du jour avant d'envoyer la convocation."]


def test_on_ne_deplace_pas_une_reunion_dans_le_passe(groupe, pilote):
    reunion = planifier(groupe, pilote)

    with pytest.raises(ValidationError) as erreur:
        services.reunion_modifier(reunion, auteur=pilote, base_url=BASE_URL, date=jour(-3))

    assert "date" in erreur.value.message_dict
    assert Reunion.objects.get(pk=reunion.pk).date == jour(7)


def test_la_convocation_ne_cite_pas_les_autres_membres(
    groupe, pilote, membre, institution, coordonnateur, django_capture_on_commit_callbacks
):
    collegue = UtilisateurFactory(last_name="Discrétion")
    ajouter_membre(groupe, collegue, institution, coordonnateur)
    reunion = planifier(groupe, pilote)

    with django_capture_on_commit_callbacks(execute=True):
        services.reunion_convoquer(reunion, auteur=pilote, base_url=BASE_URL)

    courriel = next(c for c in mail.outbox if c.to == [membre.email])
    contenus = [courriel.body, courriel.alternatives[0][0], courriel.attachments[0][1]]
    for contenu in contenus:
        texte = contenu.decode() if isinstance(contenu, bytes) else contenu
        assert "Discrétion" not in texte
        assert collegue.email not in texte


# Compte rendu : brouillon, validation, verrou, versions ----------------------------------


def test_le_compte_rendu_ne_se_redige_pas_avant_le_jour_de_la_reunion(groupe, pilote):
    reunion = planifier(groupe, pilote)

    with pytest.raises(ValidationError):
        services.compte_rendu_enregistrer(reunion, auteur=pilote, synthese="Trop tôt", notes={})

    assert not CompteRendu.objects.exists()


def test_valider_fige_le_compte_rendu(groupe, pilote, membre):
    reunion = reunion_passee(groupe, pilote)
    point = reunion.points.get()
    services.compte_rendu_enregistrer(
        reunion, auteur=pilote, synthese="Bonne réunion", notes={point: "Rien à signaler"}
    )
    services.decision_ajouter(
        reunion, auteur=pilote, libelle="Réunir les bailleurs", porteur=membre, echeance=jour(10)
    )

    compte_rendu = services.compte_rendu_valider(reunion, auteur=pilote)

    assert compte_rendu.statut == CompteRendu.Statut.VALIDE
    assert compte_rendu.valide_par == pilote
    assert compte_rendu.contenu["synthese"] == "Bonne réunion"
    assert compte_rendu.contenu["points"][0]["notes"] == "Rien à signaler"
    assert compte_rendu.contenu["decisions"][0]["libelle"] == "Réunir les bailleurs"
    assert compte_rendu.contenu["decisions"][0]["porteur"] == str(membre)


def test_valider_sans_brouillon_est_refuse(groupe, pilote):
    reunion = reunion_passee(groupe, pilote)

    with pytest.raises(ValidationError) as erreur:
        services.compte_rendu_valider(reunion, auteur=pilote)

    assert erreur.value.messages == ["Rédigez le compte rendu avant de le valider."]


@pytest.fixture
def compte_rendu_valide(groupe, pilote, membre):
    reunion = reunion_passee(groupe, pilote)
    services.compte_rendu_enregistrer(reunion, auteur=pilote, synthese="Version 1", notes={})
    services.decision_ajouter(reunion, auteur=pilote, libelle="Décision 1", porteur=membre)
    return services.compte_rendu_valider(reunion, auteur=pilote)


def test_le_service_refuse_toute_modification_d_un_compte_rendu_valide(
    compte_rendu_valide, pilote, membre
):
    reunion = compte_rendu_valide.reunion
    decision = reunion.decisions.get()
    appartenance = reunion.groupe.appartenances.get(utilisateur=membre)
    tentatives = [
        lambda: services.compte_rendu_enregistrer(
            reunion, auteur=pilote, synthese="Réécrite", notes={}
        ),
        lambda: services.decision_ajouter(reunion, auteur=pilote, libelle="X", porteur=membre),
        lambda: services.decision_modifier(decision, auteur=pilote, libelle="Réécrite"),
        lambda: services.decision_supprimer(decision, auteur=pilote),
        lambda: services.presences_enregistrer(
            reunion,
            auteur=pilote,
            presences=[(appartenance, Presence.Statut.ABSENT, "")],
            participants_exterieurs=[],
        ),
        lambda: services.compte_rendu_valider(reunion, auteur=pilote),
        lambda: services.reunion_modifier(
            reunion, auteur=pilote, base_url=BASE_URL, points=[{"titre": "Nouveau"}]
        ),
    ]
    for tentative in tentatives:
        with pytest.raises(services.CompteRenduVerrouille):
            tentative()

    compte_rendu_valide.refresh_from_db()
    assert compte_rendu_valide.synthese == "Version 1"
    assert Decision.objects.get().libelle == "Décision 1"
    assert not Presence.objects.exists()
    assert reunion.points.get().titre == "Tour de table"


def test_une_correction_ouvre_une_nouvelle_version_et_garde_l_ancienne(compte_rendu_valide, pilote):
    reunion = compte_rendu_valide.reunion

    correction = services.compte_rendu_corriger(reunion, auteur=pilote, motif="Coquille")
    services.compte_rendu_enregistrer(reunion, auteur=pilote, synthese="Version 2", notes={})
    decision = reunion.decisions.get()
    services.decision_modifier(decision, auteur=pilote, libelle="Décision corrigée")
    services.compte_rendu_valider(reunion, auteur=pilote)

    v1, v2 = (selectors.compte_rendu_valide(reunion, n) for n in (1, 2))
    assert correction.version == 2
    assert v2.motif_correction == "Coquille"
    assert v1.contenu["synthese"] == "Version 1"
    assert v1.contenu["decisions"][0]["libelle"] == "Décision 1"
    assert v2.contenu["synthese"] == "Version 2"
    assert v2.contenu["decisions"][0]["libelle"] == "Décision corrigée"


def test_une_correction_exige_un_motif(compte_rendu_valide, pilote):
    with pytest.raises(ValidationError) as erreur:
        services.compte_rendu_corriger(compte_rendu_valide.reunion, auteur=pilote, motif="  ")

    assert "motif_correction" in erreur.value.message_dict
    assert CompteRendu.objects.count() == 1


def test_on_ne_corrige_pas_un_brouillon(groupe, pilote):
    reunion = reunion_passee(groupe, pilote)
    services.compte_rendu_enregistrer(reunion, auteur=pilote, synthese="Brouillon", notes={})

    with pytest.raises(ValidationError):
        services.compte_rendu_corriger(reunion, auteur=pilote, motif="Pourquoi pas")

    assert CompteRendu.objects.count() == 1


# Présences ----------------------------------------------------------------------------------


def test_presences_des_membres_et_participants_exterieurs(groupe, pilote, membre):
    reunion = reunion_passee(groupe, pilote)
    appartenances = {a.utilisateur: a for a in groupe.appartenances.all()}

    services.presences_enregistrer(
        reunion,
        auteur=pilote,
        presences=[
            (appartenances[pilote], Presence.Statut.PRESENT, ""),
            (appartenances[membre], Presence.Statut.REPRESENTE, "Mme Adjointe"),
        ],
        participants_exterieurs=[("Jeanne Invitée", "Mission locale")],
    )

    assert set(reunion.presences.values_list("appartenance__utilisateur", "statut")) == {
        (pilote.pk, "present"),
        (membre.pk, "represente"),
    }
    assert reunion.participants_exterieurs.get().nom == "Jeanne Invitée"


def test_presence_refusee_pour_qui_n_etait_pas_membre_a_la_date(
    groupe, pilote, coordonnateur, institution
):
    reunion = reunion_passee(groupe, pilote, decalage=-30)
    # Membre depuis dix jours seulement (voir ajouter_membre) : absent du groupe il y a 30 jours.
    arrive_tard = UtilisateurFactory()
    appartenance = ajouter_membre(groupe, arrive_tard, institution, coordonnateur)

    with pytest.raises(ValidationError) as erreur:
        services.presences_enregistrer(
            reunion,
            auteur=pilote,
            presences=[(appartenance, Presence.Statut.PRESENT, "")],
            participants_exterieurs=[],
        )

    assert "appartenance" in erreur.value.message_dict
    assert not Presence.objects.exists()


def test_presence_refusee_pour_le_membre_d_un_autre_groupe(groupe, pilote, etranger):
    reunion = reunion_passee(groupe, pilote)
    appartenance = etranger.appartenances.get()

    with pytest.raises(ValidationError):
        services.presences_enregistrer(
            reunion,
            auteur=pilote,
            presences=[(appartenance, Presence.Statut.PRESENT, "")],
            participants_exterieurs=[],
        )

    assert not Presence.objects.exists()


def test_representation_sans_representant_refusee(groupe, pilote, membre):
    reunion = reunion_passee(groupe, pilote)
    appartenance = groupe.appartenances.get(utilisateur=membre)

    with pytest.raises(ValidationError) as erreur:
        services.presences_enregistrer(
            reunion,
            auteur=pilote,
            presences=[(appartenance, Presence.Statut.REPRESENTE, " ")],
            participants_exterieurs=[],
        )

    assert "represente_par" in erreur.value.message_dict


# Décisions : porteur, report, suivi -----------------------------------------------------


def test_une_decision_a_un_seul_porteur(groupe, pilote, membre, institution):
    reunion = reunion_passee(groupe, pilote)

    for porteurs in ({}, {"porteur": membre, "institution_porteuse": institution}):
        with pytest.raises(ValidationError) as erreur:
            services.decision_ajouter(reunion, auteur=pilote, libelle="Décision", **porteurs)
        assert "porteur" in erreur.value.message_dict
    assert not Decision.objects.exists()


def test_le_porteur_est_membre_du_groupe(groupe, pilote, etranger):
    reunion = reunion_passee(groupe, pilote)

    with pytest.raises(ValidationError) as erreur:
        services.decision_ajouter(reunion, auteur=pilote, libelle="Décision", porteur=etranger)

    assert erreur.value.message_dict["porteur"] == ["Le porteur doit être membre du groupe."]


def test_l_institution_porteuse_est_du_conseil(groupe, pilote):
    reunion = reunion_passee(groupe, pilote)
    ailleurs = InstitutionFactory()

    with pytest.raises(ValidationError) as erreur:
        services.decision_ajouter(
            reunion, auteur=pilote, libelle="Décision", institution_porteuse=ailleurs
        )

    assert "institution_porteuse" in erreur.value.message_dict


def test_les_decisions_ouvertes_passent_au_suivi_de_la_reunion_suivante(
    compte_rendu_valide, groupe, pilote, membre, institution
):
    precedente = compte_rendu_valide.reunion
    faite = Decision.objects.create(
        reunion=precedente,
        libelle="Déjà faite",
        institution_porteuse=institution,
        statut=Decision.Statut.FAITE,
    )
    brouillon = reunion_passee(groupe, pilote, decalage=-20)
    services.decision_ajouter(brouillon, auteur=pilote, libelle="Pas actée", porteur=membre)
    suivante = planifier(groupe, pilote)

    suivi = list(selectors.suivi_des_decisions(suivante))

    assert [d.libelle for d in suivi] == ["Décision 1"]
    assert faite not in suivi
    assert list(selectors.suivi_des_decisions(precedente)) == []


def test_le_suivi_figure_dans_la_convocation(
    compte_rendu_valide, groupe, pilote, django_capture_on_commit_callbacks
):
    suivante = planifier(groupe, pilote)

    with django_capture_on_commit_callbacks(execute=True):
        services.reunion_convoquer(suivante, auteur=pilote, base_url=BASE_URL)

    assert "Suivi des décisions" in mail.outbox[0].body
    assert "Décision 1" in mail.outbox[0].body


def test_le_porteur_marque_sa_decision_faite_avec_un_commentaire(compte_rendu_valide, membre):
    decision = Decision.objects.get()

    services.decision_suivre(
        decision, auteur=membre, statut=Decision.Statut.FAITE, commentaire="Bailleurs réunis"
    )

    decision.refresh_from_db()
    assert decision.statut == Decision.Statut.FAITE
    assert decision.commentaire == "Bailleurs réunis"
    assert decision.suivi_par == membre
    assert list(selectors.mes_decisions(membre)) == [decision]


def test_faite_sans_commentaire_refusee(compte_rendu_valide, membre):
    decision = Decision.objects.get()

    with pytest.raises(ValidationError) as erreur:
        services.decision_suivre(decision, auteur=membre, statut="faite", commentaire="")

    assert "commentaire" in erreur.value.message_dict
    assert Decision.objects.get().statut == Decision.Statut.A_FAIRE


def test_une_decision_non_actee_ne_se_suit_pas(groupe, pilote, membre):
    reunion = reunion_passee(groupe, pilote)
    decision = services.decision_ajouter(reunion, auteur=pilote, libelle="X", porteur=membre)

    with pytest.raises(ValidationError):
        services.decision_suivre(decision, auteur=membre, statut="en_cours", commentaire="")

    assert selectors.mes_decisions(membre).count() == 0


def test_mes_decisions_en_retard_d_abord(groupe, pilote, membre):
    reunion = reunion_passee(groupe, pilote)
    services.compte_rendu_enregistrer(reunion, auteur=pilote, synthese="", notes={})
    a_venir = services.decision_ajouter(
        reunion, auteur=pilote, libelle="À venir", porteur=membre, echeance=jour(30)
    )
    en_retard = services.decision_ajouter(
        reunion, auteur=pilote, libelle="En retard", porteur=membre, echeance=jour(-3)
    )
    faite = services.decision_ajouter(
        reunion,
        auteur=pilote,
        libelle="Faite",
        porteur=membre,
        echeance=jour(-10),
        statut=Decision.Statut.FAITE,
    )
    sans_echeance = services.decision_ajouter(
        reunion, auteur=pilote, libelle="Sans échéance", porteur=membre
    )
    services.compte_rendu_valider(reunion, auteur=pilote)

    assert list(selectors.mes_decisions(membre)) == [en_retard, a_venir, sans_echeance, faite]
    assert en_retard.est_en_retard and not faite.est_en_retard


def test_un_ancien_membre_ne_voit_plus_ses_decisions(compte_rendu_valide, membre):
    appartenance = compte_rendu_valide.reunion.groupe.appartenances.get(utilisateur=membre)
    services.membre_retirer(appartenance)

    assert selectors.mes_decisions(membre).count() == 0


# Calendrier ---------------------------------------------------------------------------------


def test_renouveler_le_jeton_revoque_l_ancien(membre):
    ancien = services.jeton_calendrier_renouveler(membre).jeton

    nouveau = services.jeton_calendrier_renouveler(membre).jeton

    assert nouveau != ancien
    assert selectors.utilisateur_du_jeton(nouveau) == membre
    with pytest.raises(Exception, match="No JetonCalendrier matches"):
        selectors.utilisateur_du_jeton(ancien)


def test_le_calendrier_ne_contient_que_les_reunions_de_mes_groupes(
    groupe, autre_groupe, pilote, membre
):
    mienne = planifier(groupe, pilote)
    planifier(autre_groupe, pilote)
    ancienne = ReunionFactory(groupe=groupe, cree_par=pilote, date=jour(-200))

    reunions = list(selectors.reunions_du_calendrier(membre))

    assert reunions == [mienne]
    assert ancienne not in reunions
