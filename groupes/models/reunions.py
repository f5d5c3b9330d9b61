"""Les réunions d'un groupe : ordre du jour, convocations, présences, compte rendu, décisions.

Le compte rendu se rédige sur les lignes vivantes de la réunion (notes des points,
présences, décisions) tant qu'un brouillon est ouvert. Le valider fige une copie complète
(``CompteRendu.contenu``) : chaque version validée se relit telle qu'elle a été validée,
même si une correction ultérieure change les lignes vivantes.
"""

import datetime
import secrets
import uuid
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from clspd.chemins import chemin
from clspd.models import Institution, champ_texte
from groupes.models.groupes import Appartenance, GroupeOperationnel

TEXTE_COURT = 2000
TEXTE_LONG = 20000


class ReunionQuerySet(models.QuerySet):
    def non_annulees(self):
        return self.filter(annulee_le__isnull=True)


class Reunion(models.Model):
    """Une réunion d'un groupe opérationnel."""

    groupe = models.ForeignKey(
        GroupeOperationnel,
        verbose_name="groupe",
        on_delete=models.PROTECT,
        related_name="reunions",
    )
    objet = models.CharField("objet", max_length=200, default="Réunion du groupe")
    date = models.DateField("date")
    heure_debut = models.TimeField("heure de début")
    heure_fin = models.TimeField("heure de fin")
    lieu = models.CharField("lieu", max_length=300, blank=True)
    lien_visio = models.URLField("lien de visioconférence", max_length=500, blank=True)
    # Identité iCalendar : le même UID pour la convocation, ses mises à jour et l'annulation.
    uid = models.UUIDField("identifiant iCalendar", default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField("séquence iCalendar", default=0, editable=False)
    annulee_le = models.DateTimeField("annulée le", null=True, blank=True, editable=False)
    # Les situations individuelles à examiner (groupes jeunes et CCOP), désignées hors du
    # groupe par leur seule référence pseudonyme.
    situations = models.ManyToManyField(
        "groupes.Situation",
        verbose_name="situations à examiner",
        blank=True,
        related_name="reunions",
    )
    cree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="créée par",
        on_delete=models.PROTECT,
        related_name="+",
    )
    cree_le = models.DateTimeField("créée le", auto_now_add=True)

    objects = ReunionQuerySet.as_manager()

    chemin_groupe = "groupe"
    chemin_conseil = "groupe__conseil"
    historique = HistoricalRecords()

    class Meta:
        verbose_name = "réunion"
        ordering = ["-date", "-heure_debut", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(heure_fin__gt=models.F("heure_debut")),
                name="groupes_reunion_fin_apres_debut",
                violation_error_message="L'heure de fin doit suivre l'heure de début.",
            ),
            models.CheckConstraint(
                condition=~models.Q(lieu="", lien_visio=""),
                name="groupes_reunion_lieu_ou_visio",
                violation_error_message="Indiquez un lieu ou un lien de visioconférence.",
            ),
        ]
        indexes = [
            models.Index(fields=["groupe", "date"], name="groupes_reunion_groupe_date"),
        ]

    def __str__(self):
        return f"{self.objet} du {self.date:%d/%m/%Y}"

    def get_absolute_url(self):
        return chemin("groupes:reunion_detail", args=[self.pk])

    @property
    def debut(self):
        return datetime.datetime.combine(
            self.date, self.heure_debut, tzinfo=ZoneInfo(settings.TIME_ZONE)
        )

    @property
    def fin(self):
        return datetime.datetime.combine(
            self.date, self.heure_fin, tzinfo=ZoneInfo(settings.TIME_ZONE)
        )

    @property
    def est_annulee(self):
        return self.annulee_le is not None

    @property
    def est_passee(self):
        return self.debut <= timezone.now()

    def clean(self):
        erreurs = {}
        if self.heure_debut and self.heure_fin and self.heure_fin <= self.heure_debut:
            erreurs["heure_fin"] = "L'heure de fin doit suivre l'heure de début."
        if not self.lieu and not self.lien_visio:
            erreurs["lieu"] = "Indiquez un lieu ou un lien de visioconférence."
        if erreurs:
            raise ValidationError(erreurs)


