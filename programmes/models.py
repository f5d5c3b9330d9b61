"""Les programmes locaux d'actions : plans d'action des groupes, état des lieux, schéma local
de tranquillité publique, actions, financements et propositions à la formation restreinte."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from clspd.chemins import chemin
from clspd.models import Institution, Programme, Territoire, champ_texte
from groupes.models import Decision, GroupeOperationnel

TEXTE = 5000
POSITIF = [MinValueValidator(Decimal("0"), "Un montant ne peut pas être négatif.")]


def _montant(verbose_name, **options):
    return models.DecimalField(
        verbose_name, max_digits=12, decimal_places=2, validators=POSITIF, **options
    )


# Plan d'action ------------------------------------------------------------------------------


class StatutPlan(models.TextChoices):
    EN_PROJET = "en_projet", "En projet"
    ADOPTE = "adopte", "Adopté"
    CLOS = "clos", "Clos"


class PlanAction(models.Model):
    """Le plan d'action d'un groupe pour une période (le plus souvent une année)."""

    Statut = StatutPlan

    groupe = models.ForeignKey(
        GroupeOperationnel, verbose_name="groupe", on_delete=models.PROTECT, related_name="plans"
    )
    titre = models.CharField("titre", max_length=200)
    date_debut = models.DateField("début de la période")
    date_fin = models.DateField("fin de la période")
    statut = models.CharField(
        "statut", max_length=10, choices=Statut.choices, default=Statut.EN_PROJET
    )
    adopte_le = models.DateField("adopté par la formation restreinte le", null=True, blank=True)
    # État des lieux (groupes du programme d'aide aux victimes).
    dispositifs_existants = champ_texte(
        "dispositifs et services existants sur le territoire", TEXTE, blank=True
    )
    acteurs = champ_texte("acteurs", TEXTE, blank=True)
    constats = champ_texte("constats", TEXTE, blank=True)
    articulation = champ_texte(
        "articulation entre les dispositifs et les acteurs", TEXTE, blank=True
    )
    cree_le = models.DateTimeField("créé le", auto_now_add=True)

    chemin_groupe = "groupe"
    chemin_conseil = "groupe__conseil"
    # Verrouillage optimiste : chaque enregistrement l'incrémente (clspd/revisions.py).
    revision = models.PositiveIntegerField("révision", default=0, editable=False)
    historique = HistoricalRecords()

    class Meta:
        verbose_name = "plan d'action"
        verbose_name_plural = "plans d'action"
        ordering = ["-date_debut", "titre"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(date_fin__gte=models.F("date_debut")),
                name="programmes_planaction_periode_ordonnee",
                violation_error_message="La fin de la période précède son début.",
            ),
            models.CheckConstraint(
                condition=models.Q(statut__in=StatutPlan.values),
                name="programmes_planaction_statut_valide",
            ),
            models.CheckConstraint(
                condition=models.Q(statut="en_projet") | models.Q(adopte_le__isnull=False),
                name="programmes_planaction_adoption_datee",
                violation_error_message="Indiquez la date d'adoption par la formation restreinte.",
            ),
        ]
        indexes = [models.Index(fields=["groupe", "date_debut"], name="programmes_plan_groupe")]

    def __str__(self):
        return self.titre

    def get_absolute_url(self):
        return chemin("programmes:plan_detail", args=[self.pk])

    @property
    def est_clos(self):
        return self.statut == StatutPlan.CLOS

    @property
    def a_un_etat_des_lieux(self):
        programme = self.groupe.programme
        return programme is not None and programme.axe == Programme.Axe.VICTIMES

    @property
    def a_un_schema_de_tranquillite(self):
        programme = self.groupe.programme
        return programme is not None and programme.axe == Programme.Axe.TRANQUILLITE

    def clean(self):
        erreurs = {}
        if self.date_debut and self.date_fin and self.date_fin < self.date_debut:
            erreurs["date_fin"] = "La fin de la période précède son début."
        if self.statut != StatutPlan.EN_PROJET and not self.adopte_le:
            erreurs["adopte_le"] = "Indiquez la date d'adoption par la formation restreinte."
        if erreurs:
            raise ValidationError(erreurs)


# Schéma local de tranquillité publique ------------------------------------------------------


class LieuSensible(models.Model):
    """Un lieu sensible du schéma local de tranquillité publique."""

    plan = models.ForeignKey(
        PlanAction, verbose_name="plan", on_delete=models.CASCADE, related_name="lieux_sensibles"
    )
    territoire = models.ForeignKey(
        Territoire, verbose_name="territoire", on_delete=models.PROTECT, related_name="+"
    )
    nom = models.CharField("lieu", max_length=200)
    description = champ_texte("description", TEXTE, blank=True)

    chemin_groupe = "plan__groupe"
    chemin_conseil = "plan__groupe__conseil"
    historique = HistoricalRecords()

    class Meta:
        verbose_name = "lieu sensible"
        verbose_name_plural = "lieux sensibles"
        ordering = ["nom"]

    def __str__(self):
        return self.nom

    def clean(self):
        if (
            self.plan_id
            and self.territoire_id
            and self.territoire.conseil_id != self.plan.groupe.conseil_id
        ):
            raise ValidationError({"territoire": "Ce territoire n'appartient pas au conseil."})


class Jour(models.TextChoices):
    LUNDI = "lun", "Lundi"
    MARDI = "mar", "Mardi"
    MERCREDI = "mer", "Mercredi"
    JEUDI = "jeu", "Jeudi"
    VENDREDI = "ven", "Vendredi"
    SAMEDI = "sam", "Samedi"
    DIMANCHE = "dim", "Dimanche"


class Saison(models.TextChoices):
    PRINTEMPS = "printemps", "Printemps"
    ETE = "ete", "Été"
    AUTOMNE = "automne", "Automne"
    HIVER = "hiver", "Hiver"


class PeriodeSensible(models.Model):
    """Quand le lieu est sensible : des jours, une plage horaire (qui peut passer minuit),
    des saisons. Aucun jour ou aucune saison cochés veut dire : tous."""

    lieu = models.ForeignKey(
        LieuSensible, verbose_name="lieu", on_delete=models.CASCADE, related_name="periodes"
    )
    jours = models.JSONField("jours", default=list, blank=True)
    heure_debut = models.TimeField("de")
    heure_fin = models.TimeField("à")
    saisons = models.JSONField("saisons", default=list, blank=True)

    chemin_groupe = "lieu__plan__groupe"
    chemin_conseil = "lieu__plan__groupe__conseil"
    historique = HistoricalRecords()

    class Meta:
        verbose_name = "période sensible"
        verbose_name_plural = "périodes sensibles"
        ordering = ["heure_debut", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(heure_fin=models.F("heure_debut")),
                name="programmes_periodesensible_plage_non_vide",
                violation_error_message="La plage horaire est vide.",
            ),
        ]

    def __str__(self):
        return f"{self.jours_affiches}, {self.heure_debut:%H:%M}–{self.heure_fin:%H:%M}"

    @property
    def jours_affiches(self):
        return _libelles(Jour, self.jours, "tous les jours")

    @property
    def saisons_affichees(self):
        return _libelles(Saison, self.saisons, "toute l'année")

    def clean(self):
        erreurs = {}
        if set(self.jours or []) - set(Jour.values):
            erreurs["jours"] = "Jour inconnu."
        if set(self.saisons or []) - set(Saison.values):
            erreurs["saisons"] = "Saison inconnue."
        if self.heure_debut and self.heure_fin and self.heure_debut == self.heure_fin:
            erreurs["heure_fin"] = "La plage horaire est vide."
        if erreurs:
            raise ValidationError(erreurs)


def _libelles(choix, valeurs, si_vide):
    libelles = dict(choix.choices)
    ordonnees = [libelles[v] for v in choix.values if v in (valeurs or [])]
    return ", ".join(ordonnees) if ordonnees else si_vide


class CategorieMesure(models.TextChoices):
    VIDEOPROTECTION = "videoprotection", "Vidéoprotection"
    ECLAIRAGE = "eclairage", "Éclairage"
    AMENAGEMENT = "amenagement", "Aménagement de l'espace"
    AUTRE_TECHNIQUE = "autre_technique", "Autre moyen technique"
    MEDIATION = "mediation", "Médiateurs"
    PATROUILLES = "patrouilles", "Patrouilles"
    PRESENCE_EDUCATIVE = "presence_educative", "Présence éducative"
    AUTRE_HUMAINE = "autre_humaine", "Autre présence humaine"


MESURES_TECHNIQUES = {"videoprotection", "eclairage", "amenagement", "autre_technique"}


class Mesure(models.Model):
    """Une mesure prévue pour un lieu sensible : un moyen technique ou une présence humaine."""

    Categorie = CategorieMesure

    lieu = models.ForeignKey(
        LieuSensible, verbose_name="lieu", on_delete=models.CASCADE, related_name="mesures"
    )
    categorie = models.CharField("mesure", max_length=20, choices=Categorie.choices)
    description = champ_texte("description", TEXTE, blank=True)

    chemin_groupe = "lieu__plan__groupe"
    chemin_conseil = "lieu__plan__groupe__conseil"
    historique = HistoricalRecords()

    class Meta:
        verbose_name = "mesure"
        ordering = ["categorie", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(categorie__in=CategorieMesure.values),
                name="programmes_mesure_categorie_valide",
            ),
        ]

    def __str__(self):
        return self.get_categorie_display()

    @property
    def nature(self):
        return "Moyen technique" if self.categorie in MESURES_TECHNIQUES else "Présence humaine"


# Actions et financements --------------------------------------------------------------------


class StatutAction(models.TextChoices):
    PROPOSEE = "proposee", "Proposée"
    VALIDEE = "validee", "Validée"
    EN_COURS = "en_cours", "En cours"
    TERMINEE = "terminee", "Terminée"
    ABANDONNEE = "abandonnee", "Abandonnée"


STATUTS_ACTION_CLOS = (StatutAction.TERMINEE, StatutAction.ABANDONNEE)


class Action(models.Model):
    """Une action concrète du plan : qui la porte, avec qui, pour qui, où et quand."""

    Statut = StatutAction

    plan = models.ForeignKey(
        PlanAction, verbose_name="plan d'action", on_delete=models.PROTECT, related_name="actions"
    )
    titre = models.CharField("titre", max_length=200)
    description = champ_texte("description", TEXTE, blank=True)
    objectifs = champ_texte("objectifs", TEXTE, blank=True)
    programme = models.ForeignKey(
        Programme, verbose_name="programme", on_delete=models.PROTECT, related_name="actions"
    )
    public_cible = models.CharField("public visé", max_length=300, blank=True)
    territoire = models.ForeignKey(
        Territoire,
        verbose_name="territoire",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="actions",
    )
    porteur = models.ForeignKey(
        Institution,
        verbose_name="institution porteuse",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="actions_portees",
    )
    partenaires = models.ManyToManyField(
        Institution, verbose_name="partenaires", blank=True, related_name="actions_partenaires"
    )
    referent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="référent",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="actions_referent",
    )
    date_debut = models.DateField("début")
    date_fin = models.DateField("fin", null=True, blank=True)
    statut = models.CharField(
        "statut", max_length=10, choices=Statut.choices, default=Statut.PROPOSEE
    )
    decisions = models.ManyToManyField(
        Decision,
        verbose_name="décisions de réunion liées",
        blank=True,
        related_name="actions",
    )
    cree_le = models.DateTimeField("créée le", auto_now_add=True)

    chemin_groupe = "plan__groupe"
    chemin_conseil = "plan__groupe__conseil"
    historique = HistoricalRecords()

    class Meta:
        verbose_name = "action"
        ordering = ["titre", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(date_fin__isnull=True)
                | models.Q(date_fin__gte=models.F("date_debut")),
                name="programmes_action_dates_ordonnees",
                violation_error_message="La fin de l'action précède son début.",
            ),
            models.CheckConstraint(
                condition=models.Q(statut__in=StatutAction.values),
                name="programmes_action_statut_valide",
            ),
            models.CheckConstraint(
                condition=models.Q(statut__in=["proposee", "abandonnee"])
                | models.Q(porteur__isnull=False),
                name="programmes_action_porteur_avant_validation",
                violation_error_message="Une action validée a une institution porteuse.",
            ),
        ]
        indexes = [
            models.Index(fields=["plan", "statut"], name="programmes_action_plan"),
            models.Index(fields=["date_fin", "statut"], name="programmes_action_echeance"),
        ]

    def __str__(self):
        return self.titre

    def get_absolute_url(self):
        return chemin("programmes:action_detail", args=[self.pk])

    def clean(self):
        erreurs = {}
        if self.date_debut and self.date_fin and self.date_fin < self.date_debut:
            erreurs["date_fin"] = "La fin de l'action précède son début."
        if self.statut not in (StatutAction.PROPOSEE, StatutAction.ABANDONNEE) and not (
            self.porteur_id
        ):
            erreurs["porteur"] = "Désignez l'institution porteuse avant de valider l'action."
        if self.plan_id:
            conseil_id = self.plan.groupe.conseil_id
            if self.porteur_id and self.porteur.conseil_id != conseil_id:
                erreurs["porteur"] = "Cette institution n'est pas dans l'annuaire du conseil."
            if self.territoire_id and self.territoire.conseil_id != conseil_id:
                erreurs["territoire"] = "Ce territoire n'appartient pas au conseil."
        if erreurs:
            raise ValidationError(erreurs)


class SourceFinancement(models.TextChoices):
    FIPD = "fipd", "FIPD"
    COMMUNE = "commune", "Commune"
    INTERCOMMUNALITE = "intercommunalite", "Intercommunalité"
    DEPARTEMENT = "departement", "Département"
    REGION = "region", "Région"
    CAF = "caf", "CAF"
    BAILLEUR = "bailleur", "Bailleur"
    ETAT_AUTRE = "etat_autre", "Autres fonds de l'État"
    AUTRE = "autre", "Autre"


class Financement(models.Model):
    """Une ligne de financement d'une action : demandé, accordé, décidé le."""

    Source = SourceFinancement

    action = models.ForeignKey(
        Action, verbose_name="action", on_delete=models.CASCADE, related_name="financements"
    )
    source = models.CharField("source", max_length=20, choices=Source.choices)
    montant_demande = _montant("montant demandé (€)")
    montant_accorde = _montant("montant accordé (€)", null=True, blank=True)
    date_decision = models.DateField("date de la décision", null=True, blank=True)
    depassement_confirme = models.BooleanField(
        "accordé supérieur au demandé : confirmé", default=False
    )

    chemin_groupe = "action__plan__groupe"
    chemin_conseil = "action__plan__groupe__conseil"
    historique = HistoricalRecords()

    class Meta:
        verbose_name = "ligne de financement"
        verbose_name_plural = "lignes de financement"
        ordering = ["source", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(source__in=SourceFinancement.values),
                name="programmes_financement_source_valide",
            ),
            models.CheckConstraint(
                condition=models.Q(montant_demande__gte=0)
                & (models.Q(montant_accorde__isnull=True) | models.Q(montant_accorde__gte=0)),
                name="programmes_financement_montants_positifs",
                violation_error_message="Un montant ne peut pas être négatif.",
            ),
            models.CheckConstraint(
                condition=models.Q(montant_accorde__isnull=True)
                | models.Q(montant_accorde__lte=models.F("montant_demande"))
                | models.Q(depassement_confirme=True),
                name="programmes_financement_depassement_confirme",
                violation_error_message=(
                    "Le montant accordé dépasse le montant demandé : confirmez-le."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.get_source_display()} : {self.montant_demande} €"

    def clean(self):
        if (
            self.montant_accorde is not None
            and self.montant_demande is not None
            and self.montant_accorde > self.montant_demande
            and not self.depassement_confirme
        ):
            raise ValidationError(
                {
                    "depassement_confirme": (
                        "Le montant accordé dépasse le montant demandé : cochez la case pour "
                        "le confirmer."
                    )
                }
            )


# Propositions à la formation restreinte -----------------------------------------------------


class DecisionProposition(models.TextChoices):
    EN_ATTENTE = "en_attente", "En attente"
    RETENUE = "retenue", "Retenue"
    REFUSEE = "refusee", "Refusée"
    A_REVOIR = "a_revoir", "À revoir"


class Proposition(models.Model):
    """Une action qu'un groupe propose à la formation restreinte, et ce qu'elle en décide."""

    Decision = DecisionProposition

    action = models.ForeignKey(
        Action, verbose_name="action", on_delete=models.PROTECT, related_name="propositions"
    )
    expose = champ_texte("exposé", TEXTE, blank=True)
    proposee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="proposée par",
        on_delete=models.PROTECT,
        related_name="+",
    )
    proposee_le = models.DateTimeField("proposée le", auto_now_add=True)
    decision = models.CharField(
        "décision", max_length=10, choices=Decision.choices, default=Decision.EN_ATTENTE
    )
    commentaire = champ_texte("commentaire", TEXTE, blank=True)
    financement_accorde = _montant("financement accordé (€)", null=True, blank=True)
    decidee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="décidée par",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decidee_le = models.DateTimeField("décidée le", null=True, blank=True)

    chemin_groupe = "action__plan__groupe"
    chemin_conseil = "action__plan__groupe__conseil"
    historique = HistoricalRecords()

    class Meta:
        verbose_name = "proposition"
        ordering = ["-proposee_le", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["action"],
                condition=models.Q(decision="en_attente"),
                name="programmes_proposition_une_en_attente",
                violation_error_message="Cette action attend déjà la décision de la formation "
                "restreinte.",
            ),
            models.CheckConstraint(
                condition=models.Q(decision__in=DecisionProposition.values),
                name="programmes_proposition_decision_valide",
            ),
            models.CheckConstraint(
                condition=models.Q(decision="en_attente") | models.Q(decidee_le__isnull=False),
                name="programmes_proposition_decision_datee",
            ),
            models.CheckConstraint(
                condition=models.Q(financement_accorde__isnull=True)
                | models.Q(financement_accorde__gte=0),
                name="programmes_proposition_financement_positif",
                violation_error_message="Un montant ne peut pas être négatif.",
            ),
        ]
        indexes = [models.Index(fields=["decision"], name="programmes_propos_decision")]

    def __str__(self):
        return f"Proposition : {self.action}"

    @property
    def est_en_attente(self):
        return self.decision == DecisionProposition.EN_ATTENTE
