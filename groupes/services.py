"""Écritures des groupes : création, membres, pilotes, réunions et comptes rendus.

Chaque service tient en une transaction. Ceux des membres et des pilotes alignent les
permissions du groupe sur ses appartenances actives ; ceux des réunions envoient leurs
courriels une fois la transaction validée."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import get_connection
from django.db import transaction
from django.utils import timezone

from clspd import permissions
from clspd.revisions import verifier_revision
from clspd.services import personne_obtenir_ou_inviter
from groupes import convocations, selectors
from groupes.models import (
    AcceptationCharte,
    ActionSuivi,
    Appartenance,
    Charte,
    CompteRendu,
    Convocation,
    Decision,
    DesignationPilote,
    GroupeOperationnel,
    JetonCalendrier,
    JournalAcces,
    NoteSuivi,
    ParticipantExterieur,
    PointOrdreDuJour,
    Presence,
    Reunion,
    Situation,
)

Role = Appartenance.Role


def groupe_synchroniser_permissions(groupe):
    roles = {}
    for user_id, role in groupe.appartenances.actives().values_list("utilisateur_id", "role"):
        roles.setdefault(user_id, set()).add(permissions.Role(role))
    permissions.synchroniser(groupe, roles)


@transaction.atomic
def groupe_creer(
    *, conseil, nom, nature, programme=None, territoire=None, description="", actif=True
):
    groupe = GroupeOperationnel(
        conseil=conseil,
        nom=nom,
        nature=nature,
        programme=programme,
        territoire=territoire,
        description=description,
        actif=actif,
    )
    groupe.full_clean()
    groupe.save()
    return groupe


@transaction.atomic
def groupe_modifier(groupe, **champs):
    for nom, valeur in champs.items():
        setattr(groupe, nom, valeur)
    groupe.full_clean()
    groupe.save()
    return groupe


def _appartenance_creer(*, groupe, utilisateur, institution, role, date_debut):
    appartenance = Appartenance(
        groupe=groupe,
        utilisateur=utilisateur,
        institution=institution,
        role=role,
        date_debut=date_debut,
    )
    appartenance.full_clean()
    appartenance.save()
    return appartenance


@transaction.atomic
def membre_ajouter(
    *,
    groupe,
    auteur,
    email,
    first_name,
    last_name,
    fonction,
    institution,
    role=Role.MEMBRE,
    date_debut=None,
    base_url,
):
    """Ajoute une personne au groupe ; l'invite si elle n'a pas encore de compte.

    Renvoie (appartenance, invitation_envoyee).
    """
    if role == Role.PILOTE:
        raise ValidationError({"role": "Le pilote se désigne par la désignation du pilote."})
    date_debut = date_debut or timezone.localdate()
    if date_debut > timezone.localdate():
        raise ValidationError({"date_debut": "La date de début ne peut pas être future."})
    utilisateur, invitation = personne_obtenir_ou_inviter(
        email=email,
        first_name=first_name,
        last_name=last_name,
        fonction=fonction,
        institution=institution,
        conseil=groupe.conseil,
        invite_par=auteur,
        base_url=base_url,
    )
    if groupe.appartenances.actives().filter(utilisateur=utilisateur).exists():
        raise ValidationError({"email": "Cette personne est déjà membre du groupe."})
    appartenance = _appartenance_creer(
        groupe=groupe,
        utilisateur=utilisateur,
        institution=institution,
        role=role,
        date_debut=date_debut,
    )
    groupe_synchroniser_permissions(groupe)
    return appartenance, invitation


@transaction.atomic
def membre_retirer(appartenance, *, date_fin=None):
    """Met fin à l'appartenance : l'accès au groupe cesse aussitôt."""
    if appartenance.date_fin is not None:
        raise ValidationError("Cette personne ne fait déjà plus partie du groupe.")
    date_fin = date_fin or timezone.localdate()
    if date_fin > timezone.localdate():
        raise ValidationError({"date_fin": "La date de fin ne peut pas être future."})
    appartenance.date_fin = date_fin
    appartenance.full_clean()
    appartenance.save(update_fields=["date_fin"])
    if appartenance.role == Role.PILOTE:
        en_cours = appartenance.groupe.designations.filter(date_fin__isnull=True).first()
        if en_cours:
            en_cours.date_fin = max(date_fin, en_cours.date_designation)
            en_cours.save(update_fields=["date_fin"])
    groupe_synchroniser_permissions(appartenance.groupe)
    return appartenance


@transaction.atomic
def pilote_designer(*, groupe, auteur, pilote, date_designation, accord_maire_le, accord_prefet_le):
    """Désigne le pilote parmi les membres actifs ; l'ancien pilote redevient membre."""
    # Verrou sur le groupe : deux désignations simultanées ne se croisent pas.
    groupe = GroupeOperationnel.objects.select_for_update().get(pk=groupe.pk)
    nouvelle = groupe.appartenances.actives().filter(utilisateur=pilote).first()
    if nouvelle is None:
        raise ValidationError({"pilote": "Le pilote doit d'abord être membre du groupe."})
    if date_designation > timezone.localdate():
        raise ValidationError(
            {"date_designation": "La date de désignation ne peut pas être future."}
        )
    precedente = groupe.designations.filter(date_fin__isnull=True).first()
    if precedente:
        if precedente.pilote_id == pilote.pk:
            raise ValidationError({"pilote": "Cette personne est déjà le pilote du groupe."})
        if date_designation < precedente.date_designation:
            raise ValidationError(
                {"date_designation": "La désignation ne peut précéder celle du pilote actuel."}
            )
        precedente.date_fin = date_designation
        precedente.save(update_fields=["date_fin"])
    # Une à une (et non par update) : chaque changement de rôle entre dans l'historique.
    for ancienne in groupe.appartenances.actives().filter(role=Role.PILOTE):
        ancienne.role = Role.MEMBRE
        ancienne.save(update_fields=["role"])
    designation = DesignationPilote(
        groupe=groupe,
        pilote=pilote,
        date_designation=date_designation,
        accord_maire_le=accord_maire_le,
        accord_prefet_le=accord_prefet_le,
        designe_par=auteur,
    )
    designation.full_clean()
    designation.save()
    nouvelle.role = Role.PILOTE
    nouvelle.save(update_fields=["role"])
    groupe_synchroniser_permissions(groupe)
    return designation


