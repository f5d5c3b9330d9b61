"""L'évaluation des actions : le catalogue d'indicateurs de la fiche méthodologique (et les
indicateurs locaux d'un conseil), les indicateurs et cibles de chaque action, les saisies
par période, et les rapports d'évaluation remis à la formation restreinte.

Un rapport est une copie figée (``RapportEvaluation.contenu``) : corriger une saisie après
coup ne le change pas ; une correction passe par un nouveau rapport.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from clspd.chemins import chemin
from clspd.models import Conseil, Programme, champ_texte
from programmes.models import Action

TEXTE = 5000


# Catalogue --------------------------------------------------------------------------------


class FamilleIndicateur(models.TextChoices):
    REALISATION = "realisation", "Indicateurs de réalisation"
    IMPACT = "impact", "Indicateurs d'impact quantitatif"
    QUALITATIF = "qualitatif", "Indicateurs qualitatifs"


class TypeValeur(models.TextChoices):
    ENTIER = "entier", "Nombre entier"
    DECIMAL = "decimal", "Nombre décimal"
    POURCENTAGE = "pourcentage", "Pourcentage"
    DUREE = "duree", "Durée (jours)"
    ECHELLE = "echelle", "Échelle de 1 à 5"
    TEXTE = "texte", "Texte"
    # Réservé au profil des bénéficiaires du catalogue : par âge, sexe et territoire.
    REPARTITION = "repartition", "Répartition des bénéficiaires"


TYPES_NUMERIQUES = ("entier", "decimal", "pourcentage", "duree", "echelle")
# Ce qui s'additionne d'une action ou d'une période à l'autre ; le reste se moyenne.
TYPES_ADDITIFS = ("entier",)


class Indicateur(models.Model):
    """Un indicateur : du catalogue national (sans conseil) ou local à un conseil."""

    Famille = FamilleIndicateur
    Type = TypeValeur

    conseil = models.ForeignKey(
        Conseil,
        verbose_name="conseil",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="indicateurs",
        help_text="Vide pour un indicateur du catalogue de la fiche méthodologique.",
    )
    code = models.SlugField("code", max_length=50, blank=True)
    nom = models.CharField("nom", max_length=200)
    famille = models.CharField("famille", max_length=12, choices=Famille.choices)
    type = models.CharField("type de valeur", max_length=12, choices=Type.choices)
    unite = models.CharField("unité", max_length=50, blank=True)
    definition = champ_texte("définition", TEXTE, blank=True)
    ordre = models.PositiveSmallIntegerField("ordre", default=100)

    chemin_conseil = "conseil"
    historique = HistoricalRecords()

    class Meta:
        verbose_name = "indicateur"
        ordering = ["famille", "ordre", "nom"]
        constraints = [
            models.UniqueConstraint(
                fields=["conseil", "nom"],
                name="evaluation_indicateur_nom_unique_par_conseil",
                violation_error_message="Ce conseil a déjà un indicateur de ce nom.",
            ),
            models.UniqueConstraint(
                fields=["code"],
                condition=models.Q(conseil__isnull=True),
                name="evaluation_indicateur_code_national_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(famille__in=FamilleIndicateur.values),
                name="evaluation_indicateur_famille_valide",
            ),
            models.CheckConstraint(
                condition=models.Q(type__in=TypeValeur.values),
                name="evaluation_indicateur_type_valide",
            ),
            models.CheckConstraint(
                condition=~models.Q(type="repartition") | models.Q(conseil__isnull=True),
                name="evaluation_indicateur_repartition_nationale",
                violation_error_message="La répartition est réservée au profil des bénéficiaires.",
            ),
        ]

    def __str__(self):
        return f"{self.nom} ({self.unite})" if self.unite else self.nom

    @property
    def est_numerique(self):
        return self.type in TYPES_NUMERIQUES

    @property
    def est_national(self):
        return self.conseil_id is None


# Paramétrage de l'évaluation d'une action ---------------------------------------------------


class Rythme(models.TextChoices):
    ANNEE = "annee", "Annuel"
    SEMESTRE = "semestre", "Semestriel"
    TRIMESTRE = "trimestre", "Trimestriel"


PERIODES_PAR_AN = {"annee": 1, "semestre": 2, "trimestre": 4}


class EvaluationAction(models.Model):
    """Comment une action s'évalue : son rythme de saisie et ses indicateurs, avec cibles."""

    Rythme = Rythme

    action = models.OneToOneField(
        Action, verbose_name="action", on_delete=models.CASCADE, related_name="evaluation"
    )
    rythme = models.CharField("rythme de saisie", max_length=10, choices=Rythme.choices)

    chemin_groupe = "action__plan__groupe"
    chemin_conseil = "action__plan__groupe__conseil"
    historique = HistoricalRecords()

    class Meta:
        verbose_name = "évaluation d'une action"
        verbose_name_plural = "évaluations des actions"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rythme__in=Rythme.values),
                name="evaluation_evaluationaction_rythme_valide",
            ),
        ]

    def __str__(self):
        return f"Évaluation : {self.action}"

    @property
    def periodes_par_an(self):
        return PERIODES_PAR_AN[self.rythme]


