from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from clspd.forms import AvecBouton, ChampDate, FiltresEnLigne, PersonneForm
from clspd.models import Programme, Utilisateur
from clspd.revisions import ChampRevision
from groupes.models import (
    ActionSuivi,
    Appartenance,
    Charte,
    Decision,
    GroupeOperationnel,
    Reunion,
    Situation,
    StatutDecision,
    StatutPresence,
)
from groupes.models.reunions import TEXTE_COURT, TEXTE_LONG
from groupes.models.situations import NOTE_COURTE


class GroupeForm(AvecBouton, forms.ModelForm):
    class Meta:
        model = GroupeOperationnel
        fields = ["nom", "nature", "programme", "territoire", "description", "actif"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "programme": "Obligatoire pour un groupe thématique ou territorial.",
            "territoire": (
                "Obligatoire pour un groupe territorial ; une CCOP est rattachée à une ZSP."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = Programme.objects.filter(actif=True).select_related(
            "strategie"
        )
        self.fields["territoire"].queryset = self.instance.conseil.territoires.all()


class MembreAjouterForm(PersonneForm):
    libelle_bouton = "Ajouter au groupe"

    role = forms.ChoiceField(
        label="Rôle",
        choices=[(Appartenance.Role.MEMBRE, "Membre"), (Appartenance.Role.INVITE, "Invité")],
        initial=Appartenance.Role.MEMBRE,
    )
    date_debut = ChampDate(label="Date de début", initial=timezone.localdate)


class PiloteDesignerForm(AvecBouton, forms.Form):
    libelle_bouton = "Désigner le pilote"

    pilote = forms.ModelChoiceField(
        label="Pilote",
        queryset=Utilisateur.objects.none(),
        help_text="Le pilote est choisi parmi les membres actuels du groupe.",
    )
    date_designation = ChampDate(label="Date de désignation", initial=timezone.localdate)
    accord_maire_le = ChampDate(label="Accord du maire le")
    accord_prefet_le = ChampDate(label="Accord du préfet le")

    def __init__(self, *args, groupe, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pilote"].queryset = Utilisateur.objects.filter(
            appartenances__groupe=groupe, appartenances__date_fin__isnull=True
        )


class GroupeFiltreForm(FiltresEnLigne, forms.Form):
    nature = forms.ChoiceField(
        label="Nature",
        choices=[("", "Toutes"), *GroupeOperationnel.Nature.choices],
        required=False,
    )
    programme = forms.ModelChoiceField(
        label="Programme", queryset=Programme.objects.all(), required=False, empty_label="Tous"
    )
    territoire = forms.ModelChoiceField(
        label="Territoire", queryset=None, required=False, empty_label="Tous"
    )
    actif = forms.ChoiceField(
        label="État",
        choices=[("", "Tous"), ("oui", "Actifs"), ("non", "Inactifs")],
        required=False,
    )

    def __init__(self, *args, conseil, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["territoire"].queryset = conseil.territoires.all()

    def filtres(self):
        """Les filtres valides, en arguments de sélecteur (les valeurs invalides sont ignorées)."""
        if not self.is_bound:
            return {}
        self.is_valid()  # un champ invalide est absent de cleaned_data : les autres filtrent
        donnees = self.cleaned_data
        filtres = {
            cle: donnees[cle] for cle in ("nature", "programme", "territoire") if donnees.get(cle)
        }
        if donnees.get("actif"):
            filtres["actif"] = donnees["actif"] == "oui"
        return filtres


# Réunions -----------------------------------------------------------------------------------


class PartieDeFormulaire:
    """Un formulaire rendu dans une page qui en réunit plusieurs, sous une seule balise
    <form> et un seul bouton écrits par le gabarit."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class ChampHeure(forms.TimeField):
    widget = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def _libelle_situation(situation):
    return f"{situation.reference} — {situation.prenom} {situation.nom}"


class ChoixMultiples(forms.ModelMultipleChoiceField):
    """Plusieurs objets cochés. Django vérifie chaque identifiant envoyé, mais sa requête
    ``pk__in`` échoue (OverflowError sous SQLite : une erreur 500) sur un entier hors des
    bornes de la base : un tel identifiant n'est celui d'aucun objet, il est refusé comme un
    choix inconnu."""

    def _check_values(self, value):
        champ = self.queryset.model._meta.pk
        if self.to_field_name:
            champ = self.queryset.model._meta.get_field(self.to_field_name)
        type_ = champ.get_internal_type()
        if type_ in connection.ops.integer_field_ranges and isinstance(value, list | tuple):
            minimum, maximum = connection.ops.integer_field_range(type_)
            for valeur in value:
                try:
                    entier = int(valeur)
                except (TypeError, ValueError):
                    continue  # Django refuse lui-même ce qui n'est pas un identifiant
                if not minimum <= entier <= maximum:
                    raise ValidationError(
                        self.error_messages["invalid_choice"],
                        code="invalid_choice",
                        params={"value": valeur},
                    )
        return super()._check_values(value)


class ChampSituations(ChoixMultiples):
    """Les situations à examiner, pour qui a accepté la charte : seule leur référence sort
    du groupe (comptes rendus, courriels)."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, queryset, **kwargs):
        super().__init__(
            queryset,
            label="Situations individuelles à examiner",
            required=False,
            help_text="Hors de l'application, elles ne sont désignées que par leur référence.",
            **kwargs,
        )

    def label_from_instance(self, situation):
        return _libelle_situation(situation)


class ChampSituation(forms.ModelChoiceField):
    def __init__(self, queryset, **kwargs):
        super().__init__(
            queryset,
            label="Situation concernée",
            required=False,
            empty_label="Aucune",
            help_text="Le compte rendu ne la désigne que par sa référence.",
            **kwargs,
        )

    def label_from_instance(self, situation):
        return _libelle_situation(situation)


class ReunionForm(PartieDeFormulaire, forms.ModelForm):
    date = ChampDate(label="Date")
    heure_debut = ChampHeure(label="Heure de début")
    heure_fin = ChampHeure(label="Heure de fin")
    lien_visio = forms.URLField(
        label="Lien de visioconférence",
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text="Adresse complète, commençant par https://",
    )

    class Meta:
        model = Reunion
        fields = ["objet", "date", "heure_debut", "heure_fin", "lieu", "lien_visio"]
        help_texts = {
            "lieu": "Adresse et salle. Indiquez un lieu, un lien de visioconférence ou les deux.",
        }

    def __init__(self, *args, situations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if situations is not None:
            self.fields["situations"] = ChampSituations(
                situations,
                initial=self.instance.situations.all() if self.instance.pk else [],
            )

    def champs(self):
        return {nom: self.cleaned_data[nom] for nom in self.fields}

    def clean(self):
        donnees = super().clean()
        debut, fin = donnees.get("heure_debut"), donnees.get("heure_fin")
        if debut and fin and fin <= debut:
            self.add_error("heure_fin", "L'heure de fin doit suivre l'heure de début.")
        return donnees


class PointForm(PartieDeFormulaire, forms.Form):
    titre = forms.CharField(label="Intitulé", max_length=300)
    description = forms.CharField(
        label="Précisions",
        required=False,
        max_length=TEXTE_COURT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class BasePointFormSet(forms.BaseFormSet):
    def __init__(self, *args, points=(), **kwargs):
        self.points = list(points)
        kwargs.setdefault(
            "initial", [{"titre": p.titre, "description": p.description} for p in self.points]
        )
        super().__init__(*args, **kwargs)

    def initial_form_count(self):
        # Les lignes des points existants, d'après la base et non d'après le INITIAL_FORMS
        # envoyé : falsifié à 0, il en ferait des lignes facultatives sans cleaned_data.
        return len(self.points)

    def points_ordonnes(self):
        """Les points gardés, dans l'ordre choisi : [{"point", "titre", "description"}]."""
        gardes = []
        for index, form in enumerate(self.forms):
            if not form.has_changed() and index >= len(self.points):
                continue  # ligne vide laissée pour un nouveau point
            if self.can_delete and self._should_delete_form(form):
                continue
            ordre = form.cleaned_data.get("ORDER") or index + 1
            point = self.points[index] if index < len(self.points) else None
            gardes.append(
                (
                    ordre,
                    index,
                    {
                        "point": point,
                        "titre": form.cleaned_data["titre"],
                        "description": form.cleaned_data.get("description", ""),
                    },
                )
            )
        return [donnees for _, _, donnees in sorted(gardes, key=lambda g: (g[0], g[1]))]


PointFormSet = forms.formset_factory(
    PointForm,
    formset=BasePointFormSet,
    extra=3,
    can_order=True,
    can_delete=True,
    max_num=50,
    absolute_max=50,
    validate_max=True,
)


class PresenceForm(PartieDeFormulaire, forms.Form):
    statut = forms.ChoiceField(label="Présence", choices=StatutPresence.choices)
    represente_par = forms.CharField(
        label="Représenté(e) par",
        max_length=200,
        required=False,
        help_text="Seulement si le membre était représenté.",
    )

    def __init__(self, *args, appartenance, **kwargs):
        self.appartenance = appartenance
        super().__init__(*args, prefix=f"membre-{appartenance.pk}", **kwargs)
        nom = f"{appartenance.utilisateur} ({appartenance.institution})"
        self.fields["statut"].label = f"Présence de {nom}"
        self.fields["represente_par"].label = f"{nom} représenté(e) par"

    def clean(self):
        donnees = super().clean()
        if (
            donnees.get("statut") == StatutPresence.REPRESENTE
            and not donnees.get("represente_par", "").strip()
        ):
            self.add_error("represente_par", "Indiquez qui représentait ce membre.")
        return donnees


class ParticipantForm(PartieDeFormulaire, forms.Form):
    nom = forms.CharField(label="Nom et prénom", max_length=200)
    institution = forms.CharField(label="Institution", max_length=200)


class BaseParticipantFormSet(forms.BaseFormSet):
    def participants(self):
        """Les participants saisis et gardés : [(nom, institution)]. Une ligne déjà
        enregistrée compte même inchangée ; seule une ligne ajoutée laissée vide (sans
        ``cleaned_data``) est ignorée."""
        return [
            (form.cleaned_data["nom"], form.cleaned_data["institution"])
            for form in self.forms
            if form.cleaned_data and not self._should_delete_form(form)
        ]


ParticipantFormSet = forms.formset_factory(
    ParticipantForm,
    formset=BaseParticipantFormSet,
    extra=2,
    can_delete=True,
    max_num=50,
    absolute_max=50,
    validate_max=True,
)


class CompteRenduForm(AvecBouton, forms.Form):
    libelle_bouton = "Enregistrer le brouillon"

    revision = ChampRevision()

    synthese = forms.CharField(
        label="Synthèse",
        required=False,
        max_length=TEXTE_LONG,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def __init__(self, *args, points, **kwargs):
        super().__init__(*args, **kwargs)
        self.points = {f"notes_{point.pk}": point for point in points}
        for nom, point in self.points.items():
            self.fields[nom] = forms.CharField(
                label=f"Notes — point {point.ordre} : {point.titre}",
                required=False,
                max_length=TEXTE_LONG,
                initial=point.notes,
                widget=forms.Textarea(attrs={"rows": 4}),
            )

    def notes(self):
        return {point: self.cleaned_data[nom] for nom, point in self.points.items()}


class DecisionForm(AvecBouton, forms.ModelForm):
    libelle_bouton = "Enregistrer la décision"

    echeance = ChampDate(label="Échéance", required=False)

    class Meta:
        model = Decision
        fields = ["libelle", "porteur", "institution_porteuse", "echeance", "statut"]
        widgets = {"libelle": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "porteur": "Un membre du groupe, ou bien une institution partenaire ci-dessous.",
        }

    def __init__(self, *args, reunion, situations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if situations is not None:
            self.fields["situation"] = ChampSituation(
                situations, initial=self.instance.situation_id
            )
        self.fields["porteur"].queryset = Utilisateur.objects.filter(
            appartenances__groupe=reunion.groupe, appartenances__date_fin__isnull=True
        ).order_by("last_name", "first_name")
        self.fields["institution_porteuse"].queryset = reunion.groupe.conseil.institutions.all()

    def champs(self):
        return {nom: self.cleaned_data[nom] for nom in self.fields}

    # « Un membre ou une institution » : c'est Decision.clean, que le ModelForm applique
    # déjà ; le répéter ici affichait deux fois le même message sous le champ.


class CorrectionForm(AvecBouton, forms.Form):
    libelle_bouton = "Ouvrir la correction"

    motif_correction = forms.CharField(
        label="Motif de la correction",
        max_length=TEXTE_COURT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Il figurera dans la nouvelle version du compte rendu.",
    )


class SuiviDecisionForm(AvecBouton, forms.Form):
    libelle_bouton = "Enregistrer le suivi"

    statut = forms.ChoiceField(
        label="Où en est la décision ?",
        choices=StatutDecision.choices,
        widget=forms.RadioSelect,
    )
    commentaire = forms.CharField(
        label="Commentaire",
        required=False,
        max_length=TEXTE_COURT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Obligatoire quand la décision est faite.",
    )

    def clean(self):
        donnees = super().clean()
        if (
            donnees.get("statut") == StatutDecision.FAITE
            and not donnees.get("commentaire", "").strip()
        ):
            self.add_error("commentaire", "Dites en un mot ce qui a été fait.")
        return donnees


# Suivi individuel ---------------------------------------------------------------------------


class ChartePublierForm(AvecBouton, forms.ModelForm):
    libelle_bouton = "Publier cette version"

    adoptee_le = ChampDate(label="Adoptée le")

    class Meta:
        model = Charte
        fields = ["charte_deontologique", "reglement_interieur", "adoptee_le"]
        widgets = {
            "charte_deontologique": forms.Textarea(attrs={"rows": 12}),
            "reglement_interieur": forms.Textarea(attrs={"rows": 8}),
        }


class CharteAccepterForm(AvecBouton, forms.Form):
    """L'acceptation porte sur la version lue : si une autre a été publiée entre-temps,
    elle doit être lue à son tour."""

    libelle_bouton = "J'accepte la charte"

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, charte, **kwargs):
        self.charte = charte
        super().__init__(*args, initial={"version": charte.version}, **kwargs)

    def clean(self):
        # Le champ est caché : l'erreur s'affiche au-dessus du bouton, non sous le champ.
        donnees = super().clean()
        if donnees.get("version") != self.charte.version:
            raise forms.ValidationError(
                "Une nouvelle version de la charte vient d'être publiée : lisez-la avant de "
                "l'accepter."
            )
        return donnees


class RechercheSituationForm(FiltresEnLigne, forms.Form):
    libelle_bouton = "Rechercher"

    q = forms.CharField(
        label="Nom, prénom ou référence",
        max_length=100,
        required=False,
    )

    def recherche(self):
        return self.cleaned_data.get("q", "").strip() if self.is_valid() else ""


class SituationForm(AvecBouton, forms.Form):
    """Les seuls champs que permet le cadre de la CNIL ; l'origine du signalement est une
    liste fermée, à cocher. Les règles du dossier (âge, dates, doublon) sont celles du
    modèle et du service, dont les erreurs s'affichent sous les champs : un formulaire de
    modèle les vérifierait une seconde fois et répéterait leurs messages."""

    libelle_bouton = "Enregistrer le dossier"

    CHAMPS = [
        "nom",
        "prenom",
        "sexe",
        "date_naissance",
        "representants_legaux",
        "scolarite",
        "date_debut",
        "origines",
        "referent",
        "programme",
    ]

    nom = forms.CharField(label="Nom", max_length=100)
    prenom = forms.CharField(label="Prénom", max_length=100)
    sexe = forms.ChoiceField(label="Sexe", choices=Situation.Sexe.choices, widget=forms.RadioSelect)
    date_naissance = ChampDate(label="Date de naissance")
    representants_legaux = forms.CharField(
        label="Coordonnées des représentants légaux",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Nom, qualité, téléphone ou adresse des représentants légaux.",
    )
    scolarite = forms.ChoiceField(
        label="Situation scolaire ou professionnelle",
        choices=[("", "---------"), *Situation.Scolarite.choices],
    )
    date_debut = ChampDate(label="Début du suivi", initial=timezone.localdate)
    origines = forms.MultipleChoiceField(
        label="Origine du signalement",
        choices=Situation.Origine.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Cochez au moins une origine du signalement."},
        help_text="Qui a signalé la situation au groupe : une ou plusieurs cases.",
    )
    referent = forms.ModelChoiceField(
        label="Référent", queryset=Utilisateur.objects.none(), help_text="Un membre du groupe."
    )
    programme = forms.ModelChoiceField(label="Programme", queryset=Programme.objects.none())

    def __init__(self, *args, groupe, situation=None, **kwargs):
        if situation is not None:
            kwargs.setdefault("initial", forms.model_to_dict(situation, fields=self.CHAMPS))
        super().__init__(*args, **kwargs)
        membres = Q(appartenances__groupe=groupe, appartenances__date_fin__isnull=True)
        if situation is not None:
            membres |= Q(pk=situation.referent_id)  # un référent parti reste affiché
        self.fields["referent"].queryset = (
            Utilisateur.objects.filter(membres).distinct().order_by("last_name", "first_name")
        )
        programmes = Q(actif=True)
        if situation is not None:
            programmes |= Q(pk=situation.programme_id)
        self.fields["programme"].queryset = Programme.objects.filter(programmes).select_related(
            "strategie"
        )
        if situation is None and groupe.programme_id:
            self.fields["programme"].initial = groupe.programme_id

    def champs(self):
        return {nom: self.cleaned_data[nom] for nom in self.CHAMPS}


class NoteSuiviForm(AvecBouton, forms.Form):
    libelle_bouton = "Ajouter la note"

    texte = forms.CharField(
        label="Note",
        max_length=NOTE_COURTE,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=(
            f"Écrivez des faits, pas des jugements. {NOTE_COURTE} caractères au plus ; "
            "la note est datée et signée de votre nom."
        ),
    )


class ActionSuiviForm(AvecBouton, forms.ModelForm):
    libelle_bouton = "Ajouter l'action"

    date_debut = ChampDate(label="Début", initial=timezone.localdate)
    date_fin = ChampDate(label="Fin", required=False)

    class Meta:
        model = ActionSuivi
        fields = ["libelle", "date_debut", "date_fin", "resultat"]
        widgets = {"resultat": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"resultat": "Des faits : ce qui a été obtenu, ou pourquoi l'action a cessé."}

    def clean(self):
        donnees = super().clean()
        debut, fin = donnees.get("date_debut"), donnees.get("date_fin")
        if debut and fin and fin < debut:
            self.add_error("date_fin", "La fin de l'action ne peut précéder son début.")
        return donnees


class SituationCloreForm(AvecBouton, forms.Form):
    libelle_bouton = "Mettre fin au suivi"

    date_fin = ChampDate(label="Fin du suivi", initial=timezone.localdate)
    motif_fin = forms.ChoiceField(
        label="Motif de la fin du suivi",
        choices=Situation.MotifFin.choices,
        widget=forms.RadioSelect,
    )
    # Une fin dans le futur : c'est le service qui la refuse, l'erreur revient sous le champ.


class MotifArchiveForm(AvecBouton, forms.Form):
    libelle_bouton = "Consulter le dossier archivé"

    motif = forms.CharField(
        label="Motif de la consultation",
        max_length=NOTE_COURTE,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Indiquez le motif de la consultation de l'archive."},
        help_text="Il est écrit au journal des accès du groupe, avec votre nom et l'heure.",
    )
