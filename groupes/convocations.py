"""Les courriels de convocation et les données iCalendar des réunions.

Ce module construit les messages et les fichiers ``.ics`` ; il n'envoie rien et n'écrit
rien en base : les services décident qui convoquer, notent les envois et expédient.

Une réunion garde le même UID iCalendar de la convocation à l'annulation, et sa
``sequence`` croît à chaque changement : c'est ce qui permet aux agendas (Outlook,
Thunderbird, Gmail...) de remplacer ou de retirer l'événement déjà reçu au lieu d'en
ajouter un second.
"""

from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone, translation
from icalendar import Calendar, Event, Timezone

from groupes.models import Convocation

PRODID = "-//CLSPD//Réunions//FR"
METHODES = ("REQUEST", "CANCEL")

# Le fuseau de Paris décrit par ses règles (dernier dimanche de mars et d'octobre), comme
# l'écrivent Google, Thunderbird et Outlook eux-mêmes : Outlook lit mal la liste de dates
# (RDATE) que produit ``add_missing_timezones`` et décale alors d'une heure les réunions
# d'été. Un test vérifie ces règles contre la base tz du système.
VTIMEZONE_PARIS = """BEGIN:VTIMEZONE
TZID:Europe/Paris
X-LIC-LOCATION:Europe/Paris
BEGIN:DAYLIGHT
TZNAME:CEST
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZNAME:CET
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE
"""


def uid_ics(reunion):
    """L'UID iCalendar de la réunion, le même pour tous ses envois et dans les flux."""
    return f"{reunion.uid}@clspd"


def _calendrier(**proprietes):
    calendrier = Calendar()
    calendrier.add("prodid", PRODID)
    calendrier.add("version", "2.0")
    for nom, valeur in proprietes.items():
        calendrier.add(nom, valeur)
    return calendrier


def _ajouter_fuseaux(calendrier):
    """Un VTIMEZONE, une seule fois, pour chaque fuseau cité (Europe/Paris en pratique)."""
    if "Europe/Paris" in calendrier.get_missing_tzids():
        calendrier.subcomponents.insert(0, Timezone.from_ical(VTIMEZONE_PARIS))
    # Filet pour un autre TIME_ZONE : la description tirée de la base tz.
    calendrier.add_missing_timezones()


def _lieu(reunion):
    # Sans lieu physique, l'agenda affiche le lien de visioconférence à la place.
    return reunion.lieu or reunion.lien_visio


def _description(reunion, points, url_reunion=None):
    """L'ordre du jour en texte brut, tel que l'agenda l'affiche sous l'événement."""
    lignes = []
    if reunion.lien_visio:
        lignes += [f"Visioconférence : {reunion.lien_visio}", ""]
    if points:
        lignes.append("Ordre du jour :")
        for numero, point in enumerate(points, start=1):
            lignes.append(f"{numero}. {point.titre}")
            if point.description:
                lignes += [f"   {ligne}" for ligne in point.description.splitlines()]
    if url_reunion:
        lignes += ["", f"Dans l'application : {url_reunion}"]
    return "\n".join(lignes).strip()


def _evenement(reunion, *, points, statut, horodatage, url_reunion=None):
    evenement = Event()
    evenement.add("uid", uid_ics(reunion))
    evenement.add("sequence", reunion.sequence)
    evenement.add("dtstamp", horodatage)
    # Des heures locales avec TZID (et non en UTC) : l'agenda affiche 14 h 00 même si la
    # réunion est de l'autre côté d'un changement d'heure.
    evenement.add("dtstart", reunion.debut)
    evenement.add("dtend", reunion.fin)
    evenement.add("summary", f"{reunion.groupe.nom} — {reunion.objet}")
    evenement.add("location", _lieu(reunion))
    if reunion.lien_visio:
        evenement.add("url", reunion.lien_visio)
    description = _description(reunion, points, url_reunion)
    if description:
        evenement.add("description", description)
    evenement.add("status", statut)
    evenement.add("transp", "OPAQUE")
    return evenement


