"""Le cœur : conseils, territoire, institutions partenaires, utilisateurs, cadre national."""

import secrets
import uuid

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MaxLengthValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from guardian.models import UserObjectPermissionBase
from simple_history.models import HistoricalRecords

valider_code_insee = RegexValidator(
    r"^(?:\d{5}|2[AB]\d{3})$",
    "Le code INSEE compte 5 caractères : des chiffres, ou 2A / 2B suivis de 3 chiffres.",
)


def champ_texte(verbose_name, longueur, **options):
    """Un texte libre dont la longueur maximale est aussi vérifiée par ``full_clean`` (un
    ``TextField`` ne la vérifie que dans les formulaires) : les services refusent un texte
    démesuré même hors formulaire."""
    return models.TextField(
        verbose_name, max_length=longueur, validators=[MaxLengthValidator(longueur)], **options
    )


class UniciteParConseil:
    """Les contraintes d'unicité « par conseil » (``fields=["conseil", "nom"]``) mettent leur
    erreur sur le champ saisi (le dernier), où le formulaire l'affiche.

    Django ne rattache à un champ que l'erreur d'une contrainte d'un seul champ : sans cela,
    « ce nom existe déjà » s'afficherait en tête du formulaire, loin du champ à corriger.
    """

    def validate_constraints(self, exclude=None):
        try:
            super().validate_constraints(exclude=exclude)
        except ValidationError as erreur:
            champ_du_message = {
                contrainte.get_violation_error_message(): contrainte.fields[-1]
                for contrainte in self._meta.constraints
                if isinstance(contrainte, models.UniqueConstraint)
                and contrainte.fields[:1] == ("conseil",)
            }
            erreurs = {}
            for champ, liste in erreur.error_dict.items():
                for detail in liste:
                    cible = champ
                    if champ == NON_FIELD_ERRORS:
                        cible = champ_du_message.get(detail.message, champ)
                    erreurs.setdefault(cible, []).append(detail)
            raise ValidationError(erreurs) from None


class Strategie(models.Model):
    """Une stratégie nationale de prévention de la délinquance (données de référence)."""

    nom = models.CharField("nom", max_length=200, unique=True)
    annee_debut = models.PositiveSmallIntegerField("année de début")
    annee_fin = models.PositiveSmallIntegerField("année de fin", null=True, blank=True)

    class Meta:
        verbose_name = "stratégie nationale"
        verbose_name_plural = "stratégies nationales"
        ordering = ["-annee_debut"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(annee_fin__isnull=True)
                | models.Q(annee_fin__gte=models.F("annee_debut")),
                name="clspd_strategie_annees_ordonnees",
                violation_error_message="L'année de fin précède l'année de début.",
            )
        ]

    def __str__(self):
        return self.nom


class AxeProgramme(models.TextChoices):
    JEUNES = "jeunes", "Jeunes exposés à la délinquance"
    VICTIMES = "victimes", "Violences intrafamiliales, faites aux femmes et aide aux victimes"
    TRANQUILLITE = "tranquillite", "Tranquillité publique"
    AUTRE = "autre", "Autre"


class Programme(models.Model):
    """Un programme d'une stratégie nationale.

    L'axe rattache les programmes des stratégies successives aux trois familles de la
    fiche méthodologique : c'est lui que le code consulte, jamais le libellé.
    """

    Axe = AxeProgramme

    strategie = models.ForeignKey(
        Strategie, verbose_name="stratégie", on_delete=models.PROTECT, related_name="programmes"
    )
    nom = models.CharField("nom", max_length=200)
    axe = models.CharField("axe", max_length=20, choices=Axe.choices)
    description = models.TextField("description", blank=True)
    ordre = models.PositiveSmallIntegerField("ordre", default=0)
    actif = models.BooleanField("actif", default=True)

    class Meta:
        verbose_name = "programme"
        ordering = ["strategie", "ordre", "nom"]
        constraints = [
            models.UniqueConstraint(
                fields=["strategie", "nom"],
                name="clspd_programme_nom_unique_par_strategie",
                violation_error_message="Cette stratégie a déjà un programme de ce nom.",
            ),
            models.CheckConstraint(
                condition=models.Q(axe__in=AxeProgramme.values), name="clspd_programme_axe_valide"
            ),
        ]

    def __str__(self):
        return self.nom


class Commune(models.Model):
    code_insee = models.CharField(
        "code INSEE", max_length=5, unique=True, validators=[valider_code_insee]
    )
    nom = models.CharField("nom", max_length=150)

    class Meta:
        verbose_name = "commune"
        ordering = ["nom"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code_insee__regex=r"^([0-9]{5}|2[AB][0-9]{3})$"),
                name="clspd_commune_code_insee_valide",
                violation_error_message=valider_code_insee.message,
            )
        ]

    def __str__(self):
        return f"{self.nom} ({self.code_insee})"