class PointOrdreDuJour(models.Model):
    """Un point de l'ordre du jour, et ses notes dans le compte rendu."""

    reunion = models.ForeignKey(
        Reunion, verbose_name="réunion", on_delete=models.CASCADE, related_name="points"
    )
    ordre = models.PositiveSmallIntegerField("ordre")
    titre = models.CharField("intitulé", max_length=300)
    description = champ_texte("précisions", TEXTE_COURT, blank=True)
    notes = champ_texte("notes du compte rendu", TEXTE_LONG, blank=True)

    chemin_groupe = "reunion__groupe"
    chemin_conseil = "reunion__groupe__conseil"
    historique = HistoricalRecords()

    class Meta:
        verbose_name = "point de l'ordre du jour"
        verbose_name_plural = "points de l'ordre du jour"
        ordering = ["ordre", "pk"]

    def __str__(self):
        return self.titre


class TypeConvocation(models.TextChoices):
    CONVOCATION = "convocation", "Convocation"
    MISE_A_JOUR = "mise_a_jour", "Mise à jour"
    ANNULATION = "annulation", "Annulation"


class Convocation(models.Model):
    """Un envoi à une personne : qui a été convoqué, à quoi, et quand."""

    Type = TypeConvocation

    reunion = models.ForeignKey(
        Reunion, verbose_name="réunion", on_delete=models.CASCADE, related_name="convocations"
    )
    destinataire = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="destinataire",
        on_delete=models.PROTECT,
        related_name="convocations",
    )
    type = models.CharField("envoi", max_length=12, choices=Type.choices)
    sequence = models.PositiveIntegerField("séquence iCalendar")
    envoyee_le = models.DateTimeField("envoyée le", default=timezone.now)
    envoyee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="envoyée par",
        on_delete=models.PROTECT,
        related_name="+",
    )

    chemin_groupe = "reunion__groupe"
    chemin_conseil = "reunion__groupe__conseil"

    class Meta:
        verbose_name = "convocation"
        ordering = ["-envoyee_le", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(type__in=TypeConvocation.values),
                name="groupes_convocation_type_valide",
            ),
        ]

    def __str__(self):
        return f"{self.get_type_display()} — {self.destinataire}"


class StatutPresence(models.TextChoices):
    PRESENT = "present", "Présent(e)"
    EXCUSE = "excuse", "Excusé(e)"
    ABSENT = "absent", "Absent(e)"
    REPRESENTE = "represente", "Représenté(e)"


class Presence(models.Model):
    """La présence d'un membre du groupe à une réunion."""

    Statut = StatutPresence

    reunion = models.ForeignKey(
        Reunion, verbose_name="réunion", on_delete=models.CASCADE, related_name="presences"
    )
    appartenance = models.ForeignKey(
        Appartenance, verbose_name="membre", on_delete=models.PROTECT, related_name="presences"
    )
    statut = models.CharField("présence", max_length=10, choices=Statut.choices)
    represente_par = models.CharField("représenté(e) par", max_length=200, blank=True)

    chemin_groupe = "reunion__groupe"
    chemin_conseil = "reunion__groupe__conseil"
    historique = HistoricalRecords()

    class Meta:
        verbose_name = "présence"
        constraints = [
            models.UniqueConstraint(
                fields=["reunion", "appartenance"],
                name="groupes_presence_unique",
                violation_error_message="La présence de ce membre est déjà notée.",
            ),
            models.CheckConstraint(
                condition=models.Q(statut__in=StatutPresence.values),
                name="groupes_presence_statut_valide",
            ),
            models.CheckConstraint(
                condition=~models.Q(statut="represente") | ~models.Q(represente_par=""),
                name="groupes_presence_representant_nomme",
                violation_error_message="Indiquez qui représentait ce membre.",
            ),
        ]

    def __str__(self):
        return f"{self.appartenance.utilisateur} : {self.get_statut_display()}"

    def clean(self):
        erreurs = {}
        if self.reunion_id and self.appartenance_id:
            appartenance, reunion = self.appartenance, self.reunion
            if (
                appartenance.groupe_id != reunion.groupe_id
                or appartenance.date_debut > reunion.date
                or (appartenance.date_fin is not None and appartenance.date_fin < reunion.date)
            ):
                erreurs["appartenance"] = (
                    "Cette personne n'était pas membre du groupe à la date de la réunion."
                )
        if self.statut == StatutPresence.REPRESENTE and not self.represente_par.strip():
            erreurs["represente_par"] = "Indiquez qui représentait ce membre."
        if erreurs:
            raise ValidationError(erreurs)