def evenement_ics(
    reunion, *, methode, destinataires=(), organisateur_email, points=None, url_reunion=None
):
    """Le fichier iCalendar d'une invitation (``REQUEST``) ou d'une annulation (``CANCEL``).

    ``points`` évite une requête par destinataire quand l'appelant a déjà l'ordre du jour ;
    sinon il est lu sur ``reunion.points``.
    """
    if methode not in METHODES:
        raise ValueError(f"Méthode iCalendar inconnue : {methode!r}")
    if points is None:
        points = list(reunion.points.all())
    calendrier = _calendrier(method=methode)
    evenement = _evenement(
        reunion,
        points=points,
        statut="CANCELLED" if methode == "CANCEL" else "CONFIRMED",
        horodatage=timezone.now(),
        url_reunion=url_reunion,
    )
    # DEFAULT_FROM_EMAIL peut s'écrire « Nom <adresse> » : l'agenda n'attend que l'adresse.
    _, adresse = parseaddr(organisateur_email)
    evenement.add(
        "organizer",
        f"mailto:{adresse or organisateur_email}",
        parameters={"CN": reunion.groupe.conseil.nom},
    )
    # Seuls les destinataires de ce message figurent : la liste des membres n'a pas à
    # circuler d'une boîte à l'autre. RSVP=FALSE : les réponses ne sont pas relevées.
    for destinataire in destinataires:
        evenement.add(
            "attendee",
            f"mailto:{destinataire.email}",
            parameters={
                "CN": destinataire.get_full_name() or destinataire.email,
                "CUTYPE": "INDIVIDUAL",
                "ROLE": "REQ-PARTICIPANT",
                "PARTSTAT": "NEEDS-ACTION",
                "RSVP": "FALSE",
            },
        )
    calendrier.add_component(evenement)
    _ajouter_fuseaux(calendrier)
    return calendrier.to_ical()


def flux_ics(reunions, *, nom):
    """Un flux d'abonnement : une entrée par réunion, les annulées marquées comme telles.

    ``reunions`` arrive avec ``groupe`` (et son conseil) joint et ``points`` préchargé.
    """
    calendrier = _calendrier(method="PUBLISH")
    calendrier.add("x-wr-calname", nom)
    calendrier.add("x-wr-timezone", settings.TIME_ZONE)
    horodatage = timezone.now()
    for reunion in reunions:
        calendrier.add_component(
            _evenement(
                reunion,
                points=list(reunion.points.all()),
                statut="CANCELLED" if reunion.annulee_le is not None else "CONFIRMED",
                horodatage=horodatage,
            )
        )
    # Un seul VTIMEZONE pour tout le flux, ajouté après coup pour n'en oublier aucun.
    _ajouter_fuseaux(calendrier)
    return calendrier.to_ical()


_PREFIXES_DU_SUJET = {
    Convocation.Type.CONVOCATION: "Convocation",
    Convocation.Type.MISE_A_JOUR: "Modification",
    Convocation.Type.ANNULATION: "Annulation",
}


def message_convocation(
    reunion,
    destinataire,
    *,
    type,
    points,
    suivi_decisions,
    url_reunion,
    expediteur=None,
    situations=(),
):
    """Le courriel d'une personne : texte, HTML et invitation ``invitation.ics``.

    ``situations`` : les références pseudonymes des situations à examiner, jamais un nom.

    ``expediteur`` est la personne qui convoque (ou ``None``) : elle signe le message et
    reçoit les réponses ; l'adresse d'envoi reste ``DEFAULT_FROM_EMAIL``.
    """
    type = Convocation.Type(type)
    methode = "CANCEL" if type == Convocation.Type.ANNULATION else "REQUEST"
    groupe = reunion.groupe
    contexte = {
        "reunion": reunion,
        "groupe": groupe,
        "conseil": groupe.conseil,
        "destinataire": destinataire,
        "expediteur": expediteur,
        "prefixe": _PREFIXES_DU_SUJET[type],
        "est_annulation": type == Convocation.Type.ANNULATION,
        "est_mise_a_jour": type == Convocation.Type.MISE_A_JOUR,
        "debut": reunion.debut,
        "fin": reunion.fin,
        "points": points,
        "suivi_decisions": suivi_decisions,
        "situations": situations,
        "url_reunion": url_reunion,
    }
    # Dates en français et à l'heure de Paris, même rendues hors d'une requête
    # (tâche de fond, commande) ou pour une personne ayant choisi un autre fuseau.
    with translation.override(settings.LANGUAGE_CODE), timezone.override(settings.TIME_ZONE):
        sujet = render_to_string("groupes/email/convocation_sujet.txt", contexte)
        texte = render_to_string("groupes/email/convocation.txt", contexte)
        html = render_to_string("groupes/email/convocation.html", contexte)
    message = EmailMultiAlternatives(
        subject=" ".join(sujet.split()),
        body=texte,
        to=[destinataire.email],
        reply_to=[expediteur.email] if expediteur is not None else None,
    )
    message.attach_alternative(html, "text/html")
    ics = evenement_ics(
        reunion,
        methode=methode,
        destinataires=[destinataire],
        organisateur_email=settings.DEFAULT_FROM_EMAIL,
        points=points,
        url_reunion=url_reunion,
    )
    # Django ajoute « charset=utf-8 » lui-même ; le répéter doublerait le paramètre.
    message.attach("invitation.ics", ics, f"text/calendar; method={methode}")
    return message
