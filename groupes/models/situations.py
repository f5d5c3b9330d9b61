"""Le suivi individuel confidentiel des groupes du programme jeunes et des CCOP, sous la
charte déontologique du groupe (article L132-5 du code de la sécurité intérieure ; cadre
de la CNIL pour ces fichiers, délibération 2014-262).

Seuls les champs que ce cadre permet sont collectés ; aucune catégorie sensible. Toute
consultation, liste, recherche, exportation ou modification d'une situation est écrite au
journal des accès, que l'application ne peut ni modifier ni effacer.
"""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from clspd.models import Programme, champ_texte
from groupes.models.groupes import GroupeOperationnel

TEXTE_CHARTE = 50000
NOTE_COURTE = 1000
AGE_MAXIMUM = 25
AGE_MINIMUM = 10
CONSERVATION_APRES_CLOTURE = 3  # ans


class Charte(models.Model):
    """Une version de la charte déontologique et du règlement intérieur d'un groupe."""

    groupe = models.ForeignKey(
        GroupeOperationnel, verbose_name="groupe", on_delete=models.PROTECT, related_name="chartes"
    )
    version = models.PositiveSmallIntegerField("version")
    charte_deontologique = champ_texte("charte déontologique", TEXTE_CHARTE)
    reglement_interieur = champ_texte("règlement intérieur", TEXTE_CHARTE, blank=True)
    adoptee_le = models.DateField("adoptée le")
    redigee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="rédigée par",
        on_delete=models.PROTECT,
        related_name="+",
    )
    cree_le = models.DateTimeField("enregistrée le", auto_now_add=True)

    chemin_groupe = "groupe"
    chemin_conseil = "groupe__conseil"
    historique = HistoricalRecords()

    class Meta:
        verbose_name = "charte déontologique"
        verbose_name_plural = "chartes déontologiques"
        ordering = ["groupe", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["groupe", "version"],
                name="groupes_charte_version_unique",
                violation_error_message="Cette version de la charte existe déjà.",
            ),
        ]

    def __str__(self):
        return f"Charte du {self.groupe}, version {self.version}"


class AcceptationCharte(models.Model):
    """Qui a accepté quelle version de la charte, et quand."""

    charte = models.ForeignKey(
        Charte, verbose_name="charte", on_delete=models.PROTECT, related_name="acceptations"
    )
    utilisateur = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="personne",
        on_delete=models.PROTECT,
        related_name="acceptations_charte",
    )
    acceptee_le = models.DateTimeField("acceptée le", auto_now_add=True)

    chemin_groupe = "charte__groupe"
    chemin_conseil = "charte__groupe__conseil"

    class Meta:
        verbose_name = "acceptation de la charte"
        verbose_name_plural = "acceptations de la charte"
        constraints = [
            models.UniqueConstraint(
                fields=["charte", "utilisateur"],
                name="groupes_acceptationcharte_unique",
                violation_error_message="Cette version de la charte est déjà acceptée.",
            ),
        ]

    def __str__(self):
        return f"{self.utilisateur} — {self.charte}"


# Situations ---------------------------------------------------------------------------------


class Sexe(models.TextChoices):
    FEMININ = "F", "Féminin"
    MASCULIN = "M", "Masculin"


class SituationScolaire(models.TextChoices):
    SCOLARISE = "scolarise", "Scolarisé(e)"
    DECROCHAGE = "decrochage", "En décrochage scolaire"
    FORMATION = "formation", "En formation ou en apprentissage"
    EMPLOI = "emploi", "En emploi"
    SANS_ACTIVITE = "sans_activite", "Sans activité"


class OrigineSignalement(models.TextChoices):
    ETABLISSEMENT = "etablissement", "Établissement scolaire"
    POLICE = "police", "Police ou gendarmerie"
    JUSTICE = "justice", "Parquet ou protection judiciaire de la jeunesse"
    SERVICES_SOCIAUX = "services_sociaux", "Services sociaux du département"
    PREVENTION = "prevention", "Prévention spécialisée"
    MAIRIE = "mairie", "Mairie ou police municipale"
    FAMILLE = "famille", "Famille"
    AUTRE = "autre", "Autre partenaire du groupe"


class MotifFin(models.TextChoices):
    SOLUTION = "solution", "Solution trouvée"
    ORIENTATION = "orientation", "Orientation vers un autre dispositif"
    DEMENAGEMENT = "demenagement", "Déménagement hors du territoire"
    LIMITE_AGE = "limite_age", "Limite d'âge atteinte"
    REFUS = "refus", "Refus de l'accompagnement"
    AUTRE = "autre", "Autre motif"