class ParticipantExterieur(models.Model):
    """Une personne invitée à la réunion sans être membre du groupe."""

    reunion = models.ForeignKey(
        Reunion,
        verbose_name="réunion",
        on_delete=models.CASCADE,
        related_name="participants_exterieurs",
    )
    nom = models.CharField("nom et prénom", max_length=200)
    institution = models.CharField("institution", max_length=200)

    chemin_groupe = "reunion__groupe"
    chemin_conseil = "reunion__groupe__conseil"
    historique = HistoricalRecords()

    class Meta:
        verbose_name = "participant extérieur"
        verbose_name_plural = "participants extérieurs"
        ordering = ["institution", "nom"]

    def __str__(self):
        return f"{self.nom} ({self.institution})"


class StatutCompteRendu(models.TextChoices):
    BROUILLON = "brouillon", "Brouillon"
    VALIDE = "valide", "Validé"


class CompteRendu(models.Model):
    """Une version du compte rendu d'une réunion ; validée, elle ne change plus."""

    Statut = StatutCompteRendu

    reunion = models.ForeignKey(
        Reunion, verbose_name="réunion", on_delete=models.PROTECT, related_name="comptes_rendus"
    )
    version = models.PositiveSmallIntegerField("version", default=1)
    statut = models.CharField(
        "statut", max_length=10, choices=Statut.choices, default=Statut.BROUILLON
    )
    synthese = champ_texte("synthèse", TEXTE_LONG, blank=True)
    motif_correction = champ_texte("motif de la correction", TEXTE_COURT, blank=True)
    # La copie figée du compte rendu à sa validation (présences, points, décisions...).
    contenu = models.JSONField("contenu validé", null=True, blank=True, editable=False)
    cree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="ouvert par",
        on_delete=models.PROTECT,
        related_name="+",
    )
    cree_le = models.DateTimeField("ouvert le", auto_now_add=True)
    valide_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="validé par",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    valide_le = models.DateTimeField("validé le", null=True, blank=True)

    chemin_groupe = "reunion__groupe"
    chemin_conseil = "reunion__groupe__conseil"
    # Verrouillage optimiste : chaque enregistrement l'incrémente (clspd/revisions.py).
    revision = models.PositiveIntegerField("révision", default=0, editable=False)
    historique = HistoricalRecords()

    class Meta:
        verbose_name = "compte rendu"
        verbose_name_plural = "comptes rendus"
        ordering = ["reunion", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["reunion", "version"],
                name="groupes_compterendu_version_unique",
                violation_error_message="Cette version du compte rendu existe déjà.",
            ),
            models.UniqueConstraint(
                fields=["reunion"],
                condition=models.Q(statut="brouillon"),
                name="groupes_compterendu_un_brouillon",
                violation_error_message="Un brouillon du compte rendu est déjà ouvert.",
            ),
            models.CheckConstraint(
                condition=models.Q(statut__in=StatutCompteRendu.values),
                name="groupes_compterendu_statut_valide",
            ),
            models.CheckConstraint(
                condition=models.Q(statut="brouillon")
                | models.Q(valide_le__isnull=False, contenu__isnull=False),
                name="groupes_compterendu_validation_complete",
            ),
            models.CheckConstraint(
                condition=models.Q(version=1) | ~models.Q(motif_correction=""),
                name="groupes_compterendu_correction_motivee",
                violation_error_message="Une correction indique son motif.",
            ),
        ]

    def __str__(self):
        return f"Compte rendu v{self.version} — {self.reunion}"

    def get_absolute_url(self):
        return chemin("groupes:compte_rendu_version", args=[self.reunion_id, self.version])

    @property
    def est_valide(self):
        return self.statut == StatutCompteRendu.VALIDE


class StatutDecision(models.TextChoices):
    A_FAIRE = "a_faire", "À faire"
    EN_COURS = "en_cours", "En cours"
    FAITE = "faite", "Faite"
    ABANDONNEE = "abandonnee", "Abandonnée"


STATUTS_OUVERTS = (StatutDecision.A_FAIRE, StatutDecision.EN_COURS)