# Réunions -----------------------------------------------------------------------------------


class CompteRenduVerrouille(ValidationError):
    """Le compte rendu est validé : il ne change plus, une correction en ouvre une version."""

    def __init__(self):
        super().__init__(
            "Le compte rendu est validé : il ne peut plus être modifié. "
            "Ouvrez une correction pour en rédiger une nouvelle version.",
            code="compte_rendu_verrouille",
        )


_CHAMPS_DU_RENDEZ_VOUS = ("date", "heure_debut", "heure_fin", "lieu", "lien_visio")


def _refuser_si_annulee(reunion):
    if reunion.est_annulee:
        raise ValidationError("Cette réunion est annulée.")


def _points_enregistrer(reunion, points):
    """Aligne l'ordre du jour sur ``points`` : [{"point": existant ou None, "titre", ...}]."""
    gardes = [p["point"].pk for p in points if p.get("point")]
    reunion.points.exclude(pk__in=gardes).delete()
    for ordre, donnees in enumerate(points, start=1):
        point = donnees.get("point") or PointOrdreDuJour(reunion=reunion)
        if point.reunion_id != reunion.pk:
            raise ValidationError("Ce point n'appartient pas à l'ordre du jour de la réunion.")
        point.ordre = ordre
        point.titre = donnees["titre"]
        point.description = donnees.get("description", "")
        point.full_clean()
        point.save()


