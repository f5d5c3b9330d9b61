"""Courriels de convocation et données iCalendar : ce que reçoivent les agendas."""

import datetime
import itertools
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr
from django.utils import timezone
from icalendar import Calendar, Timezone

from groupes.convocations import VTIMEZONE_PARIS, evenement_ics, flux_ics, message_convocation
from groupes.models import Convocation, Decision, PointOrdreDuJour, Reunion

HIVER = datetime.date(2026, 12, 3)  # un jeudi, heure d'hiver (UTC+1)
ETE = datetime.date(2027, 6, 3)  # un jeudi, heure d'été (UTC+2)


def creer_reunion(groupe, auteur, date=HIVER, **champs):
    champs = {
        "objet": "Réunion mensuelle",
        "heure_debut": datetime.time(14),
        "heure_fin": datetime.time(16),
        "lieu": "Mairie de Testville, salle du conseil",
        **champs,
    }
    reunion = Reunion.objects.create(groupe=groupe, date=date, cree_par=auteur, **champs)
    for ordre, titre in enumerate(["Accueil et tour de table", "Bilan des actions", "Divers"], 1):
        PointOrdreDuJour.objects.create(reunion=reunion, ordre=ordre, titre=titre)
    return reunion


def lire(ics):
    calendrier = Calendar.from_ical(ics)
    (evenement,) = calendrier.walk("VEVENT")
    return calendrier, evenement


@pytest.fixture
def reunion(groupe, pilote):
    return creer_reunion(groupe, pilote)


def test_invitation_mise_a_jour_puis_annulation_gardent_le_meme_uid(reunion, membre):
    envois = []
    for methode, sequence in [("REQUEST", 0), ("REQUEST", 1), ("CANCEL", 2)]:
        reunion.sequence = sequence
        if methode == "CANCEL":
            reunion.annulee_le = timezone.now()
        reunion.save()
        envois.append(
            lire(
                evenement_ics(
                    reunion,
                    methode=methode,
                    destinataires=[membre],
                    organisateur_email="convocations@testville.fr",
                )
            )
        )

    assert [str(c["METHOD"]) for c, _ in envois] == ["REQUEST", "REQUEST", "CANCEL"]
    assert {str(e["UID"]) for _, e in envois} == {f"{reunion.uid}@clspd"}
    assert [e.decoded("SEQUENCE") for _, e in envois] == [0, 1, 2]
    assert [str(e["STATUS"]) for _, e in envois] == ["CONFIRMED", "CONFIRMED", "CANCELLED"]
    calendrier, evenement = envois[0]
    assert str(calendrier["PRODID"]) == "-//CLSPD//Réunions//FR"
    assert str(calendrier["VERSION"]) == "2.0"
    assert str(evenement["SUMMARY"]) == "Groupe jeunes de Testville — Réunion mensuelle"
    assert str(evenement["LOCATION"]) == "Mairie de Testville, salle du conseil"
    assert evenement.decoded("DTSTAMP").utcoffset() == datetime.timedelta(0)
    description = str(evenement["DESCRIPTION"])
    assert (
        description.index("1. Accueil")
        < description.index("2. Bilan")
        < description.index("3. Divers")
    )


@pytest.mark.parametrize(
    ("date", "heure_utc"),
    [(HIVER, datetime.time(13)), (ETE, datetime.time(12))],
    ids=["hiver", "ete"],
)
def test_heure_locale_de_paris_avec_son_fuseau(groupe, pilote, date, heure_utc):
    reunion = creer_reunion(groupe, pilote, date=date)
    ics = evenement_ics(reunion, methode="REQUEST", organisateur_email="c@testville.fr")
    calendrier, evenement = lire(ics)

    assert f"DTSTART;TZID=Europe/Paris:{date:%Y%m%d}T140000".encode() in ics
    assert evenement["DTSTART"].params["TZID"] == "Europe/Paris"
    debut = evenement.decoded("DTSTART").astimezone(datetime.UTC)
    assert (debut.date(), debut.time()) == (date, heure_utc)
    assert evenement.decoded("DTEND") - evenement.decoded("DTSTART") == datetime.timedelta(hours=2)
    (fuseau,) = calendrier.walk("VTIMEZONE")
    assert str(fuseau["TZID"]) == "Europe/Paris"
    # Des règles annuelles, que lit Outlook (pas une liste de dates RDATE).
    (ete,) = fuseau.walk("DAYLIGHT")
    (hiver,) = fuseau.walk("STANDARD")
    assert ete["RRULE"] == {"FREQ": ["YEARLY"], "BYMONTH": [3], "BYDAY": ["-1SU"]}
    assert hiver["RRULE"] == {"FREQ": ["YEARLY"], "BYMONTH": [10], "BYDAY": ["-1SU"]}
    assert b"RDATE" not in ics