def _nouvelle_reference():
    """Une référence pseudonyme, seule à sortir du groupe (comptes rendus, courriels)."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    code = "".join(secrets.choice(alphabet) for _ in range(8))
    return f"S-{code[:4]}-{code[4:]}"


class SituationQuerySet(models.QuerySet):
    def actives(self):
        return self.filter(date_fin__isnull=True)

    def archivees(self):
        return self.filter(date_fin__isnull=False)

    def a_purger(self, aujourdhui):
        """Trois ans après la clôture, ou au 25e anniversaire, au premier des deux termes."""
        return self.filter(
            models.Q(date_fin__lte=_annees_avant(aujourdhui, CONSERVATION_APRES_CLOTURE))
            | models.Q(date_naissance__lte=_annees_avant(aujourdhui, AGE_MAXIMUM))
        )


def _annees_avant(jour, annees):
    """La même date ``annees`` plus tôt (le 29 février devient le 28)."""
    try:
        return jour.replace(year=jour.year - annees)
    except ValueError:
        return jour.replace(year=jour.year - annees, day=28)


def age_le(date_naissance, jour):
    return (
        jour.year
        - date_naissance.year
        - ((jour.month, jour.day) < (date_naissance.month, date_naissance.day))
    )


class Situation(models.Model):
    """Le dossier de suivi d'un jeune : les seuls champs que permet le cadre de la CNIL."""

    Sexe = Sexe
    Scolarite = SituationScolaire
    Origine = OrigineSignalement
    MotifFin = MotifFin

    groupe = models.ForeignKey(
        GroupeOperationnel,
        verbose_name="groupe",
        on_delete=models.PROTECT,
        related_name="situations",
    )
    reference = models.CharField(
        "référence", max_length=20, unique=True, default=_nouvelle_reference, editable=False
    )
    nom = models.CharField("nom", max_length=100)
    prenom = models.CharField("prénom", max_length=100)
    sexe = models.CharField("sexe", max_length=1, choices=Sexe.choices)
    date_naissance = models.DateField("date de naissance")
    representants_legaux = champ_texte("coordonnées des représentants légaux", 500, blank=True)
    scolarite = models.CharField(
        "situation scolaire ou professionnelle", max_length=15, choices=Scolarite.choices
    )
    date_debut = models.DateField("début du suivi")
    origines = models.JSONField("origine du signalement", default=list)
    programme = models.ForeignKey(
        Programme, verbose_name="programme", on_delete=models.PROTECT, related_name="+"
    )
    referent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="référent",
        on_delete=models.PROTECT,
        related_name="situations_referent",
    )
    date_fin = models.DateField("fin du suivi", null=True, blank=True)
    motif_fin = models.CharField(
        "motif de la fin du suivi", max_length=15, choices=MotifFin.choices, blank=True
    )
    cree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="créée par",
        on_delete=models.PROTECT,
        related_name="+",
    )
    cree_le = models.DateTimeField("créée le", auto_now_add=True)

    objects = SituationQuerySet.as_manager()

    chemin_groupe = "groupe"
    chemin_conseil = "groupe__conseil"

    class Meta:
        verbose_name = "situation"
        ordering = ["nom", "prenom", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(date_fin__isnull=True, motif_fin="")
                | models.Q(date_fin__isnull=False) & ~models.Q(motif_fin=""),
                name="groupes_situation_fin_motivee",
                violation_error_message="La fin du suivi a une date et un motif.",
            ),
            models.CheckConstraint(
                condition=models.Q(date_fin__isnull=True)
                | models.Q(date_fin__gte=models.F("date_debut")),
                name="groupes_situation_dates_ordonnees",
                violation_error_message="La fin du suivi précède son début.",
            ),
            models.CheckConstraint(
                condition=models.Q(date_naissance__lt=models.F("date_debut")),
                name="groupes_situation_nee_avant_le_suivi",
                violation_error_message="La date de naissance précède le début du suivi.",
            ),
        ]
        indexes = [
            models.Index(fields=["groupe", "date_fin"], name="groupes_situation_groupe"),
        ]

    def __str__(self):
        return self.reference

    @property
    def est_archivee(self):
        return self.date_fin is not None

    def clean(self):
        erreurs = {}
        aujourdhui = timezone.localdate()
        if self.date_naissance:
            if self.date_naissance >= aujourdhui:
                erreurs["date_naissance"] = "La date de naissance doit être dans le passé."
            elif self.date_debut:
                age = age_le(self.date_naissance, self.date_debut)
                if not AGE_MINIMUM <= age < AGE_MAXIMUM:
                    erreurs["date_naissance"] = (
                        f"Le suivi concerne des jeunes de {AGE_MINIMUM} à {AGE_MAXIMUM - 1} ans "
                        f"au début du suivi (ici {age} ans)."
                    )
        if self.date_debut and self.date_debut > aujourdhui:
            erreurs["date_debut"] = "Le suivi ne peut commencer dans le futur."
        if set(self.origines or []) - set(OrigineSignalement.values) or not self.origines:
            erreurs["origines"] = "Cochez au moins une origine du signalement, dans la liste."
        if self.date_fin and self.date_debut and self.date_fin < self.date_debut:
            erreurs["date_fin"] = "La fin du suivi précède son début."
        if bool(self.date_fin) != bool(self.motif_fin):
            erreurs["motif_fin"] = "La fin du suivi a une date et un motif."
        if erreurs:
            raise ValidationError(erreurs)