def _situations_enregistrer(reunion, situations):
    """Les situations à examiner : suivies par le groupe de la réunion, et en cours (une
    situation déjà désignée le reste après sa clôture)."""
    deja = set(reunion.situations.values_list("pk", flat=True)) if reunion.pk else set()
    for situation in situations:
        if situation.groupe_id != reunion.groupe_id or (
            situation.est_archivee and situation.pk not in deja
        ):
            raise ValidationError(
                {"situations": "Seules les situations en cours du groupe peuvent être examinées."}
            )
    reunion.situations.set(situations)


@transaction.atomic
def reunion_planifier(
    *,
    groupe,
    auteur,
    objet,
    date,
    heure_debut,
    heure_fin,
    lieu="",
    lien_visio="",
    points=(),
    situations=(),
):
    reunion = Reunion(
        groupe=groupe,
        objet=objet,
        date=date,
        heure_debut=heure_debut,
        heure_fin=heure_fin,
        lieu=lieu,
        lien_visio=lien_visio,
        cree_par=auteur,
    )
    reunion.full_clean()
    if reunion.est_passee:
        raise ValidationError({"date": "Une nouvelle réunion se planifie dans le futur."})
    reunion.save()
    _points_enregistrer(reunion, list(points))
    _situations_enregistrer(reunion, list(situations))
    return reunion


def _convoques(reunion):
    """Les personnes qui ont reçu au moins un envoi pour cette réunion."""
    return (
        get_user_model()
        .objects.filter(pk__in=reunion.convocations.values("destinataire"))
        .order_by("pk")
    )


@transaction.atomic
def reunion_modifier(reunion, *, auteur, base_url, points=None, situations=None, **champs):
    """Modifie la réunion ; si le rendez-vous change, les convoqués reçoivent une mise à jour.

    ``points`` et ``situations`` à None : l'ordre du jour et les situations ne changent pas.
    """
    reunion = Reunion.objects.select_for_update().get(pk=reunion.pk)
    _refuser_si_annulee(reunion)
    if (points is not None or situations is not None) and _est_verrouillee(reunion):
        raise CompteRenduVerrouille()
    if situations is not None:
        _situations_enregistrer(reunion, list(situations))
    avant = {nom: getattr(reunion, nom) for nom in _CHAMPS_DU_RENDEZ_VOUS}
    for nom, valeur in champs.items():
        setattr(reunion, nom, valeur)
    reunion.full_clean()
    deplacee = any(getattr(reunion, nom) != valeur for nom, valeur in avant.items())
    if deplacee and reunion.est_passee:
        raise ValidationError({"date": "Une réunion ne peut être déplacée dans le passé."})
    if deplacee and reunion.convocations.exists():
        reunion.sequence += 1
        reunion.save()
        if points is not None:
            _points_enregistrer(reunion, list(points))
        _envoyer(reunion, _convoques(reunion), Convocation.Type.MISE_A_JOUR, auteur, base_url)
    else:
        reunion.save()
        if points is not None:
            _points_enregistrer(reunion, list(points))
    return reunion


@transaction.atomic
def reunion_convoquer(reunion, *, auteur, base_url):
    """Envoie l'invitation à chaque membre actif ; une nouvelle séquence pour les déjà convoqués.

    Renvoie le nombre de personnes convoquées.
    """
    reunion = Reunion.objects.select_for_update().get(pk=reunion.pk)
    _refuser_si_annulee(reunion)
    if reunion.est_passee:
        raise ValidationError("On ne convoque pas à une réunion déjà commencée ou passée.")
    if not reunion.points.exists():
        raise ValidationError("Rédigez l'ordre du jour avant d'envoyer la convocation.")
    membres = list(
        get_user_model().objects.filter(
            appartenances__groupe=reunion.groupe, appartenances__date_fin__isnull=True
        )
    )
    if not membres:
        raise ValidationError("Le groupe n'a aucun membre à convoquer.")
    deja = set(reunion.convocations.values_list("destinataire_id", flat=True))
    if deja:
        # Les agendas ne prennent une invitation modifiée qu'avec une séquence plus élevée.
        reunion.sequence += 1
        reunion.save(update_fields=["sequence"])
    nouveaux = [m for m in membres if m.pk not in deja]
    anciens = [m for m in membres if m.pk in deja]
    _envoyer(reunion, nouveaux, Convocation.Type.CONVOCATION, auteur, base_url)
    _envoyer(reunion, anciens, Convocation.Type.MISE_A_JOUR, auteur, base_url)
    return len(nouveaux) + len(anciens)