class IndicateurSuivi(models.Model):
    """Un indicateur retenu pour une action, avec sa cible annuelle."""

    evaluation = models.ForeignKey(
        EvaluationAction,
        verbose_name="évaluation",
        on_delete=models.CASCADE,
        related_name="indicateurs",
    )
    indicateur = models.ForeignKey(
        Indicateur, verbose_name="indicateur", on_delete=models.PROTECT, related_name="suivis"
    )
    cible = models.DecimalField("cible", max_digits=14, decimal_places=2, null=True, blank=True)

    chemin_groupe = "evaluation__action__plan__groupe"
    chemin_conseil = "evaluation__action__plan__groupe__conseil"
    historique = HistoricalRecords()

    class Meta:
        verbose_name = "indicateur suivi"
        verbose_name_plural = "indicateurs suivis"
        ordering = ["indicateur__famille", "indicateur__ordre", "indicateur__nom"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "indicateur"],
                name="evaluation_indicateursuivi_unique",
                violation_error_message="Cet indicateur est déjà suivi pour cette action.",
            ),
            models.CheckConstraint(
                condition=models.Q(cible__isnull=True) | models.Q(cible__gte=0),
                name="evaluation_indicateursuivi_cible_positive",
                violation_error_message="Une cible ne peut pas être négative.",
            ),
        ]

    def __str__(self):
        return str(self.indicateur)


# Saisies ------------------------------------------------------------------------------------


class StatutSaisie(models.TextChoices):
    BROUILLON = "brouillon", "Brouillon"
    SOUMISE = "soumise", "Soumise au pilote"
    VALIDEE = "validee", "Validée"
    RENVOYEE = "renvoyee", "Renvoyée pour correction"