class TypeConseil(models.TextChoices):
    CLSPD = "clspd", "CLSPD"
    CISPD = "cispd", "CISPD"


class Conseil(models.Model):
    """Un CLSPD (une commune) ou un CISPD (plusieurs communes)."""

    Type = TypeConseil

    nom = models.CharField("nom", max_length=200, unique=True)
    type = models.CharField("type", max_length=5, choices=Type.choices, default=Type.CLSPD)
    communes = models.ManyToManyField(Commune, verbose_name="communes", related_name="conseils")
    coordonnateurs = models.ManyToManyField(
        "Utilisateur",
        verbose_name="coordonnateurs",
        related_name="conseils_coordonnes",
        blank=True,
    )

    chemin_conseil = ""

    class Meta:
        verbose_name = "conseil"
        ordering = ["nom"]
        permissions = [
            ("coordonner_conseil", "Coordonner le conseil"),
            ("consulter_conseil", "Consulter la synthèse du conseil (formation restreinte)"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(type__in=TypeConseil.values), name="clspd_conseil_type_valide"
            )
        ]

    def __str__(self):
        return self.nom

    @staticmethod
    def valider_communes(type, communes):
        """Un CLSPD couvre une commune, un CISPD plusieurs."""
        if type == TypeConseil.CISPD and len(communes) < 2:
            raise ValidationError({"communes": "Un CISPD couvre plusieurs communes."})
        if type == TypeConseil.CLSPD and len(communes) != 1:
            raise ValidationError({"communes": "Un CLSPD couvre une seule commune."})