@transaction.atomic
def reunion_annuler(reunion, *, auteur, base_url):
    reunion = Reunion.objects.select_for_update().get(pk=reunion.pk)
    _refuser_si_annulee(reunion)
    if reunion.est_passee:
        raise ValidationError("Une réunion commencée ou passée ne s'annule plus.")
    reunion.annulee_le = timezone.now()
    reunion.sequence += 1
    reunion.save(update_fields=["annulee_le", "sequence"])
    _envoyer(reunion, _convoques(reunion), Convocation.Type.ANNULATION, auteur, base_url)
    return reunion


def _envoyer(reunion, destinataires, type, auteur, base_url):
    """Note chaque envoi, puis envoie les courriels une fois la transaction validée."""
    destinataires = list(destinataires)
    if not destinataires:
        return
    Convocation.objects.bulk_create(
        Convocation(
            reunion=reunion,
            destinataire=destinataire,
            type=type,
            sequence=reunion.sequence,
            envoyee_par=auteur,
        )
        for destinataire in destinataires
    )
    points = list(reunion.points.all())
    suivi = list(selectors.suivi_des_decisions(reunion))
    situations = selectors.references_des_situations(reunion)
    url = base_url + reunion.get_absolute_url()
    courriels = [
        convocations.message_convocation(
            reunion,
            destinataire,
            type=type,
            points=points,
            suivi_decisions=suivi,
            situations=situations,
            url_reunion=url,
            expediteur=auteur,
        )
        for destinataire in destinataires
    ]
    transaction.on_commit(lambda: get_connection().send_messages(courriels))


# Compte rendu : présences, notes, décisions, validation ---------------------------------------


def _est_verrouillee(reunion):
    """Un compte rendu validé, sans correction ouverte : plus rien ne change."""
    return (
        reunion.comptes_rendus.filter(statut=CompteRendu.Statut.VALIDE).exists()
        and not reunion.comptes_rendus.filter(statut=CompteRendu.Statut.BROUILLON).exists()
    )


def _brouillon(reunion, auteur):
    """Le brouillon en cours, ouvert au premier enregistrement ; refusé si le compte rendu
    est validé sans correction ouverte."""
    _refuser_si_annulee(reunion)
    if reunion.date > timezone.localdate():
        raise ValidationError("Le compte rendu se rédige le jour de la réunion ou après.")
    brouillon = reunion.comptes_rendus.filter(statut=CompteRendu.Statut.BROUILLON).first()
    if brouillon:
        return brouillon
    if reunion.comptes_rendus.exists():
        raise CompteRenduVerrouille()
    return CompteRendu.objects.create(reunion=reunion, version=1, cree_par=auteur)


@transaction.atomic
def presences_enregistrer(reunion, *, auteur, presences, participants_exterieurs):
    """Remplace les présences : ``presences`` = [(appartenance, statut, represente_par)],
    ``participants_exterieurs`` = [(nom, institution)]."""
    reunion = Reunion.objects.select_for_update().get(pk=reunion.pk)
    _brouillon(reunion, auteur)
    reunion.presences.all().delete()
    reunion.participants_exterieurs.all().delete()
    for appartenance, statut, represente_par in presences:
        presence = Presence(
            reunion=reunion,
            appartenance=appartenance,
            statut=statut,
            represente_par=represente_par if statut == Presence.Statut.REPRESENTE else "",
        )
        presence.full_clean()
        presence.save()
    for nom, institution in participants_exterieurs:
        participant = ParticipantExterieur(reunion=reunion, nom=nom, institution=institution)
        participant.full_clean()
        participant.save()


