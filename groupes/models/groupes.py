"""Les groupes opérationnels d'un conseil, leurs membres et leurs pilotes."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from guardian.models import UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from clspd.chemins import chemin
from clspd.models import Conseil, Institution, Programme, Territoire, UniciteParConseil


class GroupeQuerySet(models.QuerySet):
    def actifs(self):
        return self.filter(actif=True)


class NatureGroupe(models.TextChoices):
    THEMATIQUE = "thematique", "Thématique"
    TERRITORIAL = "territorial", "Territorial et thématique"
    CCOP = "ccop", "Cellule de coordination opérationnelle du partenariat (CCOP)"


class GroupeOperationnel(UniciteParConseil, models.Model):
    """Un « groupe de travail et d'échange d'informations » du conseil."""

    Nature = NatureGroupe

    conseil = models.ForeignKey(
        Conseil, verbose_name="conseil", on_delete=models.PROTECT, related_name="groupes"
    )
    nom = models.CharField("nom", max_length=200)
    nature = models.CharField("nature", max_length=15, choices=Nature.choices)
    programme = models.ForeignKey(
        Programme,
        verbose_name="programme",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="groupes",
    )
    territoire = models.ForeignKey(
        Territoire,
        verbose_name="territoire",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="groupes",
    )
    description = models.TextField("objet du groupe", blank=True)
    actif = models.BooleanField("actif", default=True)
    cree_le = models.DateTimeField("créé le", auto_now_add=True)

    objects = GroupeQuerySet.as_manager()

    chemin_groupe = ""
    chemin_conseil = "conseil"
    historique = HistoricalRecords()

    class Meta:
        verbose_name = "groupe opérationnel"
        verbose_name_plural = "groupes opérationnels"
        ordering = ["nom"]
        permissions = [("piloter_groupe", "Piloter le groupe")]
        constraints = [
            models.UniqueConstraint(
                fields=["conseil", "nom"],
                name="groupes_groupeoperationnel_nom_unique_par_conseil",
                violation_error_message="Ce conseil a déjà un groupe de ce nom.",
            ),
            models.CheckConstraint(
                condition=models.Q(nature__in=NatureGroupe.values),
                name="groupes_groupeoperationnel_nature_valide",
            ),
            models.CheckConstraint(
                condition=~models.Q(nature="thematique") | models.Q(programme__isnull=False),
                name="groupes_groupeoperationnel_thematique_a_un_programme",
                violation_error_message="Un groupe thématique est consacré à un programme.",
            ),
            models.CheckConstraint(
                condition=~models.Q(nature="territorial")
                | models.Q(programme__isnull=False, territoire__isnull=False),
                name="groupes_groupeoperationnel_territorial_a_programme_et_territoire",
                violation_error_message=(
                    "Un groupe territorial et thématique a un programme et un territoire."
                ),
            ),
            models.CheckConstraint(
                condition=~models.Q(nature="ccop") | models.Q(territoire__isnull=False),
                name="groupes_groupeoperationnel_ccop_a_un_territoire",
                violation_error_message=(
                    "Une CCOP est rattachée à une zone de sécurité prioritaire."
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["conseil", "actif", "nom"], name="groupes_groupe_conseil_nom"),
        ]

    def __str__(self):
        return self.nom

    def get_absolute_url(self):
        return chemin("groupes:detail", args=[self.pk])

    def clean(self):
        erreurs = {}
        if (
            self.nature in (self.Nature.THEMATIQUE, self.Nature.TERRITORIAL)
            and not self.programme_id
        ):
            erreurs["programme"] = "Choisissez le programme auquel le groupe est consacré."
        if self.nature in (self.Nature.TERRITORIAL, self.Nature.CCOP) and not self.territoire_id:
            erreurs["territoire"] = "Choisissez le territoire du groupe."
        if self.territoire_id:
            if self.conseil_id and self.territoire.conseil_id != self.conseil_id:
                erreurs["territoire"] = "Ce territoire n'appartient pas au conseil."
            elif self.nature == self.Nature.CCOP and self.territoire.type != Territoire.Type.ZSP:
                erreurs["territoire"] = (
                    "Une CCOP est rattachée à une zone de sécurité prioritaire (ZSP)."
                )
        if erreurs:
            raise ValidationError(erreurs)


class GroupePermission(UserObjectPermissionBase):
    """Permissions d'un utilisateur sur un groupe (table directe de django-guardian)."""

    content_object = models.ForeignKey(GroupeOperationnel, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = "permission sur un groupe"
        verbose_name_plural = "permissions sur les groupes"


class AppartenanceQuerySet(models.QuerySet):
    def actives(self):
        return self.filter(date_fin__isnull=True)


class RoleAppartenance(models.TextChoices):
    PILOTE = "pilote", "Pilote"
    MEMBRE = "membre", "Membre"
    INVITE = "invite", "Invité"


class Appartenance(models.Model):
    """La participation d'une personne à un groupe, pour une institution."""

    Role = RoleAppartenance

    groupe = models.ForeignKey(
        GroupeOperationnel,
        verbose_name="groupe",
        on_delete=models.CASCADE,
        related_name="appartenances",
    )
    utilisateur = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="personne",
        on_delete=models.PROTECT,
        related_name="appartenances",
    )
    institution = models.ForeignKey(
        Institution,
        verbose_name="institution représentée",
        on_delete=models.PROTECT,
        related_name="appartenances",
    )
    role = models.CharField("rôle", max_length=10, choices=Role.choices, default=Role.MEMBRE)
    date_debut = models.DateField("date de début", default=timezone.localdate)
    date_fin = models.DateField("date de fin", null=True, blank=True)

    objects = AppartenanceQuerySet.as_manager()

    chemin_groupe = "groupe"
    chemin_conseil = "groupe__conseil"
    historique = HistoricalRecords()

    class Meta:
        verbose_name = "appartenance"
        ordering = ["utilisateur__last_name", "utilisateur__first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["groupe", "utilisateur"],
                condition=models.Q(date_fin__isnull=True),
                name="groupes_appartenance_unique_active",
                violation_error_message="Cette personne est déjà membre du groupe.",
            ),
            models.UniqueConstraint(
                fields=["groupe"],
                condition=models.Q(date_fin__isnull=True, role="pilote"),
                name="groupes_appartenance_un_pilote_actif",
                violation_error_message="Le groupe a déjà un pilote.",
            ),
            models.CheckConstraint(
                condition=models.Q(date_fin__isnull=True)
                | models.Q(date_fin__gte=models.F("date_debut")),
                name="groupes_appartenance_dates_ordonnees",
                violation_error_message="La date de fin précède la date de début.",
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=RoleAppartenance.values),
                name="groupes_appartenance_role_valide",
            ),
        ]
        indexes = [
            models.Index(
                fields=["utilisateur", "groupe"],
                condition=models.Q(date_fin__isnull=True),
                name="groupes_appartenance_actives",
            ),
        ]

    def __str__(self):
        return f"{self.utilisateur} — {self.groupe}"

    @property
    def est_active(self):
        return self.date_fin is None

    def clean(self):
        erreurs = {}
        if self.date_fin and self.date_debut and self.date_fin < self.date_debut:
            erreurs["date_fin"] = "La date de fin précède la date de début."
        if (
            self.institution_id
            and self.groupe_id
            and self.institution.conseil_id != self.groupe.conseil_id
        ):
            erreurs["institution"] = "Cette institution n'est pas dans l'annuaire du conseil."
        if erreurs:
            raise ValidationError(erreurs)