class DecisionQuerySet(models.QuerySet):
    def ouvertes(self):
        return self.filter(statut__in=STATUTS_OUVERTS)

    def actees(self):
        """Les décisions d'un compte rendu validé au moins une fois."""
        return self.filter(
            reunion__comptes_rendus__statut=StatutCompteRendu.VALIDE,
            reunion__comptes_rendus__version=1,
        )


class Decision(models.Model):
    """Une décision du relevé : qui la porte, pour quand, où elle en est."""

    Statut = StatutDecision

    reunion = models.ForeignKey(
        Reunion, verbose_name="réunion", on_delete=models.PROTECT, related_name="decisions"
    )
    libelle = champ_texte("décision", TEXTE_COURT)
    porteur = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="porteur (membre)",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions_portees",
    )
    institution_porteuse = models.ForeignKey(
        Institution,
        verbose_name="porteur (institution)",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions_portees",
    )
    echeance = models.DateField("échéance", null=True, blank=True)
    situation = models.ForeignKey(
        "groupes.Situation",
        verbose_name="situation concernée",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="decisions",
    )
    statut = models.CharField(
        "statut", max_length=10, choices=Statut.choices, default=Statut.A_FAIRE
    )
    commentaire = champ_texte("commentaire de suivi", TEXTE_COURT, blank=True)
    suivi_le = models.DateTimeField("suivi mis à jour le", null=True, blank=True)
    suivi_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="suivi mis à jour par",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = DecisionQuerySet.as_manager()

    chemin_groupe = "reunion__groupe"
    chemin_conseil = "reunion__groupe__conseil"
    historique = HistoricalRecords()

    class Meta:
        verbose_name = "décision"
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(porteur__isnull=False, institution_porteuse__isnull=True)
                | models.Q(porteur__isnull=True, institution_porteuse__isnull=False),
                name="groupes_decision_un_porteur",
                violation_error_message="Une décision est portée par un membre ou une institution.",
            ),
            models.CheckConstraint(
                condition=models.Q(statut__in=StatutDecision.values),
                name="groupes_decision_statut_valide",
            ),
        ]
        indexes = [
            models.Index(fields=["porteur", "statut"], name="groupes_decision_porteur"),
        ]

    def __str__(self):
        return self.libelle[:80]

    @property
    def porteur_affiche(self):
        return str(self.porteur or self.institution_porteuse)

    @property
    def est_ouverte(self):
        return self.statut in STATUTS_OUVERTS

    @property
    def est_en_retard(self):
        return bool(self.est_ouverte and self.echeance and self.echeance < timezone.localdate())

    def clean(self):
        erreurs = {}
        if bool(self.porteur_id) == bool(self.institution_porteuse_id):
            erreurs["porteur"] = "Choisissez un membre du groupe ou une institution partenaire."
        elif self.reunion_id:
            groupe = self.reunion.groupe
            if (
                self.porteur_id
                and not groupe.appartenances.actives()
                .filter(utilisateur_id=self.porteur_id)
                .exists()
            ):
                erreurs["porteur"] = "Le porteur doit être membre du groupe."
            if (
                self.institution_porteuse_id
                and self.institution_porteuse.conseil_id != groupe.conseil_id
            ):
                erreurs["institution_porteuse"] = (
                    "Cette institution n'est pas dans l'annuaire du conseil."
                )
            if self.situation_id and self.situation.groupe_id != groupe.pk:
                erreurs["situation"] = "Cette situation n'est pas suivie par le groupe."
        if erreurs:
            raise ValidationError(erreurs)


def _nouveau_jeton():
    return secrets.token_urlsafe(32)


class JetonCalendrier(models.Model):
    """Le jeton secret de l'abonnement au calendrier d'une personne (révocable)."""

    utilisateur = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="personne",
        on_delete=models.CASCADE,
        related_name="jeton_calendrier",
    )
    jeton = models.CharField("jeton", max_length=64, unique=True, default=_nouveau_jeton)
    cree_le = models.DateTimeField("créé le", auto_now_add=True)

    class Meta:
        verbose_name = "jeton de calendrier"
        verbose_name_plural = "jetons de calendrier"

    def __str__(self):
        return f"Calendrier de {self.utilisateur}"