@transaction.atomic
def compte_rendu_enregistrer(reunion, *, auteur, synthese, notes, revision=None):
    """Enregistre la synthèse et les notes ({point: texte}) dans le brouillon ; ``revision``
    est celle du brouillon qu'affichait le formulaire (0 : pas encore de brouillon)."""
    reunion = Reunion.objects.select_for_update().get(pk=reunion.pk)
    brouillon = _brouillon(reunion, auteur)
    verifier_revision(brouillon, revision)
    brouillon.synthese = synthese
    brouillon.full_clean()
    brouillon.save(update_fields=["synthese", "revision"])
    for point, texte in notes.items():
        if point.reunion_id != reunion.pk:
            raise ValidationError("Ce point n'appartient pas à l'ordre du jour de la réunion.")
        point.notes = texte
        point.full_clean()
        point.save(update_fields=["notes"])
    return brouillon


@transaction.atomic
def decision_ajouter(reunion, *, auteur, **champs):
    reunion = Reunion.objects.select_for_update().get(pk=reunion.pk)
    _brouillon(reunion, auteur)
    decision = Decision(reunion=reunion, **champs)
    decision.full_clean()
    decision.save()
    return decision


@transaction.atomic
def decision_modifier(decision, *, auteur, **champs):
    reunion = Reunion.objects.select_for_update().get(pk=decision.reunion_id)
    _brouillon(reunion, auteur)
    for nom, valeur in champs.items():
        setattr(decision, nom, valeur)
    decision.full_clean()
    decision.save()
    return decision


@transaction.atomic
def decision_supprimer(decision, *, auteur):
    reunion = Reunion.objects.select_for_update().get(pk=decision.reunion_id)
    _brouillon(reunion, auteur)
    decision.delete()


@transaction.atomic
def compte_rendu_valider(reunion, *, auteur):
    """Fige le brouillon : sa copie complète ne changera plus."""
    reunion = Reunion.objects.select_for_update().get(pk=reunion.pk)
    brouillon = reunion.comptes_rendus.filter(statut=CompteRendu.Statut.BROUILLON).first()
    if brouillon is None:
        if reunion.comptes_rendus.exists():
            raise CompteRenduVerrouille()
        raise ValidationError("Rédigez le compte rendu avant de le valider.")
    brouillon.contenu = selectors.contenu_du_compte_rendu(reunion, brouillon)
    brouillon.statut = CompteRendu.Statut.VALIDE
    brouillon.valide_par = auteur
    brouillon.valide_le = timezone.now()
    brouillon.full_clean()
    brouillon.save()
    return brouillon


@transaction.atomic
def compte_rendu_corriger(reunion, *, auteur, motif):
    """Ouvre une nouvelle version du compte rendu validé, pour un motif dit."""
    reunion = Reunion.objects.select_for_update().get(pk=reunion.pk)
    derniere = reunion.comptes_rendus.order_by("-version").first()
    if derniere is None or not derniere.est_valide:
        raise ValidationError("Seul un compte rendu validé se corrige.")
    if not motif.strip():
        raise ValidationError({"motif_correction": "Indiquez le motif de la correction."})
    correction = CompteRendu(
        reunion=reunion,
        version=derniere.version + 1,
        synthese=derniere.synthese,
        motif_correction=motif,
        cree_par=auteur,
    )
    correction.full_clean()
    correction.save()
    return correction


@transaction.atomic
def decision_suivre(decision, *, auteur, statut, commentaire):
    """Le porteur (ou le pilote) fait avancer une décision actée, avec un commentaire."""
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    if not Decision.objects.actees().filter(pk=decision.pk).exists():
        raise ValidationError("Cette décision n'est pas encore actée par un compte rendu validé.")
    if statut == Decision.Statut.FAITE and not commentaire.strip():
        raise ValidationError({"commentaire": "Dites en un mot ce qui a été fait."})
    decision.statut = statut
    decision.commentaire = commentaire
    decision.suivi_le = timezone.now()
    decision.suivi_par = auteur
    decision.full_clean(exclude=["porteur", "institution_porteuse"])
    decision.save(update_fields=["statut", "commentaire", "suivi_le", "suivi_par"])
    return decision