class DesignationPilote(models.Model):
    """La désignation d'un pilote, « d'un commun accord par le maire et le préfet »."""

    groupe = models.ForeignKey(
        GroupeOperationnel,
        verbose_name="groupe",
        on_delete=models.CASCADE,
        related_name="designations",
    )
    pilote = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="pilote",
        on_delete=models.PROTECT,
        related_name="designations_pilote",
    )
    date_designation = models.DateField("date de désignation", default=timezone.localdate)
    accord_maire_le = models.DateField("accord du maire le")
    accord_prefet_le = models.DateField("accord du préfet le")
    date_fin = models.DateField("fin de la désignation", null=True, blank=True)
    designe_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="enregistrée par",
        on_delete=models.PROTECT,
        related_name="+",
    )

    chemin_groupe = "groupe"
    chemin_conseil = "groupe__conseil"
    historique = HistoricalRecords()

    class Meta:
        verbose_name = "désignation de pilote"
        verbose_name_plural = "désignations de pilote"
        ordering = ["-date_designation", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["groupe"],
                condition=models.Q(date_fin__isnull=True),
                name="groupes_designationpilote_une_en_cours",
                violation_error_message="Le groupe a déjà un pilote désigné.",
            ),
            models.CheckConstraint(
                condition=models.Q(date_fin__isnull=True)
                | models.Q(date_fin__gte=models.F("date_designation")),
                name="groupes_designationpilote_dates_ordonnees",
                violation_error_message="La fin précède la désignation.",
            ),
            models.CheckConstraint(
                condition=models.Q(accord_maire_le__lte=models.F("date_designation"))
                & models.Q(accord_prefet_le__lte=models.F("date_designation")),
                name="groupes_designationpilote_accords_avant_designation",
                violation_error_message=(
                    "Les accords du maire et du préfet précèdent la désignation."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.pilote} — {self.groupe}"

    def clean(self):
        erreurs = {}
        if self.date_designation:
            if self.accord_maire_le and self.accord_maire_le > self.date_designation:
                erreurs["accord_maire_le"] = "L'accord du maire précède la désignation."
            if self.accord_prefet_le and self.accord_prefet_le > self.date_designation:
                erreurs["accord_prefet_le"] = "L'accord du préfet précède la désignation."
        if erreurs:
            raise ValidationError(erreurs)