class ActionSuivi(models.Model):
    """Une action entreprise pour le jeune : début, fin, résultat."""

    situation = models.ForeignKey(
        Situation, verbose_name="situation", on_delete=models.CASCADE, related_name="actions"
    )
    libelle = models.CharField("action", max_length=200)
    date_debut = models.DateField("début")
    date_fin = models.DateField("fin", null=True, blank=True)
    resultat = champ_texte("résultat", NOTE_COURTE, blank=True)

    chemin_groupe = "situation__groupe"
    chemin_conseil = "situation__groupe__conseil"

    class Meta:
        verbose_name = "action entreprise"
        verbose_name_plural = "actions entreprises"
        ordering = ["date_debut", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(date_fin__isnull=True)
                | models.Q(date_fin__gte=models.F("date_debut")),
                name="groupes_actionsuivi_dates_ordonnees",
                violation_error_message="La fin de l'action précède son début.",
            ),
        ]

    def __str__(self):
        return self.libelle


class NoteSuivi(models.Model):
    """Une note courte, datée et signée : des faits, pas des jugements."""

    situation = models.ForeignKey(
        Situation, verbose_name="situation", on_delete=models.CASCADE, related_name="notes"
    )
    texte = champ_texte("note", NOTE_COURTE)
    auteur = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="auteur", on_delete=models.PROTECT, related_name="+"
    )
    ecrite_le = models.DateTimeField("écrite le", auto_now_add=True)

    chemin_groupe = "situation__groupe"
    chemin_conseil = "situation__groupe__conseil"

    class Meta:
        verbose_name = "note de suivi"
        verbose_name_plural = "notes de suivi"
        ordering = ["-ecrite_le", "-pk"]

    def __str__(self):
        return f"Note du {self.ecrite_le:%d/%m/%Y}"


# Journal des accès --------------------------------------------------------------------------


class OperationJournal(models.TextChoices):
    CONSULTER = "consulter", "Consultation"
    LISTER = "lister", "Liste"
    RECHERCHER = "rechercher", "Recherche"
    EXPORTER = "exporter", "Exportation"
    CREER = "creer", "Création"
    MODIFIER = "modifier", "Modification"
    CLORE = "clore", "Fin du suivi"
    CONSULTER_ARCHIVE = "archive", "Consultation d'une archive"
    PURGER = "purger", "Purge"


class JournalImmuable(Exception):
    """Le journal des accès ne se modifie ni ne s'efface depuis l'application."""


class JournalQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise JournalImmuable("Le journal des accès ne se modifie pas.")

    def delete(self):
        raise JournalImmuable("Le journal des accès ne s'efface pas depuis l'application.")

    def purger_avant(self, instant):
        """Seule exception : la fin de la durée de conservation (commande quotidienne)."""
        return models.QuerySet.delete(self.filter(horodatage__lt=instant))


class JournalAcces(models.Model):
    """Une ligne du journal des accès aux situations : qui, quand, quoi, d'où."""

    Operation = OperationJournal

    groupe = models.ForeignKey(
        GroupeOperationnel,
        verbose_name="groupe",
        on_delete=models.PROTECT,
        related_name="journal_acces",
    )
    # La référence pseudonyme demeure après la purge de la situation.
    reference = models.CharField("situation", max_length=20, blank=True)
    utilisateur = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="personne",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    operation = models.CharField("opération", max_length=12, choices=Operation.choices)
    motif = champ_texte("motif", NOTE_COURTE, blank=True)
    adresse_ip = models.GenericIPAddressField("adresse", null=True, blank=True)
    horodatage = models.DateTimeField("le", default=timezone.now, editable=False)

    objects = JournalQuerySet.as_manager()

    chemin_groupe = "groupe"
    chemin_conseil = "groupe__conseil"

    class Meta:
        verbose_name = "accès à une situation"
        verbose_name_plural = "journal des accès"
        ordering = ["-horodatage", "-pk"]
        indexes = [
            models.Index(fields=["groupe", "horodatage"], name="groupes_journal_groupe"),
        ]

    def __str__(self):
        return f"{self.get_operation_display()} {self.reference} le {self.horodatage:%d/%m/%Y}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise JournalImmuable("Le journal des accès ne se modifie pas.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise JournalImmuable("Le journal des accès ne s'efface pas depuis l'application.")