# Calendrier -----------------------------------------------------------------------------------


@transaction.atomic
def jeton_calendrier_renouveler(utilisateur):
    """Un nouveau jeton : l'ancienne adresse d'abonnement cesse aussitôt de répondre."""
    JetonCalendrier.objects.filter(utilisateur=utilisateur).delete()
    return JetonCalendrier.objects.create(utilisateur=utilisateur)


def jeton_calendrier_revoquer(utilisateur):
    JetonCalendrier.objects.filter(utilisateur=utilisateur).delete()


# Suivi individuel : charte, situations, journal des accès -----------------------------------


def journal_noter(*, groupe, utilisateur, operation, situation=None, motif="", adresse_ip=None):
    """Écrit une ligne au journal des accès (référence pseudonyme, jamais de nom)."""
    return JournalAcces.objects.create(
        groupe=groupe,
        reference=situation.reference if situation else "",
        utilisateur=utilisateur,
        operation=operation,
        motif=motif,
        adresse_ip=adresse_ip,
    )


@transaction.atomic
def charte_publier(*, groupe, auteur, charte_deontologique, reglement_interieur, adoptee_le):
    """Une nouvelle version de la charte : chacun devra l'accepter à nouveau."""
    groupe = GroupeOperationnel.objects.select_for_update().get(pk=groupe.pk)
    derniere = groupe.chartes.order_by("-version").values_list("version", flat=True).first()
    charte = Charte(
        groupe=groupe,
        version=(derniere or 0) + 1,
        charte_deontologique=charte_deontologique,
        reglement_interieur=reglement_interieur,
        adoptee_le=adoptee_le,
        redigee_par=auteur,
    )
    charte.full_clean()
    charte.save()
    return charte


@transaction.atomic
def charte_accepter(*, groupe, utilisateur):
    charte = selectors.charte_en_vigueur(groupe)
    if charte is None:
        raise ValidationError("Le groupe n'a pas encore de charte déontologique.")
    # Les membres du groupe, et le coordonnateur, qui lit tout le groupe.
    if not permissions.peut(utilisateur, permissions.Action.LIRE, groupe):
        raise ValidationError("Seuls les membres du groupe acceptent sa charte.")
    acceptation, _ = AcceptationCharte.objects.get_or_create(charte=charte, utilisateur=utilisateur)
    return acceptation


def _refuser_si_archivee(situation):
    if situation.est_archivee:
        raise ValidationError("Ce suivi est clos : son dossier est archivé, en lecture seule.")


def _refuser_un_referent_hors_du_groupe(situation):
    if not situation.groupe.appartenances.actives().filter(utilisateur=situation.referent).exists():
        raise ValidationError({"referent": "Le référent est un membre du groupe."})


@transaction.atomic
def situation_creer(*, groupe, auteur, adresse_ip=None, **champs):
    if not selectors.a_un_suivi_individuel(groupe):
        raise ValidationError(
            "Le suivi individuel est réservé aux groupes du programme jeunes et aux CCOP."
        )
    situation = Situation(groupe=groupe, cree_par=auteur, **champs)
    _refuser_un_doublon(situation)
    situation.full_clean()
    _refuser_un_referent_hors_du_groupe(situation)
    situation.save()
    journal_noter(
        groupe=groupe,
        utilisateur=auteur,
        operation=JournalAcces.Operation.CREER,
        situation=situation,
        adresse_ip=adresse_ip,
    )
    return situation


def _refuser_un_doublon(situation, *, sauf=None):
    doublon = selectors.situation_deja_suivie(
        situation.groupe, situation.nom, situation.prenom, situation.date_naissance, sauf=sauf
    )
    if doublon:
        raise ValidationError(
            {"nom": f"Cette personne est déjà suivie par le groupe (dossier {doublon.reference})."}
        )