def test_le_fuseau_ecrit_suit_la_base_tz():
    """Chaque changement d'heure que décrivent les règles écrites est celui de la base tz,
    et il n'y en a pas d'autre : si l'heure d'été change un jour, ce test le dira."""
    paris = ZoneInfo("Europe/Paris")
    debut, fin = datetime.datetime(2026, 1, 1), datetime.datetime(2038, 1, 1)
    changements = 0
    for observance in Timezone.from_ical(VTIMEZONE_PARIS).walk():
        if observance.name not in ("STANDARD", "DAYLIGHT"):
            continue
        avant, apres = observance["TZOFFSETFROM"].td, observance["TZOFFSETTO"].td
        regle = rrulestr(
            observance["RRULE"].to_ical().decode(), dtstart=observance.decoded("DTSTART")
        )
        for heure_locale in regle.between(debut, fin):
            instant = (heure_locale - avant).replace(tzinfo=datetime.UTC)
            assert (instant - datetime.timedelta(seconds=1)).astimezone(paris).utcoffset() == avant
            assert instant.astimezone(paris).utcoffset() == apres
            changements += 1
    jours = [
        datetime.datetime(2026, 1, 1, 12, tzinfo=datetime.UTC) + datetime.timedelta(days=n)
        for n in range((fin - debut).days)
    ]
    decalages = [jour.astimezone(paris).utcoffset() for jour in jours]
    assert changements == sum(a != b for a, b in itertools.pairwise(decalages)) == 24


def test_organisateur_et_seuls_les_destinataires_donnes(reunion, membre, pilote):
    ics = evenement_ics(
        reunion,
        methode="REQUEST",
        destinataires=[membre],
        organisateur_email="CLSPD de Testville <convocations@testville.fr>",
    )
    _, evenement = lire(ics)

    assert str(evenement["ORGANIZER"]) == "mailto:convocations@testville.fr"
    participant = evenement["ATTENDEE"]  # un seul : pas de liste de tous les membres
    assert str(participant) == "mailto:membre@testville.fr"
    assert participant.params["CN"] == membre.get_full_name()
    assert participant.params["ROLE"] == "REQ-PARTICIPANT"
    assert participant.params["PARTSTAT"] == "NEEDS-ACTION"
    assert participant.params["RSVP"] == "FALSE"
    assert pilote.email.encode() not in ics


def test_reunion_en_visio_seulement(groupe, pilote):
    lien = "https://visio.testville.fr/groupe-jeunes"
    reunion = creer_reunion(groupe, pilote, lieu="", lien_visio=lien)
    _, evenement = lire(evenement_ics(reunion, methode="REQUEST", organisateur_email="c@t.fr"))

    assert str(evenement["LOCATION"]) == lien
    assert str(evenement["URL"]) == lien
    assert lien in str(evenement["DESCRIPTION"])


def test_methode_inconnue_refusee(reunion):
    with pytest.raises(ValueError, match="PUBLISH"):
        evenement_ics(reunion, methode="PUBLISH", organisateur_email="c@t.fr")


def _message(reunion, destinataire, type, **options):
    return message_convocation(
        reunion,
        destinataire,
        type=type,
        points=list(reunion.points.all()),
        suivi_decisions=options.pop("suivi_decisions", []),
        url_reunion="https://clspd.testville.fr/reunions/1/",
        **options,
    )


def _invitation(message):
    (piece,) = message.attachments
    assert piece.filename == "invitation.ics"
    return piece