class ConseilPermission(UserObjectPermissionBase):
    """Permissions d'un utilisateur sur un conseil (table directe de django-guardian)."""

    content_object = models.ForeignKey(Conseil, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = "permission sur un conseil"
        verbose_name_plural = "permissions sur les conseils"


class TypeTerritoire(models.TextChoices):
    QUARTIER = "quartier", "Quartier"
    QPV = "qpv", "Quartier prioritaire de la politique de la ville (QPV)"
    ZSP = "zsp", "Zone de sécurité prioritaire (ZSP)"


class Territoire(UniciteParConseil, models.Model):
    """Une unité territoriale d'un conseil : quartier, QPV ou zone de sécurité prioritaire."""

    Type = TypeTerritoire

    conseil = models.ForeignKey(
        Conseil, verbose_name="conseil", on_delete=models.CASCADE, related_name="territoires"
    )
    nom = models.CharField("nom", max_length=200)
    type = models.CharField("type", max_length=10, choices=Type.choices)
    commune = models.ForeignKey(
        Commune,
        verbose_name="commune",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="territoires",
        help_text="Laisser vide si le territoire s'étend sur plusieurs communes.",
    )

    chemin_conseil = "conseil"
    historique = HistoricalRecords()

    class Meta:
        verbose_name = "territoire"
        ordering = ["nom"]
        constraints = [
            models.UniqueConstraint(
                fields=["conseil", "nom"],
                name="clspd_territoire_nom_unique_par_conseil",
                violation_error_message="Ce conseil a déjà un territoire de ce nom.",
            ),
            models.CheckConstraint(
                condition=models.Q(type__in=TypeTerritoire.values),
                name="clspd_territoire_type_valide",
            ),
        ]

    def __str__(self):
        return f"{self.nom} ({self.get_type_display()})"

    def clean(self):
        if (
            self.commune_id
            and self.conseil_id
            and not self.conseil.communes.filter(pk=self.commune_id).exists()
        ):
            raise ValidationError({"commune": "Cette commune n'appartient pas au conseil."})


class CategorieInstitution(models.TextChoices):
    PREFECTURE = "prefecture", "Préfecture / délégué du préfet"
    EDUCATION = "education", "Éducation nationale"
    POLICE_NATIONALE = "police_nationale", "Police nationale"
    GENDARMERIE = "gendarmerie", "Gendarmerie nationale"
    POLICE_MUNICIPALE = "police_municipale", "Police municipale"
    PARQUET = "parquet", "Parquet"
    SPIP = "spip", "Service pénitentiaire d'insertion et de probation (SPIP)"
    PJJ = "pjj", "Protection judiciaire de la jeunesse (PJJ)"
    DROITS_FEMMES = "droits_femmes", "Droits des femmes et égalité"
    DEPARTEMENT_SOCIAL = "departement_social", "Département : service social"
    PREVENTION_SPECIALISEE = "prevention_specialisee", "Prévention spécialisée"
    CENTRE_SOCIAL = "centre_social", "Centre social"
    POLITIQUE_VILLE = "politique_ville", "Politique de la ville"
    AIDE_VICTIMES = "aide_victimes", "Association d'aide aux victimes"
    BAILLEUR = "bailleur", "Bailleur social"
    TRANSPORT = "transport", "Transporteur public"
    COMMUNE = "commune", "Commune"
    AUTRE = "autre", "Autre"


class Institution(UniciteParConseil, models.Model):
    """Une institution partenaire, dans l'annuaire d'un conseil."""

    Categorie = CategorieInstitution

    conseil = models.ForeignKey(
        Conseil, verbose_name="conseil", on_delete=models.CASCADE, related_name="institutions"
    )
    nom = models.CharField("nom", max_length=200)
    categorie = models.CharField("catégorie", max_length=30, choices=Categorie.choices)
    adresse = models.TextField("adresse", blank=True)
    courriel = models.EmailField("courriel", blank=True)
    telephone = models.CharField("téléphone", max_length=30, blank=True)

    chemin_conseil = "conseil"
    historique = HistoricalRecords()

    class Meta:
        verbose_name = "institution"
        ordering = ["nom"]
        constraints = [
            models.UniqueConstraint(
                fields=["conseil", "nom"],
                name="clspd_institution_nom_unique_par_conseil",
                violation_error_message=(
                    "L'annuaire de ce conseil a déjà une institution de ce nom."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(categorie__in=CategorieInstitution.values),
                name="clspd_institution_categorie_valide",
            ),
        ]

    def __str__(self):
        return self.nom


class UtilisateurManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("L'adresse électronique est obligatoire.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, email):
        # Les adresses sont enregistrées en minuscules : l'index unique sert la recherche.
        return self.get(email=email.strip().lower())


def _nouvelle_cle_des_sessions():
    return secrets.token_hex(16)


class Utilisateur(AbstractUser):
    """Une personne : se connecte avec son adresse électronique."""

    username = None
    email = models.EmailField(
        "adresse électronique",
        unique=True,
        error_messages={"unique": "Un compte existe déjà avec cette adresse électronique."},
    )
    institution = models.ForeignKey(
        Institution,
        verbose_name="institution",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agents",
    )
    fonction = models.CharField("fonction", max_length=200, blank=True)
    # Change à chaque « déconnexion de partout » : toutes les sessions ouvertes deviennent
    # invalides, comme après un changement de mot de passe.
    cle_des_sessions = models.CharField(
        "clé des sessions", max_length=32, default=_nouvelle_cle_des_sessions, editable=False
    )

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UtilisateurManager()

    class Meta:
        verbose_name = "utilisateur"
        ordering = ["last_name", "first_name", "email"]

    def __str__(self):
        return self.get_full_name() or self.email

    def save(self, *args, **kwargs):
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)

    def _get_session_auth_hash(self, secret=None):
        # Le hachage que chaque session garde et que Django revérifie à chaque requête :
        # celui du mot de passe et de la clé des sessions.
        return salted_hmac(
            "clspd.Utilisateur.session",
            f"{self.password}:{self.cle_des_sessions}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()


class MembreFormationRestreinte(models.Model):
    """Un membre de la formation restreinte d'un conseil.

    Sa composition est « soit fixe soit déterminée en fonction de la thématique
    retenue » : un membre sans programme siège en permanence, un membre rattaché à un
    programme siège pour ce programme.
    """

    conseil = models.ForeignKey(
        Conseil,
        verbose_name="conseil",
        on_delete=models.CASCADE,
        related_name="formation_restreinte",
    )
    utilisateur = models.ForeignKey(
        Utilisateur,
        verbose_name="membre",
        on_delete=models.PROTECT,
        related_name="sieges_formation_restreinte",
    )
    institution = models.ForeignKey(
        Institution,
        verbose_name="institution représentée",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    qualite = models.CharField("qualité", max_length=200, blank=True)
    programme = models.ForeignKey(
        Programme,
        verbose_name="programme",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Laisser vide pour un membre permanent.",
    )
    date_debut = models.DateField("date de début")
    date_fin = models.DateField("date de fin", null=True, blank=True)

    chemin_conseil = "conseil"
    historique = HistoricalRecords()

    class Meta:
        verbose_name = "membre de la formation restreinte"
        verbose_name_plural = "membres de la formation restreinte"
        ordering = ["utilisateur__last_name", "utilisateur__first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["conseil", "utilisateur"],
                condition=models.Q(date_fin__isnull=True),
                name="clspd_membreformationrestreinte_unique_actif",
                violation_error_message="Cette personne siège déjà à la formation restreinte.",
            ),
            models.CheckConstraint(
                condition=models.Q(date_fin__isnull=True)
                | models.Q(date_fin__gte=models.F("date_debut")),
                name="clspd_membreformationrestreinte_dates_ordonnees",
                violation_error_message="La date de fin précède la date de début.",
            ),
        ]

    def __str__(self):
        return f"{self.utilisateur} ({self.conseil})"

    @property
    def est_permanent(self):
        return self.programme_id is None

    def clean(self):
        if (
            self.institution_id
            and self.conseil_id
            and self.institution.conseil_id != self.conseil_id
        ):
            raise ValidationError({"institution": "Cette institution n'est pas de ce conseil."})


class EtatRendu(models.TextChoices):
    """L'état d'un rendu de PDF (``RenduPDF.Etat``)."""

    EN_ATTENTE = "en_attente", "en attente"
    EN_COURS = "en_cours", "en cours"
    TERMINE = "termine", "terminé"
    ECHEC = "echec", "échec"


class RenduPDF(models.Model):
    """Un PDF long, rendu hors de la requête qui l'a demandé (voir ``clspd.rendus``).

    L'identifiant, tiré au hasard, ne se devine pas ; seul le demandeur voit la demande,
    son avancement et le fichier, effacés 24 heures après la demande par l'entretien
    quotidien. Le contenu est confidentiel : ce modèle n'est pas dans l'administration.
    """

    Etat = EtatRendu

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    demandeur = models.ForeignKey(
        Utilisateur,
        verbose_name="demandeur",
        on_delete=models.CASCADE,
        related_name="rendus_pdf",
    )
    # La fonction enregistrée qui décrit le document (clspd.rendus.document), et ses
    # paramètres : le rendu relit les données, avec les droits du demandeur.
    document = models.CharField("document", max_length=200)
    parametres = models.JSONField("paramètres", default=dict)
    # L'adresse de la demande (pour la refaire) et celle du site (pour les liens du PDF).
    adresse = models.CharField("adresse de la demande", max_length=500)
    origine = models.CharField("adresse du site", max_length=200)
    etat = models.CharField("état", max_length=10, choices=Etat, default=Etat.EN_ATTENTE)
    etape = models.CharField("étape", max_length=100)
    progression = models.PositiveSmallIntegerField("progression (%)", default=0)
    pages_estimees = models.PositiveIntegerField("pages estimées")
    pages = models.PositiveIntegerField("pages", null=True, blank=True)
    # Le poste de rendu occupé (de 1 à PDF_TRAVAILLEURS_MAX) : deux rendus en cours
    # n'occupent jamais le même, la base tient ainsi la limite.
    poste = models.PositiveSmallIntegerField("poste de rendu", null=True, blank=True)
    contenu = models.BinaryField("contenu", null=True, blank=True)
    nom_fichier = models.CharField("nom du fichier", max_length=255)
    cree_le = models.DateTimeField("demandé le", default=timezone.now)
    debute_le = models.DateTimeField("débuté le", null=True, blank=True)
    termine_le = models.DateTimeField("terminé le", null=True, blank=True)

    class Meta:
        verbose_name = "rendu de PDF"
        verbose_name_plural = "rendus de PDF"
        ordering = ["cree_le"]
        indexes = [models.Index(fields=["etat", "cree_le"], name="clspd_rendupdf_file")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(etat__in=EtatRendu.values),
                name="clspd_rendupdf_etat_valide",
                violation_error_message="État de rendu inconnu.",
            ),
            models.CheckConstraint(
                condition=models.Q(progression__lte=100),
                name="clspd_rendupdf_progression_en_pourcentage",
                violation_error_message="La progression est un pourcentage.",
            ),
            # Le fichier existe si, et seulement si, le rendu est terminé.
            models.CheckConstraint(
                condition=models.Q(etat=EtatRendu.TERMINE, contenu__isnull=False)
                | (~models.Q(etat=EtatRendu.TERMINE) & models.Q(contenu__isnull=True)),
                name="clspd_rendupdf_contenu_si_termine",
                violation_error_message="Seul un rendu terminé a un contenu.",
            ),
            models.UniqueConstraint(
                fields=["poste"],
                condition=models.Q(etat=EtatRendu.EN_COURS),
                name="clspd_rendupdf_un_rendu_par_poste",
                violation_error_message="Ce poste de rendu est occupé.",
            ),
        ]

    def __str__(self):
        return f"Rendu PDF {self.pk} ({self.get_etat_display()})"

    def get_absolute_url(self):
        return reverse("rendu_pdf", args=[self.pk])