def bornes_de_la_periode(annee, numero, periodes_par_an):
    """Le premier et le dernier jour d'une période (semestre 2 : 1er juillet, 31 décembre)."""
    mois = 12 // periodes_par_an
    debut = datetime.date(annee, (numero - 1) * mois + 1, 1)
    suivante = datetime.date(annee + numero * mois // 12, numero * mois % 12 + 1, 1)
    return debut, suivante - datetime.timedelta(days=1)


def libelle_periode(annee, numero, rythme):
    if rythme == Rythme.SEMESTRE:
        return f"{annee}, {numero}{'er' if numero == 1 else 'e'} semestre"
    if rythme == Rythme.TRIMESTRE:
        return f"{annee}, {numero}{'er' if numero == 1 else 'e'} trimestre"
    return str(annee)


class Saisie(models.Model):
    """Les valeurs des indicateurs d'une action pour une période."""

    Statut = StatutSaisie

    evaluation = models.ForeignKey(
        EvaluationAction,
        verbose_name="évaluation",
        on_delete=models.PROTECT,
        related_name="saisies",
    )
    annee = models.PositiveSmallIntegerField("année")
    numero = models.PositiveSmallIntegerField("période dans l'année", default=1)
    statut = models.CharField(
        "statut", max_length=10, choices=Statut.choices, default=Statut.BROUILLON
    )
    commentaire_renvoi = champ_texte("motif du renvoi", TEXTE, blank=True)
    saisie_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="saisie par",
        on_delete=models.PROTECT,
        related_name="+",
    )
    modifiee_le = models.DateTimeField("modifiée le", auto_now=True)
    soumise_le = models.DateTimeField("soumise le", null=True, blank=True)
    validee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="validée par",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    validee_le = models.DateTimeField("validée le", null=True, blank=True)

    chemin_groupe = "evaluation__action__plan__groupe"
    chemin_conseil = "evaluation__action__plan__groupe__conseil"
    # Verrouillage optimiste : chaque enregistrement l'incrémente (clspd/revisions.py).
    revision = models.PositiveIntegerField("révision", default=0, editable=False)
    historique = HistoricalRecords()

    class Meta:
        verbose_name = "saisie"
        ordering = ["-annee", "-numero"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "annee", "numero"],
                name="evaluation_saisie_une_par_periode",
                violation_error_message="Cette période a déjà sa saisie.",
            ),
            models.CheckConstraint(
                condition=models.Q(numero__gte=1, numero__lte=4),
                name="evaluation_saisie_numero_valide",
            ),
            models.CheckConstraint(
                condition=models.Q(statut__in=StatutSaisie.values),
                name="evaluation_saisie_statut_valide",
            ),
        ]
        indexes = [
            models.Index(fields=["annee", "statut"], name="evaluation_saisie_periode"),
            # « Saisies à valider » (Mes saisies) : pour chaque évaluation des groupes de la
            # personne, ses seules saisies soumises, sans relire celles des années passées.
            models.Index(
                fields=["evaluation"],
                condition=models.Q(statut="soumise"),
                name="evaluation_saisie_soumises",
            ),
        ]

    def __str__(self):
        return f"{self.evaluation.action} — {self.periode}"

    def get_absolute_url(self):
        return chemin("evaluation:saisie", args=[self.pk])

    @property
    def periode(self):
        return libelle_periode(self.annee, self.numero, self.evaluation.rythme)

    @property
    def bornes(self):
        return bornes_de_la_periode(self.annee, self.numero, self.evaluation.periodes_par_an)

    def clean(self):
        if self.evaluation_id and self.numero and self.numero > self.evaluation.periodes_par_an:
            raise ValidationError({"numero": "Cette période n'existe pas pour ce rythme."})


# La répartition des bénéficiaires : chaque dimension totalise le nombre de bénéficiaires.
TRANCHES_AGE = [
    ("moins_13", "Moins de 13 ans"),
    ("13_15", "13 à 15 ans"),
    ("16_17", "16 et 17 ans"),
    ("18_25", "18 à 25 ans"),
    ("plus_25", "Plus de 25 ans"),
]
SEXES = [("femmes", "Femmes"), ("hommes", "Hommes")]
HORS_TERRITOIRE = ("autre", "Autre territoire ou non renseigné")