def test_convocation(reunion, membre, pilote, settings):
    settings.DEFAULT_FROM_EMAIL = "convocations@testville.fr"
    precedente = creer_reunion(reunion.groupe, pilote, date=HIVER - datetime.timedelta(days=30))
    decision = Decision.objects.create(
        reunion=precedente,
        libelle="Recenser les lieux de regroupement",
        porteur=membre,
        echeance=datetime.date(2026, 12, 15),
    )

    # Une personne réglée sur un autre fuseau reçoit quand même l'heure de Paris.
    with timezone.override("America/Martinique"):
        message = _message(
            reunion, membre, Convocation.Type.CONVOCATION, suivi_decisions=[decision]
        )

    assert message.subject == "Convocation : Groupe jeunes de Testville — jeudi 3 décembre 2026"
    assert message.to == ["membre@testville.fr"]
    assert message.reply_to == []
    texte = message.body
    assert "jeudi 3 décembre 2026 de 14 h 00 à 16 h 00" in texte
    assert "CLSPD de Testville" in texte
    assert "Mairie de Testville, salle du conseil" in texte
    assert (
        texte.index("1. Accueil et tour de table")
        < texte.index("2. Bilan des actions")
        < texte.index("3. Divers")
        < texte.index("Suivi des décisions")
        < texte.index("Recenser les lieux de regroupement")
    )
    assert "15 décembre 2026" in texte
    assert "https://clspd.testville.fr/reunions/1/" in texte

    ((html, type_html),) = message.alternatives
    assert type_html == "text/html"
    assert '<html lang="fr">' in html
    assert "<h2>Suivi des décisions</h2>" in html
    assert "<ol>" in html
    assert "http" not in html.replace("https://clspd.testville.fr/reunions/1/", "")

    piece = _invitation(message)
    assert piece.mimetype.startswith("text/calendar")
    assert "method=REQUEST" in piece.mimetype
    calendrier, evenement = lire(piece.content.encode())
    assert str(calendrier["METHOD"]) == "REQUEST"
    assert str(evenement["ORGANIZER"]) == "mailto:convocations@testville.fr"
    assert str(evenement["ATTENDEE"]) == "mailto:membre@testville.fr"
    en_tetes = message.message().as_string()
    assert 'Content-Type: text/calendar; method="REQUEST"; charset="utf-8"' in en_tetes


def test_convocation_sans_suivi_signee_par_l_expediteur(reunion, membre, pilote):
    message = _message(reunion, membre, Convocation.Type.CONVOCATION, expediteur=pilote)

    assert "Suivi des décisions" not in message.body
    assert "Suivi des décisions" not in message.alternatives[0].content
    assert message.reply_to == ["pilote@testville.fr"]
    assert pilote.get_full_name() in message.body


def test_modification(reunion, membre):
    reunion.sequence = 1
    message = _message(reunion, membre, Convocation.Type.MISE_A_JOUR)

    assert message.subject == "Modification : Groupe jeunes de Testville — jeudi 3 décembre 2026"
    assert "a été modifiée" in message.body
    assert "jeudi 3 décembre 2026 de 14 h 00 à 16 h 00" in message.body
    piece = _invitation(message)
    assert "method=REQUEST" in piece.mimetype
    _, evenement = lire(piece.content.encode())
    assert evenement.decoded("SEQUENCE") == 1


def test_annulation(reunion, membre):
    reunion.sequence, reunion.annulee_le = 2, timezone.now()
    message = _message(reunion, membre, Convocation.Type.ANNULATION)

    assert message.subject == "Annulation : Groupe jeunes de Testville — jeudi 3 décembre 2026"
    assert "est annulée" in message.body
    assert "est annulée" in message.alternatives[0].content
    piece = _invitation(message)
    assert "method=CANCEL" in piece.mimetype
    calendrier, evenement = lire(piece.content.encode())
    assert str(calendrier["METHOD"]) == "CANCEL"
    assert str(evenement["STATUS"]) == "CANCELLED"
    assert str(evenement["UID"]) == f"{reunion.uid}@clspd"


def test_flux_une_entree_par_reunion_sans_requete(groupe, pilote, django_assert_num_queries):
    prevue = creer_reunion(groupe, pilote, date=HIVER)
    annulee = creer_reunion(groupe, pilote, date=ETE)
    annulee.annulee_le = timezone.now()
    annulee.save()
    reunions = list(
        Reunion.objects.filter(groupe=groupe)
        .select_related("groupe__conseil")
        .prefetch_related("points")
    )

    with django_assert_num_queries(0):
        ics = flux_ics(reunions, nom="Réunions — Groupe jeunes de Testville")

    calendrier = Calendar.from_ical(ics)
    assert str(calendrier["X-WR-CALNAME"]) == "Réunions — Groupe jeunes de Testville"
    assert str(calendrier.get("METHOD", "PUBLISH")) == "PUBLISH"
    assert len(calendrier.walk("VTIMEZONE")) == 1
    statuts = {str(e["UID"]): str(e["STATUS"]) for e in calendrier.walk("VEVENT")}
    assert statuts == {
        f"{prevue.uid}@clspd": "CONFIRMED",
        f"{annulee.uid}@clspd": "CANCELLED",
    }