@transaction.atomic
def situation_modifier(situation, *, auteur, adresse_ip=None, **champs):
    _refuser_si_archivee(situation)
    for nom, valeur in champs.items():
        setattr(situation, nom, valeur)
    situation.full_clean()
    _refuser_un_referent_hors_du_groupe(situation)
    _refuser_un_doublon(situation, sauf=situation)
    situation.save()
    journal_noter(
        groupe=situation.groupe,
        utilisateur=auteur,
        operation=JournalAcces.Operation.MODIFIER,
        situation=situation,
        adresse_ip=adresse_ip,
    )
    return situation


@transaction.atomic
def situation_clore(situation, *, auteur, date_fin, motif_fin, adresse_ip=None):
    """Met fin au suivi : le dossier est archivé, en lecture seule."""
    _refuser_si_archivee(situation)
    erreurs = {}
    if not date_fin:
        erreurs["date_fin"] = "Indiquez la date de la fin du suivi."
    elif date_fin > timezone.localdate():
        erreurs["date_fin"] = "La fin du suivi ne peut être dans le futur."
    if not motif_fin:
        erreurs["motif_fin"] = "Indiquez le motif de la fin du suivi."
    if erreurs:
        raise ValidationError(erreurs)
    situation.date_fin = date_fin
    situation.motif_fin = motif_fin
    situation.full_clean()
    situation.save(update_fields=["date_fin", "motif_fin"])
    journal_noter(
        groupe=situation.groupe,
        utilisateur=auteur,
        operation=JournalAcces.Operation.CLORE,
        situation=situation,
        adresse_ip=adresse_ip,
    )
    return situation


@transaction.atomic
def note_suivi_ajouter(situation, *, auteur, texte, adresse_ip=None):
    _refuser_si_archivee(situation)
    note = NoteSuivi(situation=situation, auteur=auteur, texte=texte.strip())
    note.full_clean()
    note.save()
    journal_noter(
        groupe=situation.groupe,
        utilisateur=auteur,
        operation=JournalAcces.Operation.MODIFIER,
        situation=situation,
        adresse_ip=adresse_ip,
    )
    return note


@transaction.atomic
def action_suivi_ajouter(situation, *, auteur, adresse_ip=None, **champs):
    _refuser_si_archivee(situation)
    action = ActionSuivi(situation=situation, **champs)
    action.full_clean()
    action.save()
    journal_noter(
        groupe=situation.groupe,
        utilisateur=auteur,
        operation=JournalAcces.Operation.MODIFIER,
        situation=situation,
        adresse_ip=adresse_ip,
    )
    return action


@transaction.atomic
def archive_consulter(situation, *, auteur, motif, adresse_ip=None):
    """L'accès du pilote ou du coordonnateur à un dossier archivé : motivé, journalisé."""
    if not situation.est_archivee:
        raise ValidationError("Ce suivi est en cours : son dossier n'est pas archivé.")
    if not motif.strip():
        raise ValidationError({"motif": "Indiquez le motif de la consultation de l'archive."})
    return journal_noter(
        groupe=situation.groupe,
        utilisateur=auteur,
        operation=JournalAcces.Operation.CONSULTER_ARCHIVE,
        situation=situation,
        motif=motif,
        adresse_ip=adresse_ip,
    )


@transaction.atomic
def situations_purger(aujourdhui, *, pour_de_bon=True):
    """Efface les dossiers arrivés à leur terme de conservation ; le journal n'en garde que
    la référence pseudonyme. Renvoie le nombre de dossiers (effacés, ou à effacer)."""
    a_purger = list(Situation.objects.a_purger(aujourdhui).select_related("groupe").order_by("pk"))
    if pour_de_bon:
        for situation in a_purger:
            journal_noter(
                groupe=situation.groupe,
                utilisateur=None,
                operation=JournalAcces.Operation.PURGER,
                situation=situation,
            )
            situation.delete()
    return len(a_purger)