class Valeur(models.Model):
    """La valeur d'un indicateur dans une saisie : un nombre, un texte ou une répartition."""

    saisie = models.ForeignKey(
        Saisie, verbose_name="saisie", on_delete=models.CASCADE, related_name="valeurs"
    )
    indicateur = models.ForeignKey(
        Indicateur, verbose_name="indicateur", on_delete=models.PROTECT, related_name="valeurs"
    )
    nombre = models.DecimalField("valeur", max_digits=14, decimal_places=2, null=True, blank=True)
    texte = champ_texte("texte", TEXTE, blank=True)
    # Profil des bénéficiaires : {"age": {...}, "sexe": {...}, "territoire": {...}}.
    repartition = models.JSONField("répartition", null=True, blank=True)

    chemin_groupe = "saisie__evaluation__action__plan__groupe"
    chemin_conseil = "saisie__evaluation__action__plan__groupe__conseil"
    historique = HistoricalRecords()

    class Meta:
        verbose_name = "valeur"
        constraints = [
            models.UniqueConstraint(
                fields=["saisie", "indicateur"],
                name="evaluation_valeur_unique",
                violation_error_message="Cet indicateur a déjà sa valeur dans la saisie.",
            ),
        ]
        indexes = [
            models.Index(fields=["indicateur", "saisie"], name="evaluation_valeur_indicateur"),
        ]

    def __str__(self):
        return f"{self.indicateur} : {self.nombre if self.nombre is not None else self.texte}"


# Rapports d'évaluation --------------------------------------------------------------------


class StatutRapport(models.TextChoices):
    PREPARE = "prepare", "Préparé"
    SOUMIS = "soumis", "Soumis à la formation restreinte"
    EXAMINE = "examine", "Examiné"


class RapportEvaluation(models.Model):
    """Le rapport d'évaluation d'une année, pour tout le conseil ou un programme : une copie
    figée des chiffres et des textes au moment où il est préparé."""

    Statut = StatutRapport

    conseil = models.ForeignKey(
        Conseil, verbose_name="conseil", on_delete=models.PROTECT, related_name="rapports"
    )
    annee = models.PositiveSmallIntegerField("année évaluée")
    programme = models.ForeignKey(
        Programme,
        verbose_name="programme",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Vide : tout le conseil.",
    )
    titre = models.CharField("titre", max_length=200)
    statut = models.CharField(
        "statut", max_length=10, choices=Statut.choices, default=Statut.PREPARE
    )
    contenu = models.JSONField("contenu figé", editable=False)
    saisies = models.ManyToManyField(
        Saisie, verbose_name="saisies incluses", blank=True, related_name="rapports"
    )
    prepare_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="préparé par",
        on_delete=models.PROTECT,
        related_name="+",
    )
    prepare_le = models.DateTimeField("préparé le", auto_now_add=True)
    soumis_le = models.DateTimeField("soumis le", null=True, blank=True)
    conclusions = champ_texte("conclusions de la formation restreinte", TEXTE, blank=True)
    examine_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="examiné par",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    examine_le = models.DateTimeField("examiné le", null=True, blank=True)

    chemin_conseil = "conseil"
    historique = HistoricalRecords()

    class Meta:
        verbose_name = "rapport d'évaluation"
        verbose_name_plural = "rapports d'évaluation"
        ordering = ["-annee", "-prepare_le"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(statut__in=StatutRapport.values),
                name="evaluation_rapport_statut_valide",
            ),
            models.CheckConstraint(
                condition=~models.Q(statut="examine") | models.Q(examine_le__isnull=False),
                name="evaluation_rapport_examen_date",
            ),
        ]

    def __str__(self):
        return self.titre

    def get_absolute_url(self):
        return chemin("evaluation:rapport", args=[self.pk])


class CommentaireRapport(models.Model):
    """Le commentaire d'un membre de la formation restreinte sur une partie du rapport."""

    rapport = models.ForeignKey(
        RapportEvaluation,
        verbose_name="rapport",
        on_delete=models.CASCADE,
        related_name="commentaires",
    )
    # La partie commentée : « synthese », « programme-<id> » ou « groupe-<id> ».
    partie = models.CharField("partie", max_length=50)
    texte = champ_texte("commentaire", TEXTE)
    auteur = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="auteur",
        on_delete=models.PROTECT,
        related_name="+",
    )
    cree_le = models.DateTimeField("écrit le", auto_now_add=True)

    chemin_conseil = "rapport__conseil"
    historique = HistoricalRecords()

    class Meta:
        verbose_name = "commentaire"
        ordering = ["cree_le", "pk"]

    def __str__(self):
        return self.texte[:80]
